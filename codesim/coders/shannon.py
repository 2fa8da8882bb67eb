r"""Shannon's code and the Shannon-Fano-Elias code: lengths read off q directly.

**Shannon code.**  l(x) = ceil(-log2 q(x)).  Kraft's inequality holds, and under p

.. math::  H(p, q) \le E_p[l] < H(p, q) + 1      \quad\text{(Cover \& Thomas, Thm 5.4.3)}

and on blocks of k symbols the per-symbol rate lies in [H(p, q), H(p, q) + 1/k).  The length
is computed exactly from the binary exponent: with q = m 2**e, m in [1/2, 1) (``frexp``),
-log2 q = -e - log2 m lies in (-e, 1 - e], so ceil(-log2 q) = 1 - e, including at powers of two.
(A float pmf may sum to 1 + 1e-16: where that matters, q is first normalised exactly.)
No floating-point logarithm is involved, so powers of two get exact lengths.

**Shannon-Fano-Elias code** (Cover & Thomas 5.9).  With F(x) = sum_{a<x} q(a) and the
midpoint Fbar(x) = F(x) + q(x)/2, the codeword of x is the first l(x) = ceil(-log2 q(x)) + 1
bits of the binary expansion of Fbar(x).  The symbols need no sorting; the price is one bit:
H(p, q) + 1 <= E_p[l] < H(p, q) + 2.  Computed with exact integers: every float q(x) is a
dyadic rational m(x) / 2**E, and the code is built for m(x) / T with T = sum m(x), which sums
to 1 exactly, so the intervals [F(x), F(x) + q(x)) tile [0, 1) and the code is prefix-free.
"""

from __future__ import annotations

import numpy as np

from .prefix import NO_CODEWORD, PrefixCode, PrefixCoder, kraft_sum

__all__ = ["shannon_code_lengths", "sfe_codewords", "ShannonCoder", "SFECoder"]


def shannon_code_lengths(q) -> np.ndarray:
    """l(x) = ceil(-log2 q(x)), exactly (-1 for q(x) = 0).

    Read off the binary exponent of each float.  A float pmf may sum to 1 + 1e-16; if that ever
    pushes the Kraft sum over 1 (it takes codewords longer than about 53 bits), the lengths are
    recomputed from q exactly normalised (:func:`exact_masses`).

    >>> shannon_code_lengths([0.5, 0.25, 0.15, 0.1, 0.0]).tolist()
    [1, 2, 3, 4, -1]
    >>> shannon_code_lengths([1e-300, 1.0]).tolist()      # 1 - 1e-300 is 1.0 in floats
    [997, 1]
    """
    q = np.asarray(q, dtype=np.float64)
    _, exponent = np.frexp(q)
    # A float q(x) = 1.0 beside other possible symbols stands for 1 - (their tiny mass): length 1.
    shortest = 1 if np.count_nonzero(q) > 1 else 0
    lengths = np.where(q > 0, np.maximum(1 - exponent.astype(np.int64), shortest), NO_CODEWORD)
    if kraft_sum(lengths) <= 1:
        return lengths
    masses, total = exact_masses(q)
    return np.array([_exact_length(m, total) if m else NO_CODEWORD for m in masses], dtype=np.int64)


def exact_masses(q) -> tuple[list[int], int]:
    """Integers m(x) and T with q(x) = m(x) / 2**E exactly, T = sum m(x): m / T sums to 1 exactly.

    >>> exact_masses([0.5, 0.25, 0.25])
    ([2, 1, 1], 4)
    """
    ratios = [float(v).as_integer_ratio() for v in np.asarray(q, dtype=np.float64).tolist()]
    scale_bits = max(d.bit_length() - 1 for _, d in ratios)
    masses = [n << (scale_bits - (d.bit_length() - 1)) for n, d in ratios]
    return masses, sum(masses)


def _exact_length(mass: int, total: int) -> int:
    """ceil(log2(total / mass)): the smallest k with mass * 2**k >= total."""
    return (-(-total // mass) - 1).bit_length()


def sfe_codewords(q) -> tuple[np.ndarray, list[int]]:
    """Shannon-Fano-Elias lengths and codeword values, exactly, for q normalised exactly.

    With q(x) = m(x) / T: l(x) = ceil(log2(T / m(x))) + 1 and the codeword is the first l(x)
    bits of Fbar(x) = (2 F(x) + m(x)) / (2 T), F(x) = sum_{a<x} m(a).

    >>> sfe_codewords([0.25, 0.5, 0.125, 0.125])[1]   # codewords 001, 10, 1101, 1111
    [1, 2, 13, 15]
    """
    masses, total = exact_masses(q)
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
