r"""The coder a context model drives: one position at a time, each with its context's row.

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

import numpy as np

from ..container import Encoded
from ..errors import DecodeError, OptionError
from ..limits import require_memory
from ..models.context import ContextModel, FixedContextModel, CompiledCountWalker, ruled_out
from ..models.ctw import CompiledCTWWalker
from ..sources.markov import context_ids
from ..validate import precision_bits
from .arithmetic import QUARTER_RANGE, ArithmeticCoder, decode_intervals, encode_intervals, finish
from . import compiled, registry
from .base import as_symbols
from .constriction_coders import ANS_START, ROUNDING_BITS, AnsCoder, RangeCoder, guard, payload_words

__all__ = ["ContextCoder", "ArithmeticContextCoder", "RangeContextCoder", "AnsContextCoder",
           "CONTEXT_CODERS"]

#: the coders a context model can drive
CONTEXT_CODERS = registry.names(context=True)
#: chunk of per-position rows range and ans encode at a time
CHUNK_ROWS = 4096


class ContextCoder:
    """A stream coder driven by a context model, one position at a time (see the module
    docstring for what each coder supports).

    >>> import codesim as cs
    >>> model = cs.AdaptiveContextModel(3, order=1, rule="kt")
    >>> coder = ContextCoder("arithmetic", model)
    >>> x = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    >>> enc = coder.encode(x)
    >>> coder.decode(enc).tolist() == x.tolist(), round(coder.code_length(x), 3)
    (True, 11.107)
    """

    #: the flush of the stream coder (its bits beyond the code length); each coder sets it
    flush = None
    #: whether the coder keeps one slot for a symbol a row rules out (constriction's rule)
    leaky = True

    def __new__(cls, *args, **kwargs):
        """``ContextCoder(name, ...)`` is the context coder of that name (one class each)."""
        if cls is ContextCoder:
            name = kwargs.get("name", args[0] if args else None)
            if not isinstance(name, str) or name not in CONTEXT_CODERS:
                raise OptionError(f"a context model drives {', '.join(CONTEXT_CODERS)}, not "
                                  f"{name!r}: the other coders code one fixed q")
            cls = _BY_NAME[name]
        return super().__new__(cls)

    def __init__(self, name: str, model: ContextModel, precision: int = 24):
        if not isinstance(model, ContextModel):
            raise OptionError(f"expected a context model, got {type(model).__name__}")
        self.name, self.model = name, model
        self.precision = self._precision(precision_bits(precision, 24, f"context-coded {name}: "))
        self.alphabet_size = model.alphabet_size

    def _precision(self, precision: int) -> int:
        return precision

    @property
    def options(self) -> dict:
        return {"model": repr(self.model), "precision": self.precision}

    @property
    def fingerprint(self) -> str:
        return self.model.fingerprint(self.precision)

    # --- coding ----------------------------------------------------------------------------
    def _check(self, symbols) -> np.ndarray:
        x = as_symbols(symbols, self.alphabet_size).astype(np.int64)
        self._require_room(x.size)
        return x

    def _require_room(self, n: int) -> None:
        """Refuse, before any coding, n symbols whose model would outgrow the memory budget."""
        require_memory(self.model.learning_bytes(n) + 64 * n,
                       f"coding {n} symbols with the {self.model.kind} model {self.model!r}")

    def encode(self, symbols):
        x = self._check(symbols)
        if x.size == 0:
            return Encoded(self.name, 0, 0, b"", {}, "")
        payload, num_bits = self._encode(x)
        return Encoded(self.name, int(x.size), num_bits, payload, {}, self.fingerprint)

    def decode(self, encoded) -> np.ndarray:
        if not isinstance(encoded, Encoded):
            raise DecodeError(f"decode takes an encoded message (codesim.Encoded), got "
                              f"{type(encoded).__name__}")
        if encoded.coder != self.name:
            raise DecodeError(f"this message was encoded by {encoded.coder!r}, not by {self.name!r}")
        if encoded.model_fingerprint and encoded.model_fingerprint != self.fingerprint:
            raise DecodeError("this message was encoded with a different context model "
                              f"({encoded.model_fingerprint} != {self.fingerprint}): decoding it "
                              "would give wrong symbols")
        n = encoded.num_symbols
        if n > (most := self._most_symbols(encoded.num_bits)):
            raise DecodeError(f"the header says {n} symbols, but {encoded.num_bits} bits hold at "
                              f"most {most} under this model (each costs at least -log2 of the "
                              "largest quantised probability): the message is damaged")
        self._require_room(n)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        return self._decode(encoded.payload, encoded.num_bits, n)

    def _most_symbols(self, num_bits: int) -> float:
        """How many symbols num_bits can hold under a fixed model: each costs at least
        c = -log2 of the largest quantised probability, less the coder's rounding eps, so
        n (c - eps) - (slack below) <= num_bits; a learning model has no such floor (inf)."""
        if not isinstance(self.model, FixedContextModel):
            return math.inf
        cheapest = self.precision - math.log2(int(self.model.quantised(self.precision, self.leaky).max()))
        eps = self._bounds(2)[0] - self._bounds(1)[0]
        slack = eps - self._bounds(1)[0]                   # the constant part of the slack below
        if cheapest <= eps:
            return math.inf
        return math.floor((num_bits + max(slack, 0.0)) / (cheapest - eps)) + 1

    # --- theory ----------------------------------------------------------------------------
    def costs(self, symbols) -> np.ndarray:
        """-log2 of each symbol's probability under the model really used."""
        return self.model.costs(self._check(symbols), self.precision, leaky=self.leaky)

    def code_length(self, symbols) -> float:
        return float(self.costs(symbols).sum())

    def length_bounds(self, n: int) -> tuple[float, float]:
        """(below, above) of num_bits against code_length (see the module docstring)."""
        return (0.0, 0.0) if n == 0 else self._bounds(n)


class ArithmeticContextCoder(ContextCoder):
    """The exact arithmetic coder, one context's table at a time: every kind of model."""

    flush = ArithmeticCoder.flush
    leaky = False

    def _encode(self, x):
        walker = self.model.walker_for(self.precision, x.size)
        if _compiled_walker(walker):
            return compiled.context_encode(walker, x)
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

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        walker = self.model.walker_for(self.precision, n)
        if isinstance(walker, CompiledCTWWalker):
            return compiled.ctw_decode(walker, payload, num_bits, n, self.precision)
        if isinstance(walker, CompiledCountWalker):
            return compiled.counts_decode(walker, payload, num_bits, n)
        tables = _Tables(walker)
        out = decode_intervals(payload, num_bits, n, tables.totals(), tables.cums(), walker.push)
        return np.array(out, dtype=np.int64)

    def _bounds(self, n: int) -> tuple[float, float]:
        eps = -math.log2(1 - self.model.largest_total(n, self.precision) / QUARTER_RANGE)
        return eps * n, 2.0 + eps * n


class _ConstrictionContextCoder(ContextCoder):
    """constriction's coders on a fixed model's dense rows, quantised to 2^24 with a slot for
    every symbol (constriction's rule); we still refuse to code a symbol a row rules out."""

    def __init__(self, name: str, model: ContextModel, precision: int = 24):
        if isinstance(model, ContextModel) and not isinstance(model, FixedContextModel):
            raise OptionError(f"{name} codes fixed context models (dense rows, quantised once); "
                              f"the {model.kind} model needs 'arithmetic'")
        super().__init__(name, model, precision)

    def _precision(self, precision: int) -> int:
        if precision != 24:
            raise OptionError(f"{self.name} codes context models at constriction's 24 bits; "
                              f"precision={precision} would not be used (the arithmetic coder "
                              "takes any precision)")
        return 24

    def _weights(self, contexts: np.ndarray) -> np.ndarray:
        """constriction's weights f - 1 for our leaky frequencies f: it then uses exactly f
        (see :mod:`codesim.coders.constriction_coders`)."""
        return (self.model.quantised(24, leaky=True)[contexts] - 1).astype(np.float64)

    def _encode(self, x):
        import constriction
        self.model.costs(x, self.precision, leaky=self.leaky)   # a ruled-out symbol: SupportError first
        family = constriction.stream.model.Categorical(perfect=False)
        ctx = context_ids(x, self.model.order, self.alphabet_size)
        words = self._encode_chunks(constriction, x, ctx, family)
        return words.astype("<u4").tobytes(), 32 * words.size

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        import constriction
        words = payload_words(self.name, payload, num_bits)
        family = constriction.stream.model.Categorical(perfect=False)
        freqs = self.model.quantised(24, leaky=True)
        modulus, k = self.alphabet_size ** self.model.order, self.alphabet_size
        action = f"{self.name} decoding"
        coder = guard(action, self._decoder(constriction), words)
        out = np.empty(n, dtype=np.int64)

        def decode_all():
            context = 0
            for i in range(n):
                s = int(coder.decode(family, (freqs[context] - 1)[None, :].astype(np.float64))[0])
                out[i] = s
                context = (context * k + s) % modulus if modulus > 1 else 0

        guard(action, decode_all)
        self._check_end(coder, n)
        return out


class RangeContextCoder(_ConstrictionContextCoder):
    """constriction's range coder (a queue), chunks of per-position rows in order."""

    flush = RangeCoder.flush

    def _encode_chunks(self, constriction, x, ctx, family):
        coder = constriction.stream.queue.RangeEncoder()
        for a in range(0, x.size, CHUNK_ROWS):
            coder.encode(x[a: a + CHUNK_ROWS].astype(np.int32), family, self._weights(ctx[a: a + CHUNK_ROWS]))
        return coder.get_compressed()

    def _decoder(self, constriction):
        return constriction.stream.queue.RangeDecoder

    def _check_end(self, coder, n: int) -> None:
        if not coder.maybe_exhausted():
            raise DecodeError(f"{n} symbols left range-coded words unread: the symbol count or "
                              "the data are damaged")

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        out = super()._decode(payload, num_bits, n)
        # a queue's decoder can read extra symbols out of the final words' padding: only the
        # message that re-encodes to these very words is the one that was coded
        if self._encode(out)[0] != payload[: len(payload) - len(payload) % 4]:
            raise DecodeError(f"{n} decoded symbols do not re-encode to the message's words: "
                              "the symbol count or the data are damaged")
        return out

    def _bounds(self, n: int) -> tuple[float, float]:
        return ROUNDING_BITS * n, 64 + ROUNDING_BITS * n


class AnsContextCoder(_ConstrictionContextCoder):
    """constriction's ANS coder (a stack), chunks of per-position rows in reverse."""

    flush = AnsCoder.flush

    def _encode_chunks(self, constriction, x, ctx, family):
        coder = constriction.stream.stack.AnsCoder(ANS_START)
        for a in reversed(range(0, x.size, CHUNK_ROWS)):            # a stack: the last chunk first
            coder.encode_reverse(x[a: a + CHUNK_ROWS].astype(np.int32), family,
                                 self._weights(ctx[a: a + CHUNK_ROWS]))
        return coder.get_compressed()

    def _decoder(self, constriction):
        return constriction.stream.stack.AnsCoder

    def _check_end(self, coder, n: int) -> None:
        if not np.array_equal(coder.get_compressed(), ANS_START):
            raise DecodeError("the ANS stack did not return to its start: the data are damaged")

    def _bounds(self, n: int) -> tuple[float, float]:
        return -32 + ROUNDING_BITS * n, 64 + ROUNDING_BITS * n


def _compiled_walker(walker) -> bool:
    """Whether a model's walker is a compiled one (its model's ``walker_for`` chose it: the
    kernels run, and the model has them), whose shares the compiled coder codes."""
    return isinstance(walker, (CompiledCTWWalker, CompiledCountWalker))


_BY_NAME = {"arithmetic": ArithmeticContextCoder, "range": RangeContextCoder, "ans": AnsContextCoder}


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
