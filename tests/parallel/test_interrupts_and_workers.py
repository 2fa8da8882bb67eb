"""Robust under abuse: interrupts, resource limits, concurrent writers, crafted messages, and a
fuzzed command line.  Every test that starts processes bounds their memory and time."""

import json
import os
import re
import resource
import signal
import sys
import time
from pathlib import Path

import pytest

import codesim as cs
from tests.helpers import memory_cap, run_bounded
from tests.processes import CHILD_TIMEOUT, MEMORY_CAP, alive, children, codesim_child, interrupt_when

#: each test starts processes and times how fast they end: alone, not beside other tests
pytestmark = [pytest.mark.slow, pytest.mark.serial]


def _q_count_at_least(count: int):
    """Has the sweep's progress counted ``count`` finished q's?  (Batches finish 2 or 3 q's at
    a time, so the count may skip any one value.)"""
    return lambda seen: max((int(c) for c in re.findall(rb" (\d+)/\d+ q's", seen)), default=0) >= count


P3 = [0.5, 0.25, 0.25]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
def test_ctrl_c_stops_a_sweep_within_3_seconds_leaves_no_process_and_keeps_the_rows(tmp_path):
    ts = ",".join(str(i / 40) for i in range(40))
    proc = codesim_child("sweep", "--p", "zipf:16:1", "--t", ts, "--coder", "arithmetic", "-n", "100000",
                   "--workers", "2", "--csv", "rows.csv", "--json-file", "rows.json", "--progress",
                   cwd=tmp_path)
    err, workers, elapsed = interrupt_when(proc, _q_count_at_least(2))   # the first rows are in
    assert proc.returncode == 130, err[-500:]
    assert elapsed < 3, elapsed
    assert not [pid for pid in workers if alive(pid)]
    assert b"sweep interrupted" in err and b"Traceback" not in err
    import csv
    with open(tmp_path / "rows.csv", newline="") as fh:            # plain CSV, no '#' line
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 2 and all(r["coder"] == "arithmetic" for r in rows)
    assert (tmp_path / "rows.csv.interrupted").read_text().startswith("sweep interrupted:")
    saved = json.loads((tmp_path / "rows.json").read_text())
    assert saved["interrupted"].startswith("sweep interrupted") and len(saved["rows"]) >= 2
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
def test_ctrl_c_stops_a_report_within_3_seconds_and_leaves_no_process_and_no_page(tmp_path):
    proc = codesim_child("report", "--quick", "--out", "page", "--workers", "2", cwd=tmp_path)
    err, workers, elapsed = interrupt_when(proc, lambda seen: b"report: the demo" in seen)
    assert proc.returncode == 130 and b"interrupted" in err and b"Traceback" not in err, err[-500:]
    assert elapsed < 3, elapsed
    assert not [pid for pid in workers if alive(pid)]
    assert not (tmp_path / "page" / "index.html").exists()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
def test_ctrl_c_stops_the_calibration_experiment_within_3_seconds_and_leaves_no_process(tmp_path):
    # its workers ignore Ctrl-C (the parent ends them); it waited for their running tasks, which
    # at this n are 125 samples of 10**6 symbols each (15 s at the default n, later in the run)
    proc = codesim_child("experiment", "calibration", "-n", "1000000", "--out", "out", cwd=tmp_path)
    try:
        deadline = time.monotonic() + CHILD_TIMEOUT
        while len(children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = children(proc.pid)
        assert len(workers) >= 2, "it should run worker processes"
        time.sleep(3)                                       # the long tasks are running
        os.killpg(proc.pid, signal.SIGINT)
        start = time.monotonic()
        proc.wait(timeout=30)
        assert time.monotonic() - start < 3 and proc.returncode == 130
        assert not [pid for pid in workers if alive(pid)]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see children")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_themselves_when_a_kill_takes_their_parent(tmp_path, how):
    # `kill PID` or the OOM killer run no clean-up in the parent; its workers slept on forever,
    # waiting for work from a pipe their siblings held open
    ts = ",".join(str(i / 40) for i in range(40))
    proc = codesim_child("sweep", "--p", "zipf:16:1", "--t", ts, "--coder", "arithmetic", "-n", "100000",
                   "--workers", "2", "--progress", cwd=tmp_path)
    try:
        _, workers, _ = interrupt_when(proc, _q_count_at_least(2), sig=how, group=False)
        deadline = time.monotonic() + 10
        while [pid for pid in workers if alive(pid)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        for pid in workers if "workers" in locals() else []:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


ENDED_POOL = """
import threading, time
from codesim.parallel.pool import end_workers, process_pool
pool = process_pool(2)
futures = [pool.submit(time.sleep, 5) for _ in range(6)]
deadline = time.monotonic() + 10
while not futures[0].running() and time.monotonic() < deadline:   # a task is under way
    time.sleep(0.01)
end_workers(pool)
left = [t.name for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
assert not left, left
"""


def test_ended_workers_leave_no_thread_of_their_pool_for_the_exit_handler_to_race():
    # Python 3.11's exit handler wakes a pool's manager thread without its lock; if that
    # thread is still closing its pipe, the exit prints an OSError traceback (a flaky Ctrl-C)
    done = run_bounded([sys.executable, "-c", ENDED_POOL], memory=memory_cap(MEMORY_CAP),
                       timeout=CHILD_TIMEOUT, env={**os.environ, "CODESIM_BACKEND": "python"})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


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
