"""Waiting on futures: Ctrl-C ends the wait and leaves every future as it found it."""

import os
import signal
import threading
from concurrent.futures import Future

import pytest

from codesim.parallel.executors import finished


def test_ctrl_c_while_waiting_for_futures_leaves_no_futures_lock_held():
    # concurrent.futures takes each future's lock in turn while it waits; a Ctrl-C among the
    # takes left the rest held, and a report's pool then waited on them for ever at exit (2
    # reports in 12 on a busy machine).  That race hangs on timing; here: Ctrl-C ends the
    # wait, every lock is free after it, and the caller's Ctrl-C handler is back
    before = signal.getsignal(signal.SIGINT)
    for _ in range(20):
        futures = [Future() for _ in range(300)]            # none ever finishes
        press = threading.Timer(0.03, os.kill, (os.getpid(), signal.SIGINT))
        press.start()
        with pytest.raises(KeyboardInterrupt):
            for _ in finished(futures):
                pass
        press.join()
        assert all(f._condition.acquire(blocking=False) for f in futures)
        assert signal.getsignal(signal.SIGINT) is before


def test_finished_yields_every_future_once_it_is_done():
    futures = [Future() for _ in range(5)]
    for i, f in enumerate(futures):
        threading.Timer(0.01 * i, f.set_result, (i,)).start()
    assert sorted(f.result() for f in finished(futures)) == [0, 1, 2, 3, 4]
