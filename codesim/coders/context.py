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
from ..models.context import ContextModel, FixedContextModel, ruled_out
from ..sources.markov import context_ids
from ..validate import precision_bits
from .arithmetic import QUARTER_RANGE, ArithmeticCoder, decode_intervals, encode_intervals, finish
from .base import as_symbols
from .constriction_coders import ANS_START, ROUNDING_BITS, AnsCoder, RangeCoder, guard, payload_words

__all__ = ["ContextCoder", "CONTEXT_CODERS"]

#: the coders a context model can drive
CONTEXT_CODERS = ("arithmetic", "range", "ans")
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

    def __init__(self, name: str, model: ContextModel, precision: int = 24):
        if name not in CONTEXT_CODERS:
            raise OptionError(f"a context model drives {', '.join(CONTEXT_CODERS)}, not {name!r}: "
                              "the other coders code one fixed q")
        if not isinstance(model, ContextModel):
            raise OptionError(f"expected a context model, got {type(model).__name__}")
        if name != "arithmetic" and not isinstance(model, FixedContextModel):
            raise OptionError(f"{name} codes fixed context models (dense rows, quantised once); "
                              f"the {model.kind} model needs 'arithmetic'")
        precision = precision_bits(precision, 24, f"context-coded {name}: ")
        self.name, self.model = name, model
        self.precision = 24 if name != "arithmetic" else int(precision)
        self.alphabet_size = model.alphabet_size

    @property
    def flush(self):
        """The flush of the stream coder this model drives (its bits beyond the code length)."""
        return {"arithmetic": ArithmeticCoder, "range": RangeCoder, "ans": AnsCoder}[self.name].flush

    @property
    def options(self) -> dict:
        return {"model": repr(self.model), "precision": self.precision}

    # --- coding ----------------------------------------------------------------------------
    def _check(self, symbols) -> np.ndarray:
        return as_symbols(symbols, self.alphabet_size).astype(np.int64)

    def encode(self, symbols):
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
