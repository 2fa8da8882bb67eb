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

import pytest

import codesim as cs
from tests.helpers import limited, memory_cap
from codesim.coders import Encoded

#: each test starts processes and waits on signals
pytestmark = pytest.mark.slow

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
    cap = (resource.RLIMIT_AS, (memory_cap(MEMORY_CAP),) * 2)
    with ProcessPoolExecutor(1, initializer=resource.setrlimit, initargs=cap) as pool:
        assert pool.submit(worker_count, None, 100).result(timeout=60) == 1    # pools never nest
        assert pool.submit(worker_count, 2, 100).result(timeout=60) == 2       # unless asked
    assert worker_count(None, 100) == min(os.cpu_count() or 1, 100)


def test_too_many_workers_are_refused_and_workers_never_outnumber_tasks():
    with pytest.raises(cs.OptionError, match="workers must be an integer from 1 to"):
        cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["huffman"], n=10, workers=100_000)
    from codesim.parallel.pool import worker_count
    assert worker_count(None, 1) == 1 and worker_count(4, 2) == 2
