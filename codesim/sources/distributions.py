"""Probability distributions: named families, sampling, quantisation.

Everything that takes a distribution passes it through :func:`~codesim.validate.as_pmf` once
(re-exported here).  It never renormalises silently: a vector that does not sum to 1 within the
rounding its own dtype can explain (:func:`~codesim.validate.sum_tolerance`: a few ulps per
entry) is an error; :func:`normalize` is the explicit way to turn weights into a distribution.

:func:`quantize` turns q into integer frequencies summing to 2**precision, the form in which
stream coders (arithmetic, range, ANS) really use a model.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DistributionError, OptionError
from ..backends import compiled
from ..kernels import kernel
from ..limits import DISTRIBUTION_BYTES, require_memory
from ..validate import (_as_float_array, _check_entries, as_pmf, as_pmf_rows, as_rng, checked_pmf,
                        check_same_length, is_number, is_whole, precision_for, sample_size, seed_label,
                        sum_tolerance)

__all__ = [
    "sum_tolerance", "as_pmf", "as_pmf_rows", "check_same_length", "normalize", "uniform",
    "zipf", "geometric", "dirichlet", "mixture", "smooth", "fit", "from_counts", "sample",
    "sample_counted", "quantize",
    "as_rng", "sample_size", "seed_label", "is_number",
]

def normalize(weights) -> np.ndarray:
    """Turn non-negative weights into a distribution by dividing by their sum (explicitly).

    >>> normalize([1, 1, 2])
    array([0.25, 0.25, 0.5 ])
    """
    w = _as_float_array(weights, "weights")
    if w.ndim != 1 or w.size == 0:
        raise DistributionError(f"weights must be a non-empty 1-D array, got shape {w.shape}")
    _check_entries(w, "weights")
    total = w.sum()
    if total <= 0 or not np.isfinite(total):
        raise DistributionError(f"weights sum to {total:g}: cannot normalise")
    return w / total


def _check_k(k) -> int:
    if not is_whole(k, 1):
        raise DistributionError(f"alphabet size k must be a positive integer, got {k!r}")
    require_memory(DISTRIBUTION_BYTES * int(k), f"a distribution over {int(k)} symbols")
    return int(k)


def _check_real(v, name: str, low: float, low_open: bool, high: float = math.inf) -> float:
    """A finite real parameter (numpy scalars too) in [low, high] (or (low, high])."""
    ok = is_number(v) and math.isfinite(float(v)) and (float(v) > low if low_open else float(v) >= low) \
        and float(v) <= high
    if not ok:
        if math.isfinite(high):
            raise DistributionError(f"{name} must be in {'(' if low_open else '['}{low:g}, "
                                    f"{high:g}], got {v!r}")
        raise DistributionError(f"{name} must be a finite number {'>' if low_open else '>='} "
                                f"{low:g}, got {v!r}")
    return float(v)


def uniform(k: int) -> np.ndarray:
    """Uniform distribution on k symbols.

    >>> uniform(4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    k = _check_k(k)
    return np.full(k, 1.0 / k)


def zipf(k: int, s: float = 1.0) -> np.ndarray:
    """Zipf distribution p(i) proportional to 1 / (i + 1)**s on k symbols."""
    k = _check_k(k)
    s = _check_real(s, "zipf exponent s", 0.0, False)
    with np.errstate(over="ignore"):         # a huge s: (i + 1)**s is inf, its weight 0
        return normalize(1.0 / np.arange(1, k + 1, dtype=np.float64) ** s)


def geometric(k: int, r: float = 0.5) -> np.ndarray:
    """Truncated geometric distribution p(i) proportional to r**i on k symbols (0 < r)."""
    k = _check_k(k)
    r = _check_real(r, "geometric ratio r", 0.0, True)
    logw = np.arange(k) * math.log(r)
    return normalize(np.exp(logw - logw.max()))


def dirichlet(k: int, alpha=1.0, rng=0) -> np.ndarray:
    """A random distribution on k symbols drawn from Dirichlet(alpha) with a seeded Generator."""
    k = _check_k(k)
    given = _as_float_array(alpha, "dirichlet alpha")
    if given.ndim > 1 or (given.ndim == 1 and given.size != k):
        raise DistributionError(f"dirichlet alpha must be one number or {k} of them, got shape "
                                f"{given.shape}")
    a = np.broadcast_to(given, (k,))
    if not np.all(np.isfinite(a) & (a > 0)):
        raise DistributionError(f"dirichlet alpha must be finite and > 0, got {alpha!r}")
    return normalize(as_rng(rng).dirichlet(a))


def mixture(p, q, t: float) -> np.ndarray:
    """The mixture (1 - t) p + t q, for t in [0, 1].

    >>> mixture([1.0, 0.0], [0.0, 1.0], 0.25)
    array([0.75, 0.25])
    """
    p, q = checked_pmf(p, "p"), checked_pmf(q, "q")
    check_same_length(p, q)
    t = _check_real(t, "mixture weight t", 0.0, False, 1.0)
    return (1 - t) * p + t * q


def smooth(q, eps: float) -> np.ndarray:
    """q_eps = (1 - eps) q + eps u, with u uniform: every symbol gets probability >= eps / K."""
    q = checked_pmf(q, "q")
    return mixture(q, uniform(q.size), eps)


def fit(symbols, k: int | None = None, alpha: float = 0.0) -> np.ndarray:
    """The distribution of a message's symbol counts, with ``alpha`` added to each of K counts
    (additive smoothing: alpha = 1 is Laplace's rule, 1/2 KT's) so that unseen symbols stay
    codable; K defaults to the largest symbol + 1.

    >>> fit([0, 0, 1, 3]).tolist()
    [0.5, 0.25, 0.0, 0.25]
    >>> fit([0, 0, 1, 3], k=5, alpha=1).tolist()
    [0.3333333333333333, 0.2222222222222222, 0.1111111111111111, 0.2222222222222222, 0.1111111111111111]
    """
    x = np.asarray(symbols)
    if x.ndim != 1 or x.size == 0 or x.dtype.kind not in "iu" or x.min() < 0:
        raise DistributionError("fit needs a non-empty 1-D sequence of whole-number symbols >= 0")
    top = int(x.max()) + 1
    if k is None:
        k = top
    if not is_whole(k, 1) or k < top:
        raise DistributionError(f"fit: K = {k!r} cannot hold symbol {top - 1} (K must be a whole "
                                f"number of at least {top})")
    if not is_number(alpha) or not 0 <= alpha < math.inf:
        raise DistributionError(f"fit: alpha must be a number >= 0, got {alpha!r}")
    require_memory(DISTRIBUTION_BYTES * int(k), f"a distribution over {k} symbols")
    return normalize(np.bincount(x.astype(np.int64), minlength=int(k)) + float(alpha))


def from_counts(counts, name: str = "p") -> np.ndarray:
    """A distribution from counts (whole numbers >= 0, not all 0), each over their sum.

    >>> from_counts([30, 30, 40]).tolist()
    [0.3, 0.3, 0.4]
    """
    c = np.asarray(counts, dtype=np.float64) if np.ndim(counts) == 1 else None
    if c is None or c.size == 0 or not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.floor(c)):
        raise DistributionError(f"{name}: counts must be whole numbers >= 0, got {counts!r:.60}")
    if c.sum() == 0:
        raise DistributionError(f"{name}: the counts are all 0: nothing to make a distribution of")
    return normalize(c)


def sample(p, n: int, rng=0, dtype=np.int64) -> np.ndarray:
    """Draw n i.i.d. symbols from p (inverse-CDF sampling), as an int64 (or ``dtype=np.int32``)
    array: the same symbols either way.

    Symbols with p(x) = 0 are never drawn.

    >>> sample([0.0, 1.0, 0.0], 3, rng=1).tolist()
    [1, 1, 1]
    """
    return sample_counted(p, n, rng, dtype, count=False)[0]


def sample_counted(p, n: int, rng=0, dtype=np.int64, count: bool = True):
    """:func:`sample`, and (with ``count``) how often each symbol was drawn, counted chunk by
    chunk while the chunk is in cache (``np.bincount`` of the whole sample, without its pass)."""
    return draw_counted(checked_pmf(p, "p"), n, rng, dtype, count)


def draw_counted(p: np.ndarray, n: int, rng=0, dtype=np.int64, count: bool = True):
    """:func:`sample_counted` of a p that :func:`as_pmf` has already validated (the data path
    of a simulation validates p once)."""
    return Sampler(p, n, dtype).draw(rng, count)


class Sampler:
    """Samples of n symbols from a validated p, one per seed: :func:`draw_counted`'s checks, its
    cdf and its guide table done once, for a loop that draws many samples of one size (a
    calibration draws thousands of a few hundred symbols, where they are a third of a draw).
    ``draws``, how many samples it will draw, decides whether a guide table pays: the symbols
    are the same either way.

    >>> s = Sampler(np.array([0.25, 0.75]), 6, draws=2)
    >>> [s.draw(seed)[0].tolist() for seed in (1, 2)]
    [[1, 1, 0, 1, 1, 1], [1, 1, 1, 0, 1, 1]]
    >>> x, counts = s.draw(1)
    >>> x.tolist() == sample([0.25, 0.75], 6, rng=1).tolist(), counts.tolist()
    (True, [1, 5])
    """

    def __init__(self, p: np.ndarray, n: int, dtype=np.int64, draws: int = 1):
        self.n, self.dtype, self.size = sample_size(n), np.dtype(dtype), p.size
        if self.dtype not in (np.dtype(np.int32), np.dtype(np.int64)) or (
                self.dtype == np.int32 and p.size > 2**31 - 1):
            raise OptionError(f"dtype must be int64, or int32 for fewer than 2**31 symbols, got {dtype}")
        require_memory(self.dtype.itemsize * self.n, f"a sample of {self.n} symbols")
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        self.cdf = cdf
        # a guide table costs more than it saves unless its draws, all samples together, are many
        self.table = _GuideTable(cdf, self.n) if self.n * draws > SMALL_SAMPLE else None

    def draw(self, rng=0, count: bool = True):
        """n symbols drawn with ``rng`` (a seed or a Generator), and with ``count`` how often
        each symbol was drawn, counted chunk by chunk while the chunk is in cache."""
        rng, n, dtype = as_rng(rng), self.n, self.dtype
        if self.table is None:
            x = np.searchsorted(self.cdf, rng.random(n), side="right")
            return x.astype(dtype, copy=False), (np.bincount(x, minlength=self.size) if count else None)
        counts = np.zeros(self.size, dtype=np.int64) if count else None
        table = self.table
        out = np.empty(n, dtype=dtype)
        buffer = np.empty(min(n, SAMPLE_CHUNK))
        fused = compiled(n, DRAW_SECONDS_PER_SYMBOL)
        if fused and counts is None:
            counts = np.zeros(self.size, dtype=np.int64)
        for i in range(0, n, SAMPLE_CHUNK):          # the same draws as rng.random(n), chunk by chunk
            u = buffer[: min(SAMPLE_CHUNK, n - i)]
            rng.random(out=u)
            if fused:                                # lookup and count in one compiled pass
                kernel("lookup_counted")(u, table.cdf, table.guide, table.m, out[i: i + u.size], counts)
                continue
            x = table.lookup(u)
            out[i: i + u.size] = x
            if count:
                counts += np.bincount(x, minlength=self.size)
        return out, counts if count else None


#: the readable path's draw and count, seconds a symbol (8.6 to 8.7 ns in the benchmarks)
DRAW_SECONDS_PER_SYMBOL = 1e-8
#: uniform draws mapped to symbols per step of :func:`sample` (temporaries stay in cache)
SAMPLE_CHUNK = 1 << 16
#: draws up to this many (a sample's, or all a Sampler's samples' together) are made by a plain
#: binary search (the same symbols): below it the search is quicker than building a guide
#: table, with or without the compiled lookup
SMALL_SAMPLE = 2048


class _GuideTable:
    """The first symbol x with cdf[x] > u, for u in [0, 1): exactly
    ``np.searchsorted(cdf, u, side="right")``, computed with a guide table (Chen, 1974).

    Bucket b of a table of m = 2**k entries holds the answer for u = b / m; a u in that bucket
    starts there and steps forward while cdf[x] <= u.  m is a power of two, so b = floor(u m)
    and b / m are exact and no u starts past its answer, whatever m is.  cdf[-1] must be
    exactly 1.  m is 32 K rounded up to a power of two (a step forward is rare), within
    [2**10, 2**20], and no larger than the n draws it serves rounded up: building the table
    is a search for each of its m entries (for K = 4096, 2**17 entries took 2 to 3.5 ms
    whether they served 2,000 draws or a million).  A draw steps forward at most K / m times
    on average: 1/32 of a step where the alphabet sizes m, K steps in all for the n <= m
    draws where the draws size it, and K / 2**20 a draw where 2**20 caps it.
    """

    def __init__(self, cdf: np.ndarray, n: int):
        self.cdf = cdf
        self.m = 1 << min(max(10, (32 * cdf.size - 1).bit_length()), 20,
                          max(10, (n - 1).bit_length()))
        self.guide = np.searchsorted(cdf, np.arange(self.m) / self.m, side="right")

    def lookup(self, u: np.ndarray) -> np.ndarray:
        cdf = self.cdf
        x = self.guide[(u * self.m).astype(np.intp)]
        todo = np.flatnonzero(cdf[x] <= u)
        while todo.size:                             # the few draws past a boundary in a bucket
            x[todo] += 1
            todo = todo[cdf[x[todo]] <= u[todo]]
        return x


def quantize(q, precision: int, *, leaky: bool = False) -> np.ndarray:
    r"""Integer frequencies f with sum 2**precision that approximate q: q~(x) = f(x) / 2**precision.

    Rounding rule (documented, deterministic):

    1. f(x) = floor(q(x) 2**precision), raised to 1 for every x with q(x) > 0 (or every x if
       ``leaky``), so that every possible symbol stays codable;
    2. while slots are still free, they are given one each to the symbols where one more slot
       lowers D(q||q~) most, i.e. the largest gains q(x) log(1 + 1/f(x)) (ties: lower symbol
       first), one round after another; a q summing to 1 - 1e-15 can leave more free slots
       than it has symbols, and those are first shared out in proportion to q;
    3. if step 1 used too many slots, they are taken back one each from the symbols where it
       raises D(q||q~) least, losses q(x) log(f(x) / (f(x) - 1)), f(x) > 1.

    Every row of the result sums to exactly 2**precision.  Symbols with q(x) = 0 get
    f(x) = 0 (unless ``leaky``).  Works on a 1-D q or on a 2-D array of rows (one distribution
    per position).

    Examples
    --------
    >>> quantize([0.5, 0.25, 0.25], 4).tolist()
    [8, 4, 4]
    >>> quantize([0.999, 0.001, 0.0], 4).tolist()
    [15, 1, 0]
    >>> int(quantize([0.5, 0.5 - 9e-10], 32).sum()) == 2**32
    True
    """
    q = _as_float_array(q, "q")                 # weights: numbers, finite, not negative
    if q.ndim not in (1, 2) or q.size == 0 or q.shape[-1] == 0:
        raise DistributionError(f"q must be a non-empty vector or matrix of weights, got shape {q.shape}")
    _check_entries(q, "q")
    if not np.all(q.sum(axis=-1) > 0):
        raise DistributionError("q has a row of weights that sum to 0: nothing to quantise")
    rows = np.atleast_2d(q)
    possible = np.ones_like(rows, dtype=bool) if leaky else rows > 0
    precision = precision_for(precision, int(possible.sum(axis=1).max()))
    total = 1 << precision
    f = np.maximum(np.floor(rows * total).astype(np.int64), possible.astype(np.int64))
    deficit = total - f.sum(axis=1)
    count = possible.sum(axis=1)
    while (deficit > count).any():               # 2a. a large deficit: shared out in proportion
        share = np.where(possible, rows / rows.sum(axis=1, keepdims=True), 0.0)
        f += np.floor(share * np.where(deficit > count, deficit, 0)[:, None]).astype(np.int64)
        deficit = total - f.sum(axis=1)
    while (deficit > 0).any():                   # 2b. a round of one more slot per symbol
        short = deficit > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(rows > 0, rows * np.log1p(1.0 / np.maximum(f, 1)), -np.inf)
        rank = np.argsort(np.argsort(-gain, axis=1, kind="stable"), axis=1, kind="stable")
        given = (rank < np.minimum(deficit, possible.sum(axis=1))[:, None]) & short[:, None]
        f += given & possible
        deficit = total - f.sum(axis=1)
    for i in np.flatnonzero(deficit < 0):        # 3.
        f[i] = _take_back(f[i], rows[i], int(-deficit[i]))
    return f.reshape(q.shape) if q.ndim == 1 else f


def _take_back(f: np.ndarray, q: np.ndarray, excess: int) -> np.ndarray:
    """Remove ``excess`` slots from f, one at a time per symbol, where D(q||q~) rises least
    (a large excess, from a q summing to 1 + 1e-15, first in proportion to q)."""
    f = f.copy()
    target = int(f.sum()) - excess
    while excess > f.size:
        take = np.floor(excess * q / q.sum()).astype(np.int64)
        f = np.maximum(f - take, np.minimum(f, 1))          # every possible symbol keeps a slot
        excess, before = int(f.sum()) - target, excess
        if excess == before:                                # nothing left to take in bulk
            break
    while excess > 0:
        can = f > 1
        width = int(can.sum())
        rounds = min(int(f[can].min()) - 1, excess // width) if width else 0
        if rounds > 1:              # whole rounds of one slot from every f > 1, all at once
            f[can] -= rounds - 1
            excess -= (rounds - 1) * width
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(can, q * np.log(f / np.maximum(f - 1, 1)), np.inf)
        order = np.argsort(loss, kind="stable")[: min(excess, int(can.sum()))]
        f[order] -= 1
        excess -= order.size
    return f
