r"""Simulating an i.i.d. source: sample from p, code with a coder built for q, measure.

One run (:func:`measure`, and :func:`codesim.simulate` for a distribution p)::

    p, q  -> checked_pmf (validated once, at the door)
    q     -> coder_for(coder, q, options)            a code designed for q (remembered)
    p, n  -> Sampler(p, n).draw(seed)                the data, and its symbol counts
    x     -> encode -> num_bits -> decode -> x again (a mismatch is an error, never a number)
    bits, code length, counts -> measured_result     the result and its ledger

beyond :data:`CHUNK` symbols the sample is coded in chunks (:mod:`codesim.simulation.chunks`).
:func:`compare` runs several coders on one sample.  q~ is the model really used: the
quantised q of a stream coder, 2**-l(x) of a prefix code (so its quantisation term is the
integer-length cost, on average E_p[l] - H(p, q)).  An adaptive model's q is its sequential
prediction: its divergence term is the learning cost and its quantisation is 0.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import Executor

import numpy as np

from ..coders import DEFAULT_CODERS, Coder
from ..errors import OptionError
from ..limits import MESSAGE_BYTES, require_memory, require_symbols
from ..parallel.executors import check_executor
from ..parallel.progress import progress_bar
from ..sources.distributions import Sampler, sample
from ..validate import checked_pmf, as_symbols, check_same_length, sample_size, is_whole
from .chunks import add_overheads, code_piece, pieces, sample_dtype
from .result import Measurement, Results, measured_result
from .roundtrip import coder_for, information, theory_of

__all__ = ["measure", "coded_sample", "coded_samples", "compare", "coder_list", "CHUNK"]

#: symbols coded per message when a simulation is split into chunks (about 480 MB of work)
CHUNK = 10_000_000


def measure(p, q, coder="huffman", n=100_000, seed=0, *, symbols=None, theory=None,
            chunk_size: int | None = None, executor: Executor | None = None,
            progress: bool | None = None, **coder_options) -> Measurement:
    """Like :func:`simulate`, also returning the sample's code length and the coder's bounds.

    ``coder`` may be a name or a coder already built for q (any :class:`~codesim.coders.Coder`).
    More than ``chunk_size`` symbols (default :data:`CHUNK`) are coded as several messages
    (see :func:`simulate`).
    """
    check_executor(executor)
    p, q = checked_pmf(p, "p"), checked_pmf(q, "q")
    check_same_length(p, q)
    if symbols is None:
        n = sample_size(n)
    name = coder.name if isinstance(coder, Coder) else coder
    built = coder if isinstance(coder, Coder) else coder_for(coder, q, coder_options)
    chunk = CHUNK if chunk_size is None else chunk_size
    if not is_whole(chunk, 1):
        raise OptionError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if symbols is not None:
        coded = [code_piece(built, as_symbols(symbols, q.size), q.size)]
    else:
        if executor is not None and isinstance(coder, Coder):
            raise OptionError("chunks on an executor build their coder there: pass its name")
        coded = coded_sample(built, p, q, n, seed, int(chunk), executor, progress, name,
                             coder_options)
    return _combine(built, p, q, coded, seed, theory)


def coded_sample(built, p, q, n: int, seed, chunk: int = CHUNK, executor: Executor | None = None,
                 progress: bool | None = False, name: str | None = None,
                 options: dict | None = None):
    """Draw n symbols from p with ``seed`` and code them with ``built`` (encode, decode, compare):
    one message of n symbols up to ``chunk`` (without an executor), else chunks of ``chunk``
    (:mod:`.chunks`, on ``executor`` if given, which builds the coder from ``name`` and
    ``options``).  The coded pieces, as :func:`measure` adds them up; p, q and n already
    validated."""
    if n <= chunk and executor is None:
        return next(coded_samples(built, p, q, n, [seed], chunk))
    require_symbols(n)
    require_memory(built.bytes_per_symbol * min(chunk, n),
                   f"coding chunks of {min(chunk, n)} symbols")
    return pieces(built, p, q, n, seed, chunk, executor, progress, name or built.name,
                  built.options if options is None else options)


def coded_samples(built, p, q, n: int, seeds, chunk: int = CHUNK):
    """:func:`coded_sample` for each seed in turn, in this process: each seed's pieces, as a
    list.  A sample of one message is drawn by one :class:`~codesim.sources.distributions.Sampler`
    for every seed (its checks and tables made once: a calibration's thousands of short runs)."""
    if n > chunk:
        for seed in seeds:
            yield list(coded_sample(built, p, q, n, seed, chunk))
        return
    require_memory(built.bytes_per_symbol * n, f"coding a message of {n} symbols in one piece")
    seeds = list(seeds)
    sampler = Sampler(p, n, sample_dtype(q, built), draws=len(seeds))
    for seed in seeds:
        x, counts = sampler.draw(seed)
        yield [code_piece(built, x, q.size, counts)]


def _combine(built, p, q, pieces, seed, theory) -> Measurement:
    """The measurement of one or more coded pieces: their bits, ledgers and theory added up
    as the pieces arrive (a piece's symbol counts are not kept once added)."""
    lengths, num_bits, code_length, encode_seconds, decode_seconds = [], 0, 0.0, 0.0, 0.0
    counts = None
    for piece in pieces:
        lengths.append(piece.size)
        num_bits += piece.num_bits
        code_length += piece.code_length
        counts = piece.counts if counts is None else counts + piece.counts
        encode_seconds += piece.encode_seconds
        decode_seconds += piece.decode_seconds
    if counts is None:
        counts = np.zeros(q.size, dtype=np.int64)
    size = sum(lengths)
    h, hx, d = theory or theory_of(p, q)
    expected = sum(m * built.expected_bits_per_symbol(p, m) for m in lengths)
    variance = sum(m * built.bits_variance(p, m) for m in lengths if m)
    overhead = add_overheads([built.overhead(p, m) for m in lengths])
    rate = expected / size if size else built.expected_bits_per_symbol(p, 0)
    sample_entropy, nominal = information(counts, p, q)
    if getattr(built, "adaptive", None):             # q is the sequential model itself
        nominal, hx, d, quantisation = code_length, rate, rate - h, 0.0
    else:
        quantisation = rate - hx
    # expected: the ledger's theory total, code length and the coder's mean overhead (one flush
    # per message), so that a small n is set beside what it really costs on average
    result = measured_result(
        built.name, size, seed, num_bits, code_length, nominal, sample_entropy, entropy=h,
        cross_entropy=hx, kl_divergence=d, expected=rate + overhead.mean / size if size else rate,
        quantisation=quantisation, overhead_mean=overhead.mean,
        stderr=math.sqrt(variance + overhead.sd ** 2) / size if size else math.nan,
        encode_seconds=encode_seconds, decode_seconds=decode_seconds, chunks=len(lengths),
        universal=getattr(built, "universal", False))
    bounds = [built.length_bounds(m) for m in lengths]
    measurement = Measurement(result, code_length, sum(b for b, _ in bounds),
                              sum(a for _, a in bounds), built, p, overhead)
    result.attach(measurement)
    return measurement


def coder_list(coders) -> list[tuple[str, dict]]:
    if isinstance(coders, str):
        coders = [coders]
    if isinstance(coders, dict):
        coders = list(coders.items())
    if not isinstance(coders, (list, tuple)):
        raise OptionError(f"coders must be names, (name, options) pairs or a dict, got {coders!r:.60}")
    out = []
    for c in coders:
        if isinstance(c, str):
            out.append((c, {}))
        elif isinstance(c, (list, tuple)) and len(c) == 2 and isinstance(c[1], (dict, type(None))):
            out.append((c[0], dict(c[1] or {})))
        else:
            raise OptionError(f"a coder is a name or a (name, options) pair, got {c!r:.60}")
    return out


def compare(p, q, coders=None, n: int = 100_000, seed: int = 0, progress=None) -> Results:
    """Several coders on the same sample from p, each built for q (default: the codes built for q, DEFAULT_CODERS).

    Past :data:`CHUNK` symbols the sample is coded in chunks, as :func:`simulate` does, and every
    coder codes the same chunks.

    ``coders``: names, (name, options) pairs, or a dict name -> options.  Returns
    :class:`~codesim.simulation.result.Results`: a list of results that shows as one table in a
    notebook and becomes a Table (CSV, JSON) with ``to_table()``.  ``progress``, a stream
    (stderr), gets a bar that moves as each coder finishes.
    """
    p, q, n = checked_pmf(p, "p"), checked_pmf(q, "q"), sample_size(n)
    check_same_length(p, q)
    theory = theory_of(p, q)
    coders = coder_list(list(DEFAULT_CODERS) if coders is None else coders)
    shared = {}
    if n <= CHUNK:     # one sample for every coder (past CHUNK, every coder codes the same chunks)
        require_memory(MESSAGE_BYTES * n, f"coding a message of {n} symbols in one piece")
        shared["symbols"] = sample(p, n, seed)
    results, start = Results(), time.perf_counter()
    for name, opts in coders:
        results.append(measure(p, q, name, n, seed, theory=theory, **shared, **opts).result)
        if progress is not None:
            progress_bar(len(results), len(coders), start, progress, "coders")
    return results
