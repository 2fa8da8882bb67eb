r"""A readable range-variant ANS (rANS) coder, in pure Python.

Read me first (after ryg_rans):

1. **Encode in reverse.**  ANS is a stack: the last symbol pushed is the first popped, so
   the encoder walks the message backwards and the decoder forwards.
2. **The output is written backwards.**  Bytes leave the encoder in the reverse of the order
   the decoder needs; we reverse the byte string once at the end.
3. The whole state is one integer x, kept in the interval [RANS_L, RANS_L * 256).

With frequencies f(s), cumulative c(s) and M = 2**precision, the recurrences are::

    encode   x = C(s, x) = (x // f(s)) * M + c(s) + x % f(s)
    decode   s = the symbol with c(s) <= x % M < c(s) + f(s)
             x = D(x)    = f(s) * (x // M) + x % M - c(s)

C grows x by a factor of about M / f(s) = 1 / q~(s): log2 x gains -log2 q~(s) bits, which is
the information content.  To keep x bounded, before encoding s the encoder moves whole bytes
out while x >= x_max(s) = ((RANS_L >> precision) << 8) * f(s); the decoder moves them back in
while x < RANS_L.  At the end the encoder flushes x in STATE_BYTES bytes.

Guarantee (tested), with eps = log2(1 + 2**(precision - 47)) (2e-7 at precision 24):

    sum_i -log2 q~(x_i) - n eps  <=  num_bits  <=  sum_i -log2 q~(x_i) + 56 + n eps

(56 bits is the flushed final state; the first 47 bits of state cost nothing.)  After decoding
all symbols the state must be back at RANS_L with every byte read: a built-in damage check.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from ..errors import DecodeError
from .base import refuse_per_position
from .stream import Flush, StreamCoder, rans_drift
from . import compiled

__all__ = ["RansCoder", "rans_encode", "rans_decode", "RANS_L"]

RANS_L = 1 << 47        # lower end of the normalised state interval [RANS_L, RANS_L << 8)
IO_BITS = 8             # one byte moves per renormalisation step
STATE_BYTES = 7         # x < 2**55 is flushed in 7 bytes


def rans_encode(symbols: list[int], freqs: list[int], cums: list[int], precision: int) -> bytes:
    """Encode symbols with rANS; the bytes are in decoding order (state first).

    >>> rans_decode(rans_encode([0, 1, 1], [2, 2], [0, 2], 2), 3, [2, 2], [0, 2, 4], 2)
    [0, 1, 1]
    """
    out = bytearray()
    x = RANS_L
    bound = (RANS_L >> precision) << IO_BITS
    for s in reversed(symbols):                          # 1. encode in reverse
        f = freqs[s]
        x_max = bound * f
        while x >= x_max:                                # renormalise: push a byte out
            out.append(x & 0xFF)
            x >>= IO_BITS
        x = (x // f << precision) + x % f + cums[s]      # x = C(s, x)
    out += x.to_bytes(STATE_BYTES, "little")
    out.reverse()                                        # 2. output written backwards
    return bytes(out)


def rans_decode(data: bytes, n: int, freqs: list[int], cum: list[int], precision: int) -> list[int]:
    """Decode n symbols; ``cum`` has K + 1 entries (cum[K] = 2**precision)."""
    if len(data) < STATE_BYTES:
        raise DecodeError(f"a rANS message holds at least {STATE_BYTES} bytes of state, got {len(data)}")
    x = int.from_bytes(data[:STATE_BYTES], "big")
    pos, mask, out = STATE_BYTES, (1 << precision) - 1, [0] * n
    if not RANS_L <= x < RANS_L << IO_BITS:
        raise DecodeError("the rANS state is out of range: the data are damaged")
    try:
        for i in range(n):
            slot = x & mask
            s = bisect_right(cum, slot) - 1
            x = freqs[s] * (x >> precision) + slot - cum[s]     # x = D(x)
            while x < RANS_L:                                   # renormalise: pull a byte in
                x = (x << IO_BITS) | data[pos]
                pos += 1
            out[i] = s
    except IndexError:
        raise DecodeError(f"the rANS data ran out after {i} of {n} symbols: truncated") from None
    if x != RANS_L or pos != len(data):
        raise DecodeError("the rANS state did not return to its start after the last symbol: "
                          "the data are damaged or the model is wrong")
    return out


class RansCoder(StreamCoder):
    """rANS coder (pure Python, byte-wise renormalisation) for a fixed q.

    >>> from codesim.coders import make_coder
    >>> coder = make_coder("rans", [0.5, 0.25, 0.25])
    >>> enc = coder.encode([0, 1, 2, 0])
    >>> coder.decode(enc).tolist(), enc.num_bits
    ([0, 1, 2, 0], 56)
    """

    name = "rans"
    flush = Flush(48.0, 56.0, 52.0, 8 / math.sqrt(12),
                  "derived: the final state x in [2**47, 2**55) costs 56 bits, 103 - log2 x beyond "
                  "the information; log2 x uniform")

    def __init__(self, q, precision: int = 24):
        refuse_per_position(q, "rans")
        super().__init__(q, precision)
        self._freqs = self.freqs.tolist()
        self._cum = [0] + np.cumsum(self.freqs).tolist()

    def _encode(self, x: np.ndarray) -> tuple[bytes, int]:
        if compiled.active(x.size, self.name):
            return compiled.rans_encode(self, x)
        data = rans_encode(x.tolist(), self._freqs, self._cum, self.precision)
        return data, 8 * len(data)

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        if num_bits != 8 * len(payload):
            raise DecodeError(f"a rANS payload of {len(payload)} bytes has {8 * len(payload)} bits, "
                              f"not {num_bits}")
        if compiled.active(n, self.name):
            return compiled.rans_decode(self, payload, n)
        return np.array(rans_decode(payload, n, self._freqs, self._cum, self.precision), np.int64)

    @property
    def slack(self) -> tuple[float, float, float]:
        return 0.0, 8.0 * STATE_BYTES, math.log2(1 + 2.0 ** (self.precision - 47))

    def _information(self, x: np.ndarray, encoded) -> float:
        """8 bits a byte pushed out, and log2 x - 47 of the final state (the message's first
        STATE_BYTES bytes; it started at 2**47)."""
        state = int.from_bytes(encoded.payload[:STATE_BYTES], "big")
        return 8.0 * (len(encoded.payload) - STATE_BYTES) + math.log2(state) - 47.0

    def trace(self, symbols) -> list[dict]:
        """The decoder's steps on this message: per symbol, the state before, the state after
        x = D(x), the bytes pulled back in (as bits) and -log2 q~(x).  The flushed state's
        56 bits and the steps' bits add up to ``encode(symbols).num_bits``.

        >>> from codesim.coders import make_coder
        >>> steps = make_coder("rans", [0.5, 0.5], precision=1).trace([1, 0])
        >>> [(s["symbol"], len(s["bits"])) for s in steps]
        [(1, 0), (0, 0)]
        """
        x = self._check_message(symbols)
        if self.lone_symbol is not None or x.size == 0:
            return []
        data, _ = self._encode(x)
        state = int.from_bytes(data[:STATE_BYTES], "big")
        pos, mask, steps = STATE_BYTES, (1 << self.precision) - 1, []
        for i, s in enumerate(x.tolist()):
            before = state
            slot = state & mask
            state = self._freqs[s] * (state >> self.precision) + slot - self._cum[s]
            pulled = ""
            while state < RANS_L:
                state = (state << IO_BITS) | data[pos]
                pulled += format(data[pos], "08b")
                pos += 1
            steps.append({"position": i, "symbol": s, "state": before, "next_state": state,
                          "bits": pulled, "information_bits": float(self._symbol_bits[s])})
        return steps

    def _drift(self, p, n: int) -> tuple[float, float, float]:
        """Before a step x / f lies in [2**(47 - precision), 2**(55 - precision))."""
        rows, freqs = self._rows(p)
        return rans_drift(rows, freqs, 1 << self.precision,
                          2.0 ** (47 - self.precision), 2.0 ** (55 - self.precision))
