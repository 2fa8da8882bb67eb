r"""Simulation: sample from p, code with a coder built for q, measure, set beside the theory.

One run (:func:`simulate`)::

    p, q  -> as_pmf (validated once)
    q     -> make_coder(coder, q, **options)        a code designed for q
    p, n  -> sample(p, n, Generator(seed))           the data
    x     -> encode -> num_bits -> decode -> x again (a mismatch is an error, never a number)

and a :class:`SimulationResult` with the measured rate next to H(p), H(p, q), D(p||q), the
coder's own theoretical rate under p (``expected_bits_per_symbol``), the sample's ideal rate
under q (its information content / n), the standard error of the rate, and the **ledger**:
every bit of ``num_bits`` accounted for, exactly, on this very sample::

    sample_entropy      sum -log2 p(x_i)                  theory n H(p)
    sample_divergence   sum log2 p(x_i) / q(x_i)          theory n D(p||q)
    quantisation        sum log2 q(x_i) / q~(x_i)         theory n (D(p||q~) - D(p||q))
    coder_overhead      num_bits - sum -log2 q~(x_i)      theory: the coder's mean overhead

q~ is the model really used: the quantised q of a stream coder, 2**-l(x) of a prefix code (so
its quantisation term is the integer-length cost, on average E_p[l] - H(p, q)).  An adaptive
model's q is its sequential prediction: its divergence term is the learning cost and its
quantisation is 0 (its counts are exact).

:func:`compare` runs several coders on one sample; :func:`sweep` runs a grid of q's and coders
across processes, each q's sample drawn from ``SeedSequence([seed, q_index])`` (or one sample
for all, ``same_sample=True``) so that rows never depend on scheduling; all coders at one q
see the same data.
"""

from __future__ import annotations

import math
import os
import sys
import time
from numbers import Integral
from collections import OrderedDict
from contextlib import nullcontext
from concurrent.futures import Executor, as_completed
from dataclasses import asdict, dataclass, field

import numpy as np

from .coders import DEFAULT_CODERS, Coder, Overhead, as_symbols, make_coder
from .distributions import (as_pmf, check_same_length, draw_counted, mixture, sample, sample_size,
                            seed_label, uniform)
from .errors import DecodeError, OptionError, SupportError
from .limits import MESSAGE_BYTES, require_memory, require_symbols
from .pool import worker_count, worker_pool
from .measures import theory_bits
from .tables import Table

__all__ = ["SimulationResult", "simulate", "compare", "sweep", "mixture_grid", "measure", "Measurement",
           "SweepInterrupted", "chunk_seed", "CHUNK"]


LEDGER_TERMS = ("sample_entropy", "sample_divergence", "quantisation", "coder_overhead")


@dataclass(frozen=True)
class SimulationResult:
    """One coder on one sample: measured cost beside theory (bits per symbol unless named).

    For an adaptive model, ``cross_entropy`` and ``kl_divergence`` describe the model the coder
    really used, its sequential predictions: E_p[L_n] / n and the learning cost E_p[L_n] / n - H(p).
    An empty sample has no rate: its per-symbol figures are nan.
    """

    coder: str
    n: int
    seed: object                        # the seed of the sample: an int or a list of ints
    num_bits: int                       # measured: exact length of the encoded message
    measured_bits_per_symbol: float     # measured: num_bits / n
    entropy: float                      # theory: H(p)
    cross_entropy: float                # theory: H(p, q)
    kl_divergence: float                # theory: D(p || q)
    expected_bits_per_symbol: float     # theory: E_p[code_length] / n for this coder
    ideal_bits_per_symbol: float        # the sample's information content under q, / n
    stderr: float                       # sqrt(Var_p[code_length]) / n
    encode_seconds: float
    decode_seconds: float
    ledger: dict = field(default_factory=dict)          # measured, bits, sums to num_bits
    ledger_theory: dict = field(default_factory=dict)   # theory, bits per symbol
    chunks: int = 1                     # messages the sample was coded as (see CHUNK)

    def to_dict(self, flat: bool = False) -> dict:
        """The fields as a plain dict (JSON-ready; inf stays float('inf')).

        ``flat=True`` spreads the ledger into columns ``ledger.TERM`` and ``theory.TERM`` (CSV).
        """
        d = asdict(self)
        if flat:
            ledger, theory = d.pop("ledger"), d.pop("ledger_theory")
            d.update({f"ledger.{k}": v for k, v in ledger.items()})
            d.update({f"theory.{k}": v for k, v in theory.items()})
        return d

    @property
    def excess_over_entropy(self) -> float:
        """measured - H(p): the surcharge actually paid."""
        return self.measured_bits_per_symbol - self.entropy

    def ledger_table(self) -> Table:
        """The ledger as a table: each term in bits, per symbol, and its theory per symbol."""
        size = self.n or math.nan
        rows = [{"term": k, "bits (measured)": v, "bits/symbol (measured)": v / size,
                 "bits/symbol (theory)": self.ledger_theory.get(k)} for k, v in self.ledger.items()]
        rows.append({"term": "num_bits", "bits (measured)": float(sum(self.ledger.values())),
                     "bits/symbol (measured)": self.measured_bits_per_symbol,
                     "bits/symbol (theory)": sum(self.ledger_theory.values())})
        return Table(rows)

    def __str__(self) -> str:
        return (f"{self.coder}: measured {self.measured_bits_per_symbol:.6f} bits/symbol "
                f"({self.num_bits} bits for {self.n} symbols, seed {self.seed})\n"
                f"  theory: H(p) = {self.entropy:.6f}, H(p,q) = {self.cross_entropy:.6f}, "
                f"D(p||q) = {self.kl_divergence:.6f}\n"
                f"  this coder's expected rate {self.expected_bits_per_symbol:.6f} "
                f"+/- {self.stderr:.6f} (stderr); sample ideal {self.ideal_bits_per_symbol:.6f}")

    def _repr_html_(self) -> str:
        """In a notebook: the result's first line, and its ledger as an HTML table."""
        import html
        head = html.escape(str(self).splitlines()[0])
        theory = html.escape(" ".join(str(self).splitlines()[1:]))
        return (f"<p><b>{head}</b><br>{theory}</p>" + self.ledger_table()._repr_html_())


@dataclass(frozen=True)
class Measurement:
    """A result together with what a check needs: the sample's code length and its bounds."""

    result: SimulationResult
    code_length: float          # this coder's theoretical length of this very sample, bits
    bound_below: float          # code_length - bound_below <= num_bits
    bound_above: float          # num_bits <= code_length + bound_above
    coder: object = None        # the coder that was built and measured
    p: object = None            # the true distribution the sample came from
    overhead: object = None     # the coder's Overhead model for this p and n


_theories: OrderedDict = OrderedDict()


def _theory(p, q):
    """(H(p), H(p,q), D(p||q)) of validated p and q (remembered for the last few pairs)."""
    key = (p.tobytes(), q.tobytes())
    if key not in _theories:
        _theories[key] = theory_bits(p, q)
        if len(_theories) > CODER_CACHE_SIZE:
            _theories.popitem(last=False)
    return _theories[key]


#: coders remembered by their model (name, q, options), for alphabets up to CACHE_MAX_K
CODER_CACHE_SIZE = 32
CACHE_MAX_K = 1 << 16
_coders: OrderedDict = OrderedDict()


def coder_for(name: str, q: np.ndarray, options: dict) -> Coder:
    """``make_coder(name, q, **options)``, remembered: a loop or sweep of simulations with one
    model builds its coder once (coders hold no per-message state)."""
    if q.size > CACHE_MAX_K or not isinstance(name, str):
        return make_coder(name, q, **options)
    key = (name, q.shape, q.tobytes(), repr(sorted(options.items())))
    coder = _coders.get(key)
    if coder is None:
        coder = make_coder(name, q, **options)
        _coders[key] = coder
        if len(_coders) > CODER_CACHE_SIZE:
            _coders.popitem(last=False)
    else:
        _coders.move_to_end(key)
    return coder


def checked_round_trip(built, x):
    """Encode and decode x; raise DecodeError if the decoder does not give x back."""
    t0 = time.perf_counter()
    enc = built.encode(x)
    t1 = time.perf_counter()
    back = built.decode(enc)
    t2 = time.perf_counter()
    if not np.array_equal(back, x):
        first = int(np.argmax(back != x)) if back.size == x.size else min(back.size, x.size)
        raise DecodeError(f"{built.name}: the decoded message differs from the input at position "
                          f"{first}: the coder is broken (please report this)")
    return enc, t1 - t0, t2 - t1


#: symbols coded per message when a simulation is split into chunks (about 480 MB of work)
CHUNK = 10_000_000


@dataclass
class _Piece:
    """What coding one chunk leaves behind: its bits, its code length, its symbol counts."""

    size: int
    num_bits: int
    code_length: float
    counts: np.ndarray
    encode_seconds: float
    decode_seconds: float


def _code_piece(built, x, k: int, counts=None) -> _Piece:
    enc, encode_seconds, decode_seconds = checked_round_trip(built, x)
    if counts is None:
        counts = np.bincount(x, minlength=k)         # one pass: information and code length
    return _Piece(int(x.size), int(enc.num_bits), built.code_length(x, counts), counts,
                  encode_seconds, decode_seconds)


def _chunk_task(name: str, options: dict, p, q, size: int, seed) -> _Piece:
    """One chunk, anywhere (a worker process, a Dask worker): sample, encode, decode."""
    built = coder_for(name, q, options)
    x, counts = draw_counted(p, size, seed, _sample_dtype(q, built))
    return _code_piece(built, x, q.size, counts)


def _sample_dtype(q: np.ndarray, built):
    """The coder's own symbol type (int32 for constriction's coders) where the alphabet fits."""
    return built.symbol_dtype if q.size < 2**31 else np.int64


def chunk_seed(seed, index: int):
    """The seed of chunk ``index`` of a chunked simulation: ``[seed, index]`` (``[*seed, index]``
    for a list), so ``sample(p, size, chunk_seed(seed, i))`` redraws chunk i on its own."""
    return [*seed, index] if isinstance(seed, (list, tuple)) else [int(seed), index]


def _pieces(built, p, q, n, seed, chunk, executor, progress, name, options):
    """Code n symbols in chunks of ``chunk``; yield each chunk's _Piece in order."""
    count = -(-n // chunk)
    sizes = (min(chunk, n - i * chunk) for i in range(count))
    show = sys.stderr.isatty() if progress is None else progress
    start = time.perf_counter()
    if executor is not None:
        if not isinstance(seed, (int, np.integer, list, tuple)):
            raise OptionError("chunks on an executor need an integer seed (or a list of them), "
                              "not a Generator")
        futures = [_submit(executor, _chunk_task, name, options, p, q, size, chunk_seed(seed, i))
                   for i, size in enumerate(sizes)]          # at most MAX_SYMBOLS / chunk
        for i in range(len(futures)):
            piece, futures[i] = futures[i].result(), None     # keep no finished piece alive
            yield piece
            if show:
                _progress(i + 1, count, start, sys.stderr, "chunks")
        return
    rng = seed if isinstance(seed, np.random.Generator) else None
    for i, size in enumerate(sizes):
        x, counts = draw_counted(p, size, rng if rng is not None else chunk_seed(seed, i),
                                 _sample_dtype(q, built))
        yield _code_piece(built, x, q.size, counts)
        del x
        if show:
            _progress(i + 1, count, start, sys.stderr, "chunks")


def measure(p, q, coder="huffman", n=100_000, seed=0, *, symbols=None, theory=None,
            chunk_size: int | None = None, executor: Executor | None = None,
            progress: bool | None = None, **coder_options) -> Measurement:
    """Like :func:`simulate`, also returning the sample's code length and the coder's bounds.

    ``coder`` may be a name or a coder already built for q (any :class:`~codesim.coders.Coder`).
    More than ``chunk_size`` symbols (default :data:`CHUNK`) are coded as several messages
    (see :func:`simulate`).
    """
    p, q = as_pmf(p, "p"), as_pmf(q, "q")
    check_same_length(p, q)
    if symbols is None:
        n = sample_size(n)
    name = coder.name if isinstance(coder, Coder) else coder
    built = coder if isinstance(coder, Coder) else coder_for(coder, q, coder_options)
    chunk = CHUNK if chunk_size is None else chunk_size
    if not isinstance(chunk, Integral) or isinstance(chunk, bool) or chunk < 1:
        raise OptionError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if symbols is not None:
        pieces = [_code_piece(built, as_symbols(symbols, q.size), q.size)]
    elif n <= chunk and executor is None:
        require_memory(built.bytes_per_symbol * n, f"coding a message of {n} symbols in one piece")
        x, counts = draw_counted(p, n, seed, _sample_dtype(q, built))
        pieces = [_code_piece(built, x, q.size, counts)]
        del x
    else:
        require_symbols(n)
        if executor is not None and isinstance(coder, Coder):
            raise OptionError("chunks on an executor build their coder there: pass its name")
        require_memory(built.bytes_per_symbol * min(chunk, n), f"coding chunks of {min(chunk, n)} symbols")
        pieces = _pieces(built, p, q, n, seed, int(chunk), executor, progress, name, coder_options)
    return _combine(built, p, q, pieces, seed, theory)


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
    h, hx, d = theory or _theory(p, q)
    expected = sum(m * built.expected_bits_per_symbol(p, m) for m in lengths)
    variance = sum(m * built.bits_variance(p, m) for m in lengths if m)
    overhead = _add_overheads([built.overhead(p, m) for m in lengths])
    rate = expected / size if size else built.expected_bits_per_symbol(p, 0)
    sample_entropy, nominal = _information(counts, p, q)
    if getattr(built, "adaptive", None):             # q is the sequential model itself
        nominal, hx, d, quantisation = code_length, rate, rate - h, 0.0
    else:
        quantisation = rate - hx
    ledger = {"sample_entropy": sample_entropy, "sample_divergence": nominal - sample_entropy,
              "quantisation": code_length - nominal, "coder_overhead": num_bits - code_length}
    per = (lambda v: v / size) if size else (lambda v: math.nan)
    result = SimulationResult(
        coder=built.name, n=size, seed=seed_label(seed),
        num_bits=int(num_bits), measured_bits_per_symbol=per(num_bits),
        entropy=h, cross_entropy=hx, kl_divergence=d, expected_bits_per_symbol=rate,
        ideal_bits_per_symbol=per(nominal),
        stderr=math.sqrt(variance) / size if size else math.nan,
        encode_seconds=encode_seconds, decode_seconds=decode_seconds, ledger=ledger,
        ledger_theory={"sample_entropy": h, "sample_divergence": d,
                       "quantisation": quantisation, "coder_overhead": per(overhead.mean)},
        chunks=len(lengths))
    bounds = [built.length_bounds(m) for m in lengths]
    return Measurement(result, code_length, sum(b for b, _ in bounds), sum(a for _, a in bounds),
                       built, p, overhead)


def _add_overheads(parts: list) -> Overhead:
    """The overhead of several messages coded one after another: means, variances, ranges add."""
    if len(parts) == 1:
        return parts[0]
    return Overhead(mean=sum(o.mean for o in parts), sd=math.sqrt(sum(o.sd ** 2 for o in parts)),
                    low=sum(o.low for o in parts), high=sum(o.high for o in parts),
                    allowance=sum(o.allowance for o in parts),
                    basis=f"{len(parts)} chunks, each: {parts[0].basis}")


def _information(counts: np.ndarray, *pmfs: np.ndarray) -> list[float]:
    """sum_i -log2 q(x_i) for each q of ``pmfs``, from the symbol counts (inf where a drawn
    symbol has q(x) = 0)."""
    seen = counts > 0
    drawn = counts[seen]
    out = []
    for q in pmfs:
        probabilities = q[seen]
        out.append(float(np.dot(drawn, -np.log2(probabilities))) if probabilities.all() else math.inf)
    return out


def simulate(p, q, coder: str = "huffman", n: int = 100_000, seed: int = 0, *,
             chunk_size: int | None = None, executor: Executor | None = None,
             progress: bool | None = None, **coder_options) -> SimulationResult:
    """Sample n symbols from p, code them with ``coder`` built for q, decode, and measure.

    Parameters
    ----------
    p, q : array_like
        The true distribution and the one the code is built for (same alphabet 0..K-1).  p
        may be a :class:`~codesim.markov.MarkovSource` (a source with memory): q is then a
        context model, a MarkovSource or a plain q, the coder ``arithmetic``, ``range`` or
        ``ans``, and the result's entropy, cross-entropy and KL divergence are rates
        (:func:`codesim.memory.simulate_source`).
    coder : str or Coder
        ``huffman``, ``shannon``, ``sfe``, ``fano`` (prefix codes; option ``block=k``: code
        k-tuples; huffman's ``max_length=L``: length-limited), ``arithmetic`` (options
        ``precision=b`` bits of the quantised model, default 24, and ``adaptive="kt"`` or
        ``"laplace"``: learn q from the symbols as they come), ``rans``, ``range``, ``ans``
        (option ``precision``, up to 32 for rans, 24 for range and ans), ``tans`` (option
        ``table_log``, default 11), ``tunstall`` (variable-to-fixed, option ``bits``), the codes
        for the integers ``unary``, ``golomb`` (option ``m``), ``rice`` (option ``k``),
        ``elias_gamma``, ``elias_delta``, ``elias_omega`` (q sets their alphabet), or a coder
        already built (:func:`~codesim.coders.make_coder`).
    n : int
        Symbols to sample, any number: up to ``chunk_size`` (default :data:`CHUNK`, 10**7)
        they are one message; beyond, chunk i of the sample is drawn from
        ``chunk_seed(seed, i)`` = ``[seed, i]`` and coded as a message of its own, so memory
        stays bounded by one chunk.  The result adds the chunks' bits exactly, and their
        overheads (one flush per chunk) in its ledger and theory.
    seed : int, list of int, or numpy Generator
        Where the sample comes from: ``sample(p, n, seed)`` draws the same symbols (for a
        chunked run, ``sample(p, size_i, chunk_seed(seed, i))`` draws chunk i).
    chunk_size : int, optional
        Symbols per message (default :data:`CHUNK`).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Code the chunks there (e.g. a process pool, or a Dask cluster); default: in-process.
    progress : bool, optional
        Draw a progress bar of the chunks on stderr (default: on a terminal).

    Returns
    -------
    SimulationResult
        ``num_bits`` and ``measured_bits_per_symbol`` (measured); ``entropy`` H(p),
        ``cross_entropy`` H(p,q), ``kl_divergence`` D(p||q), ``expected_bits_per_symbol`` (this
        coder's rate under p) and ``stderr`` (theory); ``ideal_bits_per_symbol`` (the sample's
        information content under q, / n); ``ledger`` (the bits split into sample entropy,
        sample divergence, quantisation and coder overhead, summing to num_bits) with
        ``ledger_theory`` per symbol; ``encode_seconds``, ``decode_seconds``.

    Raises SupportError when the sample holds a symbol that q rules out (H(p, q) is infinite).

    Examples
    --------
    >>> r = simulate([0.5, 0.25, 0.125, 0.125], [0.25] * 4, "huffman", n=10_000, seed=0)
    >>> r.measured_bits_per_symbol, r.entropy, r.cross_entropy
    (2.0, 1.75, 2.0)
    """
    from .markov import MarkovSource
    if isinstance(p, MarkovSource):
        if chunk_size is not None or executor is not None:
            raise OptionError("a Markov source is coded as one message, in-process: chunk_size "
                              "and executor apply to i.i.d. sources")
        from .memory import simulate_source
        return simulate_source(p, q, coder, n, seed, **coder_options)
    return measure(p, q, coder, n, seed, chunk_size=chunk_size, executor=executor,
                   progress=progress, **coder_options).result


def _coder_list(coders) -> list[tuple[str, dict]]:
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


def compare(p, q, coders=None, n: int = 100_000, seed: int = 0) -> list[SimulationResult]:
    """Several coders on the same sample from p, each built for q (default: the codes built for q, DEFAULT_CODERS).

    Past :data:`CHUNK` symbols the sample is coded in chunks, as :func:`simulate` does, and every
    coder codes the same chunks.

    ``coders``: names, (name, options) pairs, or a dict name -> options.
    """
    p, q, n = as_pmf(p, "p"), as_pmf(q, "q"), sample_size(n)
    check_same_length(p, q)
    theory = _theory(p, q)
    coders = _coder_list(list(DEFAULT_CODERS) if coders is None else coders)
    if n > CHUNK:      # every coder codes the same chunks
        return [measure(p, q, name, n, seed, theory=theory, **opts).result for name, opts in coders]
    require_memory(MESSAGE_BYTES * n, f"coding a message of {n} symbols in one piece")
    x = sample(p, n, seed)
    return [measure(p, q, name, n, seed, symbols=x, theory=theory, **opts).result
            for name, opts in coders]


def mixture_grid(p, ts, toward=None) -> dict[str, np.ndarray]:
    """q_t = (1 - t) p + t r for t in ts (r uniform by default), labelled "t=..." exactly.

    Labels use the shortest repr of t that reads back as t, so 0.5 and 0.5000001 never
    collide; a t given twice gets a label of its own ("t=0.5 (2)").

    >>> list(mixture_grid([1.0, 0.0], [0, 0.5, 0.5000001, 0.5]))
    ['t=0.0', 't=0.5', 't=0.5000001', 't=0.5 (2)']
    """
    p = as_pmf(p, "p")
    r = uniform(p.size) if toward is None else as_pmf(toward, "toward")
    grid: dict[str, np.ndarray] = {}
    for t in ts:
        q = mixture(p, r, t)
        label = base = f"t={float(t)!r}"
        copy = 1
        while label in grid:
            copy += 1
            label = f"{base} ({copy})"
        grid[label] = q
    return grid


def _is_dask_client(executor) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "gather")


def _submit(executor, fn, *args):
    """``executor.submit(fn, *args)``; a Dask ``Client`` gets ``pure=False``, so that a repeated
    call really runs again instead of returning Dask's cached result (timings included)."""
    if _is_dask_client(executor):
        return executor.submit(fn, *args, pure=False)
    return executor.submit(fn, *args)


def _completed(executor, futures):
    """Futures as they finish: Dask's own as_completed for a Client's futures (concurrent.futures
    cannot wait on them), concurrent.futures' for any Executor."""
    if _is_dask_client(executor):
        from distributed import as_completed as dask_as_completed
        return dask_as_completed(futures)
    return as_completed(futures)


def _sweep_task(task):
    """One q of a sweep: every coder on one sample (module-level so processes can run it).

    The sample comes from ``seed = [base, index]`` (``[base]`` with same_sample), which each
    row records: ``simulate(p, q, coder, n, seed=row["seed"])`` reproduces the row."""
    index, label, p, q, coders, n, base, same_sample = task
    seed = [base] if same_sample else [base, index]
    x = sample(p, n, seed)
    theory = _theory(p, q)
    rows = []
    for name, opts in coders:
        row = {"q_index": index, "q": label}
        try:
            row.update(measure(p, q, name, n, seed, symbols=x, theory=theory, **opts).result.to_dict(flat=True))
            row["error"] = ""
        except SupportError as err:
            row.update(coder=name, n=n, seed=seed, num_bits=None,
                       measured_bits_per_symbol=math.inf, entropy=theory[0],
                       cross_entropy=theory[1], kl_divergence=theory[2], error=str(err))
        rows.append(row)
    return index, rows


def _sweep_batch(batch):
    """Several q's of a sweep in one call: small tasks sent one by one cost more to send than
    to run."""
    return [_sweep_task(task) for task in batch]


#: a sweep sends each worker about this many batches (enough to balance uneven tasks)
BATCHES_PER_WORKER = 8


def _batches(tasks: list, workers: int) -> list[list]:
    """Split tasks into at most BATCHES_PER_WORKER * workers batches, dealt out like cards
    (batch k holds tasks k, k + count, ...): along a grid the cost of a q drifts with its
    index (a q far from p costs more bits), so dealt batches cost alike and no worker is left
    with the dear end of the grid while the other idles."""
    count = min(len(tasks), BATCHES_PER_WORKER * max(workers, 1))
    return [tasks[k::count] for k in range(count)]


def _progress(done: int, total: int, start: float, stream, what: str = "q's") -> None:
    width = 30
    filled = int(width * done / total)
    elapsed = time.perf_counter() - start
    label = "sweep" if what == "q's" else "simulate"
    stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what} "
                 f"{elapsed:5.1f}s")
    if done == total:
        stream.write("\n")
    stream.flush()


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`sweep`: queued tasks were cancelled; ``rows`` holds those finished."""

    def __init__(self, rows, finished: int, total: int):
        super().__init__(f"sweep interrupted: {finished} of {total} q's finished")
        self.rows, self.finished, self.total = rows, finished, total


def sweep(p, qs, coders=None, n: int = 100_000, seed: int = 0, *,
          executor: Executor | None = None, workers: int | None = None,
          progress: bool | None = None, same_sample: bool = False) -> Table:
    """Run every coder at every q; return one row (a dict) per (q, coder).

    Parameters
    ----------
    p : array_like
        The true distribution.
    qs : list or dict
        The assumed distributions (a dict gives each a label; see :func:`mixture_grid`).
    coders : names, (name, options) pairs, or dict name -> options
        Default: the codes built for q (:data:`~codesim.coders.DEFAULT_CODERS`).
    n, seed : int
        Sample size; the sample for q number i is drawn from ``SeedSequence([seed, i])``, and
        its rows record ``seed = [seed, i]``, which :func:`simulate` accepts.
    executor : concurrent.futures.Executor, optional
        Where to run the tasks (e.g. a Dask ``Client.get_executor()``).  Default: a process
        pool of ``workers`` processes, or in-process when only one is needed.
    workers : int, optional
        Processes of the default pool (default: every core, or 1 when sweep itself runs in
        a worker process; at most one per q, and at most 4 per core).
    progress : bool, optional
        Draw a progress bar on stderr (default: when stderr is a terminal).
    same_sample : bool
        Code one sample, drawn from ``SeedSequence([seed])``, at every q (common random
        numbers): differences between rows then come from the codebook alone, which is what a
        comparison of q's wants.  Default: an independent sample per q.

    Rows hold the flattened :class:`SimulationResult` fields (the ledger as ``ledger.TERM``
    and ``theory.TERM``) plus ``q_index``, ``q`` (the label) and ``error`` (non-empty, with
    ``measured_bits_per_symbol = inf``, when q rules out a sampled symbol).  The returned
    :class:`~codesim.tables.Table` writes CSV and JSON.

    Ctrl-C cancels the queued tasks, ends the worker processes and raises
    :class:`SweepInterrupted`, whose ``rows`` are the rows that finished.  On platforms that
    start processes by spawning (Windows, macOS), call sweep under
    ``if __name__ == "__main__":``.
    """
    p, n = as_pmf(p, "p"), sample_size(n)
    if isinstance(qs, (str, bytes)) or not isinstance(qs, (dict, list, tuple, np.ndarray)):
        raise OptionError(f"qs must be a list (or dict, or 2-D array) of distributions, got {qs!r:.60}")
    items = list(qs.items()) if isinstance(qs, dict) else [(str(i), q) for i, q in enumerate(qs)]
    if not items:
        raise OptionError("sweep needs at least one q")
    checked = []
    for label, q in items:
        q = as_pmf(q, f"q[{label}]")
        check_same_length(p, q, ("p", f"q[{label}]"))
        checked.append((label, q))
    coder_list = _coder_list(list(DEFAULT_CODERS) if coders is None else coders)
    for name, opts in coder_list:           # fail fast on a bad name or option, in this process
        make_coder(name, checked[0][1] if "adaptive" not in opts else uniform(p.size), **opts)
    tasks = [(i, label, p, q, coder_list, n, seed, same_sample) for i, (label, q) in enumerate(checked)]
    count = worker_count(workers, len(tasks)) if executor is None else 1
    require_memory(MESSAGE_BYTES * n * count, f"{count} processes coding {n} symbols each")
    show = sys.stderr.isatty() if progress is None else progress
    start, results, futures = time.perf_counter(), {}, []
    own = executor is None and count > 1
    with (worker_pool(count) if own else nullcontext(executor)) as executor:
        try:
            if executor is None:
                for task in tasks:
                    index, rows = _sweep_task(task)
                    results[index] = rows
                    if show:
                        _progress(len(results), len(tasks), start, sys.stderr)
            else:
                workers = count if own else (os.cpu_count() or 1)
                futures = [_submit(executor, _sweep_batch, batch) for batch in _batches(tasks, workers)]
                for future in _completed(executor, futures):
                    for index, rows in future.result():
                        results[index] = rows
                    if show:
                        _progress(len(results), len(tasks), start, sys.stderr)
        except KeyboardInterrupt:           # our own pool ends its workers as this leaves it
            if not own:
                for future in futures:
                    future.cancel()
            if show:
                sys.stderr.write("\n")
            raise SweepInterrupted(Table(row for i in sorted(results) for row in results[i]),
                                   len(results), len(tasks)) from None
    return Table(row for i in sorted(results) for row in results[i])
