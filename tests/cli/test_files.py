"""Robust under abuse: interrupts, resource limits, concurrent writers, crafted messages, and a
fuzzed command line.  Every test that starts processes bounds their memory and time."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import codesim as cs
from tests.helpers import limited
from codesim.coders import Encoded
from codesim.commands import main

MEMORY_CAP = 6 << 30          # RLIMIT_AS of every child process a test starts
CHILD_TIMEOUT = 120


_limit_child = limited(MEMORY_CAP, new_session=True)


def codesim(*argv, cwd, **kw):
    """Start ``codesim ARGV`` bounded in memory (the caller bounds its time)."""
    return subprocess.Popen([sys.executable, "-m", "codesim", *argv], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_limit_child, **kw)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _read_until_closed(stream, seconds: float) -> bytes:
    """What is left in a pipe, up to its end or ``seconds`` (a surviving worker holds it open)."""
    import selectors
    out, deadline = b"", time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(stream.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
    return out


def _interrupt_when(proc, ready, sig=signal.SIGINT, group=True) -> tuple[bytes, list[int], float]:
    """Read the process's stderr until ``ready(what it printed)`` (or EOF, or the timeout),
    note its worker processes, then press Ctrl-C (SIGINT to the whole process group, as a
    terminal does; or send ``sig`` to the process alone, as ``kill`` does).  Return what it
    printed, the workers, and the seconds it took to exit."""
    try:
        seen, deadline = b"", time.monotonic() + CHILD_TIMEOUT
        while not ready(seen) and time.monotonic() < deadline:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        workers = _children(proc.pid)
        assert workers, f"it should run worker processes; it printed {seen[-300:]!r}"
        (os.killpg if group else os.kill)(proc.pid, sig)
        start = time.monotonic()
        proc.wait(timeout=10)
        elapsed = time.monotonic() - start
        return seen + _read_until_closed(proc.stderr, 10), workers, elapsed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def _q_count_at_least(count: int):
    """Has the sweep's progress counted ``count`` finished q's?  (Batches finish 2 or 3 q's at
    a time, so the count may skip any one value.)"""
    return lambda seen: max((int(c) for c in re.findall(rb" (\d+)/\d+ q's", seen)), default=0) >= count


def _with_count(enc, num_symbols):
    """The same message with another symbol count, its CRCs recomputed (as an attacker would)."""
    return Encoded.from_bytes(Encoded(enc.coder, num_symbols, enc.num_bits, enc.payload,
                                      enc.options, enc.model_fingerprint).to_bytes())


def _symbol_files(folder, count: int) -> list:
    """``count`` symbol files of 200,000 bytes' symbols each (encoding one takes a while)."""
    paths = [folder / f"in{i}.txt" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_text(" ".join(map(str, cs.sample(cs.uniform(256), 200_000, i).tolist())))
    return paths


P3 = [0.5, 0.25, 0.25]


@pytest.mark.slow
def test_concurrent_encodes_to_one_path_never_leave_a_mixed_file(tmp_path):
    inputs = _symbol_files(tmp_path, 4)
    whole = set()
    for i, path in enumerate(inputs):          # each writer's complete output, alone
        out = tmp_path / f"alone{i}.csim"
        assert main(["encode", "--q", "uniform:256", "--coder", "huffman", str(path), str(out)]) == 0
        whole.add(out.read_bytes())
    for trial in range(6):
        target = tmp_path / "shared.csim"
        procs = [codesim("encode", "--q", "uniform:256", "--coder", "huffman", "--force",
                         str(path), str(target), cwd=tmp_path) for path in inputs]
        for proc in procs:
            proc.communicate(timeout=CHILD_TIMEOUT)
            assert proc.returncode == 0
        assert target.read_bytes() in whole, trial
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.slow
def test_encodes_racing_for_one_new_path_without_force_leave_one_winner(tmp_path):
    # encode checked "exists" before its work and renamed after: every racer passed the check,
    # and all but one silently overwrote a file they had not been allowed to
    inputs = _symbol_files(tmp_path, 4)
    target = tmp_path / "new.csim"
    procs = [codesim("encode", "--q", "uniform:256", "--coder", "huffman", str(path), str(target),
                     cwd=tmp_path) for path in inputs]
    results = [(proc.communicate(timeout=CHILD_TIMEOUT)[1], proc.returncode) for proc in procs]
    assert sorted(code for _, code in results) == [0, 2, 2, 2], results
    assert all(b"new.csim exists: add --force to overwrite it" in err for err, code in results if code)
    winner = inputs[[code for _, code in results].index(0)]
    assert main(["decode", "--q", "uniform:256", str(target), str(tmp_path / "back.txt")]) == 0
    assert (tmp_path / "back.txt").read_text().split() == winner.read_text().split()
    assert not list(tmp_path.glob(".*.tmp"))


def test_encode_refuses_its_input_as_output_and_an_existing_file_without_force(tmp_path, capsys):
    src = tmp_path / "f"
    src.write_text("0 1 2 1 0")
    assert main(["encode", "--q", "uniform:3", str(src), str(src)]) == 2
    assert "is also the input" in capsys.readouterr().err and src.read_text() == "0 1 2 1 0"
    out = tmp_path / "f.csim"
    out.write_text("precious")
    assert main(["encode", "--q", "uniform:3", str(src), str(out)]) == 2
    assert "exists: add --force" in capsys.readouterr().err and out.read_text() == "precious"
    assert main(["encode", "--q", "uniform:3", "--force", str(src), str(out)]) == 0
    back = tmp_path / "back.txt"
    assert main(["decode", "--q", "uniform:3", str(out), str(back)]) == 0
    assert back.read_text().split() == ["0", "1", "2", "1", "0"]
    assert main(["decode", "--q", "uniform:3", str(out), str(back)]) == 2


@pytest.mark.parametrize("argv", [
    ["sweep", "--p", "uniform:4", "--csv", "/no/such/folder/rows.csv"],
    ["sweep", "--p", "uniform:4", "--json-file", "/no/such/folder/rows.json"],
    ["experiment", "wrong_codebook", "--out", "/proc/no/such"],
    # found by trying: access() says root may write in /proc, and the work ran before the write
    # failed; two outputs at one path had the JSON overwrite the CSV
    pytest.param(["experiment", "wrong_codebook", "--out", "/proc"],
                 marks=pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")),
    ["sweep", "--p", "uniform:4", "--csv", "rows.out", "--json-file", "./rows.out"],
])
def test_a_bad_output_path_fails_before_the_work(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and time.perf_counter() - start < 2
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("text", ["1 2 --1 3", "1 \u00b2 3", "1_000", "+3", "\u0661"])
def test_a_symbol_file_holding_what_is_not_plain_digits_is_named(tmp_path, capsys, text):
    src = tmp_path / "s.txt"
    src.write_text(text, encoding="utf-8")
    assert main(["encode", "--q", "uniform:4", str(src), str(tmp_path / "o.csim")]) == 2
    assert "expected whitespace-separated integers" in capsys.readouterr().err


def test_a_file_without_end_or_over_the_budget_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CODESIM_MEMORY", "100M")
    assert main(["encode", "--q", "uniform:256", "--bytes", "/dev/zero", str(tmp_path / "z.csim")]) == 2
    assert "memory budget" in capsys.readouterr().err
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(4_000_000))
    assert main(["encode", "--q", "uniform:256", "--bytes", str(big), str(tmp_path / "b.csim")]) == 2
    assert "a message of 4000000 bytes" in capsys.readouterr().err
