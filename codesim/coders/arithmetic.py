r"""An exact integer arithmetic coder, written to be read.

Arithmetic coding keeps an interval [low, high] of integers in [0, 2**STATE_BITS).  Each
symbol x with cumulative frequencies [c_low, c_high) out of ``total`` narrows it to its own
share::

    width = high - low + 1
    high  = low + width * c_high // total - 1
    low   = low + width * c_low  // total

so that after all symbols the interval's width is (up to rounding) 2**STATE_BITS times the
probability of the message, and about -log2 P(message) bits name a point inside it.

Invariants, true between symbols (Witten, Neal & Cleary 1987; nayuki's reference coder)::

    0 <= low < HALF_RANGE <= high <= STATE_MASK      (the top bits of low and high differ)
    not (QUARTER_RANGE <= low and high < HALF_RANGE + QUARTER_RANGE)    (no underflow)
    hence width = high - low + 1 > QUARTER_RANGE, so any total <= QUARTER_RANGE keeps every
    symbol with f >= 1 a non-empty share.

Renormalisation after each symbol, in two steps:

1. **Settle.**  The top bits on which low and high agree can never change again: they are
   output.  There are ``STATE_BITS - (low ^ high).bit_length()`` of them; emit them all at once
   and shift them out of low (filling with 0s) and high (filling with 1s).  (The textbook does
   this one bit at a time; the result is the same.)
2. **Underflow.**  While low = 01... and high = 10... (the interval straddles the middle inside
   [1/4, 3/4)), the next output bit is not settled, but it will be the opposite of the bit that
   settles after it: count one *pending* bit and double the interval around the middle.  When a
   bit b settles, the pending bits follow it as copies of 1 - b.

At the end, two more bits (plus pending) pick a point inside [low, high], read with zeros after.

Guarantee (tested): with T = total <= QUARTER_RANGE and eps = -log2(1 - T / QUARTER_RANGE),

    sum_i -log2 q~(x_i) - n eps  <=  num_bits  <=  sum_i -log2 q~(x_i) + 2 + n eps

eps bounds the rounding of ``width * c // total`` in either direction (the two floors can give a
symbol up to one unit more or less than width * f / total, and width > QUARTER_RANGE): at most
3.4e-7 bits per symbol at the default precision of 24 bits, 8.8e-5 at 32 bits, where a message
can cost less than its information content.  The flush adds u = log2(final width) - 46 bits,
0 < u <= 2: measured over 2000 random models, u has mean 1.054 and sd 0.417.

Models: one fixed frequency table; one table per position (an (n, K) q); or an adaptive model
whose counts are updated after each symbol (``adaptive="laplace"``: count + 1,
``"kt"``: count + 1/2, Krichevsky-Trofimov), kept in a Fenwick tree so that look-up and update
are O(log K).  The decoder finds each symbol by ``bisect`` on the cumulative frequencies and
mirrors the encoder's updates.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right

import numpy as np

from ..errors import DecodeError, OptionError
from ..measures import entropy
from ..container import fingerprint
from .prefix import pack_codewords
from ..models.adaptive import ADAPTIVE_PRIORS, AdaptiveModel, FenwickTree, code_length_variance
from .stream import Flush, StreamCoder
from . import compiled
from ..tables import format_table
from ..validate import checked_pmf, check_same_length

__all__ = ["ArithmeticCoder", "AdaptiveArithmeticCoder", "encode_intervals", "decode_intervals", "FenwickTree", "STATE_BITS"]

STATE_BITS = 48                         # bits of low / high
FULL_RANGE = 1 << STATE_BITS            # 0x1_0000_0000_0000
HALF_RANGE = FULL_RANGE >> 1            # 0x0_8000_0000_0000
QUARTER_RANGE = HALF_RANGE >> 1         # 0x0_4000_0000_0000
STATE_MASK = FULL_RANGE - 1             # 0x0_FFFF_FFFF_FFFF: high starts here
_WORD_BITS = 32                         # the decoder reads the payload as 32-bit words


def encode_intervals(lows, highs, totals, state=None):
    """Code symbols given as intervals [lows[i], highs[i]) out of totals[i].

    Returns ``(chunks, (low, high, pending))``: the settled bits as chunks, each one integer
    ``value << 6 | (length - 1)`` (1 <= length <= 48, see :func:`unpack_chunks`), and the state
    before the final flush.
    """
    low, high, pending = state or (0, STATE_MASK, 0)
    chunks = []
    emit = chunks.append
    bits, mask, quarter, three_quarters = STATE_BITS, STATE_MASK, QUARTER_RANGE, 3 * QUARTER_RANGE
    for c_low, c_high, total in zip(lows, highs, totals):
        width = high - low + 1                                      # narrow to the symbol's share
        high = low + width * c_high // total - 1
        low = low + width * c_low // total
        settled = bits - (low ^ high).bit_length()                  # 1. settle agreeing top bits
        if settled:
            top = low >> (bits - settled)
            if pending:                                             # first bit, pending opposites,
                first = top >> (settled - 1)                        # then the rest
                emit(first << 6)
                if pending <= bits:                                 # (one chunk holds 48 bits)
                    emit((((1 << pending) - 1) * (1 - first)) << 6 | (pending - 1))
                else:
                    _emit_run(chunks, 1 - first, pending)
                pending = 0
                if settled > 1:
                    emit((top & ((1 << (settled - 1)) - 1)) << 6 | (settled - 2))
            else:
                emit(top << 6 | (settled - 1))
            low = (low << settled) & mask
            high = ((high << settled) & mask) | ((1 << settled) - 1)
        while low >= quarter and high < three_quarters:             # 2. underflow
            pending += 1
            low = (low - quarter) << 1
            high = ((high - quarter) << 1) | 1
    return chunks, (low, high, pending)


def _emit_run(chunks: list, bit: int, count: int) -> None:
    """Append ``count`` copies of ``bit`` as chunks of at most 48 bits."""
    while count:
        size = min(count, STATE_BITS)
        chunks.append((((1 << size) - 1) * bit) << 6 | (size - 1))
        count -= size


def unpack_chunks(chunks: list) -> tuple[np.ndarray, np.ndarray]:
    """Split chunks ``value << 6 | (length - 1)`` into codeword values and lengths."""
    packed = np.array(chunks, dtype=np.uint64)
    return packed >> np.uint64(6), (packed & np.uint64(63)).astype(np.int64) + 1


def flush_chunks(state) -> list:
    """The chunks that end a message from ``state``: a point inside [low, high] (1/4 or 1/2),
    its first bit, then the pending opposites and one more."""
    low, _, pending = state
    bit = 0 if low < QUARTER_RANGE else 1
    chunks = [bit << 6]
    _emit_run(chunks, 1 - bit, pending + 1)
    return chunks


def finish(chunks: list, state) -> tuple[bytes, int]:
    """Flush (:func:`flush_chunks`), then pack all chunks."""
    return pack_codewords(*unpack_chunks(chunks + flush_chunks(state)))


def _words(payload: bytes, num_bits: int) -> list[int]:
    """The payload as 32-bit big-endian words, zero past num_bits, with zero words after it
    for every read a valid stream can make (at most num_bits + STATE_BITS bits)."""
    whole = payload[: (num_bits + 7) // 8]
    words = np.frombuffer(whole + bytes(-len(whole) % 4), dtype=">u4").tolist()
    if num_bits % 32:                                               # clear bits past num_bits
        words[-1] &= ~((1 << (32 - num_bits % 32)) - 1) & 0xFFFFFFFF
    return words + [0] * (STATE_BITS // _WORD_BITS + 4)


def decode_intervals(payload: bytes, num_bits: int, n: int, totals, cums, update=None) -> list[int]:
    """Mirror of :func:`encode_intervals`.

    ``cums`` gives, for each position, the cumulative frequencies (a sequence with cum[0] = 0
    and cum[K] = total, searched with ``bisect``); ``totals`` each position's total; and
    ``update(symbol)``, if given, is called after each symbol (an adaptive model learning).
    Bits are read 32-bit word by word: ``window`` holds the three words around bit ``pos``.
    """
    words = _words(payload, num_bits)
    low, high = 0, STATE_MASK
    code = ((words[0] << 16) | (words[1] >> 16))                    # the first STATE_BITS bits
    pos = STATE_BITS
    pending = 0                                                     # the encoder's, mirrored
    out = [0] * n
    bits, mask, quarter, three_quarters = STATE_BITS, STATE_MASK, QUARTER_RANGE, 3 * QUARTER_RANGE
    try:
        for i, total, cum in zip(range(n), totals, cums):
            width = high - low + 1
            target = ((code - low + 1) * total - 1) // width
            if not 0 <= target < total:
                raise DecodeError("the code left the interval: the data are damaged")
            s = bisect_right(cum, target) - 1                       # c_low <= target < c_high
            c_low, c_high = cum[s], cum[s + 1]
            out[i] = s
            if update is not None:
                update(s)
            high = low + width * c_high // total - 1
            low = low + width * c_low // total
            settled = bits - (low ^ high).bit_length()
            if settled:
                low = (low << settled) & mask
                high = ((high << settled) & mask) | ((1 << settled) - 1)
                w = pos >> 5
                window = (words[w] << 64) | (words[w + 1] << 32) | words[w + 2]
                code = ((code << settled) & mask) | (
                    (window >> (96 - (pos & 31) - settled)) & ((1 << settled) - 1))
                pos += settled
                pending = 0
            while low >= quarter and high < three_quarters:
                low = (low - quarter) << 1
                high = ((high - quarter) << 1) | 1
                code = ((code - quarter) << 1) | ((words[pos >> 5] >> (31 - (pos & 31))) & 1)
                pos += 1
                pending += 1
    except IndexError:
        raise DecodeError("the decoder read past the end of the data: damaged or truncated") from None
    if pos - STATE_BITS + 2 != num_bits:
        # The encoder wrote one bit per shift of its interval plus two to flush, and the decoder
        # shifts as it does: a message with more or fewer symbols reads a different length.
        raise DecodeError(f"decoding {n} symbols read {pos - STATE_BITS + 2} of the {num_bits} "
                          "bits: the symbol count or the data are damaged")
    if n and not _flush_matches(words, num_bits, low, pending):
        # the encoder's final state is the decoder's: its flush must be the message's last bits
        # (a count one short decoded the first n - 1 symbols, silently)
        raise DecodeError(f"the message does not end as {n} symbols would end it: the symbol "
                          "count or the data are damaged")
    return out


def _flush_matches(words: list, num_bits: int, low: int, pending: int) -> bool:
    """Whether the last bits are :func:`flush_chunks` of the state (low, pending): a first
    bit (0 below a quarter), then pending + 1 opposite bits."""
    bit = 0 if low < QUARTER_RANGE else 1
    start = num_bits - pending - 2
    if start < 0:
        return False
    for i, want in enumerate([bit] + [1 - bit] * (pending + 1)):
        at = start + i
        if (words[at >> 5] >> (31 - (at & 31))) & 1 != want:
            return False
    return True


class ArithmeticCoder(StreamCoder):
    """Exact integer arithmetic coder (pure Python) for q, per position, or adaptive.

    Parameters
    ----------
    q : array_like
        The assumed distribution (K,), or one per position (n, K).  With ``adaptive`` only its
        support matters: symbols with q(x) = 0 stay impossible.
    precision : int
        Frequencies sum to 2**precision (1..32, default 24).
    adaptive : {None, "laplace", "kt"}
        Learn the model from the symbols already coded, starting from count 1 (Laplace) or
        1/2 (Krichevsky-Trofimov) for each possible symbol.

    Examples
    --------
    >>> from codesim.coders import make_coder
    >>> coder = make_coder("arithmetic", [0.5, 0.25, 0.25])
    >>> enc = coder.encode([0, 1, 2, 0])
    >>> enc.num_bits, coder.code_length([0, 1, 2, 0]), coder.decode(enc).tolist()
    (8, 6.0, [0, 1, 2, 0])
    """

    name = "arithmetic"
    bytes_per_symbol = 160        # Python lists of intervals and chunks: 124 measured at 10**6
    flush = Flush(0.0, 2.0, 1.054, 0.417,
                  "derived range (0, 2]: the flush names a point of the final interval of width "
                  "> 2**-(bits - 2); mean 1.054 and sd 0.417 measured over 2000 random models")

    def __new__(cls, *args, **kwargs):
        """``adaptive`` given: the coder that learns q (:class:`AdaptiveArithmeticCoder`)."""
        adaptive = kwargs.get("adaptive", args[2] if len(args) > 2 else None)
        if cls is ArithmeticCoder and adaptive is not None:
            cls = AdaptiveArithmeticCoder
        return super().__new__(cls)

    def __init__(self, q, precision: int = 24, adaptive: str | None = None):
        super().__init__(q, precision)
        self.adaptive = None
        if not self.per_position:
            self._cum = [0] + np.cumsum(self.freqs).tolist()          # for bisect, and
            self._cum_array = np.array(self._cum, dtype=np.int64)      # for look-ups

    def _intervals(self, x: np.ndarray):
        """(lows, highs, totals) of the message's symbols under the model, as the encoder sees it."""
        if self.per_position:
            cum = np.concatenate([np.zeros((x.size, 1), np.int64), np.cumsum(self.freqs, 1)], 1)
            rows = np.arange(x.size)
            lows, highs = cum[rows, x], cum[rows, x + 1]
        else:
            cum = self._cum_array
            lows, highs = cum[x], cum[x + 1]
        return lows.tolist(), highs.tolist(), itertools.repeat(1 << self.precision)

    def _tables(self, n: int):
        """(totals, cumulative tables, update) of n steps, as the decoder reads them."""
        if self.per_position:
            cums = np.concatenate([np.zeros((n, 1), np.int64), np.cumsum(self.freqs, 1)], 1).tolist()
        else:
            cums = itertools.repeat(self._cum)
        return itertools.repeat(1 << self.precision), cums, None

    def _encode(self, x: np.ndarray) -> tuple[bytes, int]:
        if self.adaptive is None and not self.per_position and compiled.active(x.size, self.name):
            return compiled.arithmetic_encode(self, x)
        chunks, state = encode_intervals(*self._intervals(x))
        return finish(chunks, state)

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        if self.adaptive is None and not self.per_position and compiled.active(n, self.name):
            return compiled.arithmetic_decode(self, payload, num_bits, n)
        return np.array(decode_intervals(payload, num_bits, n, *self._tables(n)), dtype=np.int64)

    # --- theory ---------------------------------------------------------------------------
    def _information(self, x: np.ndarray, encoded) -> float:
        """num_bits + 46 - log2 w of the final interval's width w: the flush (a first bit and
        pending + 1 more) names a point of [low, high], 48 - log2 w bits of information
        beyond the settled and pending ones (the readable encoder's final state)."""
        _, (low, high, _) = encode_intervals(*self._intervals(x))
        return encoded.num_bits + STATE_BITS - 2 - math.log2(high - low + 1)

    @property
    def slack(self) -> tuple[float, float, float]:
        return 0.0, 2.0, -math.log2(1 - (1 << self.precision) / QUARTER_RANGE)

    def _largest_total(self, num_symbols: int) -> int:
        return 1 << self.precision

    def _drift(self, p, n: int) -> tuple[float, float, float]:
        """No mean drift (the two floors round alike); at most eps per symbol either way."""
        return 0.0, 0.0, -math.log2(1 - self._largest_total(n) / QUARTER_RANGE)

    # --- teaching -------------------------------------------------------------------------
    def trace(self, symbols) -> "Trace":
        """Step through the coding of a (short) message: one row per symbol, then the flush.

        Each row gives the interval before and after the symbol (as fractions of [0, 1) in the
        coder's current, renormalised coordinates), the bits it settled, the pending bits, and
        its information content -log2 q~(x).  The bits of all rows, the flush included, are
        exactly the encoded message: their lengths add up to ``encode(symbols).num_bits``.
        Messages of up to :data:`TRACE_LIMIT` symbols (trace a slice of a longer one).

        >>> from codesim.coders import make_coder
        >>> steps = make_coder("arithmetic", [0.5, 0.5], precision=1).trace([1])
        >>> steps[0]["interval_before"], steps[0]["interval_after"], steps[0]["bits"]
        ((0.0, 1.0), (0.5, 1.0), '1')
        >>> "".join(s["bits"] for s in steps), steps.num_bits
        ('101', 3)
        """
        if self.per_position:
            raise OptionError("trace shows a fixed model: build the coder with a 1-D q")
        x = self._check_message(symbols)
        if x.size > TRACE_LIMIT:
            raise OptionError(f"trace shows up to {TRACE_LIMIT} symbols, got {x.size}: trace a "
                              "slice of the message")
        lows, highs, _ = self._intervals(x)
        state, total, steps = (0, STATE_MASK, 0), 1 << self.precision, Trace()
        for i, s in enumerate(x.tolist()):
            low, high, _ = state
            width = high - low + 1
            chunks, state = encode_intervals([lows[i]], [highs[i]], [total], state)
            steps.append({"position": i, "symbol": s,
                          "interval_before": (low / FULL_RANGE, (high + 1) / FULL_RANGE),
                          "interval_after": ((low + width * lows[i] // total) / FULL_RANGE,
                                             (low + width * highs[i] // total) / FULL_RANGE),
                          "bits": _chunk_bits(chunks), "pending": state[2],
                          "information_bits": self.precision - math.log2(self.freqs[s])})
        if x.size:
            steps.append({"position": "flush", "symbol": None, "interval_before": None,
                          "interval_after": None, "bits": _chunk_bits(flush_chunks(state)),
                          "pending": 0, "information_bits": 0.0})
        return steps


class AdaptiveArithmeticCoder(ArithmeticCoder):
    """The arithmetic coder driven by an :class:`~codesim.models.adaptive.AdaptiveModel`: it
    learns q from the symbols as they come (q sets only which symbols are possible).

    ``make_coder("arithmetic", q, adaptive="kt")`` (or ``"laplace"``) builds it.  Its code
    length is the model's exact sequential information, its expected rate E_p[L_n] / n and its
    divergence term the learning cost.
    """

    def __init__(self, q, precision: int = 24, adaptive: str | None = None):
        super().__init__(q, precision)
        if not isinstance(adaptive, str) or adaptive not in ADAPTIVE_PRIORS:
            raise OptionError(f"adaptive must be one of {', '.join(ADAPTIVE_PRIORS)} or None, "
                              f"got {adaptive!r}")
        if self.per_position:
            raise OptionError("adaptive models learn one distribution: give a 1-D q")
        self.options["adaptive"] = adaptive
        self.adaptive = adaptive
        self.model = AdaptiveModel(self.possible, adaptive)

    def _intervals(self, x: np.ndarray):
        tree, step = self.model.walker(), self.model.step
        lows, highs, totals = [], [], []
        for s in x.tolist():
            c_low = tree.prefix(s)
            lows.append(c_low)
            highs.append(c_low + tree.weights[s])
            totals.append(tree.total)
            tree.add(s, step)
        return lows, highs, totals

    def _tables(self, n: int):
        tree, step = self.model.walker(), self.model.step
        return itertools.count(tree.total, step), itertools.repeat(tree), lambda s: tree.add(s, step)

    def _largest_total(self, num_symbols: int) -> int:
        return self.model.largest_total(num_symbols)

    def _most_symbols(self, num_bits: int) -> float:
        """A learning model has no cheapest symbol: its predictions sharpen without bound."""
        return math.inf

    def length_bounds(self, num_symbols: int) -> tuple[float, float]:
        per_symbol = -math.log2(1 - self._largest_total(num_symbols) / QUARTER_RANGE)
        return per_symbol * num_symbols, 2.0 + per_symbol * num_symbols

    def _fingerprint(self) -> str:
        """An adaptive model is its support and its rule."""
        return fingerprint(self.possible, coder=self.name, **self.options)

    def code_length(self, symbols, counts=None) -> float:
        """The model's sequential information content of the message."""
        return float(np.sum(self.model.costs(self._check_message(symbols))))

    def cost_distribution(self, p):
        """(p, -log2 p, 1), the cost the model's predictions converge to."""
        p = np.asarray(p, dtype=np.float64)
        return p, -np.log2(np.where(p > 0, p, 1.0)), 1

    def symbol_costs(self, symbols) -> np.ndarray:
        return self.model.costs(self._check_message(symbols))

    def _possible_p(self, p) -> np.ndarray | None:
        """p validated against the model; None when p gives mass to an impossible symbol."""
        p = checked_pmf(p, "p")
        check_same_length(p, self.q)
        return None if np.any((p > 0) & ~self.possible) else p

    def expected_bits_per_symbol(self, p, n: int | None = None) -> float:
        """E_p[L_n] / n exactly (:mod:`codesim.models.adaptive`), or its limit H(p) when n is
        not given."""
        p = self._possible_p(p)
        if p is None:
            return math.inf
        if not n:
            return entropy(p)
        return self.model.expected_bits(p, n) / n

    def bits_variance(self, p, n: int | None = None) -> float:
        """Var_p[L_n] / n (asymptotic, see :func:`codesim.models.adaptive.code_length_variance`)."""
        p = self._possible_p(p)
        if p is None:
            return math.inf
        return code_length_variance(p, max(n or 1, 1)) / max(n or 1, 1)

    def learning_cost(self, p, n: int) -> float:
        """E_p[L_n] / n - H(p) = D(p^n || adaptive model) / n: what learning q costs per symbol."""
        return self.expected_bits_per_symbol(p, n) - entropy(p)

    def trace(self, symbols):
        """Refused: a trace shows a fixed model's intervals."""
        raise OptionError("trace shows a fixed model: build the coder with a 1-D q")

    def __str__(self) -> str:
        return (f"{self.name} coder, adaptive {self.adaptive} model over "
                f"{int(self.possible.sum())} possible symbols (q sets only the support)")


TRACE_LIMIT = 10_000


class Trace(list):
    """The rows of :meth:`ArithmeticCoder.trace`: prints as a table; ``num_bits`` adds them up."""

    @property
    def num_bits(self) -> int:
        return sum(len(step["bits"]) for step in self)

    def __str__(self) -> str:

        def span(v):
            return "-" if v is None else f"[{v[0]:.6f}, {v[1]:.6f})"
        rows = [{"step": s["position"], "symbol": "-" if s["symbol"] is None else s["symbol"],
                 "interval before": span(s["interval_before"]),
                 "interval after": span(s["interval_after"]), "bits out": s["bits"] or "-",
                 "pending": s["pending"], "-log2 q~ (theory)": s["information_bits"]} for s in self]
        return (format_table(rows) + f"\n{self.num_bits} bits in all (measured), "
                f"{sum(s['information_bits'] for s in self):.6f} bits of information (theory)")


def _chunk_bits(chunks: list) -> str:
    """Chunks ``value << 6 | (length - 1)`` as a string of '0'/'1'."""
    if not chunks:
        return ""
    values, lengths = unpack_chunks(chunks)
    return "".join(format(int(v), f"0{int(l)}b") for v, l in zip(values, lengths))
