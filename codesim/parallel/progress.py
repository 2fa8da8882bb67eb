"""A progress bar on a stream (stderr): one line, redrawn, ended with a newline when done."""

from __future__ import annotations

import time

__all__ = ["progress_bar"]


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
