"""Validation at the door: one rule for each kind of input a user hands codesim.

=====================  =================================================================
input                  rule (and the function that applies it)
=====================  =================================================================
a distribution         1-D, non-empty, finite, non-negative, sums to 1 within the rounding
                       its own dtype explains (:func:`as_pmf`; rows: :func:`as_pmf_rows`)
two distributions      over one alphabet (:func:`check_same_length`)
a whole number         an int or numpy integer, never a bool, a float or a string, in a
                       stated range (:func:`whole_number`; a sample size: :func:`sample_size`)
a seed                 a non-negative integer, a list of them, or a numpy Generator
                       (:func:`as_rng`; what a result records: :func:`seed_label`)
a message              a 1-D array of integers in 0..K-1 (:func:`as_symbols`)
a precision            a whole number of bits from 1 to the coder's own maximum
                       (:func:`precision_bits`)
=====================  =================================================================

Public entry points validate; inner functions trust what they are handed.  Inside codesim a
distribution is validated by :func:`checked_pmf`, which returns a read-only float64 array and
remembers it, so passing it on costs nothing: ``checked_pmf(checked_pmf(p)) is
checked_pmf(p)``, and a ``compare()`` of every default coder validates p and q once each,
whatever the number of coders.  :func:`as_pmf`, the public function, returns a copy of its own.
"""

from __future__ import annotations

import math
import weakref
from numbers import Integral, Real

import numpy as np

from .errors import DistributionError, OptionError, SymbolError
from .limits import DISTRIBUTION_BYTES, require_memory

__all__ = ["as_pmf", "as_pmf_rows", "checked_pmf", "checked_pmf_rows", "check_same_length", "ruled_out", "sum_tolerance", "is_number",
           "is_whole", "power_fits", "whole_number", "sample_size", "seed_label", "as_rng", "precision_bits", "as_symbols"]

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
        "weights on purpose (on the command line, counts:C,C,... takes counts)")


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


#: the distributions as_pmf and as_pmf_rows returned, by id: read-only, so still valid
_VALIDATED: "weakref.WeakValueDictionary[int, np.ndarray]" = weakref.WeakValueDictionary()


def _is_validated(x) -> bool:
    """Whether x is an array that as_pmf (or as_pmf_rows) returned: read-only, so unchanged."""
    return type(x) is np.ndarray and not x.flags.writeable and _VALIDATED.get(id(x)) is x


def _remember(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    _VALIDATED[id(arr)] = arr
    return arr


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
    codesim.errors.DistributionError: p sums to 1.1, not 1 (off by 0.1; rounding in 2 float64 entries explains at most 1.8e-15): use codesim.normalize to rescale weights on purpose (on the command line, counts:C,C,... takes counts)
    """
    return x.copy() if _is_validated(x) else _check_pmf(x, name)


def checked_pmf(x, name: str = "p") -> np.ndarray:
    """:func:`as_pmf` for codesim's own use: the validated distribution read-only and
    remembered, so that passing it on never validates it again.

    >>> p = checked_pmf([0.5, 0.5])
    >>> checked_pmf(p) is p, p.flags.writeable
    (True, False)
    """
    if _is_validated(x):                        # validated at the door already
        return x
    return _remember(_check_pmf(x, name))


def _check_pmf(x, name: str) -> np.ndarray:
    """The checks of :func:`as_pmf`, on a copy of x."""
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
    return _in_float64(arr, dtype)


def _in_float64(arr: np.ndarray, dtype) -> np.ndarray:
    """A distribution given in a narrower float (a float32 softmax), now checked at its own
    dtype's tolerance, written in float64 as the distribution it stands for: divided by its sum,
    so that it sums to 1 within float64's rounding and every later step (a mixture, a row of a
    chain) meets float64's tolerance.  The change is below the input's own rounding."""
    if np.dtype(dtype).itemsize >= 8:
        return arr
    return arr / arr.sum(axis=-1, keepdims=True)


def as_pmf_rows(x, name: str = "q") -> np.ndarray:
    """Validate a matrix whose rows are probability vectors (one distribution per position)."""
    return x.copy() if _is_validated(x) else _check_pmf_rows(x, name)


def checked_pmf_rows(x, name: str = "q") -> np.ndarray:
    """:func:`as_pmf_rows` for codesim's own use: read-only and remembered, as
    :func:`checked_pmf`."""
    if _is_validated(x):
        return x
    return _remember(_check_pmf_rows(x, name))


def _check_pmf_rows(x, name: str) -> np.ndarray:
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
    return _in_float64(arr, dtype)


def check_same_length(p: np.ndarray, q: np.ndarray, names: tuple[str, str] = ("p", "q")) -> None:
    """Raise DistributionError when two distributions are over alphabets of different sizes."""
    if len(p) != len(q):
        raise DistributionError(
            f"{names[0]} has {len(p)} entries but {names[1]} has {len(q)}: "
            "they must be over the same alphabet")


def ruled_out(p: np.ndarray, q: np.ndarray, labels=None) -> tuple[int, str] | None:
    """The first symbol s that p gives probability and q rules out (p(s) > 0 = q(s): no code for
    q describes it, H(p,q) = inf), with its name: ``(s, "q[s] = 0 but p[s] = ...")``, its label
    beside it where the symbols have labels (``labels``, else p's or q's own); None if none.

    >>> ruled_out(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    (1, 'q[1] = 0 but p[1] = 0.5')
    """
    check_same_length(p, q)
    out = np.flatnonzero((p > 0) & (q == 0))
    if not out.size:
        return None
    s = int(out[0])
    for each in (labels, getattr(p, "labels", None), getattr(q, "labels", None)):
        if each is not None:
            return s, f"q[{s}] = 0 but p[{s}] = {p[s]:g} (symbol {s} is {each[s]!r})"
    return s, f"q[{s}] = 0 but p[{s}] = {p[s]:g}"


def is_whole(v, low: int | None = None, high: int | None = None) -> bool:
    """Whether v is a whole number in [low, high]: an int or numpy integer, never a bool (the
    one rule for every count, size, order, seed and option codesim takes).

    >>> is_whole(3, 1), is_whole(np.int8(3)), is_whole(True), is_whole(3.0), is_whole(0, 1)
    (True, True, False, False, False)
    """
    return (isinstance(v, Integral) and not isinstance(v, (bool, np.bool_))
            and (low is None or v >= low) and (high is None or v <= high))


def _is_seed(v) -> bool:
    return is_whole(v, 0)


def power_fits(base: int, exponent: int, limit: int) -> bool:
    """Whether base**exponent <= limit, without computing a power that does not fit: a count
    of contexts or tuples (K**order, K**block) is bounded before it is formed.

    >>> power_fits(256, 7, 2**62), power_fits(256, 8, 2**62), power_fits(3, 2**63, 2**62)
    (True, False, False)
    """
    if base <= 1 or exponent == 0:
        return base ** min(exponent, 1) <= limit
    if exponent > int(limit).bit_length():          # base**exponent >= 2**exponent > limit
        return False
    return base ** exponent <= limit


def whole_number(value, name: str, low: int = 0, high: int | None = None) -> int:
    """``value`` as an int in [low, high]: an int or numpy integer, never a bool, a float or a
    string; OptionError naming ``name`` otherwise.

    >>> whole_number(np.int64(3), "block", 1)
    3
    >>> whole_number(True, "block", 1)
    Traceback (most recent call last):
    ...
    codesim.errors.OptionError: block must be a whole number >= 1, got True
    """
    if not is_whole(value, low, high):
        span = f">= {low}" if high is None else f"from {low} to {high}"
        raise OptionError(f"{name} must be a whole number {span}, got {value!r:.60}")
    return int(value)


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


#: the most bits a quantised model may use (its frequencies are int64)
MAX_PRECISION = 62


def precision_bits(precision, high: int = MAX_PRECISION, who: str = "") -> int:
    """A model's precision: a whole number of bits from 1 to ``high`` (the coder's own limit).

    >>> precision_bits(12, 24)
    12
    >>> precision_bits(True, 24, "range: ")
    Traceback (most recent call last):
    ...
    codesim.errors.OptionError: range: precision must be an integer from 1 to 24 bits, got True
    """
    if not is_whole(precision, 1, high):
        raise OptionError(f"{who}precision must be an integer from 1 to {high} bits, got {precision!r}")
    return int(precision)


def precision_for(precision, support: int) -> int:
    """A precision that leaves a slot for each of ``support`` possible symbols."""
    precision = precision_bits(precision)
    if support > 2 ** precision:
        raise OptionError(
            f"precision {precision} gives {2 ** precision} slots but the model needs one for "
            f"each of its {support} possible symbols: raise precision to at least "
            f"{math.ceil(math.log2(support))}")
    return int(precision)


def as_symbols(symbols, alphabet_size: int) -> np.ndarray:
    """Validate a message: a 1-D array of integers in 0..K-1, returned contiguous (int32 and
    int64 messages keep their dtype; other integer dtypes become int64).

    >>> as_symbols([0, 2, 1], 3).tolist()
    [0, 2, 1]
    >>> as_symbols([0, 3], 3)
    Traceback (most recent call last):
    ...
    codesim.errors.SymbolError: symbol 3 at position 1 is outside the alphabet 0..2
    """
    x = np.asarray(symbols)
    if x.ndim != 1:
        raise SymbolError(f"a message must be a 1-D sequence of symbols, got shape {x.shape}")
    if x.size == 0:
        return np.zeros(0, dtype=np.int64)
    if x.dtype.kind not in "iu":
        raise SymbolError(
            f"symbols must be integers 0..{alphabet_size - 1}, got dtype {x.dtype} "
            f"(first entry {x[0]!r})")
    if x.size <= SMALL_MESSAGE:                   # Python's min and max beat numpy's set-up
        values = x.tolist()
        outside = min(values) < 0 or max(values) >= alphabet_size
    else:   # one pass: viewed as unsigned, a negative symbol is huge, so max() < K checks both ends
        outside = (x.view(x.dtype.str.replace("i", "u")) if x.dtype.kind == "i" else x).max() >= alphabet_size
    if outside:
        i = int(np.argmax((x < 0) | (x >= alphabet_size)))
        raise SymbolError(
            f"symbol {x[i]} at position {i} is outside the alphabet 0..{alphabet_size - 1}")
    return np.ascontiguousarray(x, dtype=x.dtype if x.dtype in _KEPT else np.int64)


_KEPT = (np.dtype(np.int32), np.dtype(np.int64))
#: messages up to this many symbols are checked with Python's min and max
SMALL_MESSAGE = 64
