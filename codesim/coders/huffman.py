"""Huffman's code: the prefix code of least expected length under the q it is built for.

Huffman (1952): repeatedly merge the two least probable nodes into one whose probability is
their sum; a symbol's code length is the number of merges above it.  No prefix code has a
smaller expected length under q (Cover & Thomas, Thm 5.8.1), and its Kraft sum is 1.

Under another distribution p the code costs E_p[l] = H(p) + D(p || 2**-l), which can be below
the cross-entropy H(p, q) (the code's lengths are not q's ideal lengths -log2 q).

Implementation: the two-queue method (van Leeuwen, 1976), O(K) after sorting.  Leaves are
sorted by (q(x), x); merged nodes come out in non-decreasing weight.  **Tie-break:** when a
leaf and a merged node weigh the same, the leaf is taken first.  Codewords are canonical
(see :mod:`codesim.coders.prefix`), so the same q always gives the same code.
"""

from __future__ import annotations

import numpy as np

from .prefix import NO_CODEWORD, PrefixCode, PrefixCoder

__all__ = ["huffman_code_lengths", "HuffmanCoder"]


def huffman_code_lengths(q) -> np.ndarray:
    """Huffman code lengths for q (-1 for symbols with q(x) = 0; 0 for a lone symbol).

    >>> huffman_code_lengths([0.4, 0.3, 0.2, 0.1]).tolist()
    [1, 2, 3, 3]
    >>> huffman_code_lengths([0.0, 1.0]).tolist()
    [-1, 0]
    """
    q = np.asarray(q, dtype=np.float64)
    lengths = np.full(q.size, NO_CODEWORD, dtype=np.int64)
    support = np.flatnonzero(q > 0)
    leaves = support[np.lexsort((support, q[support]))]     # by (q, symbol)
    m = leaves.size
    if m == 1:
        lengths[leaves[0]] = 0
        return lengths
    weight = q[leaves].tolist() + [0.0] * (m - 1)           # nodes 0..m-1 leaves, then merges
    parent = [0] * (2 * m - 1)
    leaf, merged, new = 0, m, m                             # heads of the two queues
    for _ in range(m - 1):
        children = []
        for _ in range(2):
            if leaf < m and (merged >= new or weight[leaf] <= weight[merged]):
                children.append(leaf)
                leaf += 1
            else:
                children.append(merged)
                merged += 1
        weight[new] = weight[children[0]] + weight[children[1]]
        parent[children[0]] = parent[children[1]] = new
        new += 1
    depth = [0] * (2 * m - 1)
    for node in range(2 * m - 3, -1, -1):                   # parents come after children
        depth[node] = depth[parent[node]] + 1
    lengths[leaves] = depth[:m]
    return lengths


class HuffmanCoder(PrefixCoder):
    """Huffman's code for q (option ``block=k``: Huffman's code for q^k).

    Examples
    --------
    >>> from codesim.coders import make_coder
    >>> coder = make_coder("huffman", [0.5, 0.25, 0.125, 0.125])
    >>> coder.codewords
    ['0', '10', '110', '111']
    >>> enc = coder.encode([0, 3, 1])
    >>> enc.num_bits, coder.decode(enc).tolist()
    (6, [0, 3, 1])
    """

    name = "huffman"

    def build_code(self, q: np.ndarray) -> PrefixCode:
        return PrefixCode(huffman_code_lengths(q))
