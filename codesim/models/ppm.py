r"""PPM, prediction by partial matching (Cleary & Witten, 1984), with its escape methods.

PPM of order k predicts the next symbol from the longest context (the k symbols before it, then
k - 1, ..., 0) in which it has seen symbols before.  A context with counts c(s), total n and d
distinct symbols gives each symbol seen there a probability and keeps the rest, the *escape*,
for the symbols it has not seen, which the next shorter context predicts; below order 0 every
symbol is equally likely (order -1).  The escape methods:

======  ===========================  ========================
method  P(s), s seen in the context  P(escape)
======  ===========================  ========================
A       c(s) / (n + 1)               1 / (n + 1)
B       (c(s) - 1) / n               d / n
C       c(s) / (n + d)               d / (n + d)
D       (2 c(s) - 1) / (2 n)         d / (2 n)
======  ===========================  ========================

(method B predicts a symbol only once it has been seen twice).  With *exclusion* a shorter
context does not give probability to the symbols a longer one predicted (they were not coded
there, or the coder would not have escaped): its counts leave them out.  Without it that
probability is wasted, as is, with or without, an escape from a context that predicts every
symbol (it can lead nowhere; the methods still price it).  The probability of a symbol is the product of the escapes it took and
its probability in the context that predicted it, so its code length splits into *escape bits*
and *symbol bits*, order by order (``PPMModel.ledger``).  After a symbol, the counts learn it
in the context that predicted it and the longer ones only (*update exclusion*, Moffat 1990: a
shorter context's counts then say how often it was *reached*, which is what its escape
estimates need); a symbol coded at order -1 is learned in every context.  On 2*10^4 bytes of
English prose, order 5 with method D and exclusion codes 2.41 bits/byte this way, 2.61 with
every context learning every symbol.

The arithmetic coder codes each symbol in one step with these probabilities, quantised to
2^precision (its ``ContextCoder``); ``ledger`` gives the model's own (unquantised) bits.

>>> import numpy as np
>>> model = PPMModel(3, order=1, method="C")
>>> round(float(model.costs(np.array([0, 1, 0, 1, 0, 1]), 24).sum()), 2)   # log2 3 + 2 + 2 + 1 + 1 + log2 3/2
8.17
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import OptionError
from ..validate import as_symbols, is_whole
from .context import ContextModel

__all__ = ["PPMModel", "METHODS", "PPM_NODE_BYTES"]

METHODS = ("A", "B", "C", "D")
#: memory a context's counts take per symbol seen in it (a dict entry), measured: about 100
PPM_NODE_BYTES = 120


class _PPMWalker:
    """The contexts' counts as the coder walks the message: predict, then learn the symbol."""

    def __init__(self, model: "PPMModel", precision: int):
        self.k, self.order, self.method, self.exclusion = (model.alphabet_size, model.order,
                                                           model.method, model.exclusion)
        self.total = 1 << precision
        self.counts = [dict() for _ in range(self.order + 1)]    # per order: context -> {s: c}
        self.history: list[int] = []
        self._last = None                                        # this step's prediction

    def contexts(self):
        """(order, context) from the longest the history allows down to order 0."""
        top = min(self.order, len(self.history))
        for o in range(top, -1, -1):
            yield o, tuple(self.history[len(self.history) - o:]) if o else ()

    def probabilities(self):
        """(P, coding order of each symbol, escape bits paid before each order): P(s) is the
        product of the escapes taken and s's probability where it is predicted (-1: order -1)."""
        k, method = self.k, self.method
        p = np.zeros(k)
        level = np.full(k, -1, dtype=np.int64)
        excluded = np.zeros(k, dtype=bool)
        remaining, escape_bits, escapes = 1.0, 0.0, {}
        for o, ctx in self.contexts():
            seen = self.counts[o].get(ctx)
            if not seen:
                continue
            symbols = np.fromiter(seen.keys(), dtype=np.int64, count=len(seen))
            c = np.fromiter(seen.values(), dtype=np.float64, count=len(seen))
            if self.exclusion:
                keep = ~excluded[symbols]
                symbols, c = symbols[keep], c[keep]
            n, d = float(c.sum()), float(c.size)
            if n == 0:
                continue                                   # all excluded: the escape is certain
            if method == "A":
                own, esc = c / (n + 1), 1 / (n + 1)
            elif method == "B":
                own, esc = (c - 1) / n, d / n
            elif method == "C":
                own, esc = c / (n + d), d / (n + d)
            else:
                own, esc = (2 * c - 1) / (2 * n), d / (2 * n)
            new = (own > 0) & (level[symbols] < 0) & ~excluded[symbols]
            escapes[o] = escape_bits
            p[symbols[new]] = remaining * own[new]
            level[symbols[new]] = o
            excluded[symbols[own > 0]] = True
            remaining *= esc
            escape_bits -= math.log2(esc)
        rest = ~excluded if self.exclusion else level < 0
        escapes[-1] = escape_bits
        free = int(rest.sum())
        if free:
            p[rest & (level < 0)] = remaining / (free if self.exclusion else k)
        self._last = (p, level, escapes)
        return p, level, escapes

    def table(self):
        p, _, _ = self.probabilities()
        room = self.total - self.k                         # every symbol keeps a slot
        freqs = np.floor(p * room).astype(np.int64) + 1
        cum = np.zeros(self.k + 1, dtype=np.int64)
        np.cumsum(freqs, out=cum[1:])
        return self.total, cum.tolist()

    def push(self, s: int) -> None:
        """Learn s in the context that predicted it and the longer ones (update exclusion)."""
        level = (self._last or self.probabilities())[1]
        coded = int(level[s])
        for o, ctx in self.contexts():
            if o < coded:
                break
            seen = self.counts[o].setdefault(ctx, {})
            seen[s] = seen.get(s, 0) + 1
        self._last = None
        self.history.append(s)
        if len(self.history) > self.order:
            del self.history[0]


class PPMModel(ContextModel):
    """PPM of ``order`` over K symbols with escape ``method`` (A-D) and ``exclusion``.

    >>> PPMModel(256, order=5, method="D")
    PPMModel(order=5, K=256, method='D', exclusion=True)
    """

    kind = "ppm"

    def __init__(self, alphabet_size: int, order: int = 5, method: str = "D", exclusion: bool = True):
        super().__init__(order, alphabet_size)
        if method not in METHODS:
            raise OptionError(f"the escape method must be one of {', '.join(METHODS)}, got {method!r}")
        if not isinstance(exclusion, bool):
            raise OptionError(f"exclusion must be True or False, got {exclusion!r}")
        if not is_whole(order, 0, 16):
            raise OptionError(f"PPM's order must be a whole number from 0 to 16, got {order!r}")
        self.method, self.exclusion = method, exclusion

    def walker(self, precision: int):
        return _PPMWalker(self, precision)

    def _identity(self, precision: int) -> tuple:
        return (np.array([METHODS.index(self.method), int(self.exclusion), precision]),)

    def learning_bytes(self, n: int) -> int:
        """Every symbol adds a count in each of order + 1 contexts."""
        return PPM_NODE_BYTES * (self.order + 1) * n

    def ledger(self, symbols) -> dict:
        """The model's own bits of a message, split: the escape bits and the symbol bits of each
        order (order -1: the uniform fallback), summing to -log2 of PPM's probability of it."""
        x = as_symbols(symbols, self.alphabet_size)
        walker = self.walker(24)
        out: dict = {}
        for s in x.tolist():
            p, level, escapes = walker.probabilities()
            o = int(level[s])
            escape = escapes[o]
            out[f"escape bits to order {o}"] = out.get(f"escape bits to order {o}", 0.0) + escape
            out[f"symbol bits at order {o}"] = (out.get(f"symbol bits at order {o}", 0.0)
                                                - math.log2(p[s]) - escape)
            walker.push(s)
        return {k: v for k, v in sorted(out.items(), key=lambda kv: (-int(kv[0].split()[-1]), kv[0]))}

    def ideal_code_length(self, symbols) -> float:
        """-log2 of PPM's own probability of the message (bits, before quantisation)."""
        return float(sum(self.ledger(symbols).values()))

    def __repr__(self) -> str:
        return (f"PPMModel(order={self.order}, K={self.alphabet_size}, method={self.method!r}, "
                f"exclusion={self.exclusion})")
