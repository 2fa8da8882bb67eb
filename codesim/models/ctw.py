r"""Context tree weighting (Willems, Shtarkov & Tjalkens, 1995) for binary sequences.

CTW mixes every binary tree source of depth at most D at once.  Each node s of the context
tree (a suffix of the last D bits, most recent bit first) keeps the counts (a_s, b_s) of the
bits that followed it and their Krichevsky-Trofimov probability P_e(a_s, b_s); the weighted
probability is

.. math::  P_w^s = P_e(a_s, b_s)                                  \quad (\text{depth } D)

.. math::  P_w^s = \tfrac12 P_e(a_s, b_s) + \tfrac12 P_w^{0s} P_w^{1s}  \quad (\text{depth} < D)

and the root's P_w is the probability of the whole sequence; its ratio before and after a bit
is the prediction the arithmetic coder codes with (quantised to 2^precision).  Before the
start the context is all zeros.  Against any tree source S of depth at most D with parameters
theta (Willems et al., Theorem 2), for every sequence x of length n,

.. math::  \log_2 \frac{1}{P_w(x)} \le \log_2 \frac{1}{P_a(x)} + \Gamma_D(S)
           + |S|\,\gamma\!\left(\frac{n}{|S|}\right),

with :math:`\Gamma_D(S) = 2|S| - 1 - |\{s \in S : \ell(s) = D\}|` (describing the tree) and
:math:`\gamma(k) = \tfrac12 \log_2 k + 1` for k >= 1, gamma(k) = k below (learning each leaf's
parameter).  ``redundancy_bound`` gives that right-hand side's excess.
"""

from __future__ import annotations

import math

import numpy as np

from .context import ContextModel, interval_costs, room_spans
from ..backends import compiled as uses_kernels
from ..errors import OptionError
from ..kernels import kernel
from ..validate import is_whole

__all__ = ["CTWModel", "ctw_redundancy_bound", "MAX_DEPTH"]

#: deepest context tree codesim builds
MAX_DEPTH = 48
#: memory of one node of the context tree (its dict entry and counts), measured: 188
CTW_NODE_BYTES = 200
_HALF = math.log(0.5)


class _CTWWalker:
    """The context tree as the coder walks the sequence: predict, then learn the bit."""

    def __init__(self, depth: int, precision: int):
        self.depth, self.precision = depth, precision
        self.nodes: dict = {}                 # (depth, suffix) -> [a, b, log Pe, log Pw] (nats)
        self.context = 0                      # the last `depth` bits, most recent in bit 0
        self.log_pw = 0.0                     # log P_w of the root so far

    def _path(self) -> list:
        """The nodes from the leaf (depth D) up to the root, on the current context."""
        mask, context = (1 << self.depth) - 1, self.context
        return [(d, context & ((1 << d) - 1)) for d in range(self.depth, -1, -1)] if mask >= 0 else []

    def _updated_root(self, bit: int, commit: bool) -> float:
        nodes, below = self.nodes, None
        for d, suffix in self._path():
            a, b, log_pe, log_pw = nodes.get((d, suffix), (0, 0, 0.0, 0.0))
            count = b if bit else a
            log_pe += math.log((count + 0.5) / (a + b + 1.0))
            if d == self.depth:
                log_pw = log_pe
            else:
                child_bit = (self.context >> d) & 1           # the path goes to this child
                other = nodes.get((d + 1, suffix | ((1 - child_bit) << d)))
                children = below + (other[3] if other else 0.0)
                top = max(log_pe, children)
                log_pw = _HALF + top + math.log(math.exp(log_pe - top) + math.exp(children - top))
            if commit:
                nodes[(d, suffix)] = (a + (bit == 0), b + (bit == 1), log_pe, log_pw)
            below = log_pw
        return below

    def probability_of_one(self) -> float:
        return math.exp(self._updated_root(1, False) - self.log_pw)

    def one(self) -> int:
        """The next bit's frequency of a 1 out of 2**precision: P_w(x 1) / P_w(x), rounded and
        kept in [1, 2**precision - 1] (every bit stays codable)."""
        total = 1 << self.precision
        return min(max(round(self.probability_of_one() * total), 1), total - 1)

    def table(self):
        total, one = 1 << self.precision, self.one()
        return total, [0, total - one, total]

    def push(self, bit: int) -> None:
        self.log_pw = self._updated_root(bit, True)
        self.context = ((self.context << 1) | bit) & ((1 << self.depth) - 1) if self.depth else 0

    def walk(self, x: np.ndarray) -> np.ndarray:
        """Each bit's :meth:`one`, the tree learning the bits as it goes."""
        ones = np.empty(x.size, dtype=np.int64)
        for i, bit in enumerate(x.tolist()):
            ones[i] = self.one()
            self.push(bit)
        return ones

    def intervals(self, x: np.ndarray) -> tuple:
        """(lows, highs, totals): each bit's share of 2**precision (:meth:`table`'s), from
        :meth:`walk`."""
        ones, total = self.walk(x), 1 << self.precision
        return (np.where(x == 1, total - ones, 0), np.where(x == 1, total, total - ones),
                np.full(x.size, total, dtype=np.int64))


class CompiledCTWWalker(_CTWWalker):
    """The same walker with its walk compiled (:func:`codesim.kernels.ctw_root`, the same floats)
    and its nodes in a hash table of arrays that doubles when half full."""

    def __init__(self, depth: int, precision: int):
        super().__init__(depth, precision)
        self._tables(1 << 10)
        self._root = kernel("ctw_root")
        self.size = 0

    def _tables(self, capacity: int) -> None:
        self.keys = np.full(capacity, -1, dtype=np.int64)
        self.counts = np.zeros((capacity, 2), dtype=np.int64)
        self.logs = np.zeros((capacity, 2))

    def _grow(self) -> None:
        keys, counts, logs = self.keys, self.counts, self.logs
        self._tables(2 * keys.size)
        kernel("ctw_rehash")(keys, counts, logs, self.keys, self.counts, self.logs)

    def _updated_root(self, bit: int, commit: bool) -> float:
        if commit:
            self.room()
        root, added = self._root(self.keys, self.counts, self.logs, self.depth, self.context,
                                 bit, commit)
        self.size += added
        return root

    def room(self) -> int:
        """How many bits the table takes before it must grow (it grows first where it has no
        room for one more path): it stays at most half full."""
        while 2 * (self.size + self.depth + 1) > self.keys.size:
            self._grow()
        return (self.keys.size // 2 - self.size) // (self.depth + 1)

    def walk(self, x: np.ndarray) -> np.ndarray:
        """:meth:`_CTWWalker.walk`, compiled (:func:`codesim.kernels.ctw_walk`): the same ones."""
        ones = np.empty(x.size, dtype=np.int64)
        for start, stop in room_spans(x.size, self.room):
            self.context, self.log_pw, added = kernel("ctw_walk")(
                x, start, stop, self.depth, self.precision, self.keys, self.counts, self.logs,
                self.context, self.log_pw, ones)
            self.size += added
        return ones


class CTWModel(ContextModel):
    """CTW over binary symbols with contexts of ``depth`` bits (see the module docstring).

    >>> import numpy as np
    >>> model = CTWModel(depth=2)
    >>> x = np.array([0, 1] * 20)
    >>> round(model.ideal_code_length(x), 2), round(float(model.costs(x, 24).sum()), 2)
    (10.67, 10.67)
    """

    kind = "ctw"

    def learning_bytes(self, n: int) -> int:
        """The context tree grows by up to ``depth`` nodes a bit: at most
        min(n depth, 2**(depth + 1)) nodes of CTW_NODE_BYTES."""
        return CTW_NODE_BYTES * min(n * self.order, 2 ** (self.order + 1))    # depth: the order

    def __init__(self, depth: int = 8):
        if not is_whole(depth, 0, MAX_DEPTH):
            raise OptionError(f"CTW depth must be a whole number from 0 to {MAX_DEPTH}, got {depth!r}")
        super().__init__(int(depth), 2)

    def walker(self, precision: int):
        return self.walker_for(precision, None)

    def walker_for(self, precision: int, n):
        """The compiled walk where the kernels run (for n bits, under ``auto``: n large enough
        or the kernels loaded), else the readable one: the same floats either way."""
        return (CompiledCTWWalker if uses_kernels(n) else _CTWWalker)(self.order, precision)

    def _identity(self, precision: int) -> tuple:
        return (np.array([precision]),)

    def costs(self, x: np.ndarray, precision: int, leaky: bool = False) -> np.ndarray:
        """-log2 of each bit's quantised probability (the walker's :meth:`~_CTWWalker.one`)."""
        return interval_costs(*self.walker_for(precision, x.size).intervals(x))

    def ideal_code_length(self, x) -> float:
        """-log2 P_w(x): CTW's own probability of the sequence, before any quantisation."""
        x = np.asarray(x)
        walker = self.walker_for(24, x.size)
        for bit in np.asarray(x).tolist():
            walker.push(int(bit))
        return -walker.log_pw / math.log(2)

    def __repr__(self) -> str:
        return f"CTWModel(depth={self.order})"


def ctw_redundancy_bound(leaf_depths, n: int, depth: int) -> float:
    """Gamma_D(S) + |S| gamma(n / |S|): how far CTW's -log2 P_w may exceed a tree source's own
    -log2 P_a on n bits, for a tree whose leaves have the given depths (all <= ``depth``).

    >>> round(ctw_redundancy_bound([2, 2, 2, 2], 1000, 2), 3)     # 3 + 4 (1/2 log2 250 + 1)
    22.932
    """
    leaves = list(leaf_depths)
    if any(d > depth for d in leaves) or abs(sum(2.0 ** -d for d in leaves) - 1) > 1e-12:
        raise OptionError("the leaf depths must describe a complete binary tree of depth <= D")
    size = len(leaves)
    gamma_d = 2 * size - 1 - sum(d == depth for d in leaves)
    k = n / size
    gamma = 0.5 * math.log2(k) + 1 if k >= 1 else k
    return gamma_d + size * gamma
