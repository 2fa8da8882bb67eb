r"""Fast range and ANS coders backed by constriction (Bamler, 2022).

constriction's ``RangeEncoder`` is a queue (first in, first out) and its ``AnsCoder`` a stack
(last in, first out); both move 32-bit words and use 24-bit model precision.  This module wraps
them so that none of constriction's sharp edges reaches a user:

* **The model is ours, exactly.**  ``Categorical(w, perfect=False)`` turns floats w into integer
  frequencies by ``cdf(s) = floor(sum_{a<s} w(a) * (2**24 - K) / sum(w)) + s``.  We pass
  ``w = f - 1`` for our own frequencies f (from :func:`codesim.distributions.quantize`, summing
  to 2**24): then the scale is exactly 1 and constriction uses exactly f, so
  ``coder.model_pmf`` is the model really applied (a test checks the bits against it).
  ``perfect=False`` is always passed explicitly (the default changed between versions).
* **Zero probabilities.**  constriction gives every symbol at least one slot and accepts any
  symbol < K.  For a fixed q we code only the symbols with q(x) > 0 (re-indexed), and we raise
  :class:`~codesim.errors.SupportError` ourselves for a ruled-out symbol.  Per-position models
  keep one slot for q(x) = 0 (``quantize(..., leaky=True)``), as constriction would.
* **One-symbol alphabets** are refused by constriction; a lone possible symbol costs 0 bits and
  is handled in :class:`~codesim.coders.stream.StreamCoder`.
* **Every frequency 1.**  With 2**24 possible symbols every f is 1, every weight f - 1 is 0,
  and ``Categorical`` refuses to normalise them; the model is then exactly ``Uniform(2**24)``.
* **The empty ANS stack.**  An ``AnsCoder`` starting from state 0 encodes a symbol with
  cdf 0 for free, forever, and a small state rounds badly.  We start the stack at the smallest
  normalised state, 2**32 (words ``[0, 1]``), as a textbook rANS starts at its lower bound, so
  that every symbol costs its information content within eps; after decoding, the stack must
  be back at ``[0, 1]``, which is also a damage check.
* **Errors.**  Symbols are passed as contiguous int32; constriction's exceptions, including a
  Rust ``PanicException`` (which derives from BaseException), become DecodeError.

Guarantees (tested), with I = sum_i -log2 q~(x_i) and eps = log2(1 + 2**-8) per symbol from
rounding in states of at least 2**32 (the worst case; the expected drift is derived in
:mod:`codesim.coders.stream`: +1.27e-4 bits per symbol for range, about +-1e-5 for ans):

    range:   I - n eps        <= num_bits <= I + 64 + n eps   (two words flush the state)
    ans:     I + 32 - n eps   <= num_bits <= I + 64 + n eps   (the 64-bit head, started at
                                                               2**32, is flushed at the end)
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DecodeError, OptionError, SymbolError, a
from . import compiled
from .stream import Flush, StreamCoder, log_uniform_inverse_moments, rans_drift, DRIFT_PRECISION

__all__ = ["RangeCoder", "AnsCoder", "CONSTRICTION_PRECISION", "ROUNDING_BITS", "ANS_START", "guard",
           "payload_words"]

CONSTRICTION_PRECISION = 24     # constriction's default Categorical precision (u32 words)
#: the worst rounding loss per symbol in states of at least 2**32 (see the module docstring)
ROUNDING_BITS = math.log2(1 + 2.0 ** -8)
#: the ANS stack starts (and must end) at head 2**32: little-endian words [0, 1]
ANS_START = np.array([0, 1], dtype=np.uint32)


def _constriction():
    import constriction
    return constriction.stream


def guard(action: str, fn, *args):
    """Run a constriction call; turn anything it throws (even a panic) into DecodeError."""
    try:
        return fn(*args)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as err:     # constriction's PanicException derives from BaseException
        raise DecodeError(f"{action} failed: {type(err).__name__}: {err}") from None


def payload_words(name: str, payload: bytes, num_bits: int) -> np.ndarray:
    """A payload back as constriction's 32-bit words (no copy); DecodeError unless it is whole
    words and num_bits says so."""
    if len(payload) % 4 or num_bits != 8 * len(payload):
        raise DecodeError(f"{a(name)} payload is whole 32-bit words; got {len(payload)} "
                          f"bytes for {num_bits} bits")
    return np.frombuffer(payload, dtype=np.dtype("<u4").newbyteorder("="))


class _ConstrictionCoder(StreamCoder):
    max_precision = CONSTRICTION_PRECISION
    leaky_rows = True
    symbol_dtype = np.dtype(np.int32)          # constriction's own: no conversion on the way in

    def __init__(self, q, precision: int = CONSTRICTION_PRECISION):
        super().__init__(q, precision)
        stream = _constriction()
        widen = self._widen = 1 << (CONSTRICTION_PRECISION - self.precision)  # f * 2**(24 - p)
        if self.per_position:
            if self.alphabet_size >= 1 << CONSTRICTION_PRECISION:
                raise OptionError(f"{self.name}: per-position models need fewer than 2**24 "
                                  f"symbols (constriction's precision), got {self.alphabet_size}")
            self._weights = (self.freqs * widen - 1).astype(np.float64)
            self._model = stream.model.Categorical(perfect=False)
            self._index = None
        elif self.lone_symbol is None:
            full = self.possible.all()                               # no re-indexing needed
            self._index = None if full else np.cumsum(self.possible) - 1    # symbol -> index
            self._symbols = None if full else np.flatnonzero(self.possible)  # index -> symbol
            weights = (self.freqs[self.possible] * widen - 1).astype(np.float64)
            if weights.any():
                self._model = stream.model.Categorical(weights, perfect=False)
            else:                                    # every f is 1: 2**24 possible symbols
                self._model = stream.model.Uniform(weights.size)

    def _to_indices(self, x: np.ndarray) -> np.ndarray:
        """Symbols -> constriction's contiguous int32 indices (over the support of q)."""
        return np.ascontiguousarray(x if self._index is None else self._index[x], dtype=np.int32)

    def _to_symbols(self, idx: np.ndarray) -> np.ndarray:
        """constriction's indices (always valid for the model) -> symbols (int32 as they come)."""
        return idx if self._index is None else self._symbols[idx]

    def _check_message(self, symbols) -> np.ndarray:
        """An int32 message for a model over every symbol goes to constriction as it is:
        constriction refuses a symbol outside 0..K-1 itself (a KeyError), and only then is the
        message validated here, to name the symbol and its position."""
        if (not self.per_position and self.lone_symbol is None and self._index is None
                and isinstance(symbols, np.ndarray)
                and symbols.dtype == np.int32 and symbols.ndim == 1 and symbols.flags.c_contiguous):
            return symbols
        return super()._check_message(symbols)

    def _encode_with(self, encode, x: np.ndarray) -> None:
        """Run a constriction encode; name the bad symbol if it refuses one."""
        try:
            encode(self._to_indices(x), *self._model_args())
        except KeyError:
            self._name_refused(x)
            raise

    def _name_refused(self, x: np.ndarray) -> None:
        """The full validation of a message constriction (or its kernel) refused: raises
        SymbolError or SupportError, naming the symbol."""
        super()._check_message(x)

    def _model_args(self):
        return (self._model, self._weights) if self.per_position else (self._model,)

    @staticmethod
    def _payload(words: np.ndarray) -> tuple[bytes, int]:
        """constriction's 32-bit words as little-endian bytes, and their exact bit count."""
        return words.astype("<u4").tobytes(), 32 * words.size

    def _decode_indices(self, decoder, n: int) -> np.ndarray:
        """n indices from a constriction decoder, with the model (fixed or per position)."""
        action = f"{self.name} decoding"
        if self.per_position:
            idx = guard(action, decoder.decode, self._model, self._weights)
        else:
            idx = guard(action, decoder.decode, self._model, n)
        if len(idx) != n:
            raise DecodeError(f"{action} gave {len(idx)} of {n} symbols")
        return idx


class RangeCoder(_ConstrictionCoder):
    """Range coder (constriction ``RangeEncoder``/``RangeDecoder``, a queue).

    >>> from codesim.coders import make_coder
    >>> coder = make_coder("range", [0.5, 0.25, 0.25, 0.0])
    >>> coder.decode(coder.encode([0, 1, 2, 0])).tolist()
    [0, 1, 2, 0]
    """

    name = "range"
    flush = Flush(0.0, 64.0, 16.90, 9.23,
                  "measured (2000 random models): mean 16.90, sd 9.23, inside the 64 bits of "
                  "two words")

    def _encode(self, x: np.ndarray) -> tuple[bytes, int]:
        if compiled.active(x.size, self.name) and not self.per_position:     # constriction's words, compiled
            words = compiled.range_encode(self, self._to_indices(x))
            if words is None:
                self._name_refused(x)
                raise SymbolError("range: a symbol outside the model")   # not reached
            return self._payload(words)
        encoder = _constriction().queue.RangeEncoder()
        self._encode_with(encoder.encode, x)
        return self._payload(encoder.get_compressed())

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        words = payload_words(self.name, payload, num_bits)
        if compiled.active(n, self.name) and not self.per_position:          # constriction's words, compiled
            indices, exhausted = compiled.range_decode(self, words, n)
        else:
            decoder = guard("range decoding", _constriction().queue.RangeDecoder, words)
            indices = self._decode_indices(decoder, n)
            exhausted = decoder.maybe_exhausted()
        symbols = self._to_symbols(indices)
        if not exhausted:
            raise DecodeError(f"{n} symbols left range-coded words unread: the symbol count or "
                              "the data are damaged")
        # A queue's decoder can read a symbol or two more than were coded out of the final
        # words' padding without running dry: only the message that re-encodes to these very
        # words is the one that was coded (a count raised by one gave 201 symbols, silently)
        if self._encode(symbols)[0] != payload[: 4 * words.size]:
            raise DecodeError(f"{n} decoded symbols do not re-encode to the message's words: "
                              "the symbol count or the data are damaged")
        return symbols

    @property
    def slack(self) -> tuple[float, float, float]:
        return 0.0, 64.0, ROUNDING_BITS

    def _information(self, x: np.ndarray, encoded) -> float:
        """32 bits a word written, and 64 - log2 range of the final state (range starts at
        2**64 - 1): read from the encoder before its flush (``pos()``)."""
        encoder = _constriction().queue.RangeEncoder()
        self._encode_with(encoder.encode, x)
        words, (_, width) = encoder.pos()
        return 32.0 * words + 64.0 - math.log2(width)

    def _drift(self, p, n: int) -> tuple[float, float, float]:
        """Each step keeps scale * f of range = scale * 2**24 + r: it loses log2(1 + r / range),
        scale = range >> 24 log-uniform on [2**8, 2**40), r uniform.  A model whose every
        frequency is a power of two keeps range a multiple of 2**24 (r = 0): no drift at all
        (measured: (1/2, 1/2) and (1/4, 1/4, 1/2) lose exactly their flush over 10**6 symbols)."""
        f = self.freqs[self.freqs > 0]
        if np.all((f & (f - 1)) == 0):
            return 0.0, 0.0, 0.0
        inv, inv_sq = log_uniform_inverse_moments(2.0**8, 2.0**40)
        return (inv / (2 * math.log(2)), inv_sq / (3 * math.log(2) ** 2),
                DRIFT_PRECISION * inv / math.log(2))


class AnsCoder(_ConstrictionCoder):
    """ANS coder (constriction ``AnsCoder``, a stack started at state 2**32).

    >>> from codesim.coders import make_coder
    >>> coder = make_coder("ans", [0.5, 0.25, 0.25])
    >>> coder.decode(coder.encode([0, 1, 2, 0])).tolist()
    [0, 1, 2, 0]
    """

    name = "ans"
    flush = Flush(32.0, 64.0, 48.0, 32 / math.sqrt(12),
                  "derived: the head in [2**32, 2**64) is flushed in 64 bits, 96 - log2 head "
                  "beyond the information; log2 head uniform")

    def _encode(self, x: np.ndarray) -> tuple[bytes, int]:
        coder = _constriction().stack.AnsCoder(ANS_START)
        self._encode_with(coder.encode_reverse, x)
        return self._payload(coder.get_compressed())

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        if compiled.active(n, self.name) and not self.per_position:      # constriction's words, compiled
            words = payload_words(self.name, payload, num_bits)
            return self._to_symbols(compiled.ans_decode(self, words, n))
        coder = guard("ans decoding", _constriction().stack.AnsCoder,
                      payload_words(self.name, payload, num_bits))
        idx = self._decode_indices(coder, n)
        rest = coder.get_compressed()
        if not np.array_equal(rest, ANS_START):
            raise DecodeError("the ANS stack did not return to its start state after the last "
                              "symbol: the data are damaged or the model is wrong")
        return self._to_symbols(idx)

    @property
    def slack(self) -> tuple[float, float, float]:
        return -32.0, 64.0, ROUNDING_BITS

    def _information(self, x: np.ndarray, encoded) -> float:
        """32 bits a word of the stack's bulk, and log2 head - 32 of the final head (two words
        at the end of the message, started at 2**32)."""
        words = payload_words(self.name, encoded.payload, encoded.num_bits)
        head = (int(words[-1]) << 32) | int(words[-2])
        return 32.0 * (words.size - 2) + math.log2(head) - 32.0

    def _drift(self, p, n: int) -> tuple[float, float, float]:
        """constriction pushes a word when head >= f * 2**40, so head / f is in [2**8, 2**40)."""
        rows, freqs = self._rows(p)
        return rans_drift(rows, freqs * self._widen, 1 << CONSTRICTION_PRECISION, 2.0**8, 2.0**40)
