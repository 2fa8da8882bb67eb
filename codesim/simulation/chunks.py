"""Coding a sample in chunks: memory bounded by one chunk, whatever n.

A sample of more than ``chunk`` symbols is coded as several messages: chunk i is drawn from
seed :func:`chunk_seed` ``(seed, i)`` = ``[seed, i]``, coded and decoded on its own (in-process,
on a process pool or on a Dask cluster), and only a :class:`Piece` (its bit count, code length
and symbol counts) comes back.  The overhead theory is that of as many messages
(:func:`add_overheads`).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from ..coders import Overhead
from ..errors import OptionError
from ..parallel.executors import call_token, submit
from ..parallel.progress import progress_bar
from ..sources.distributions import draw_counted
from .roundtrip import checked_round_trip, coder_for

__all__ = ["Piece", "code_piece", "chunk_task", "chunk_seed", "pieces", "add_overheads",
           "sample_dtype"]


@dataclass
class Piece:
    """What coding one chunk leaves behind: its bits, its code length, its symbol counts."""

    size: int
    num_bits: int
    code_length: float
    counts: np.ndarray
    encode_seconds: float
    decode_seconds: float


def code_piece(built, x, k: int, counts=None) -> Piece:
    enc, encode_seconds, decode_seconds = checked_round_trip(built, x)
    if counts is None:
        counts = np.bincount(x, minlength=k)         # one pass: information and code length
    return Piece(int(x.size), int(enc.num_bits), built.code_length(x, counts), counts,
                  encode_seconds, decode_seconds)


def chunk_task(name: str, options: dict, p, q, size: int, seed, token: str = "") -> Piece:
    """One chunk, anywhere (a worker process, a Dask worker): sample, encode, decode
    (``token``: the call's, so that no executor hands back an earlier call's chunk)."""
    built = coder_for(name, q, options)
    x, counts = draw_counted(p, size, seed, sample_dtype(q, built))
    return code_piece(built, x, q.size, counts)


def sample_dtype(q: np.ndarray, built):
    """The coder's own symbol type (int32 for constriction's coders) where the alphabet fits."""
    return built.symbol_dtype if q.size < 2**31 else np.int64


def chunk_seed(seed, index: int):
    """The seed of chunk ``index`` of a chunked simulation: ``[seed, index]`` (``[*seed, index]``
    for a list), so ``sample(p, size, chunk_seed(seed, i))`` redraws chunk i on its own."""
    return [*seed, index] if isinstance(seed, (list, tuple)) else [int(seed), index]


def pieces(built, p, q, n, seed, chunk, executor, progress, name, options):
    """Code n symbols in chunks of ``chunk``; yield each chunk's Piece in order."""
    count = -(-n // chunk)
    sizes = (min(chunk, n - i * chunk) for i in range(count))
    show = sys.stderr.isatty() if progress is None else progress
    start = time.perf_counter()
    if executor is not None:
        if not isinstance(seed, (int, np.integer, list, tuple)):
            raise OptionError("chunks on an executor need an integer seed (or a list of them), "
                              "not a Generator")
        token = call_token()
        futures = [submit(executor, chunk_task, name, options, p, q, size, chunk_seed(seed, i), token)
                   for i, size in enumerate(sizes)]          # at most MAX_SYMBOLS / chunk
        for i in range(len(futures)):
            piece, futures[i] = futures[i].result(), None     # keep no finished piece alive
            yield piece
            if show:
                progress_bar(i + 1, count, start, sys.stderr, "chunks")
        return
    rng = seed if isinstance(seed, np.random.Generator) else None
    for i, size in enumerate(sizes):
        x, counts = draw_counted(p, size, rng if rng is not None else chunk_seed(seed, i),
                                 sample_dtype(q, built))
        yield code_piece(built, x, q.size, counts)
        del x
        if show:
            progress_bar(i + 1, count, start, sys.stderr, "chunks")


def add_overheads(parts: list) -> Overhead:
    """The overhead of several messages coded one after another: means, variances, ranges add."""
    if len(parts) == 1:
        return parts[0]
    return Overhead(mean=sum(o.mean for o in parts), sd=math.sqrt(sum(o.sd ** 2 for o in parts)),
                    low=sum(o.low for o in parts), high=sum(o.high for o in parts),
                    allowance=sum(o.allowance for o in parts),
                    basis=f"{len(parts)} chunks, each: {parts[0].basis}")
