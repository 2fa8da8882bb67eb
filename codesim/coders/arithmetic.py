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

    0 <= low < high <= STATE_MASK           (the interval is never empty)
    low < QUARTER_RANGE or high >= HALF_RANGE + QUARTER_RANGE ... (after renormalisation)
    width = high - low + 1 > QUARTER_RANGE  (so any total <= QUARTER_RANGE keeps f >= 1 distinct)

Renormalisation: while the interval lies in one half, its top bit is settled: emit it and
double the interval.  While it straddles the middle inside [1/4, 3/4) ("underflow"), the next
bit is not settled yet but will be the opposite of the bit after it: count a *pending* bit
and double around the middle.  At the end, two more bits (plus pending) pick a point inside.

Guarantee (tested): with T = total <= QUARTER_RANGE,

    sum_i -log2 q~(x_i)  <=  num_bits  <=  sum_i -log2 q~(x_i) + 2 + n * -log2(1 - T / QUARTER_RANGE)

The last term is the rounding of ``width * c // total``: at most 3.4e-7 bits per symbol at
the default precision of 24 bits.

Models: one fixed frequency table; one table per position (an (n, K) q); or an adaptive model
whose counts are updated after each symbol (``adaptive="laplace"``: count + 1,
``"kt"``: count + 1/2, Krichevsky-Trofimov), kept in a Fenwick tree so that look-up, update and
search are O(log K).  The decoder mirrors the encoder's updates.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right

import numpy as np
from bitarray import bitarray

from ..errors import DecodeError, OptionError
from ..measures import entropy
from .stream import StreamCoder

__all__ = ["ArithmeticCoder", "ArithmeticEncoder", "ArithmeticDecoder", "FenwickTree",
           "STATE_BITS"]

STATE_BITS = 48                         # bits of low / high
FULL_RANGE = 1 << STATE_BITS            # 0x1_0000_0000_0000
HALF_RANGE = FULL_RANGE >> 1            # 0x0_8000_0000_0000
QUARTER_RANGE = HALF_RANGE >> 1         # 0x0_4000_0000_0000
STATE_MASK = FULL_RANGE - 1             # 0x0_FFFF_FFFF_FFFF: high starts here


class ArithmeticEncoder:
    """Narrows [low, high] symbol by symbol and writes the settled bits to ``self.bits``."""

    def __init__(self):
        self.low, self.high, self.pending = 0, STATE_MASK, 0
        self.bits = bitarray(endian="big")

    def encode(self, c_low: int, c_high: int, total: int) -> None:
        """Code a symbol whose interval is [c_low, c_high) out of total (c_low < c_high)."""
        low, high, bits = self.low, self.high, self.bits
        width = high - low + 1
        high = low + width * c_high // total - 1
        low = low + width * c_low // total
        while True:
            if high < HALF_RANGE:                                   # top bit settled: 0
                bits.append(0)
                if self.pending:
                    bits.extend(itertools.repeat(1, self.pending))
                    self.pending = 0
            elif low >= HALF_RANGE:                                 # top bit settled: 1
                bits.append(1)
                if self.pending:
                    bits.extend(itertools.repeat(0, self.pending))
                    self.pending = 0
                low -= HALF_RANGE
                high -= HALF_RANGE
            elif low >= QUARTER_RANGE and high < HALF_RANGE + QUARTER_RANGE:   # underflow
                self.pending += 1
                low -= QUARTER_RANGE
                high -= QUARTER_RANGE
            else:
                break
            low <<= 1
            high = (high << 1) | 1
        self.low, self.high = low, high

    def finish(self) -> bitarray:
        """Emit the bits naming a point inside [low, high] (with zeros after it) and return all."""
        self.pending += 1
        bit = 0 if self.low < QUARTER_RANGE else 1      # the point 1/4 or 1/2 lies inside
        self.bits.append(bit)
        self.bits.extend(itertools.repeat(1 - bit, self.pending))
        self.pending = 0
        return self.bits


class ArithmeticDecoder:
    """Mirrors :class:`ArithmeticEncoder`: reads bits (zeros past the end) into ``code``."""

    def __init__(self, bits: bitarray):
        self._next_bit = itertools.chain(bits.tolist(), itertools.repeat(0)).__next__
        self.low, self.high, self.code = 0, STATE_MASK, 0
        for _ in range(STATE_BITS):
            self.code = (self.code << 1) | self._next_bit()

    def target(self, total: int) -> int:
        """The cumulative frequency the code points at: c_low <= target < c_high of the symbol."""
        width = self.high - self.low + 1
        value = ((self.code - self.low + 1) * total - 1) // width
        if not 0 <= value < total:
            raise DecodeError("the code left the interval: the data are damaged")
        return value

    def consume(self, c_low: int, c_high: int, total: int) -> None:
        """Narrow the interval exactly as the encoder did, reading a bit per doubling."""
        low, high, code = self.low, self.high, self.code
        width = high - low + 1
        high = low + width * c_high // total - 1
        low = low + width * c_low // total
        while True:
            if high < HALF_RANGE:
                pass
            elif low >= HALF_RANGE:
                low -= HALF_RANGE
                high -= HALF_RANGE
                code -= HALF_RANGE
            elif low >= QUARTER_RANGE and high < HALF_RANGE + QUARTER_RANGE:
                low -= QUARTER_RANGE
                high -= QUARTER_RANGE
                code -= QUARTER_RANGE
            else:
                break
            low <<= 1
            high = (high << 1) | 1
            code = (code << 1) | self._next_bit()
        self.low, self.high, self.code = low, high, code


class FenwickTree:
    """Cumulative frequencies with O(log K) update, prefix sum and search (Fenwick, 1994).

    >>> t = FenwickTree([1, 1, 2])
    >>> t.prefix(2), t.total, t.find(2)
    (2, 4, 2)
    >>> t.add(0, 3); t.prefix(1), t.find(3)
    (4, 0)
    """

    def __init__(self, weights):
        self.size = len(weights)
        self.tree = [0] + [int(w) for w in weights]
        for i in range(1, self.size + 1):                 # O(K) build
            j = i + (i & -i)
            if j <= self.size:
                self.tree[j] += self.tree[i]
        self.weights = [int(w) for w in weights]
        self.total = sum(self.weights)
        self._top = 1 << max(self.size.bit_length() - 1, 0)

    def add(self, i: int, delta: int) -> None:
        """weights[i] += delta."""
        self.weights[i] += delta
        self.total += delta
        i += 1
        while i <= self.size:
            self.tree[i] += delta
            i += i & -i

    def prefix(self, i: int) -> int:
        """Sum of weights[0:i]."""
        s = 0
        while i > 0:
            s += self.tree[i]
            i -= i & -i
        return s

    def find(self, value: int) -> int:
        """The symbol s with prefix(s) <= value < prefix(s + 1) (0 <= value < total)."""
        pos, step = 0, self._top
        while step:
            nxt = pos + step
            if nxt <= self.size and self.tree[nxt] <= value:
                pos = nxt
                value -= self.tree[nxt]
            step >>= 1
        return pos


ADAPTIVE_PRIORS = {"laplace": (1, 1), "kt": (1, 2)}   # (initial weight, increment): KT counts doubled


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

    def __init__(self, q, precision: int = 24, adaptive: str | None = None):
        super().__init__(q, precision)
        if adaptive is not None:
            if adaptive not in ADAPTIVE_PRIORS:
                raise OptionError(f"adaptive must be one of {', '.join(ADAPTIVE_PRIORS)} or None, "
                                  f"got {adaptive!r}")
            if self.per_position:
                raise OptionError("adaptive models learn one distribution: give a 1-D q")
            self.options["adaptive"] = adaptive
        self.adaptive = adaptive
        if not self.per_position:
            self._cum = [0] + np.cumsum(self.freqs).tolist()

    # --- the three models -----------------------------------------------------------------
    def _initial_weights(self) -> list[int]:
        start, _ = ADAPTIVE_PRIORS[self.adaptive]
        return (self.possible * start).astype(np.int64).tolist()

    def _encode(self, x: np.ndarray) -> tuple[bytes, int]:
        enc = ArithmeticEncoder()
        total = 1 << self.precision
        if self.adaptive:
            tree, (_, step) = FenwickTree(self._initial_weights()), ADAPTIVE_PRIORS[self.adaptive]
            for s in x.tolist():
                c_low = tree.prefix(s)
                enc.encode(c_low, c_low + tree.weights[s], tree.total)
                tree.add(s, step)
        else:
            if self.per_position:
                cum = np.concatenate([np.zeros((x.size, 1), np.int64), np.cumsum(self.freqs, 1)], 1)
                rows = np.arange(x.size)
                lows, highs = cum[rows, x].tolist(), cum[rows, x + 1].tolist()
            else:
                cum = np.asarray(self._cum)
                lows, highs = cum[x].tolist(), cum[x + 1].tolist()
            encode = enc.encode
            for c_low, c_high in zip(lows, highs):
                encode(c_low, c_high, total)
        bits = enc.finish()
        return bits.tobytes(), len(bits)

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        bits = bitarray(endian="big")
        bits.frombytes(payload)
        del bits[num_bits:]
        dec = ArithmeticDecoder(bits)
        out = [0] * n
        if self.adaptive:
            tree, (_, step) = FenwickTree(self._initial_weights()), ADAPTIVE_PRIORS[self.adaptive]
            for i in range(n):
                s = tree.find(dec.target(tree.total))
                c_low = tree.prefix(s)
                dec.consume(c_low, c_low + tree.weights[s], tree.total)
                tree.add(s, step)
                out[i] = s
            return np.array(out, dtype=np.int64)
        total = 1 << self.precision
        if self.per_position:
            cums = np.concatenate([np.zeros((n, 1), np.int64), np.cumsum(self.freqs, 1)], 1).tolist()
        else:
            cums = itertools.repeat(self._cum)
        target, consume = dec.target, dec.consume
        for i, cum in zip(range(n), cums):
            s = bisect_right(cum, target(total)) - 1
            consume(cum[s], cum[s + 1], total)
            out[i] = s
        return np.array(out, dtype=np.int64)

    # --- theory ---------------------------------------------------------------------------
    @property
    def slack(self) -> tuple[float, float, float]:
        return 0.0, 2.0, -math.log2(1 - (1 << self.precision) / QUARTER_RANGE)

    def length_bounds(self, num_symbols: int) -> tuple[float, float]:
        if not self.adaptive:
            return super().length_bounds(num_symbols)
        start, step = ADAPTIVE_PRIORS[self.adaptive]
        biggest_total = int(self.possible.sum()) * start + step * num_symbols
        per_symbol = -math.log2(1 - biggest_total / QUARTER_RANGE)
        return per_symbol * num_symbols, 2.0 + per_symbol * num_symbols

    def code_length(self, symbols) -> float:
        """Information content of the message under the model (adaptive: sequentially)."""
        if not self.adaptive:
            return super().code_length(symbols)
        x = self._check_message(symbols)
        start, step = ADAPTIVE_PRIORS[self.adaptive]
        seen_before = _occurrences_before(x)
        weight = start + step * seen_before
        total = int(self.possible.sum()) * start + step * np.arange(x.size)
        return float(np.sum(np.log2(total) - np.log2(weight)))

    def expected_bits_per_symbol(self, p) -> float:
        """H(p, q~); adaptive: H(p), the limit it approaches (see :meth:`redundancy`)."""
        if not self.adaptive:
            return super().expected_bits_per_symbol(p)
        p = np.asarray(p, dtype=float)
        return entropy(p) if not np.any((p > 0) & ~self.possible) else math.inf

    def redundancy(self, n: int) -> float:
        """Asymptotic excess of an adaptive model over H(p), bits per symbol:
        (m - 1)/2 * log2(n) / n with m the number of possible symbols (Rissanen; KT)."""
        m = int(self.possible.sum())
        return (m - 1) / 2 * math.log2(n) / n if n > 1 else 0.0

    # --- teaching -------------------------------------------------------------------------
    def trace(self, symbols, limit: int = 10):
        """Yield, for the first ``limit`` symbols, the interval before and after and the bits out.

        >>> from codesim.coders import make_coder
        >>> step = next(make_coder("arithmetic", [0.5, 0.5], precision=1).trace([1]))
        >>> step["interval_before"], step["interval_after"], step["bits"]
        ((0.0, 1.0), (0.5, 1.0), '1')
        """
        if self.adaptive or self.per_position:
            raise OptionError("trace shows a fixed model: build the coder with a 1-D q")
        x = self._check_message(symbols)[:limit]
        enc, total = ArithmeticEncoder(), 1 << self.precision
        for i, s in enumerate(x.tolist()):
            before = (enc.low / FULL_RANGE, (enc.high + 1) / FULL_RANGE)
            width = enc.high - enc.low + 1
            after = ((enc.low + width * self._cum[s] // total) / FULL_RANGE,
                     (enc.low + width * self._cum[s + 1] // total) / FULL_RANGE)
            start = len(enc.bits)
            enc.encode(self._cum[s], self._cum[s + 1], total)
            yield {"position": i, "symbol": s, "interval_before": before, "interval_after": after,
                   "bits": enc.bits[start:].to01(), "pending": enc.pending,
                   "information_bits": self.precision - math.log2(self.freqs[s])}


def _occurrences_before(x: np.ndarray) -> np.ndarray:
    """For each position i, how often x[i] occurred in x[:i] (vectorised)."""
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    first = np.searchsorted(sorted_x, sorted_x, side="left")
    out = np.empty(x.size, dtype=np.int64)
    out[order] = np.arange(x.size) - first
    return out
