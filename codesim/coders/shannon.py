r"""Shannon's code and the Shannon-Fano-Elias code: lengths read off q directly.

**Shannon code.**  l(x) = ceil(-log2 q(x)).  Kraft's inequality holds, and under p

.. math::  H(p, q) \le E_p[l] < H(p, q) + 1      \quad\text{(Cover \& Thomas, Thm 5.4.3)}

and on blocks of k symbols the per-symbol rate lies in [H(p, q), H(p, q) + 1/k).  The length
is computed exactly from the binary exponent: with q = m 2**e, m in [1/2, 1) (``frexp``),
-log2 q = -e - log2 m lies in (-e, 1 - e], so ceil(-log2 q) = 1 - e, including at powers of two.
No floating-point logarithm is involved, and the lengths come from q *as given*: a float pmf
that sums to 1 + 3e-17 keeps l = 1 for q(x) = 0.5.

**Shannon-Fano-Elias code** (Cover & Thomas 5.9).  With F(x) = sum_{a<x} q(a) and the
midpoint Fbar(x) = F(x) + q(x)/2, the codeword of x is the first l(x) = ceil(-log2 q(x)) + 1
bits of the binary expansion of Fbar(x).  The symbols need no sorting; the price is one bit:
H(p, q) + 1 <= E_p[l] < H(p, q) + 2.  Computed with exact integers from q as given: every float
q(x) is a dyadic rational m(x) / 2**E, so F and Fbar are exact.  The codeword's interval
[c 2**-l, (c + 1) 2**-l) lies inside [F(x), F(x) + q(x)) because 2**-l <= q(x) / 2, and these
intervals are disjoint, so the code is prefix-free even when the floats sum to 1 + 1e-16.

**When a float pmf sums to more than 1, exactly.**  Only codewords of about 50 bits or more
can notice: then Shannon's lengths may break Kraft (q = [0.5, 0.5, 1e-300] sums to 1.0 as a
float), and the codeword of a last symbol with q(x) below the excess would run past 1.  Shannon
then lengthens, one bit at a time, the least probable codeword whose extra bit clears the
Kraft excess (every other length stays as q gives it); SFE builds that rare code for q
normalised exactly.
"""

from __future__ import annotations

import numpy as np

from fractions import Fraction

from .prefix import NO_CODEWORD, PrefixCode, PrefixCoder, kraft_sum

__all__ = ["shannon_code_lengths", "sfe_codewords", "ShannonCoder", "SFECoder"]


def shannon_code_lengths(q) -> np.ndarray:
    """l(x) = ceil(-log2 q(x)), exactly, from q as given (-1 for q(x) = 0).

    Read off the binary exponent of each float.  If the floats sum to more than 1 exactly and
    that pushes the Kraft sum over 1 (it takes codewords of about 50 bits or more), the least
    probable codewords whose extra bit clears the excess are lengthened (:func:`_fit_kraft`).

    >>> shannon_code_lengths([0.5, 0.25, 0.15, 0.1, 0.0]).tolist()
    [1, 2, 3, 4, -1]
    >>> shannon_code_lengths([1e-300, 1.0]).tolist()      # 1 - 1e-300 is 1.0 in floats
    [997, 1]
    >>> shannon_code_lengths([0.5, 0.5, 1e-300]).tolist()  # sums to 1.0 as a float
    [1, 2, 997]
    """
    q = np.asarray(q, dtype=np.float64)
    lengths = shannon_lengths_as_given(q)
    if np.count_nonzero(q) > 1:
        # A float q(x) = 1.0 beside other possible symbols stands for 1 - (their tiny mass).
        lengths[lengths == 0] = 1
    return _fit_kraft(lengths, q) if kraft_sum(lengths) > 1 else lengths


def _fit_kraft(lengths: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Lengthen codewords until the Kraft sum is at most 1, paying as little under q as it can.

    A codeword of length l gives back 2**-(l + 1) when it grows by one bit.  Each step takes
    the least probable symbol whose extra bit clears the whole excess; when none can, the
    shortest codeword (the largest give-back) grows and the search goes on.
    """
    lengths = lengths.copy()
    coded = np.flatnonzero(lengths > 0)
    while (excess := kraft_sum(lengths) - 1) > 0:
        give_back = [Fraction(1, 1 << (int(lengths[s]) + 1)) for s in coded.tolist()]
        clears = [i for i, g in enumerate(give_back) if g >= excess]
        if clears:
            pick = min(clears, key=lambda i: (q[coded[i]], -int(coded[i])))
        else:
            pick = max(range(coded.size), key=lambda i: (give_back[i], -q[coded[i]]))
        lengths[coded[pick]] += 1
    return lengths


def dyadic_masses(q) -> tuple[list[int], int]:
    """Integers m(x) and E with q(x) = m(x) / 2**E exactly (every finite float is dyadic).

    >>> dyadic_masses([0.5, 0.25, 0.25])
    ([2, 1, 1], 2)
    """
    ratios = [float(v).as_integer_ratio() for v in np.asarray(q, dtype=np.float64).tolist()]
    scale_bits = max(d.bit_length() - 1 for _, d in ratios)
    return [n << (scale_bits - (d.bit_length() - 1)) for n, d in ratios], scale_bits


def _exact_length(mass: int, total: int) -> int:
    """ceil(log2(total / mass)): the smallest k with mass * 2**k >= total."""
    return (-(-total // mass) - 1).bit_length()


def sfe_codewords(q) -> tuple[np.ndarray, list[int]]:
    """Shannon-Fano-Elias lengths and codeword values, exactly, for q as given.

    With q(x) = m(x) / 2**E: l(x) = ceil(-log2 q(x)) + 1 and the codeword is the first l(x)
    bits of Fbar(x) = (2 F(x) + m(x)) / 2**(E + 1), F(x) = sum_{a<x} m(a).  (If a last symbol's
    Fbar reaches 1, which takes floats summing to more than 1 and q(x) below the excess, the
    code is built for m / sum(m) instead.)

    >>> sfe_codewords([0.25, 0.5, 0.125, 0.125])[1]   # codewords 001, 10, 1101, 1111
    [1, 2, 13, 15]
    >>> sfe_codewords([0.5, 0.1, 0.1, 0.1, 0.1, 0.1])[0].tolist()   # sums to 1 + 2.8e-17
    [2, 5, 5, 5, 5, 5]
    """
    masses, scale_bits = dyadic_masses(q)
    lengths = shannon_lengths_as_given(q)
    lengths = np.where(lengths >= 0, lengths + 1, NO_CODEWORD)
    values, cumulative = [], 0
    for mass, length in zip(masses, lengths.tolist()):
        values.append(((2 * cumulative + mass) << length) >> (scale_bits + 1) if mass else 0)
        cumulative += mass
    if all(v < (1 << l) for v, l in zip(values, lengths.tolist()) if l > 0):
        return lengths, values
    return _sfe_normalised(masses)


def shannon_lengths_as_given(q) -> np.ndarray:
    """ceil(-log2 q(x)) from the binary exponents, with no Kraft repair (-1 for q(x) = 0)."""
    q = np.asarray(q, dtype=np.float64)
    _, exponent = np.frexp(q)
    return np.where(q > 0, 1 - exponent.astype(np.int64), NO_CODEWORD)


def _sfe_normalised(masses: list[int]) -> tuple[np.ndarray, list[int]]:
    """The SFE code for m / T, T = sum(m), which sums to 1 exactly."""
    total = sum(masses)
    lengths, values, cumulative = [], [], 0
    for mass in masses:
        if mass:
            length = _exact_length(mass, total) + 1
            lengths.append(length)
            values.append(((2 * cumulative + mass) << length) // (2 * total))
        else:
            lengths.append(NO_CODEWORD)
            values.append(0)
        cumulative += mass
    return np.array(lengths, dtype=np.int64), values


class ShannonCoder(PrefixCoder):
    """Shannon's code for q: l(x) = ceil(-log2 q(x)), canonical codewords.

    >>> from codesim.coders import make_coder
    >>> make_coder("shannon", [0.4, 0.3, 0.2, 0.1]).lengths.tolist()
    [2, 2, 3, 4]
    """

    name = "shannon"

    def build_code(self, q: np.ndarray) -> PrefixCode:
        return PrefixCode(shannon_code_lengths(q))


class SFECoder(PrefixCoder):
    """The Shannon-Fano-Elias code for q (codewords from the cumulative distribution)."""

    name = "sfe"

    def build_code(self, q: np.ndarray) -> PrefixCode:
        lengths, values = sfe_codewords(q)
        return PrefixCode(lengths, values)
