r"""Shannon's code and the Shannon-Fano-Elias code: lengths read off q directly.

**Shannon code.**  l(x) = ceil(-log2 q(x)).  Kraft's inequality holds, and under p

.. math::  H(p, q) \le E_p[l] < H(p, q) + 1      \quad\text{(Cover \& Thomas, Thm 5.4.3)}

and on blocks of k symbols the per-symbol rate lies in [H(p, q), H(p, q) + 1/k).  The length
is computed exactly from the binary exponent: with q = m 2**e, m in [1/2, 1) (``frexp``),
-log2 q = -e - log2 m lies in (-e, 1 - e], so ceil(-log2 q) = 1 - e, including at powers of two.
No floating-point logarithm is involved, so powers of two get exact lengths.

**Shannon-Fano-Elias code** (Cover & Thomas 5.9).  With F(x) = sum_{a<x} q(a) and the
midpoint Fbar(x) = F(x) + q(x)/2, the codeword of x is the first l(x) = ceil(-log2 q(x)) + 1
bits of the binary expansion of Fbar(x).  The symbols need no sorting; the price is one bit:
H(p, q) + 1 <= E_p[l] < H(p, q) + 2.  Computed with exact integers: every float q(x) is a
dyadic rational, so F and Fbar are exact.
"""

from __future__ import annotations

import numpy as np

from .prefix import NO_CODEWORD, PrefixCode, PrefixCoder

__all__ = ["shannon_code_lengths", "sfe_codewords", "ShannonCoder", "SFECoder"]


def shannon_code_lengths(q) -> np.ndarray:
    """l(x) = ceil(-log2 q(x)), exactly (-1 for q(x) = 0).

    >>> shannon_code_lengths([0.5, 0.25, 0.15, 0.1, 0.0]).tolist()
    [1, 2, 3, 4, -1]
    >>> shannon_code_lengths([1e-300, 1.0]).tolist()      # 1 - 1e-300 is 1.0 in floats
    [997, 1]
    """
    q = np.asarray(q, dtype=np.float64)
    _, exponent = np.frexp(q)
    # A float q(x) = 1.0 beside other possible symbols stands for 1 - (their tiny mass): length 1.
    shortest = 1 if np.count_nonzero(q) > 1 else 0
    return np.where(q > 0, np.maximum(1 - exponent.astype(np.int64), shortest), NO_CODEWORD)


def sfe_codewords(q) -> tuple[np.ndarray, list[int]]:
    """Shannon-Fano-Elias lengths and codeword values, exactly.

    >>> sfe_codewords([0.25, 0.5, 0.125, 0.125])[1]   # codewords 001, 10, 1101, 1111
    [1, 2, 13, 15]
    """
    q = np.asarray(q, dtype=np.float64)
    lengths = shannon_code_lengths(q)
    lengths = np.where(q > 0, lengths + 1, NO_CODEWORD)
    # Every q(x) = num / 2**den_exp exactly; put them all over one power of two.
    ratios = [float(v).as_integer_ratio() for v in q.tolist()]
    scale_bits = max(d.bit_length() - 1 for _, d in ratios) + 1
    scaled = [n << (scale_bits - (d.bit_length() - 1)) for n, d in ratios]   # q(x) 2**scale_bits
    values, cumulative = [], 0
    for length, mass in zip(lengths.tolist(), scaled):
        midpoint = 2 * cumulative + mass                    # Fbar(x) * 2**(scale_bits + 1)
        values.append((midpoint << length) >> (scale_bits + 1) if length > 0 else 0)
        cumulative += mass
    return lengths, values


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
