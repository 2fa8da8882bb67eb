r"""Regret: what a code that does not know q pays above the best code chosen after the fact.

For a sequence x of n symbols over an alphabet of K, with counts :math:`n_1, \ldots, n_K`, the
best code for x *in hindsight* among the i.i.d. models is the maximum-likelihood one:

.. math::  L_{ML}(x) = -\log_2 \prod_i (n_i / n)^{n_i} = n \hat H(x).

No code can pay that on every x (the ML models' probabilities sum to more than one); a code
that pays L(x) has *regret* L(x) - L_ML(x) on x.  Theory gives it exactly:

* **NML** (Shtarkov, 1987): :math:`P_{NML}(x) = P_{ML}(x) / C(n, K)`, with the Shtarkov sum
  :math:`C(n, K) = \sum_y P_{ML}(y)` over all K^n sequences; its regret is log2 C(n, K) on
  *every* x, and no code has a smaller worst case: the minimax regret.  C(n, 1) = 1,
  :math:`C(n, 2) = \sum_j \binom{n}{j} (j/n)^j ((n-j)/n)^{n-j}`, and
  :math:`C(n, K + 2) = C(n, K + 1) + \tfrac{n}{K} C(n, K)` (Kontkanen & Myllymäki, 2007).
* **KT** (Krichevsky & Trofimov, 1981), the mixture the adaptive arithmetic coder codes with:
  :math:`P_{KT}(x) = \frac{\Gamma(K/2)}{\Gamma(n + K/2)} \prod_i \frac{\Gamma(n_i + 1/2)}{\Gamma(1/2)}`,
  which depends on x only through its counts; its regret is largest on a constant sequence,
  :math:`\tfrac{K-1}{2}\log_2 n + O(1)`, about half a bit per parameter above NML's.
* **Two-part**: name x's type (its counts) in :math:`\log_2 \binom{n+K-1}{K-1}` bits, then x's
  place in its type class in :math:`\log_2 \binom{n}{n_1, \ldots, n_K}` bits; since the class
  holds at most :math:`2^{L_{ML}(x)}` sequences, its regret is at most the first part, attained
  on a constant sequence.
* **CTW**: Willems's bound, :func:`codesim.models.ctw.ctw_redundancy_bound`.

All lengths here are ideal (real-valued) code lengths in bits.  A real code's measured bits
stand beside them: the adaptive arithmetic coder with ``adaptive="kt"`` codes with exactly
P_KT, so its ``num_bits`` minus L_ML(x) is KT's regret up to the coder's stated overhead
(``length_bounds``).

>>> round(nml_regret(1000, 2), 6), round(kt_regret([1000, 0]), 6)
(5.332823, 5.808821)
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import OptionError
from ..validate import is_whole
from .ctw import ctw_redundancy_bound

__all__ = ["ml_code_length", "nml_regret", "kt_code_length", "kt_regret", "kt_worst_regret",
           "two_part_code_length", "two_part_regret", "two_part_worst_regret", "counts_of",
           "ctw_redundancy_bound"]

_LN2 = math.log(2)


def counts_of(x, k: int) -> np.ndarray:
    """The counts n_1..n_K of a sequence of symbols 0..K-1."""
    x = np.asarray(x)
    if x.size and (x.min() < 0 or x.max() >= k):
        raise OptionError(f"the symbols must lie in 0..{k - 1}")
    return np.bincount(x.astype(np.int64), minlength=k)


def _counts(counts) -> np.ndarray:
    c = np.asarray(counts)
    if c.ndim != 1 or c.size == 0 or not np.all([is_whole(v, 0) for v in c.tolist()]):
        raise OptionError(f"counts must be a non-empty vector of whole numbers >= 0, got {counts!r:.60}")
    return c.astype(np.int64)


def ml_code_length(counts) -> float:
    """L_ML = -log2 prod (n_i / n)^{n_i}: the best i.i.d. code for x in hindsight (bits).

    >>> ml_code_length([2, 2])
    4.0
    """
    c = _counts(counts)
    n = int(c.sum())
    seen = c[c > 0]
    return float(-(seen * np.log2(seen / n)).sum()) if n else 0.0


def nml_regret(n: int, k: int) -> float:
    """log2 C(n, K): the minimax regret, NML's regret on every sequence (bits).

    The binary Shtarkov sum is added term by term in logs; larger alphabets follow from the
    recurrence C(n, K + 2) = C(n, K + 1) + (n / K) C(n, K), also in logs.

    >>> round(nml_regret(1, 2), 6), round(nml_regret(10, 3), 6)
    (1.0, 3.873834)
    """
    if not is_whole(n, 0) or not is_whole(k, 1):
        raise OptionError(f"nml_regret needs whole numbers n >= 0 and K >= 1, got n={n!r}, K={k!r}")
    n, k = int(n), int(k)
    if n == 0 or k == 1:
        return 0.0
    logs = [0.0, _log_binary_shtarkov(n)]                 # ln C(n, 1), ln C(n, 2)
    for j in range(1, k - 1):                             # ln C(n, j + 2)
        a, b = logs[-1], logs[-2]
        logs.append(a + math.log1p(n / j * math.exp(b - a)))
    return logs[k - 1] / _LN2


def _log_binary_shtarkov(n: int) -> float:
    """ln C(n, 2) = ln sum_j binom(n, j) (j/n)^j ((n-j)/n)^(n-j), summed in logs."""
    j = np.arange(n + 1, dtype=np.float64)
    lgamma = np.vectorize(math.lgamma)
    terms = lgamma(n + 1.0) - lgamma(j + 1) - lgamma(n - j + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms += np.where(j > 0, j * np.log(j / n), 0.0) + np.where(j < n, (n - j) * np.log((n - j) / n), 0.0)
    top = float(terms.max())
    return top + math.log(float(np.exp(terms - top).sum()))


def kt_code_length(counts) -> float:
    """-log2 P_KT(x): the Krichevsky-Trofimov mixture's code length, from x's counts (bits).

    >>> round(kt_code_length([1, 0]), 6)      # the first symbol: 1 bit
    1.0
    """
    c = _counts(counts)
    k, n = c.size, int(c.sum())
    log_p = (math.lgamma(k / 2) - math.lgamma(n + k / 2)
             + sum(math.lgamma(v + 0.5) - math.lgamma(0.5) for v in c.tolist()))
    return -log_p / _LN2


def kt_regret(counts) -> float:
    """KT's regret on a sequence with these counts: -log2 P_KT(x) - L_ML(x) (bits)."""
    return kt_code_length(counts) - ml_code_length(counts)


def kt_worst_regret(n: int, k: int) -> float:
    """KT's largest regret over all sequences of n symbols from K: on a constant sequence
    (checked against every type for small n and K in the tests).

    >>> round(kt_worst_regret(1000, 2), 6)
    5.808821
    """
    if not is_whole(n, 0) or not is_whole(k, 1):
        raise OptionError(f"kt_worst_regret needs whole numbers n >= 0 and K >= 1, got n={n!r}, K={k!r}")
    return kt_regret([int(n)] + [0] * (int(k) - 1))


def two_part_code_length(counts) -> float:
    """The two-part code's length: log2 (number of types) + log2 (size of x's type class).

    >>> round(two_part_code_length([2, 0]), 6)     # 3 types of 2 symbols; one sequence of type (2, 0)
    1.584963
    """
    c = _counts(counts)
    k, n = c.size, int(c.sum())
    types = math.lgamma(n + k) - math.lgamma(k) - math.lgamma(n + 1)
    in_class = math.lgamma(n + 1) - sum(math.lgamma(v + 1) for v in c.tolist())
    return (types + in_class) / _LN2


def two_part_regret(counts) -> float:
    """The two-part code's regret on a sequence with these counts (bits)."""
    return two_part_code_length(counts) - ml_code_length(counts)


def two_part_worst_regret(n: int, k: int) -> float:
    """log2 binom(n + K - 1, K - 1): the two-part code's largest regret (a constant sequence)."""
    if not is_whole(n, 0) or not is_whole(k, 1):
        raise OptionError(f"two_part_worst_regret needs whole numbers n >= 0 and K >= 1, got n={n!r}, K={k!r}")
    n, k = int(n), int(k)
    return (math.lgamma(n + k) - math.lgamma(k) - math.lgamma(n + 1)) / _LN2
