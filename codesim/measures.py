r"""Information measures of discrete distributions, in bits by default.

For distributions p and q on the same alphabet,

.. math::

    H(p)    &= -\sum_x p(x) \log p(x)                 \quad\text{(entropy)} \\
    H(p, q) &= -\sum_x p(x) \log q(x)                 \quad\text{(cross-entropy)} \\
    D(p\|q) &= \sum_x p(x) \log \frac{p(x)}{q(x)}     \quad\text{(KL divergence)}

and :math:`H(p, q) = H(p) + D(p\|q)`.  Cross-entropy is what a code built for q costs,
per symbol, on data from p: H(p) is the irreducible part, D(p||q) the surcharge for the
wrong codebook.

Conventions (they live here and only here):

* ``0 log 0 = 0``: terms with p(x) = 0 contribute nothing, whatever q(x) is;
* ``p(x) > 0`` and ``q(x) = 0`` gives ``math.inf`` for H(p, q) and D(p||q): a code built
  for q has no codeword for x, so the cost of describing x is unbounded;
* D(p||q) is summed term by term (never as H(p, q) - H(p)), so it is exactly 0 when
  p == q, and never negative (a rounding-level negative sum is returned as 0.0).

Every function validates its arguments by the rules of :func:`codesim.validate.as_pmf`.
"""

from __future__ import annotations

import math

import numpy as np

from .validate import checked_pmf, check_same_length
from .errors import DistributionError, SymbolError

__all__ = ["entropy", "cross_entropy", "kl_divergence", "information_content", "log_base"]


def log_base(base: float) -> float:
    """Return log2(base), after checking that ``base`` is a valid logarithm base.

    >>> log_base(2)
    1.0
    >>> log_base(1)
    Traceback (most recent call last):
    ...
    codesim.errors.DistributionError: base must be a positive number other than 1, got 1
    """
    try:
        b = float(base)
    except (TypeError, ValueError):
        raise DistributionError(f"base must be a positive number other than 1, got {base!r}") from None
    if not math.isfinite(b) or b <= 0 or b == 1:
        raise DistributionError(f"base must be a positive number other than 1, got {base!r}")
    return math.log2(b)


def _to_base(bits: float, base: float) -> float:
    return bits if base == 2 else bits / log_base(base)


def entropy(p, base: float = 2) -> float:
    """Entropy H(p) = -sum_x p(x) log p(x).

    Parameters
    ----------
    p : array_like
        A probability vector.
    base : float
        Logarithm base (2: bits, ``math.e``: nats).

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.125, 0.125])
    1.75
    >>> entropy([1.0, 0.0])
    0.0
    """
    log_base(base)
    return _to_base(entropy_bits(checked_pmf(p, "p")), base)


def entropy_bits(p: np.ndarray) -> float:
    """H(p) in bits of a validated p (no checks: for callers that validated it at the door)."""
    nz = p[p > 0]
    return float(-np.sum(nz * np.log2(nz))) + 0.0


def theory_bits(p: np.ndarray, q: np.ndarray) -> tuple[float, float, float]:
    """(H(p), H(p, q), D(p||q)) in bits of validated p and q of one length, with the module's
    conventions (inf where q rules out a symbol of p; D summed term by term)."""
    on = p > 0
    if np.any(q[on] == 0):
        return entropy_bits(p), math.inf, math.inf
    pp, lp, lq = p[on], np.log2(p[on]), np.log2(q[on])
    return (float(-np.sum(pp * lp)) + 0.0, float(-np.sum(pp * lq)) + 0.0,
            max(float(np.sum(pp * (lp - lq))), 0.0))


def _pair(p, q, base):
    """Validate p, q and base; return (p, q, p > 0), or on = None when q rules out an x of p."""
    log_base(base)
    p, q = checked_pmf(p, "p"), checked_pmf(q, "q")
    check_same_length(p, q)
    on = p > 0
    return p, q, (None if np.any(q[on] == 0) else on)


def cross_entropy(p, q, base: float = 2) -> float:
    """Cross-entropy H(p, q) = -sum_x p(x) log q(x): the cost of a code for q on data from p.

    Returns ``math.inf`` when some x has p(x) > 0 and q(x) = 0.

    Examples
    --------
    >>> cross_entropy([0.5, 0.25, 0.125, 0.125], [0.25] * 4)
    2.0
    >>> cross_entropy([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p, q, on = _pair(p, q, base)
    if on is None:
        return math.inf
    return _to_base(float(-np.sum(p[on] * np.log2(q[on]))) + 0.0, base)


def kl_divergence(p, q, base: float = 2) -> float:
    """Kullback-Leibler divergence D(p||q) = sum_x p(x) log(p(x) / q(x)).

    Summed term by term, so D(p||p) is exactly 0.  ``math.inf`` when p(x) > 0 = q(x).

    Examples
    --------
    Cover & Thomas, Example 2.3.1 (r = 1/2, s = 1/4): D is not symmetric.

    >>> round(kl_divergence([0.5, 0.5], [0.75, 0.25]), 4)
    0.2075
    >>> round(kl_divergence([0.75, 0.25], [0.5, 0.5]), 4)
    0.1887
    """
    p, q, on = _pair(p, q, base)
    if on is None:
        return math.inf
    terms = p[on] * (np.log2(p[on]) - np.log2(q[on]))
    return _to_base(max(float(np.sum(terms)), 0.0), base)


def information_content(q, symbols, base: float = 2) -> np.ndarray:
    """Information content -log q(x_i) of each symbol of a sample, under q.

    Its sum is the ideal code length of the whole sample for a code built for q.
    A symbol with q(x) = 0 has information content ``inf``.

    Examples
    --------
    >>> information_content([0.5, 0.25, 0.25], [0, 1, 2, 0]).tolist()
    [1.0, 2.0, 2.0, 1.0]
    """
    log_base(base)
    q = checked_pmf(q, "q")
    x = np.asarray(symbols)
    if x.size and (x.dtype.kind not in "iu" or x.min() < 0 or x.max() >= q.size):
        raise SymbolError(f"symbols must be integers in 0..{q.size - 1}")
    with np.errstate(divide="ignore"):
        bits = -np.log2(q[x.astype(np.intp, copy=False)]) + 0.0
    return bits if base == 2 else bits / log_base(base)
