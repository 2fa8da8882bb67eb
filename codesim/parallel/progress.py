"""Progress on a stream (stderr): a bar of finished parts, or, for work that has no parts to
count, a ticker of the seconds it has run; one line, redrawn, ended with a newline when done."""

from __future__ import annotations

import contextlib
import threading
import time

__all__ = ["progress_bar", "ticking"]


#: the run a progress bar names, by what it counts
LABELS = {"q's": "sweep", "coders": "compare"}


def progress_bar(done: int, total: int, start: float, stream, what: str = "q's") -> None:
    width = 30
    filled = int(width * done / total)
    elapsed = time.perf_counter() - start
    label = LABELS.get(what, "simulate")
    stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what} "
                 f"{elapsed:5.1f}s")
    if done == total:
        stream.write("\n")
    stream.flush()


@contextlib.contextmanager
def ticking(stream, what: str, every: float = 1.0):
    """While the block runs, redraw ``WHAT: running, N s`` on ``stream`` each ``every`` seconds
    (nothing when ``stream`` is None); the line ends with the seconds it took."""
    if stream is None:
        yield
        return
    start, done = time.perf_counter(), threading.Event()

    def tick():
        while not done.wait(every):
            stream.write(f"\r{what}: running, {time.perf_counter() - start:.0f} s")
            stream.flush()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        stream.write(f"\r{what}: done in {time.perf_counter() - start:.1f} s\n")
        stream.flush()
