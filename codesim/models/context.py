r"""Context models as codebooks: a distribution for the next symbol given the j symbols before it.

A context model of order j predicts x_i from its context (x_{i-j}, ..., x_{i-1}); before the
start of a message the context is filled with symbol 0.  Three kinds:

* :class:`FixedContextModel` -- one row per context (K^j rows): from a
  :class:`~codesim.markov.MarkovSource` (``from_source``) or given;
* :func:`fit_context_model` -> :class:`CountContextModel` -- counts of a training text with
  add-alpha smoothing, (c(s) + alpha) / (n_c + K alpha), stored sparsely (only the contexts
  seen), so order 5 over bytes costs memory in the training text's size, not 256^5;
* :class:`AdaptiveContextModel` -- per-context counts learned as the message goes (KT:
  alpha = 1/2; Laplace: alpha = 1), which needs no training and pays a learning cost of about
  (K - 1)/2 log2(n_c) bits per context.

The coder these models drive is :class:`codesim.coders.context.ContextCoder`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

import numpy as np

from ..validate import _as_float_array, checked_pmf, checked_pmf_rows, is_whole

from ..sources.distributions import quantize
from ..sources.markov import MarkovSource, context_ids
from ..errors import OptionError, SupportError
from ..container import fingerprint
from ..backends import compiled as uses_kernels
from ..kernels import ARITH_QUARTER, kernel
from ..limits import require_memory
from ..validate import as_symbols, power_fits

#: memory of one context's counts per symbol of the alphabet (an int64 row, its dict entry)
COUNT_ROW_BYTES = 12
#: the longest context (a chain of more symbols has more contexts than a 64-bit number holds,
#: even over two symbols)
MAX_ORDER = 62

__all__ = ["ContextModel", "FixedContextModel", "CountContextModel", "AdaptiveContextModel",
           "fit_context_model", "as_context_model", "dense_rows", "context_ids"]

#: the rule of each adaptive model: alpha
RULES = {"kt": Fraction(1, 2), "laplace": Fraction(1)}


def interval_costs(lows: np.ndarray, highs: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """-log2 (high - low) / total of each share, in bits: as the readable walk sums them, with
    ``math.log2`` (numpy's own log2 may round its last bit otherwise)."""
    return np.array([math.log2(t) - math.log2(h - lo) for lo, h, t
                     in zip(lows.tolist(), highs.tolist(), totals.tolist())])


def room_spans(n: int, room):
    """(start, stop) spans covering symbols 0..n - 1, each as many as a compiled walker's tables
    take (``room()``, asked as each span begins: it grows the tables first where they are
    full)."""
    start = 0
    while start < n:
        stop = min(n, start + room())
        yield start, stop
        start = stop


def ruled_out(symbol: int, position: int, kind: str) -> SupportError:
    """The error for a symbol the model gives probability 0 in its context."""
    return SupportError(f"symbol {symbol} at position {position} has probability 0 in its context "
                        f"under the {kind} model: a code for it cannot describe it",
                        symbol=symbol, position=position)


class ContextModel:
    """Base: an order and an alphabet; subclasses give the integer frequencies of each step."""

    kind = ""

    def __init__(self, order: int, alphabet_size: int):
        if not is_whole(order, 0):
            raise OptionError(f"a context model's order must be a whole number, got {order!r}")
        if not is_whole(alphabet_size, 1):
            raise OptionError(f"alphabet_size must be a positive whole number, got {alphabet_size!r}")
        if not power_fits(alphabet_size, order, 2 ** 62) or order > MAX_ORDER:
            raise OptionError(f"order {order} over {alphabet_size} symbols has more contexts "
                              "than a 64-bit context number holds")
        self.order, self.alphabet_size = int(order), int(alphabet_size)

    def walker(self, precision: int):
        """A fresh state that gives each step's (total, cumulative frequencies) and learns."""
        raise NotImplementedError

    def walker_for(self, precision: int, n: int):
        """The walker for a message of n symbols (a model with a compiled walk takes it for a
        message long enough to pay numba's start; see :func:`codesim.backends.compiled`)."""
        return self.walker(precision)

    def costs(self, x: np.ndarray, precision: int, leaky: bool = False) -> np.ndarray:
        """-log2 of each symbol's probability under the model really used (the coder's)."""
        walker, out = self.walker(precision), np.empty(x.size)
        for i, s in enumerate(x.tolist()):
            total, cum = walker.table()
            width = cum[s + 1] - cum[s]
            if width <= 0:
                raise ruled_out(s, i, self.kind)
            out[i] = math.log2(total) - math.log2(width)
            walker.push(s)
        return out

    def largest_total(self, n: int, precision: int) -> int:
        return 1 << precision

    def learning_bytes(self, n: int) -> int:
        """Memory the model grows while it codes n symbols (0 for a model that does not learn)."""
        return 0

    def fingerprint(self, precision: int) -> str:
        """A hash of the model really used, stored with a message to refuse another model."""
        return fingerprint(*self._identity(precision), kind=self.kind, order=self.order,
                           K=self.alphabet_size)

    def _identity(self, precision: int) -> tuple:
        return ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(order={self.order}, K={self.alphabet_size})"


class _FixedWalker:
    def __init__(self, cums: list, order: int, alphabet_size: int, total: int):
        self.cums, self.total = cums, total
        self.modulus, self.k, self.context = alphabet_size ** order, alphabet_size, 0

    def table(self):
        return self.total, self.cums[self.context]

    def push(self, s: int) -> None:
        self.context = (self.context * self.k + s) % self.modulus if self.modulus > 1 else 0


class FixedContextModel(ContextModel):
    """One distribution per context: ``rows`` of shape (K^j, K) (or (K,)*j + (K,)).

    >>> from codesim.sources.markov import MarkovSource
    >>> model = FixedContextModel.from_source(MarkovSource([[0.9, 0.1], [0.2, 0.8]]))
    >>> model.order, model.rows.tolist()
    (1, [[0.9, 0.1], [0.2, 0.8]])
    """

    kind = "fixed"

    def __init__(self, rows):
        arr = rows if isinstance(rows, np.ndarray) else _as_float_array(rows, "rows")
        size = arr.shape[-1] if arr.ndim else 0           # a float32 model is checked as float32
        flat = checked_pmf_rows(arr.reshape(-1, size) if arr.ndim >= 1 and size else arr, "rows")
        order = round(math.log(flat.shape[0], size)) if size > 1 else 0
        if size ** order != flat.shape[0]:
            raise OptionError(f"a fixed context model needs K^j rows of K entries; got "
                              f"{flat.shape[0]} rows of {size}")
        super().__init__(order, size)
        self.rows = flat
        self._tables: dict = {}

    @classmethod
    def from_source(cls, source) -> "FixedContextModel":
        """The model that knows the source: its own transitions."""
        return cls(source.rows)

    def quantised(self, precision: int, leaky: bool = False) -> np.ndarray:
        """The rows as integer frequencies summing to 2^precision (every symbol of positive
        probability keeps a slot; with ``leaky``, every symbol, as constriction needs)."""
        if (precision, leaky) not in self._tables:
            require_memory(16 * self.rows.size, f"a model of {self.rows.shape[0]} contexts")
            self._tables[(precision, leaky)] = quantize(self.rows, precision, leaky=leaky)
        return self._tables[(precision, leaky)]

    def walker(self, precision: int):
        freqs = self.quantised(precision)
        cums = np.concatenate([np.zeros((freqs.shape[0], 1), np.int64), np.cumsum(freqs, 1)], 1)
        return _FixedWalker(cums.tolist(), self.order, self.alphabet_size, 1 << precision)

    def costs(self, x: np.ndarray, precision: int, leaky: bool = False) -> np.ndarray:
        ctx = context_ids(x, self.order, self.alphabet_size)
        freqs = self.quantised(precision, leaky)[ctx, x]
        zero = self.rows[ctx, x] == 0
        if zero.any():
            i = int(np.argmax(zero))
            raise ruled_out(int(x[i]), i, self.kind)
        return precision - np.log2(freqs.astype(np.float64))

    def _identity(self, precision: int) -> tuple:
        return (self.quantised(precision),)

    def float_costs(self, x: np.ndarray) -> np.ndarray:
        """-log2 of the model's own (unquantised) rows."""
        with np.errstate(divide="ignore"):
            return -np.log2(self.rows[context_ids(x, self.order, self.alphabet_size), x])


#: the readable walk of counts per context with the arithmetic coder, seconds a symbol (2 to 3 us
#: measured at order 3): under ``auto``, what decides whether a message loads the kernels
COUNTS_SECONDS_PER_SYMBOL = 3e-6
#: tables of a model that does not learn kept by a walker (about 10 kB each over bytes)
KEPT_TABLES = 1024
#: alphabets up to this size keep a context's counts as a Python list (a table is a few list
#: steps, where numpy's cumsum costs more than the coding); larger ones as an int64 array
SMALL_ALPHABET = 32


class _CountWalker:
    """Per-context counts with integer frequencies d c(s) + u (alpha = u / d), learning or not:
    cum(s) = sum over a < s of d c(a) + u, the same integers for either way of keeping them."""

    def __init__(self, model, learn: bool):
        self.model, self.learn = model, learn
        self.k, self.modulus, self.context = model.alphabet_size, model.alphabet_size ** model.order, 0
        self.small = self.k <= SMALL_ALPHABET
        if self.small:
            self.counts = {c: row.tolist() for c, row in model.counts.items()}
        else:
            self.counts = {c: row.copy() for c, row in model.counts.items()} if learn else model.counts
        self.u, self.d = model.alpha.numerator, model.alpha.denominator
        self.base = self.u * np.arange(self.k + 1, dtype=np.int64)
        self._uniform = self.base.tolist()
        self._kept: dict = {}

    def table(self):
        """(total, cumulative frequencies) in the current context; counts that do not learn
        give the same table each time a context comes back, kept for the last few contexts."""
        if self.learn:
            return self._table()
        kept = self._kept.get(self.context)
        if kept is None:
            if len(self._kept) >= KEPT_TABLES:
                self._kept.clear()
            kept = self._kept[self.context] = self._table()
        return kept

    def _table(self):
        row = self.counts.get(self.context)
        if row is None:
            return self.u * self.k, self._uniform
        if self.small:
            d, u, acc = self.d, self.u, 0
            cum = [0]
            for c in row:
                acc += d * c + u
                cum.append(acc)
            return acc, cum
        cum = self.base.copy()
        np.cumsum(row, out=cum[1:])
        cum[1:] = self.d * cum[1:] + self.base[1:]
        return int(cum[-1]), cum.tolist()          # Python ints: the coder's products are exact

    def intervals(self, x: np.ndarray) -> tuple:
        """(lows, highs, totals): each symbol's share in its context (:meth:`table`'s), the
        counts learning as they go."""
        lows, highs, totals = (np.empty(x.size, dtype=np.int64) for _ in range(3))
        for i, s in enumerate(x.tolist()):
            total, cum = self.table()
            lows[i], highs[i], totals[i] = cum[s], cum[s + 1], total
            self.push(s)
        return lows, highs, totals

    def push(self, s: int) -> None:
        if self.learn:
            row = self.counts.get(self.context)
            if row is None:
                row = self.counts[self.context] = ([0] * self.k if self.small
                                                   else np.zeros(self.k, dtype=np.int64))
            row[s] += 1
        self.context = (self.context * self.k + s) % self.modulus if self.modulus > 1 else 0


class CompiledCountWalker:
    """:class:`_CountWalker`'s counts in flat tables for the kernels (:func:`codesim.kernels.
    counts_walk`): a hash table from a context to its row of counts; rows, and the table, double
    when full.  The same integers."""

    def __init__(self, model, learn: bool):
        self.k, self.learn = model.alphabet_size, learn
        self.u, self.d = model.alpha.numerator, model.alpha.denominator
        self.below = self.k ** (model.order - 1) if model.order else 0
        self.context, self.used = 0, len(model.counts)
        contexts = np.array(list(model.counts), dtype=np.int64)
        self._tables(max(64, 2 * self.used) if learn else max(1, self.used))
        if self.used:
            self.counts[: self.used] = np.array(list(model.counts.values()))
            self.sums[: self.used] = self.counts[: self.used].sum(axis=1)
            kernel("counts_rehash")(contexts, np.arange(self.used, dtype=np.int64), self.keys,
                                    self.rows)

    def _tables(self, capacity: int) -> None:
        require_memory(8 * capacity * (self.k + 4), f"counts of {capacity} contexts")
        slots = 1 << (2 * capacity - 1).bit_length()        # a power of two, at most half full
        self.keys = np.full(slots, -1, dtype=np.int64)
        self.rows = np.zeros(slots, dtype=np.int64)
        self.counts = np.zeros((capacity, self.k), dtype=np.int64)
        self.sums = np.zeros(capacity, dtype=np.int64)

    def room(self) -> int:
        """How many symbols the tables take before they must grow (each adds at most one row;
        they grow first where they have no room for one)."""
        if not self.learn:
            return 1 << 62
        if self.used >= self.counts.shape[0]:
            keys, rows, counts, sums = self.keys, self.rows, self.counts, self.sums
            self._tables(2 * counts.shape[0])
            self.counts[: counts.shape[0]], self.sums[: sums.size] = counts, sums
            kernel("counts_rehash")(keys, rows, self.keys, self.rows)
        return self.counts.shape[0] - self.used

    def tables(self) -> tuple:
        """The arguments every counts kernel takes, after the message's."""
        return (self.k, self.u, self.d, self.below, self.learn, self.keys, self.rows, self.counts,
                self.sums)

    def intervals(self, x: np.ndarray) -> tuple:
        """:meth:`_CountWalker.intervals`, compiled: the same shares."""
        lows, highs, totals = (np.empty(x.size, dtype=np.int64) for _ in range(3))
        for start, stop in room_spans(x.size, self.room):
            self.used, self.context = kernel("counts_walk")(
                x, start, stop, *self.tables(), self.used, self.context, lows, highs, totals)
        return lows, highs, totals


def _count_walker(model, precision: int, n, learn: bool):
    """The compiled walker of counts where the kernels run for n symbols and the totals stay
    within the quarter range the compiled coder divides by exactly, else the readable one."""
    if uses_kernels(n, COUNTS_SECONDS_PER_SYMBOL) and model.largest_total(n or 0, precision) <= ARITH_QUARTER:
        return CompiledCountWalker(model, learn)
    return _CountWalker(model, learn)


class CountContextModel(ContextModel):
    """Counts per context with add-alpha smoothing, stored for the contexts seen only:
    P(s | c) = (c(s) + alpha) / (n_c + K alpha), exactly (integer frequencies)."""

    kind = "count"

    def __init__(self, counts: dict, order: int, alphabet_size: int, alpha):
        super().__init__(order, alphabet_size)
        self.counts, self.alpha = counts, _alpha(alpha)

    def walker(self, precision: int):
        return _CountWalker(self, learn=False)

    def walker_for(self, precision: int, n: int):
        return _count_walker(self, precision, n, learn=False)

    def costs(self, x: np.ndarray, precision: int, leaky: bool = False) -> np.ndarray:
        """-log2 of each symbol's probability, (d c(s) + u) / (d n_c + u K) with alpha = u / d:
        the walker's integers, looked up for all the positions of a context at once (the
        counts do not change as the message goes)."""
        ctx = context_ids(x, self.order, self.alphabet_size)
        u, d = self.alpha.numerator, self.alpha.denominator
        widths = np.full(x.size, u, dtype=np.int64)              # unseen contexts: uniform
        totals = np.full(x.size, u * self.alphabet_size, dtype=np.int64)
        contexts, where = np.unique(ctx, return_inverse=True)
        at = np.argsort(where, kind="stable")                  # the positions, context by context
        sizes = np.bincount(where, minlength=contexts.size)
        ends = np.cumsum(sizes)
        for j, context in enumerate(contexts.tolist()):
            row = self.counts.get(context)
            if row is not None:
                here = at[ends[j] - sizes[j]: ends[j]]
                widths[here] = d * row[x[here]] + u
                totals[here] = d * int(row.sum()) + u * self.alphabet_size
        return np.array([math.log2(t) - math.log2(w)
                         for t, w in zip(totals.tolist(), widths.tolist())])

    def _identity(self, precision: int) -> tuple:
        contexts = np.array(sorted(self.counts), dtype=np.int64)
        rows = np.array([self.counts[c] for c in contexts.tolist()], dtype=np.int64)
        return contexts, rows, np.array([self.alpha.numerator, self.alpha.denominator])

    def largest_total(self, n: int, precision: int) -> int:
        most = max((int(r.sum()) for r in self.counts.values()), default=0)
        return self.alpha.denominator * most + self.alpha.numerator * self.alphabet_size

    def empirical_bits(self) -> float:
        """sum over contexts c of n_c H(counts_c / n_c), in bits: the cost of the training
        text under its own unsmoothed counts (its empirical conditional entropy)."""
        total = 0.0
        for row in self.counts.values():
            seen = row[row > 0].astype(np.float64)
            total -= float(seen @ np.log2(seen / seen.sum()))
        return total

    @property
    def rows(self) -> np.ndarray:
        """The model's predictions as dense rows, one per context (K^order rows): what a
        source's cross_entropy_rate and kl_rate read."""
        size = self.alphabet_size
        if not power_fits(size, self.order + 1, 1 << 22):
            raise OptionError(f"the rows of an order-{self.order} count model over {size} "
                              "symbols make a dense table too large to build")
        alpha = float(self.alpha)
        rows = np.full((size ** self.order, size), 1.0 / size)
        for c, counts in self.counts.items():
            rows[c] = (counts + alpha) / (counts.sum() + size * alpha)
        return rows


def _alpha(alpha) -> Fraction:
    if (not isinstance(alpha, (Real, Fraction)) or isinstance(alpha, bool) or not math.isfinite(alpha)
            or not 0 < alpha <= 1000):
        raise OptionError(f"alpha must be a positive number (at most 1000), got {alpha!r}")
    value = Fraction(alpha).limit_denominator(1000)
    if value <= 0:
        raise OptionError(f"alpha = {alpha!r} is too small: at least 1/1000")
    return value


def fit_context_model(symbols, order: int, alphabet_size: int, alpha=0.5) -> CountContextModel:
    """Count the symbols of a training text in each context of ``order`` symbols.

    >>> model = fit_context_model([0, 1, 0, 1, 0, 1], 1, 2, alpha=1)
    >>> int(model.counts[0][1]), int(model.counts[1][0])       # after 0 came 1, after 1 came 0
    (3, 2)
    """
    model = CountContextModel({}, order, alphabet_size, alpha)
    x = as_symbols(symbols, alphabet_size).astype(np.int64)
    ctx = context_ids(x, model.order, alphabet_size)
    # (context, symbol) pairs as rows, never as ctx * K + x: that number overflows int64 once
    # K**(order + 1) > 2**63 (order 7 over bytes), which would file contexts under wrong keys
    pairs, counts = np.unique(np.stack([ctx, x], axis=1), axis=0, return_counts=True)
    seen = len(np.unique(ctx))
    require_memory(8 * alphabet_size * seen, f"counts of {seen} contexts")
    for (c, s), count in zip(pairs.tolist(), counts.tolist()):
        row = model.counts.get(c)
        if row is None:
            row = model.counts[c] = np.zeros(alphabet_size, dtype=np.int64)
        row[s] = count
    return model


class AdaptiveContextModel(ContextModel):
    """Counts per context learned from the message itself: KT (alpha = 1/2) or Laplace (1).

    >>> model = AdaptiveContextModel(2, order=1, rule="kt")
    >>> model.costs(np.array([0, 0, 0]), 24).round(4).tolist()   # 1/2, then 1.5/2, then 2.5/3
    [1.0, 0.415, 0.263]
    """

    kind = "adaptive"

    def __init__(self, alphabet_size: int, order: int = 0, rule: str = "kt"):
        super().__init__(order, alphabet_size)
        if not isinstance(rule, str) or rule not in RULES:
            raise OptionError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
        self.rule, self.alpha, self.counts = rule, RULES[rule], {}

    def walker(self, precision: int):
        return _CountWalker(self, learn=True)

    def walker_for(self, precision: int, n: int):
        return _count_walker(self, precision, n, learn=True)

    def costs(self, x: np.ndarray, precision: int, leaky: bool = False) -> np.ndarray:
        """-log2 of each symbol's learned probability (the walker's shares)."""
        return interval_costs(*self.walker_for(precision, x.size).intervals(x))

    def _identity(self, precision: int) -> tuple:
        return (np.array([self.alpha.numerator, self.alpha.denominator]),)

    def learning_bytes(self, n: int) -> int:
        """Counts for every context met: at most min(n, K**order) rows of K counts."""
        return COUNT_ROW_BYTES * self.alphabet_size * min(n, self.alphabet_size ** self.order)

    def largest_total(self, n: int, precision: int) -> int:
        return self.alpha.denominator * n + self.alpha.numerator * self.alphabet_size

    def __repr__(self) -> str:
        return f"AdaptiveContextModel(order={self.order}, K={self.alphabet_size}, rule={self.rule!r})"


def as_context_model(model, alphabet_size: int) -> ContextModel:
    """A context model from a context model, a MarkovSource, or a plain q (order 0)."""
    if isinstance(model, ContextModel):
        built = model
    elif isinstance(model, MarkovSource):
        built = FixedContextModel.from_source(model)
    else:
        built = FixedContextModel(checked_pmf(model, "q")[None, :]
                                  if np.ndim(model) == 1 else model)
    if built.alphabet_size != alphabet_size:
        raise OptionError(f"the model has {built.alphabet_size} symbols, the source {alphabet_size}")
    return built


def dense_rows(model: ContextModel, precision: int, leaky: bool = False):
    """(rows of the model's own probabilities, rows of the model really used) for theory."""
    if isinstance(model, FixedContextModel):
        return model.rows, model.quantised(precision, leaky) / float(1 << precision)
    if isinstance(model, CountContextModel):
        rows = model.rows                      # a dense table, built once
        return rows, rows
    raise OptionError("an adaptive model has no fixed rows")
