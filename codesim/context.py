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

:class:`ContextCoder` codes a message with a context model, one position at a time:

* ``arithmetic`` (exact integers): every kind.  Count and adaptive models give integer
  frequencies exactly (KT: 2c + 1 out of 2 n_c + K), so their ideal length is their exact
  sequential code length; a fixed model's rows are quantised to 2^precision per context.
* ``range`` and ``ans`` (constriction): fixed models with dense rows, quantised to 2^24 per
  context with one slot even for a symbol the row rules out (constriction's rule; we still
  refuse to code such a symbol); the encoder feeds constriction chunks of per-position rows (ANS: the chunks in
  reverse), never an (n, K) array for the whole message; the decoder goes symbol by symbol.
* the prefix coders, ``rans``, ``tans`` and ``tunstall`` code one fixed q: refused.

``code_length`` is the information content under the model really used (the quantised rows,
or the exact integer counts), and ``num_bits`` stays within the arithmetic coder's bounds of it
(I - n eps <= num_bits <= I + 2 + n eps) or constriction's.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real

import numpy as np

from .coders.constriction_coders import ANS_START, ROUNDING_BITS, guard, payload_words
from .distributions import as_pmf_rows, quantize
from .errors import DecodeError, OptionError, SupportError
from .limits import require_memory

__all__ = ["ContextModel", "FixedContextModel", "CountContextModel", "AdaptiveContextModel",
           "fit_context_model", "ContextCoder", "context_ids", "CONTEXT_CODERS"]

#: the coders a context model can drive
CONTEXT_CODERS = ("arithmetic", "range", "ans")
#: the rule of each adaptive model: alpha
RULES = {"kt": Fraction(1, 2), "laplace": Fraction(1)}
#: chunk of per-position rows range and ans encode at a time
CHUNK_ROWS = 4096


def context_ids(x: np.ndarray, order: int, alphabet_size: int) -> np.ndarray:
    """The context of every position: the ``order`` symbols before it (0 before the start),
    read as a base-K number, oldest first.

    >>> context_ids(np.array([1, 2, 0, 1]), 2, 3).tolist()      # (0,0) (0,1) (1,2) (2,0)
    [0, 1, 5, 6]
    """
    out = np.zeros(x.size, dtype=np.int64)
    for d in range(1, order + 1):                       # x_{i-d} weighs K^(d-1)
        if d <= x.size:
            out[d:] += x[:-d].astype(np.int64) * alphabet_size ** (d - 1)
    return out


def ruled_out(symbol: int, position: int, kind: str) -> SupportError:
    """The error for a symbol the model gives probability 0 in its context."""
    return SupportError(f"symbol {symbol} at position {position} has probability 0 in its context "
                        f"under the {kind} model: a code for it cannot describe it",
                        symbol=symbol, position=position)


class ContextModel:
    """Base: an order and an alphabet; subclasses give the integer frequencies of each step."""

    kind = ""

    def __init__(self, order: int, alphabet_size: int):
        if not isinstance(order, Integral) or isinstance(order, bool) or order < 0:
            raise OptionError(f"a context model's order must be a whole number, got {order!r}")
        if (not isinstance(alphabet_size, Integral) or isinstance(alphabet_size, bool)
                or alphabet_size < 1):
            raise OptionError(f"alphabet_size must be a positive whole number, got {alphabet_size!r}")
        if alphabet_size ** order > 2 ** 62:
            raise OptionError(f"order {order} over {alphabet_size} symbols has more contexts "
                              "than a 64-bit context number holds")
        self.order, self.alphabet_size = int(order), int(alphabet_size)

    def walker(self, precision: int):
        """A fresh state that gives each step's (total, cumulative frequencies) and learns."""
        raise NotImplementedError

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

    def fingerprint(self, precision: int) -> str:
        """A hash of the model really used, stored with a message to refuse another model."""
        from .coders.base import fingerprint
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

    >>> from codesim.markov import MarkovSource
    >>> model = FixedContextModel.from_source(MarkovSource([[0.9, 0.1], [0.2, 0.8]]))
    >>> model.order, model.rows.tolist()
    (1, [[0.9, 0.1], [0.2, 0.8]])
    """

    kind = "fixed"

    def __init__(self, rows):
        arr = np.asarray(rows, dtype=np.float64)
        size = arr.shape[-1] if arr.ndim else 0
        flat = as_pmf_rows(arr.reshape(-1, size) if arr.ndim >= 1 and size else arr, "rows")
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


class _CountWalker:
    """Per-context counts with integer frequencies d c(s) + u (alpha = u / d), learning or not."""

    def __init__(self, model, learn: bool):
        self.model, self.learn = model, learn
        self.k, self.modulus, self.context = model.alphabet_size, model.alphabet_size ** model.order, 0
        self.counts = {c: row.copy() for c, row in model.counts.items()} if learn else model.counts
        self.u, self.d = model.alpha.numerator, model.alpha.denominator
        self.base = self.u * np.arange(self.k + 1, dtype=np.int64)
        self._uniform = self.base.tolist()

    def table(self):
        row = self.counts.get(self.context)
        if row is None:
            return self.u * self.k, self._uniform
        cum = self.base.copy()
        np.cumsum(row, out=cum[1:])
        cum[1:] = self.d * cum[1:] + self.base[1:]
        return int(cum[-1]), cum.tolist()          # Python ints: the coder's products are exact

    def push(self, s: int) -> None:
        if self.learn:
            row = self.counts.get(self.context)
            if row is None:
                row = self.counts[self.context] = np.zeros(self.k, dtype=np.int64)
            row[s] += 1
        self.context = (self.context * self.k + s) % self.modulus if self.modulus > 1 else 0


class CountContextModel(ContextModel):
    """Counts per context with add-alpha smoothing, stored for the contexts seen only:
    P(s | c) = (c(s) + alpha) / (n_c + K alpha), exactly (integer frequencies)."""

    kind = "count"

    def __init__(self, counts: dict, order: int, alphabet_size: int, alpha):
        super().__init__(order, alphabet_size)
        self.counts, self.alpha = counts, _alpha(alpha)

    def walker(self, precision: int):
        return _CountWalker(self, learn=False)

    def _identity(self, precision: int) -> tuple:
        contexts = np.array(sorted(self.counts), dtype=np.int64)
        rows = np.array([self.counts[c] for c in contexts.tolist()], dtype=np.int64)
        return contexts, rows, np.array([self.alpha.numerator, self.alpha.denominator])

    def largest_total(self, n: int, precision: int) -> int:
        most = max((int(r.sum()) for r in self.counts.values()), default=0)
        return self.alpha.denominator * most + self.alpha.numerator * self.alphabet_size


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
    from .coders.base import as_symbols
    model = CountContextModel({}, order, alphabet_size, alpha)
    x = as_symbols(symbols, alphabet_size).astype(np.int64)
    ctx = context_ids(x, model.order, alphabet_size)
    pairs, counts = np.unique(ctx * alphabet_size + x, return_counts=True)
    require_memory(8 * alphabet_size * len(np.unique(ctx)), f"counts of {len(np.unique(ctx))} contexts")
    for pair, count in zip(pairs.tolist(), counts.tolist()):
        c, s = divmod(pair, alphabet_size)
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
        if rule not in RULES:
            raise OptionError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
        self.rule, self.alpha, self.counts = rule, RULES[rule], {}

    def walker(self, precision: int):
        return _CountWalker(self, learn=True)

    def _identity(self, precision: int) -> tuple:
        return (np.array([self.alpha.numerator, self.alpha.denominator]),)

    def largest_total(self, n: int, precision: int) -> int:
        return self.alpha.denominator * n + self.alpha.numerator * self.alphabet_size

    def __repr__(self) -> str:
        return f"AdaptiveContextModel(order={self.order}, K={self.alphabet_size}, rule={self.rule!r})"


class ContextCoder:
    """A stream coder driven by a context model, one position at a time (see the module
    docstring for what each coder supports).

    >>> import codesim as cs
    >>> model = AdaptiveContextModel(3, order=1, rule="kt")
    >>> coder = ContextCoder("arithmetic", model)
    >>> x = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    >>> enc = coder.encode(x)
    >>> coder.decode(enc).tolist() == x.tolist(), round(coder.code_length(x), 3)
    (True, 11.107)
    """

    def __init__(self, name: str, model: ContextModel, precision: int = 24):
        if name not in CONTEXT_CODERS:
            raise OptionError(f"a context model drives {', '.join(CONTEXT_CODERS)}, not {name!r}: "
                              "the other coders code one fixed q")
        if not isinstance(model, ContextModel):
            raise OptionError(f"expected a context model, got {type(model).__name__}")
        if name != "arithmetic" and not isinstance(model, FixedContextModel):
            raise OptionError(f"{name} codes fixed context models (dense rows, quantised once); "
                              f"the {model.kind} model needs 'arithmetic'")
        if not isinstance(precision, Integral) or not 1 <= precision <= 24:
            raise OptionError(f"precision must be a whole number from 1 to 24, got {precision!r}")
        self.name, self.model = name, model
        self.precision = 24 if name != "arithmetic" else int(precision)
        self.alphabet_size = model.alphabet_size

    @property
    def options(self) -> dict:
        return {"model": repr(self.model), "precision": self.precision}

    # --- coding ----------------------------------------------------------------------------
    def _check(self, symbols) -> np.ndarray:
        from .coders.base import as_symbols
        return as_symbols(symbols, self.alphabet_size).astype(np.int64)

    def encode(self, symbols):
        from .container import Encoded
        x = self._check(symbols)
        if x.size == 0:
            return Encoded(self.name, 0, 0, b"", {}, "")
        if self.name == "arithmetic":
            payload, num_bits = self._encode_arithmetic(x)
        else:
            self.costs(x)                    # a ruled-out symbol: SupportError before constriction
            payload, num_bits = self._encode_constriction(x)
        return Encoded(self.name, int(x.size), num_bits, payload, {}, self.fingerprint)

    @property
    def fingerprint(self) -> str:
        return self.model.fingerprint(self.precision)

    def _encode_arithmetic(self, x):
        from .coders.arithmetic import encode_intervals, finish
        walker = self.model.walker(self.precision)
        lows, highs, totals = [], [], []
        for i, s in enumerate(x.tolist()):
            total, cum = walker.table()
            if cum[s + 1] <= cum[s]:
                raise ruled_out(s, i, self.model.kind)
            lows.append(int(cum[s]))
            highs.append(int(cum[s + 1]))
            totals.append(int(total))
            walker.push(s)
        chunks, state = encode_intervals(lows, highs, totals)
        return finish(chunks, state)

    def _weights(self, contexts: np.ndarray) -> np.ndarray:
        """constriction's weights f - 1 for our leaky frequencies f: it then uses exactly f
        (see :mod:`codesim.coders.constriction_coders`)."""
        return (self.model.quantised(24, leaky=True)[contexts] - 1).astype(np.float64)

    def _encode_constriction(self, x):
        import constriction
        family = constriction.stream.model.Categorical(perfect=False)
        ctx = context_ids(x, self.model.order, self.alphabet_size)
        starts = range(0, x.size, CHUNK_ROWS)
        if self.name == "range":
            coder = constriction.stream.queue.RangeEncoder()
            for a in starts:
                coder.encode(x[a: a + CHUNK_ROWS].astype(np.int32), family, self._weights(ctx[a: a + CHUNK_ROWS]))
        else:
            coder = constriction.stream.stack.AnsCoder(ANS_START)
            for a in reversed(starts):                  # a stack: the last chunk first
                coder.encode_reverse(x[a: a + CHUNK_ROWS].astype(np.int32), family,
                                     self._weights(ctx[a: a + CHUNK_ROWS]))
        words = coder.get_compressed()
        return words.astype("<u4").tobytes(), 32 * words.size

    def decode(self, encoded) -> np.ndarray:
        if encoded.coder != self.name:
            raise DecodeError(f"this message was encoded by {encoded.coder!r}, not by {self.name!r}")
        if encoded.model_fingerprint and encoded.model_fingerprint != self.fingerprint:
            raise DecodeError("this message was encoded with a different context model "
                              f"({encoded.model_fingerprint} != {self.fingerprint}): decoding it "
                              "would give wrong symbols")
        n = encoded.num_symbols
        require_memory(64 * n, f"decoding {n} symbols")
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        if self.name == "arithmetic":
            from .coders.arithmetic import decode_intervals
            walker = self.model.walker(self.precision)
            tables = _Tables(walker)
            out = decode_intervals(encoded.payload, encoded.num_bits, n, tables.totals(), tables.cums(),
                                   walker.push)
            return np.array(out, dtype=np.int64)
        return self._decode_constriction(encoded.payload, encoded.num_bits, n)

    def _decode_constriction(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        import constriction
        words = payload_words(self.name, payload, num_bits)
        family = constriction.stream.model.Categorical(perfect=False)
        freqs = self.model.quantised(24, leaky=True)
        modulus, k = self.alphabet_size ** self.model.order, self.alphabet_size
        action = f"{self.name} decoding"
        coder = (guard(action, constriction.stream.queue.RangeDecoder, words) if self.name == "range"
                 else guard(action, constriction.stream.stack.AnsCoder, words))
        out = np.empty(n, dtype=np.int64)

        def decode_all():
            context = 0
            for i in range(n):
                s = int(coder.decode(family, (freqs[context] - 1)[None, :].astype(np.float64))[0])
                out[i] = s
                context = (context * k + s) % modulus if modulus > 1 else 0

        guard(action, decode_all)
        if self.name == "range" and not coder.maybe_exhausted():
            raise DecodeError(f"{n} symbols left range-coded words unread: the symbol count or "
                              "the data are damaged")
        if self.name == "ans" and not np.array_equal(coder.get_compressed(), ANS_START):
            raise DecodeError("the ANS stack did not return to its start: the data are damaged")
        return out

    # --- theory ----------------------------------------------------------------------------
    def costs(self, symbols) -> np.ndarray:
        """-log2 of each symbol's probability under the model really used."""
        return self.model.costs(self._check(symbols), self.precision, leaky=self.name != "arithmetic")

    def code_length(self, symbols) -> float:
        return float(self.costs(symbols).sum())

    def length_bounds(self, n: int) -> tuple[float, float]:
        """(below, above) of num_bits against code_length (see the module docstring)."""
        if n == 0:
            return 0.0, 0.0
        if self.name == "arithmetic":
            from .coders.arithmetic import QUARTER_RANGE
            eps = -math.log2(1 - self.model.largest_total(n, self.precision) / QUARTER_RANGE)
            return eps * n, 2.0 + eps * n
        eps = ROUNDING_BITS
        return (eps * n, 64 + eps * n) if self.name == "range" else (-32 + eps * n, 64 + eps * n)


class _Tables:
    """The walker's tables as the two streams decode_intervals reads (it pulls step i's after
    pushing step i - 1's symbol)."""

    def __init__(self, walker):
        self.walker, self.current = walker, None

    def totals(self):
        while True:
            self.current = self.walker.table()
            yield int(self.current[0])

    def cums(self):
        while True:
            yield self.current[1]
