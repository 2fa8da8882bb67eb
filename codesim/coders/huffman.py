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

**Length-limited Huffman** (option ``max_length=L``): the prefix code of least expected length
among those with no codeword longer than L bits, by package-merge (Larmore & Hirschberg, 1990):
L lists, each the leaves merged with the previous list's items paired off ("packages"); the
first 2m - 2 items of the last list give symbol x the length "number of items containing x".
It needs 2**L >= m (m possible symbols), and it is Huffman's code when Huffman's own longest
codeword fits (then nothing is computed twice).
"""

from __future__ import annotations


import numpy as np

from ..errors import OptionError
from ..limits import require_memory
from ..validate import is_whole
from .prefix import NO_CODEWORD, PrefixCode, PrefixCoder

__all__ = ["huffman_code_lengths", "length_limited_code_lengths", "HuffmanCoder"]


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


#: memory of package-merge per symbol and level (its items and packages), measured: 117
PACKAGE_MERGE_BYTES = 160


def length_limited_code_lengths(q, max_length: int) -> np.ndarray:
    """Optimal code lengths of at most ``max_length`` bits for q (package-merge; -1: q(x) = 0).

    >>> length_limited_code_lengths([0.5, 0.25, 0.125, 0.0625, 0.0625], 3).tolist()
    [1, 3, 3, 3, 3]
    >>> length_limited_code_lengths([0.5, 0.25, 0.125, 0.0625, 0.0625], 4).tolist()
    [1, 2, 3, 4, 4]
    """
    q = np.asarray(q, dtype=np.float64)
    free = huffman_code_lengths(q)
    if free.max() <= max_length:
        return free
    lengths = np.full(q.size, NO_CODEWORD, dtype=np.int64)
    support = np.flatnonzero(q > 0)
    leaves = support[np.lexsort((support, q[support]))]     # by (q, symbol)
    m = leaves.size
    if (1 << max_length) < m:
        raise OptionError(f"max_length={max_length}: {m} possible symbols need codewords of at "
                          f"least ceil(log2 {m}) = {(m - 1).bit_length()} bits")
    require_memory(PACKAGE_MERGE_BYTES * m * max_length,
                   f"package-merge over {m} symbols and {max_length} levels")
    weights = q[leaves].tolist()
    # An item is (weight, node): a node is a leaf's index in ``leaves`` or a pair of nodes.
    items: list = []
    for _ in range(max_length):
        packages = [(items[i][0] + items[i + 1][0], (items[i][1], items[i + 1][1]))
                    for i in range(0, len(items) - 1, 2)]
        merged, a, b = [], 0, 0
        while a < m or b < len(packages):                  # leaves first on equal weight
            if b >= len(packages) or (a < m and weights[a] <= packages[b][0]):
                merged.append((weights[a], a))
                a += 1
            else:
                merged.append(packages[b])
                b += 1
        items = merged
    depth = [0] * m
    stack = [node for _, node in items[: 2 * m - 2]]
    while stack:                                           # count each leaf's appearances
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        else:
            depth[node] += 1
    lengths[leaves] = depth
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

    def __init__(self, q, block: int = 1, max_length: int | None = None):
        if max_length is not None and not is_whole(max_length, 1, 64):
            raise OptionError(f"max_length must be an integer from 1 to 64 bits, got {max_length!r}")
        self.max_length = None if max_length is None else int(max_length)
        super().__init__(q, block)
        if self.max_length is not None:
            self.options["max_length"] = self.max_length

    def build_code(self, q: np.ndarray) -> PrefixCode:
        if self.max_length is None:
            return PrefixCode(huffman_code_lengths(q))
        return PrefixCode(length_limited_code_lengths(q, self.max_length))
