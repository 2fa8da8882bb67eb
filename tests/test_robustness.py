"""Robust under abuse: interrupts, resource limits, concurrent writers, crafted messages, and a
fuzzed command line.  Every test that starts processes bounds their memory and time."""

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import codesim as cs
from codesim.coders import Encoded, make_coder
from codesim.commands import main

MEMORY_CAP = 6 << 30          # RLIMIT_AS of every child process a test starts
CHILD_TIMEOUT = 120


def _limit_child():
    """preexec_fn: cap the child's address space, and give it its own process group."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    os.setsid()


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


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
def test_ctrl_c_stops_a_sweep_within_3_seconds_leaves_no_process_and_keeps_the_rows(tmp_path):
    ts = ",".join(str(i / 40) for i in range(40))
    proc = codesim("sweep", "--p", "zipf:16:1", "--t", ts, "--coder", "arithmetic", "-n", "100000",
                   "--workers", "2", "--csv", "rows.csv", "--json-file", "rows.json", "--progress",
                   cwd=tmp_path)
    err, workers, elapsed = _interrupt_when(proc, _q_count_at_least(2))   # the first rows are in
    assert proc.returncode == 130, err[-500:]
    assert elapsed < 3, elapsed
    assert not [pid for pid in workers if _alive(pid)]
    assert b"sweep interrupted" in err and b"Traceback" not in err
    lines = (tmp_path / "rows.csv").read_text().splitlines()
    assert lines[-1].startswith("# sweep interrupted:") and len(lines) >= 3
    saved = json.loads((tmp_path / "rows.json").read_text())
    assert saved["interrupted"].startswith("sweep interrupted") and len(saved["rows"]) >= 2
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
def test_ctrl_c_stops_a_report_within_3_seconds_and_leaves_no_process_and_no_page(tmp_path):
    proc = codesim("report", "--quick", "--out", "page", "--workers", "2", cwd=tmp_path)
    err, workers, elapsed = _interrupt_when(proc, lambda seen: b"report: the demo" in seen)
    assert proc.returncode == 130 and b"interrupted" in err and b"Traceback" not in err, err[-500:]
    assert elapsed < 3, elapsed
    assert not [pid for pid in workers if _alive(pid)]
    assert not (tmp_path / "page" / "index.html").exists()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
def test_ctrl_c_stops_the_calibration_experiment_within_3_seconds_and_leaves_no_process(tmp_path):
    # its workers ignore Ctrl-C (the parent ends them); it waited for their running tasks, which
    # at this n are 125 samples of 10**6 symbols each (15 s at the default n, later in the run)
    proc = codesim("experiment", "calibration", "-n", "1000000", "--out", "out", cwd=tmp_path)
    try:
        deadline = time.monotonic() + CHILD_TIMEOUT
        while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "it should run worker processes"
        time.sleep(3)                                       # the long tasks are running
        os.killpg(proc.pid, signal.SIGINT)
        start = time.monotonic()
        proc.wait(timeout=30)
        assert time.monotonic() - start < 3 and proc.returncode == 130
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_themselves_when_a_kill_takes_their_parent(tmp_path, how):
    # `kill PID` or the OOM killer run no clean-up in the parent; its workers slept on forever,
    # waiting for work from a pipe their siblings held open
    ts = ",".join(str(i / 40) for i in range(40))
    proc = codesim("sweep", "--p", "zipf:16:1", "--t", ts, "--coder", "arithmetic", "-n", "100000",
                   "--workers", "2", "--progress", cwd=tmp_path)
    try:
        _, workers, _ = _interrupt_when(proc, _q_count_at_least(2), sig=how, group=False)
        deadline = time.monotonic() + 10
        while [pid for pid in workers if _alive(pid)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        for pid in workers if "workers" in locals() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_worker_process_starts_no_workers_of_its_own_by_default():
    from concurrent.futures import ProcessPoolExecutor
    from codesim.parallel.pool import worker_count
    cap = (resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    with ProcessPoolExecutor(1, initializer=resource.setrlimit, initargs=cap) as pool:
        assert pool.submit(worker_count, None, 100).result(timeout=60) == 1    # pools never nest
        assert pool.submit(worker_count, 2, 100).result(timeout=60) == 2       # unless asked
    assert worker_count(None, 100) == min(os.cpu_count() or 1, 100)


def test_too_many_workers_are_refused_and_workers_never_outnumber_tasks():
    with pytest.raises(cs.OptionError, match="workers must be an integer from 1 to"):
        cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["huffman"], n=10, workers=100_000)
    from codesim.parallel.pool import worker_count
    assert worker_count(None, 1) == 1 and worker_count(4, 2) == 2


# --- sizes a user can type -------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=10**10, chunk_size=10**10),
     "coding a message of 10000000000 symbols in one piece"),
    (lambda: cs.make_coder("huffman", cs.uniform(2**24)), "a huffman code over 16777216 symbols"),
    (lambda: cs.uniform(99_999_999_999), "a distribution over 99999999999 symbols"),
    (lambda: cs.sample([0.5, 0.5], 10**12), "a sample of 1000000000000 symbols"),
    (lambda: cs.MarkovSource.sticky(10**6, 0.5), "transitions over 1000000 contexts"),   # was numpy's 7 TiB error
])
def test_sizes_beyond_the_memory_budget_are_refused_at_once_naming_how_to_raise_it(call, message):
    start = time.perf_counter()
    with pytest.raises(cs.ResourceLimitError, match=message) as info:
        call()
    assert "CODESIM_MEMORY" in str(info.value) and time.perf_counter() - start < 5


@pytest.mark.parametrize("call", [lambda q: cs.make_coder("arithmetic", q.reshape(2**11, 2**10)),
                                  lambda q: cs.make_coder("huffman", q), lambda q: cs.entropy(q)])
def test_an_array_the_user_already_holds_is_budgeted_before_its_validated_copy(monkeypatch, call):
    # a 3 GiB 2-D q took numpy's MemoryError from the copy; here the budget is small instead
    q = np.full(2**21, 2.0**-21)
    monkeypatch.setenv("CODESIM_MEMORY", "32M")
    with pytest.raises(cs.ResourceLimitError, match="validating (p|q) of 2097152 entries needs about 64 MiB"):
        call(q)


def test_the_memory_budget_can_be_raised(monkeypatch):
    monkeypatch.setenv("CODESIM_MEMORY", "64G")
    from codesim.limits import memory_budget
    assert memory_budget() == 64 << 30
    monkeypatch.setenv("CODESIM_MEMORY", "lots")
    with pytest.raises(cs.ResourceLimitError, match="is not a size"):
        memory_budget()


@pytest.mark.parametrize("name", ["ans", "range"])
def test_an_alphabet_of_2_to_the_24_codes_with_constriction(name):
    # every frequency is 1: constriction's Categorical cannot normalise weights f - 1 = 0
    coder = make_coder(name, cs.uniform(2**24))
    x = np.array([0, 5, 2**24 - 1, 77])
    assert np.array_equal(coder.decode(coder.encode(x)), x) and coder.code_length(x) == 96


# --- crafted messages -------------------------------------------------------------------------

def _with_count(enc, num_symbols):
    """The same message with another symbol count, its CRCs recomputed (as an attacker would)."""
    return Encoded.from_bytes(Encoded(enc.coder, num_symbols, enc.num_bits, enc.payload,
                                      enc.options, enc.model_fingerprint).to_bytes())


@pytest.mark.parametrize("name", cs.available_coders())
def test_a_header_claiming_a_billion_symbols_is_refused_before_any_allocation(name):
    coder = make_coder(name, cs.zipf(8, 1))
    enc = coder.encode(cs.sample(cs.zipf(8, 1), 1000, 1))
    start = time.perf_counter()
    with pytest.raises(cs.DecodeError):
        coder.decode(_with_count(enc, 10**9))
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("name", cs.available_coders())
@pytest.mark.parametrize("extra", [5, -1, 50])
def test_a_wrong_symbol_count_is_a_decode_error_not_garbage_symbols(name, extra):
    coder = make_coder(name, cs.zipf(8, 1))
    x = cs.sample(cs.zipf(8, 1), 1000, 1)
    enc = coder.encode(x)
    if name == "tunstall" and extra < 0 and coder.encode(x[:1000 + extra]) == enc:
        # A Tunstall message ending inside a word is completed with symbol 0: here the last
        # symbol is such a completion, so both messages have these very bits and no decoder
        # can tell them apart; the count decides (and gives the shorter message exactly).
        assert np.array_equal(coder.decode(_with_count(enc, 1000 + extra)), x[:1000 + extra])
        return
    with pytest.raises(cs.DecodeError):
        coder.decode(_with_count(enc, 1000 + extra))


def test_a_lone_symbol_message_with_a_huge_count_is_refused_by_the_budget():
    coder = make_coder("ans", [1.0, 0.0])
    with pytest.raises(cs.ResourceLimitError):
        coder.decode(_with_count(coder.encode([0, 0]), 10**12))


# --- files ------------------------------------------------------------------------------------

def _symbol_files(folder, count: int) -> list:
    """``count`` symbol files of 200,000 bytes' symbols each (encoding one takes a while)."""
    paths = [folder / f"in{i}.txt" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_text(" ".join(map(str, cs.sample(cs.uniform(256), 200_000, i).tolist())))
    return paths


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


# --- samples, seeds and labels ------------------------------------------------------------------

def test_an_empty_sample_has_no_rate():
    r = cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=0)
    assert r.num_bits == 0 and np.isnan(r.measured_bits_per_symbol) and np.isnan(r.stderr)


def test_sweep_labels_never_collide_and_each_row_reproduces_with_its_seed():
    p = cs.zipf(8, 1.0)
    grid = cs.mixture_grid(p, [0, 0, 0.5, 0.5000001])
    assert list(grid) == ["t=0.0", "t=0.0 (2)", "t=0.5", "t=0.5000001"]
    rows = cs.sweep(p, grid, ["ans", "huffman"], n=2000, seed=7, workers=1)
    assert len(rows) == 8
    for row in rows:
        again = cs.simulate(p, grid[row["q"]], row["coder"], n=2000, seed=row["seed"])
        assert again.num_bits == row["num_bits"]


def test_numpy_scalars_are_numbers():
    assert cs.make_coder("huffman", cs.uniform(4), block=np.int64(2)).block == 2
    assert cs.zipf(4, np.float32(1)).size == 4
    assert cs.mixture([1.0, 0.0], [0.0, 1.0], np.float32(0.5)).tolist() == [0.5, 0.5]
    assert cs.sample([0.5, 0.5], np.int32(3), np.uint8(1)).size == 3


def test_a_run_too_long_to_finish_is_refused_at_once():
    start = time.perf_counter()
    for call in (lambda: cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=10**21),
                 lambda: cs.compare([0.5, 0.5], [0.5, 0.5], ["ans"], n=10**21)):
        with pytest.raises(cs.ResourceLimitError, match="more than the 10\\*\\*12 one run codes"):
            call()
    assert time.perf_counter() - start < 2


P3 = [0.5, 0.25, 0.25]


@pytest.mark.parametrize("call, error, message", [
    (lambda: cs.simulate(P3, P3, "ans", n="10"), cs.OptionError, "sample size n must be a non-negative integer, got '10'"),
    (lambda: cs.simulate(P3, P3, "huffman", n=None), cs.OptionError, "sample size n must be a non-negative integer, got None"),
    (lambda: cs.compare(P3, P3, ["ans"], n=[3]), cs.OptionError, "sample size n"),
    (lambda: cs.sweep(P3, [P3], ["ans"], n="many"), cs.OptionError, "sample size n"),
    (lambda: cs.MarkovSource.sticky(2, 0.9).sample("5"), cs.OptionError, "sample size n"),
    (lambda: cs.simulate(P3, P3, ["ans"], n=10), cs.OptionError, "unknown coder \\['ans'\\]"),
    (lambda: cs.compare(P3, P3, 3, n=10), cs.OptionError, "coders must be names, \\(name, options\\) pairs or a dict"),
    (lambda: cs.compare(P3, P3, [("ans", 5)], n=10), cs.OptionError, "a coder is a name or a \\(name, options\\) pair"),
    (lambda: cs.sweep(P3, None, ["ans"], n=10), cs.OptionError, "qs must be a list"),
    (lambda: cs.sweep(P3, "uniform:3", ["ans"], n=10), cs.OptionError, "qs must be a list"),
    (lambda: cs.Encoded.from_bytes("CSIM"), cs.DecodeError, "a saved message is bytes .*, got str"),
    (lambda: cs.Encoded.from_bytes(None), cs.DecodeError, "got NoneType"),
    (lambda: cs.MarkovSource.sticky(True, 0.5), cs.OptionError, "K >= 2"),
    (lambda: cs.MarkovSource.random(3, order=True), cs.OptionError, "order must be a whole number"),
    (lambda: cs.AdaptiveContextModel(True, 1), cs.OptionError, "alphabet_size must be a positive whole number"),
])
def test_an_argument_of_the_wrong_type_is_a_codesim_error_naming_it(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_measure_divergence_takes_every_seed_simulate_takes_and_records_it_alike():
    q = [0.4, 0.3, 0.3]
    for seed, label in ((np.int64(3), 3), ([1, 2], [1, 2]), (np.random.default_rng(0), -1)):
        m = cs.measure_divergence(P3, q, n=500, seed=seed)
        assert m.seed == label == cs.simulate(P3, q, "ans", n=500, seed=seed).seed
    assert cs.measure_divergence(P3, q, n=500, seed=[1, 2]).bits_q == \
        cs.simulate(P3, q, "ans", n=500, seed=[1, 2]).num_bits


@pytest.mark.parametrize("coder", [c for c in cs.available_coders() if c not in ("arithmetic", "range", "ans")])
def test_a_coder_of_one_fixed_q_refuses_one_q_per_position_naming_the_coders_that_take_it(coder):
    # prefix codes and tunstall said only "q must be a 1-D probability vector"
    with pytest.raises(cs.OptionError, match=f"{coder} codes with one fixed q; for one distribution per "
                                             "position use 'arithmetic', 'range' or 'ans'"):
        cs.make_coder(coder, np.full((4, 2), 0.5))


@pytest.mark.parametrize("coder", cs.available_coders())
def test_a_ragged_q_is_a_distribution_error_for_every_coder(coder):
    # tans read q with numpy before validating it: numpy's ValueError
    with pytest.raises(cs.DistributionError, match=r"q\[0\] = \[0.5\] is not a number"):
        cs.make_coder(coder, [[0.5], [0.5, 0.5]])
