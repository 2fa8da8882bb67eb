r"""Fano's code (Shannon–Fano in Fano's sense, 1949): split, and split again.

Sort the symbols by q, most probable first; split the list where the two parts' masses are
as equal as they can be; the first part's codewords start with 0, the second's with 1; split
each part the same way until every part is one symbol.

Every split is balanced, but a balanced split early can force long codewords later, so Fano's
code is **not always optimal**: for q = (0.35, 0.17, 0.17, 0.16, 0.15) it gives lengths
(2, 2, 2, 3, 3), E_q[l] = 2.31 bits, where Huffman's (1, 3, 3, 3, 3) costs 2.30.  It is always
within one bit of the entropy, H(q) <= E_q[l] <= H(q) + 1 - min q (Krajci, Liu, Mikes & Moser,
2015), and Huffman never loses to it.

**Tie-break:** symbols of equal q keep their order (a stable sort); when two split points are
equally balanced, the one with the smaller first part is taken.
"""

from __future__ import annotations

import numpy as np

from .prefix import NO_CODEWORD, PrefixCode, PrefixCoder

__all__ = ["fano_codewords", "FanoCoder"]


def fano_codewords(q) -> tuple[np.ndarray, list[int]]:
    """Fano's code lengths and codeword values for q (-1: no codeword).

    >>> lengths, values = fano_codewords([0.35, 0.17, 0.17, 0.16, 0.15])
    >>> lengths.tolist(), [format(v, f"0{l}b") for v, l in zip(values, lengths.tolist())]
    ([2, 2, 2, 3, 3], ['00', '01', '10', '110', '111'])
    """
    q = np.asarray(q, dtype=np.float64)
    lengths = np.full(q.size, NO_CODEWORD, dtype=np.int64)
    values = [0] * q.size
    support = np.flatnonzero(q > 0)
    order = support[np.argsort(-q[support], kind="stable")]
    if order.size == 1:
        lengths[order[0]] = 0
        return lengths, values
    cum = np.concatenate(([0.0], np.cumsum(q[order])))
    # All parts of one depth are split at once: part [a, b) of the sorted list, its codeword.
    a, b = np.array([0]), np.array([order.size])
    value, depth = [0], 0
    while a.size:
        done = b - a == 1
        for i in np.flatnonzero(done).tolist():                # parts of one symbol: leaves
            s = int(order[a[i]])
            lengths[s], values[s] = depth, value[i]
        keep = ~done
        a, b = a[keep], b[keep]
        value = [v for v, k in zip(value, keep.tolist()) if k]
        if not a.size:
            break
        half = (cum[a] + cum[b]) / 2
        k = np.clip(np.searchsorted(cum, half, side="left"), a + 1, b - 1)   # first cut >= half
        before = np.maximum(k - 1, a + 1)
        imbalance = lambda c: np.abs(cum[b] - 2 * cum[c] + cum[a])      # noqa: E731
        cut = np.where(imbalance(before) <= imbalance(k), before, k)    # ties: the smaller part
        a, b = np.concatenate([a, cut]), np.concatenate([cut, b])
        value = [v << 1 for v in value] + [v << 1 | 1 for v in value]
        depth += 1
    return lengths, values


class FanoCoder(PrefixCoder):
    """Fano's code for q (option ``block=k``: Fano's code for q^k).

    >>> from codesim.coders import make_coder
    >>> make_coder("fano", [0.35, 0.17, 0.17, 0.16, 0.15]).codewords
    ['00', '01', '10', '110', '111']
    """

    name = "fano"

    def build_code(self, q: np.ndarray) -> PrefixCode:
        lengths, values = fano_codewords(q)
        return PrefixCode(lengths, values, check=False)        # the paths of a binary tree
