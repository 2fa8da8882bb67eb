"""Probability distributions: validation at the door, named families, sampling, quantisation.

Everything that takes a distribution passes it through :func:`as_pmf` once.  It never
renormalises silently: a vector that does not sum to 1 within the rounding its own dtype can
explain (:func:`sum_tolerance`: a few ulps per entry) is an error; :func:`normalize` is the
explicit way to turn weights into a distribution.

:func:`quantize` turns q into integer frequencies summing to 2**precision, the form in which
stream coders (arithmetic, range, ANS) really use a model.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from .errors import DistributionError, OptionError
from .limits import DISTRIBUTION_BYTES, require_memory

__all__ = [
    "sum_tolerance", "as_pmf", "as_pmf_rows", "check_same_length", "normalize", "uniform",
    "zipf", "geometric", "dirichlet", "mixture", "smooth", "sample", "sample_counted", "quantize",
    "as_rng",
]

#: ulps of rounding allowed per entry when a distribution's sum is checked
ULPS_PER_ENTRY = 4
_FLOAT64_TOLERANCE = ULPS_PER_ENTRY * float(np.finfo(np.float64).eps)   # per entry


def sum_tolerance(dtype, k: int) -> float:
    """How far from 1 the sum of k probabilities of this dtype may be: rounding, not error.

    ``ULPS_PER_ENTRY * k * eps(dtype)``: each entry of a computed distribution (a softmax,
    counts / total) carries about half an ulp of rounding, and summing adds one more per entry.
    Integers and Python floats are checked as float64.

    >>> sum_tolerance(np.float64, 3) < 3e-15 < sum_tolerance(np.float32, 3)
    True
    """
    dtype = np.dtype(dtype)
    eps = np.finfo(dtype).eps if dtype.kind == "f" else np.finfo(np.float64).eps
    return ULPS_PER_ENTRY * max(int(k), 1) * float(eps)


def _input_dtype(x) -> np.dtype:
    """The floating dtype a distribution was given in (float64 for lists and integers)."""
    dtype = getattr(x, "dtype", None)
    return np.dtype(dtype) if dtype is not None and np.dtype(dtype).kind == "f" else np.dtype(np.float64)


def _sum_error(name: str, total: float, tolerance: float, dtype, k: int) -> DistributionError:
    return DistributionError(
        f"{name} sums to {total:.12g}, not 1 (off by {abs(total - 1):.2g}; rounding in {k} "
        f"{dtype} entries explains at most {tolerance:.2g}): use codesim.normalize to rescale "
        "weights on purpose")


def _check_entries(x: np.ndarray, name: str) -> None:
    """Raise DistributionError naming the first NaN, infinite or negative entry of x."""
    bad = ~np.isfinite(x)
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        label = i[0] if len(i) == 1 else ", ".join(map(str, i))
        raise DistributionError(f"{name}[{label}] = {x[i]} is not a finite number")
    neg = x < 0
    if neg.any():
        i = tuple(int(v) for v in np.argwhere(neg)[0])
        label = i[0] if len(i) == 1 else ", ".join(map(str, i))
        raise DistributionError(f"{name}[{label}] = {x[i]:g} is negative")


def is_number(v) -> bool:
    """A real number that is not a bool (numpy scalars included).

    >>> [is_number(v) for v in (0.5, np.float32(0.5), 1, True, "0.5", None)]
    [True, True, True, False, False, False]
    """
    return isinstance(v, (Real, np.number)) and not isinstance(v, (bool, np.bool_)) \
        and not isinstance(v, np.complexfloating)


def _as_float_array(x, name: str) -> np.ndarray:
    """x as a float64 array; strings, booleans, None and other non-numbers are refused by name."""
    try:
        arr = np.asarray(x) if isinstance(x, np.ndarray) else np.asarray(x, dtype=object)
    except (TypeError, ValueError):
        raise DistributionError(f"{name} must be an array of numbers, got {x!r:.60}") from None
    if arr.dtype.kind == "O":
        bad = [i for i, v in enumerate(arr.reshape(-1).tolist()) if not is_number(v)][:1]
        if bad:
            index = np.unravel_index(bad[0], arr.shape)
            label = f"[{', '.join(map(str, index))}]" if arr.ndim else ""
            value = arr.reshape(-1)[bad[0]]
            raise DistributionError(f"{name}{label} = {value!r:.40} is not a number "
                                    f"({type(value).__name__}): probabilities must be numbers")
    elif arr.dtype.kind not in "iuf":
        raise DistributionError(f"{name} must be an array of numbers, got dtype {arr.dtype} "
                                f"({x!r:.60})")
    try:
        return np.array(arr, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise DistributionError(f"{name} must be an array of numbers, got {x!r:.60}") from None


#: arrays of more entries than this are checked against the memory budget before their copy
_ROOMY = 1 << 20


def _require_room(x, name: str) -> None:
    """Refuse a large array whose validated copy and temporaries would exceed the budget."""
    if isinstance(x, np.ndarray) and x.size > _ROOMY:
        require_memory(DISTRIBUTION_BYTES * x.size, f"validating {name} of {x.size} entries")


def as_pmf(x, name: str = "p") -> np.ndarray:
    """Validate a probability vector and return it as a float64 array (a copy).

    Checks: 1-D, non-empty, finite, non-negative, sums to 1 within :func:`sum_tolerance` of
    its dtype (so a float32 softmax passes, and a float64 vector 1e-10 off does not).

    Examples
    --------
    >>> as_pmf([0.5, 0.5])
    array([0.5, 0.5])
    >>> as_pmf([0.5, 0.6])
    Traceback (most recent call last):
    ...
    codesim.errors.DistributionError: p sums to 1.1, not 1 (off by 0.1; rounding in 2 float64 entries explains at most 1.8e-15): use codesim.normalize to rescale weights on purpose
    """
    _require_room(x, name)
    if isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim == 1 and x.size:
        # The common case, in three reductions: a NaN, negative or infinite entry fails
        # 0 <= min <= max <= 1 (so the sum cannot overflow); the checks below name the entry.
        arr = x.copy()
        if (arr.min() >= 0 and arr.max() <= 1
                and abs(float(arr.sum()) - 1.0) <= _FLOAT64_TOLERANCE * arr.size):
            return arr
    arr = _as_float_array(x, name)
    if arr.ndim != 1:
        raise DistributionError(f"{name} must be a 1-D probability vector, got shape {arr.shape}")
    if arr.size == 0:
        raise DistributionError(f"{name} is empty: a distribution needs at least one symbol")
    _check_entries(arr, name)
    with np.errstate(over="ignore"):          # finite entries near 1e308 sum to inf: not 1
        total = float(arr.sum())
    dtype = _input_dtype(x)
    tolerance = sum_tolerance(dtype, arr.size)
    if abs(total - 1.0) > tolerance:
        raise _sum_error(name, total, tolerance, dtype, arr.size)
    return arr


def as_pmf_rows(x, name: str = "q") -> np.ndarray:
    """Validate a matrix whose rows are probability vectors (one distribution per position)."""
    _require_room(x, name)
    arr = _as_float_array(x, name)
    if arr.ndim != 2:
        raise DistributionError(f"{name} must be a 2-D array of distributions, got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise DistributionError(f"{name} has rows of length 0: a distribution needs a symbol")
    _check_entries(arr, name)
    totals = arr.sum(axis=1)
    dtype = _input_dtype(x)
    tolerance = sum_tolerance(dtype, arr.shape[1])
    off = np.abs(totals - 1.0) > tolerance
    if off.any():
        i = int(np.argmax(off))
        raise _sum_error(f"{name}[{i}]", float(totals[i]), tolerance, dtype, arr.shape[1])
    return arr


def check_same_length(p: np.ndarray, q: np.ndarray, names: tuple[str, str] = ("p", "q")) -> None:
    """Raise DistributionError when two distributions are over alphabets of different sizes."""
    if len(p) != len(q):
        raise DistributionError(
            f"{names[0]} has {len(p)} entries but {names[1]} has {len(q)}: "
            "they must be over the same alphabet")


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
    if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
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
    a = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (k,))
    if not np.all(np.isfinite(a) & (a > 0)):
        raise DistributionError(f"dirichlet alpha must be finite and > 0, got {alpha!r}")
    return normalize(as_rng(rng).dirichlet(a))


def mixture(p, q, t: float) -> np.ndarray:
    """The mixture (1 - t) p + t q, for t in [0, 1].

    >>> mixture([1.0, 0.0], [0.0, 1.0], 0.25)
    array([0.75, 0.25])
    """
    p, q = as_pmf(p, "p"), as_pmf(q, "q")
    check_same_length(p, q)
    t = _check_real(t, "mixture weight t", 0.0, False, 1.0)
    return (1 - t) * p + t * q


def smooth(q, eps: float) -> np.ndarray:
    """q_eps = (1 - eps) q + eps u, with u uniform: every symbol gets probability >= eps / K."""
    q = as_pmf(q, "q")
    return mixture(q, uniform(q.size), eps)


def _is_seed(v) -> bool:
    return isinstance(v, Integral) and not isinstance(v, (bool, np.bool_)) and v >= 0


def sample_size(n) -> int:
    """n as an int: a sample size is a non-negative integer (a numpy integer too, never a bool,
    a float or a string); OptionError otherwise.

    >>> sample_size(np.int64(3)), sample_size(0)
    (3, 0)
    """
    if not _is_seed(n):
        raise OptionError(f"sample size n must be a non-negative integer, got {n!r}")
    return int(n)


def seed_label(seed):
    """What a result records as its seed: an int, a list of ints, or -1 for a Generator (whose
    draws no number reproduces)."""
    if isinstance(seed, (list, tuple)):
        return [int(v) for v in seed]
    return int(seed) if isinstance(seed, (int, np.integer)) else -1


def as_rng(rng) -> np.random.Generator:
    """Return a numpy Generator from a Generator, an integer seed, or a sequence of them (never
    unseeded).  ``[seed, i]`` is ``SeedSequence([seed, i])``: how a sweep seeds row i, so that
    ``simulate(..., seed=row["seed"])`` reproduces the row; ``[s]`` is the same as ``s``.

    >>> as_rng([7]).random() == as_rng(7).random()
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if _is_seed(rng):
        return np.random.default_rng(int(rng))
    if isinstance(rng, (list, tuple)) and rng and all(_is_seed(v) for v in rng):
        return np.random.default_rng(np.random.SeedSequence([int(v) for v in rng]))
    raise OptionError(f"rng must be a numpy Generator, a non-negative integer seed or a list of "
                      f"them, got {rng!r}")


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
    return draw_counted(as_pmf(p, "p"), n, rng, dtype, count)


def draw_counted(p: np.ndarray, n: int, rng=0, dtype=np.int64, count: bool = True):
    """:func:`sample_counted` of a p that :func:`as_pmf` has already validated (the data path
    of a simulation validates p once)."""
    n = sample_size(n)
    rng = as_rng(rng)
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.int32), np.dtype(np.int64)) or (dtype == np.int32 and p.size > 2**31 - 1):
        raise OptionError(f"dtype must be int64, or int32 for fewer than 2**31 symbols, got {dtype}")
    require_memory(dtype.itemsize * n, f"a sample of {n} symbols")
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    if n <= SMALL_SAMPLE:                        # a guide table would cost more than it saves
        x = np.searchsorted(cdf, rng.random(n), side="right")
        return x.astype(dtype, copy=False), (np.bincount(x, minlength=p.size) if count else None)
    counts = np.zeros(p.size, dtype=np.int64) if count else None
    table = _GuideTable(cdf)
    out = np.empty(n, dtype=dtype)
    buffer = np.empty(min(n, SAMPLE_CHUNK))
    for i in range(0, n, SAMPLE_CHUNK):          # the same draws as rng.random(n), chunk by chunk
        u = buffer[: min(SAMPLE_CHUNK, n - i)]
        rng.random(out=u)
        x = table.lookup(u)
        out[i: i + u.size] = x
        if count:
            counts += np.bincount(x, minlength=p.size)
    return out, counts


#: uniform draws mapped to symbols per step of :func:`sample` (temporaries stay in cache)
SAMPLE_CHUNK = 1 << 16
#: samples up to this size are drawn by a plain binary search (the same symbols)
SMALL_SAMPLE = 256


class _GuideTable:
    """The first symbol x with cdf[x] > u, for u in [0, 1): exactly
    ``np.searchsorted(cdf, u, side="right")``, computed with a guide table (Chen, 1974).

    Bucket b of a table of m = 2**k entries holds the answer for u = b / m; a u in that bucket
    starts there and steps forward while cdf[x] <= u.  m is a power of two, so b = floor(u m)
    and b / m are exact and no u starts past its answer.  cdf[-1] must be exactly 1.
    """

    def __init__(self, cdf: np.ndarray):
        self.cdf = cdf
        self.m = 1 << min(max(10, (32 * cdf.size - 1).bit_length()), 20)
        self.guide = np.searchsorted(cdf, np.arange(self.m) / self.m, side="right")

    def lookup(self, u: np.ndarray) -> np.ndarray:
        cdf = self.cdf
        x = self.guide[(u * self.m).astype(np.intp)]
        todo = np.flatnonzero(cdf[x] <= u)
        while todo.size:                             # the few draws past a boundary in a bucket
            x[todo] += 1
            todo = todo[cdf[x[todo]] <= u[todo]]
        return x


def _check_precision(precision, support: int) -> int:
    if not isinstance(precision, Integral) or isinstance(precision, bool) or not 1 <= precision <= 62:
        raise OptionError(f"precision must be an integer from 1 to 62 bits, got {precision!r}")
    if support > 2 ** precision:
        raise OptionError(
            f"precision {precision} gives {2 ** precision} slots but the model needs one for "
            f"each of its {support} possible symbols: raise precision to at least "
            f"{math.ceil(math.log2(support))}")
    return int(precision)


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
    q = np.asarray(q, dtype=np.float64)
    rows = np.atleast_2d(q)
    possible = np.ones_like(rows, dtype=bool) if leaky else rows > 0
    precision = _check_precision(precision, int(possible.sum(axis=1).max()))
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
