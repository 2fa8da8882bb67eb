r"""A readable table ANS (tANS) coder, FSE-style, in pure Python.

tANS is ANS whose state lives in a small table: L = 2**table_log states X in [L, 2L), and a
model q~(s) = f(s) / L with integer frequencies (:func:`codesim.distributions.quantize`).
zstd's FSE is this coder.  Read me first:

1. **Spread.**  The table's L slots are dealt out to the symbols, f(s) slots each, by FSE's
   rule: slot = (slot + step) mod L, step = L/2 + L/8 + 3 (made odd where it is not, at L = 2
   and 8, so that every slot is visited once).
   Slot i, the r-th slot of its symbol s (r = 0..f(s)-1), is the state X = L + i.
2. **Decode** (forward).  In state X = L + i: the symbol is s = spread[i]; with y = f(s) + r in
   [f(s), 2 f(s)), read nb = table_log - floor(log2 y) bits b; the next state is y * 2**nb + b,
   back in [L, 2L).
3. **Encode** (backward, as ANS is a stack).  In state X, to code s: write out the nb low bits
   of X that bring y = X >> nb into [f(s), 2 f(s)); the new state is the (y - f(s))-th slot of s.
   At the end the state is flushed in table_log bits; it starts (and the decoder must end) at L.

Each step's bits nb are -log2 q~(s) up to the change of log2 X and an error e that depends on
how evenly the spread places s: with X' the new state,

.. math::  nb = -\log_2 \tilde q(s) + \log_2 X - \log_2 X' + e, \qquad
           e = \log_2 \frac{X' f(s)}{L y} + \log_2 \frac{y\, 2^{nb}}{X},

the second part in (-log2(1 + 1/y), 0].  So, summed over a message (log2 X telescopes, from
log2 L to log2 of the final state, which is flushed in table_log bits),

.. math::  \text{num\_bits} = \sum_i -\log_2 \tilde q(x_i) + (2R - \log_2 X_n) + \sum_i e_i,

with 2R - log2 X_n in (R - 1, R] (R = table_log) and every e_i within [e_lo, e_hi], computed
from the table (``error_range``): these are the coder's guaranteed bounds.  The mean of e
under p (its *drift*, what the table approximation adds to rANS with the same q~) comes from
the stationary distribution of the state, a Markov chain under i.i.d. symbols: solved by power
iteration from the log-uniform guess pi(X) ~ 1/X (``state_distribution``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..validate import checked_pmf, is_whole
from ..errors import DecodeError, OptionError, ResourceLimitError
from .prefix import pack_codewords
from .base import NO_OVERHEAD, Overhead, refuse_per_position
from .stream import Flush, StreamCoder
from . import compiled

__all__ = ["TansCoder", "tans_spread", "TansStep"]

#: tables of at most 2**MAX_TABLE_LOG states (FSE's own limit is 15)
MAX_TABLE_LOG = 16
#: work budget of the stationary-distribution iteration (table states x symbols x steps)
STATIONARY_WORK = 4 * 10**7
#: the chain of states is solved for tables of at most this many (symbol, state) cells; larger
#: ones (2**16 symbols in 2**16 states) claim only the guaranteed bounds
CHAIN_CELLS = 1 << 24


def tans_spread(freqs, table_log: int) -> np.ndarray:
    """FSE's spread: the symbol of each of the 2**table_log slots.

    >>> tans_spread([10, 6], 4).tolist()
    [0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    """
    size = 1 << table_log
    step = ((size >> 1) + (size >> 3) + 3) | 1        # odd (FSE's step is even for L = 2, 8)
    spread = np.zeros(size, dtype=np.int64)
    slot = 0
    for s, f in enumerate(np.asarray(freqs).tolist()):
        for _ in range(f):
            spread[slot] = s
            slot = (slot + step) & (size - 1)
    return spread


@dataclass(frozen=True)
class TansStep:
    """One decoding step: in ``state`` the decoder reads ``symbol`` and the bits ``bits``,
    and moves to ``next_state``; ``cost`` is -log2 q~(symbol)."""

    position: int
    symbol: int
    state: int
    bits: str
    next_state: int
    cost: float


class TansCoder(StreamCoder):
    """Table ANS for a fixed q, with a table of 2**table_log states (default: FSE's 11, or
    ceil(log2 m) + 1 for m > 1024 possible symbols, at most 16).

    >>> from codesim.coders import make_coder
    >>> coder = make_coder("tans", [0.5, 0.25, 0.25], table_log=2)
    >>> enc = coder.encode([0, 1, 2, 0])
    >>> coder.decode(enc).tolist(), enc.num_bits
    ([0, 1, 2, 0], 8)
    """

    name = "tans"
    max_precision = MAX_TABLE_LOG
    bytes_per_symbol = 160          # the pure-Python encoder's per-symbol lists

    def __init__(self, q, table_log: int | None = None):
        refuse_per_position(q, "tans")
        q = checked_pmf(q, "q")
        possible = int(np.count_nonzero(q > 0))
        if table_log is None:
            table_log = min(MAX_TABLE_LOG, max(11, (possible - 1).bit_length() + 1))
        if not is_whole(table_log, 1, MAX_TABLE_LOG):
            raise OptionError(f"tans: table_log must be an integer from 1 to {MAX_TABLE_LOG}, "
                              f"got {table_log!r}")
        if possible > 1 << table_log:
            raise OptionError(f"tans: a table of 2**{table_log} = {1 << table_log} states cannot "
                              f"hold {possible} possible symbols; raise table_log")
        super().__init__(q, precision=int(table_log))
        self.options = {"table_log": self.precision}
        self.table_log = self.precision
        size = 1 << self.table_log
        self.spread = tans_spread(self.freqs, self.table_log)
        # rank of each slot among its symbol's slots: y = f(s) + rank
        order = np.argsort(self.spread, kind="stable")
        starts = np.cumsum(self.freqs) - self.freqs
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size) - starts[self.spread[order]]
        y = self.freqs[self.spread] + rank
        nb = self.table_log - (np.floor(np.log2(y)).astype(np.int64))
        self._dec_symbol = self.spread.tolist()
        self._dec_bits = nb.tolist()
        self._dec_base = ((y << nb) - size).tolist()          # next state, as an offset from L
        self._enc_state = [[] for _ in range(self.alphabet_size)]
        for slot in order.tolist():                          # slots of s in rank order
            self._enc_state[self._dec_symbol[slot]].append(size + slot)
        self._freqs = self.freqs.tolist()
        self._y, self._rank = y, rank
        self.flush = Flush(self.table_log - 1.0, float(self.table_log), self.table_log - 0.5,
                           1 / math.sqrt(12),
                           f"derived: the final state X in [2**{self.table_log}, "
                           f"2**{self.table_log + 1}) costs {self.table_log} bits, "
                           f"{2 * self.table_log} - log2 X beyond the information; log2 X uniform")

    # --- coding ----------------------------------------------------------------------------
    def _steps(self, x: list[int]):
        """Encode x backwards; yield (symbol, state before, bit value, nb, state after)."""
        state, freqs, enc = 1 << self.table_log, self._freqs, self._enc_state
        for s in reversed(x):
            f = freqs[s]
            nb = state.bit_length() - f.bit_length()
            if (state >> nb) < f:
                nb -= 1
            new = enc[s][(state >> nb) - f]
            yield s, state, state & ((1 << nb) - 1), nb, new
            state = new

    def _encode(self, x: np.ndarray) -> tuple[bytes, int]:
        if compiled.active(x.size, self.name):
            return compiled.tans_encode(self, x)
        values, widths = [], []
        state = 1 << self.table_log
        for _, _, bits, nb, state in self._steps(x.tolist()):
            if nb:
                values.append(bits)
                widths.append(nb)
        values.append(state - (1 << self.table_log))            # the flushed final state
        widths.append(self.table_log)
        values.reverse()
        widths.reverse()
        return pack_codewords(np.array(values, dtype=np.uint64), np.array(widths, dtype=np.int64),
                              self.table_log)

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:
        if num_bits < self.table_log:
            raise DecodeError(f"a tans message holds at least {self.table_log} bits of state, "
                              f"got {num_bits}")
        if compiled.active(n, self.name):
            return compiled.tans_decode(self, payload, num_bits, n)
        padded = payload + bytes(4)
        window = np.ndarray((len(payload) + 1,), dtype=">u4", buffer=padded,
                            strides=(1,)).astype(np.int64).tolist()
        symbols, widths, bases = self._dec_symbol, self._dec_bits, self._dec_base
        R = self.table_log
        state = (window[0] >> (32 - R)) & ((1 << R) - 1)
        pos, out = R, [0] * n
        for i in range(n):
            out[i] = symbols[state]
            nb = widths[state]
            state = bases[state] + ((window[pos >> 3] >> (32 - (pos & 7) - nb)) & ((1 << nb) - 1))
            pos += nb
            if pos > num_bits:
                raise DecodeError(f"the tans data ran out after {i + 1} of {n} symbols: truncated")
        if state != 0 or pos != num_bits:
            raise DecodeError("the tans state did not return to its start after the last symbol: "
                              "the data are damaged or the model is wrong")
        return np.array(out, dtype=np.int64)

    def trace(self, symbols) -> list[TansStep]:
        """The decoder's steps on this message (in reading order), from the encoder's run:
        the initial state costs table_log bits, and every step's bits add up to the rest of
        num_bits.

        >>> from codesim.coders import make_coder
        >>> steps = make_coder("tans", [0.75, 0.25], table_log=3).trace([0, 1, 0])
        >>> [(t.symbol, t.state, t.bits, t.next_state) for t in steps]
        [(0, 9, '0', 14), (1, 14, '10', 10), (0, 10, '', 8)]
        """
        x = self._check_message(symbols).tolist()
        cost = self._symbol_bits
        steps = list(self._steps(x))[::-1]
        return [TansStep(i, s, new, format(bits, f"0{nb}b") if nb else "", old, float(cost[s]))
                for i, (s, old, bits, nb, new) in enumerate(steps)]

    # --- theory ----------------------------------------------------------------------------
    @cached_property
    def error_range(self) -> tuple[float, float]:
        """(e_lo, e_hi): every step's error e lies in this range (see the module docstring);
        computed once, from the table."""
        size = 1 << self.table_log
        possible = self.freqs[self.spread]
        a = np.log2((size + np.arange(size)) * possible / (size * self._y))
        return float(np.min(a - np.log2(1 + 1 / self._y))), float(np.max(a))

    def _information(self, x: np.ndarray, encoded) -> float:
        """num_bits - (2R - log2 X_n): the steps' bits and the final state X_n's own log2 X_n - R
        (X_n is the message's first R bits, plus L)."""
        R = self.table_log
        first = int.from_bytes(encoded.payload[:4].ljust(4, b"\0"), "big") >> (32 - R)
        return encoded.num_bits - 2.0 * R + math.log2((1 << R) + first)

    def information_drift(self, p, n: int) -> tuple[float, float]:
        """n times the stationary drift, plus the start state's transient (the chain of
        states), with the steps' error variance."""
        if self.lone_symbol is not None or n == 0 or not self._chain_solvable:
            return super().information_drift(p, n)
        drift, variance, _ = self._per_p("drift", p, lambda p: self._drift(p, n))
        return n * drift + self._settle(p, n), n * variance

    def _settle(self, p, n: int) -> float:
        """The start state's transient over n steps: how far E[nb] sums above n times its
        stationary value, the chain started at L (bits)."""
        transient = self._stationary(p)[5]
        return float(transient[min(n, transient.size) - 1]) if transient.size else 0.0

    @property
    def slack(self) -> tuple[float, float, float]:
        low, high = self.error_range
        return -(self.table_log - 1.0), float(self.table_log), max(high, -low, 0.0)

    def _transitions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every coded symbol s and state X: the bits nb(s, X) and the next state (as
        offsets from L); rows follow the symbols with f > 0."""
        size = 1 << self.table_log
        states = size + np.arange(size)
        symbols = np.flatnonzero(self.freqs > 0)
        f = self.freqs[symbols][:, None]
        nb = self.table_log + 1 - np.floor(np.log2(f)).astype(np.int64) - 1
        nb = nb - ((states[None, :] >> nb) < f)
        slots = np.full((symbols.size, int(f.max())), 0, dtype=np.int64)
        for row, s in enumerate(symbols.tolist()):
            slots[row, : self.freqs[s]] = np.array(self._enc_state[s]) - size
        nxt = np.take_along_axis(slots, (states[None, :] >> nb) - f, axis=1)
        return symbols, nb, nxt

    @property
    def _chain_cells(self) -> int:
        return int(np.count_nonzero(self.freqs)) << self.table_log

    @property
    def _chain_solvable(self) -> bool:
        return self._chain_cells <= CHAIN_CELLS

    def state_distribution(self, p) -> np.ndarray:
        """The stationary distribution of the encoder's state (offsets 0..L-1) under i.i.d.
        symbols from p: power iteration of the lazy chain from pi(X) ~ 1/X, within a work budget."""
        return self._stationary(p)[0]

    def _stationary(self, p):
        return self._per_p("stationary", p, self._compute_stationary)

    def _compute_stationary(self, p):
        if not self._chain_solvable:
            raise ResourceLimitError(f"the chain of tans states has {self._chain_cells} (symbol, "
                                     f"state) cells, more than the {CHAIN_CELLS} codesim solves")
        return self._solve_chain(p)

    def _solve_chain(self, p):
        """(pi, nb, next, weights, drift, transient, settled): the stationary state distribution,
        E_pi[nb] - H(p, q~), the cumulative excess of E[nb] over E_pi[nb] along the chain
        started at L (the encoder's start), and whether both iterations settled."""
        size = 1 << self.table_log
        symbols, nb, nxt = self._transitions()
        weights = np.asarray(p, dtype=np.float64)[symbols]
        cost = weights @ nb                                  # E[nb | X]
        steps = max(20, STATIONARY_WORK // max(1, symbols.size * size) // 2)

        fast = compiled.active()
        row_sum = np.empty(size)

        def step(pi):
            moved = np.zeros(size)
            if fast:                                        # the same sums, compiled
                compiled.chain_step(pi, nxt, weights, moved, row_sum)
                return moved
            for row in range(symbols.size):
                if weights[row] > 0:
                    moved += np.bincount(nxt[row], weights=pi * weights[row], minlength=size)
            return moved

        pi = 1.0 / (size + np.arange(size))                  # the log-uniform guess
        pi /= pi.sum()
        history = [float(pi @ cost)]
        for _ in range(steps):
            pi = (pi + step(pi)) / 2                         # lazy: no periodic oscillation
            history.append(float(pi @ cost))
            if len(history) > 5 and abs(history[-1] - history[-2]) < 1e-12:
                break
        rate = history[-1]
        settled = abs(history[-1] - history[-2]) < 1e-9
        start = np.zeros(size)
        start[0] = 1.0                                       # the encoder starts at X = L
        excess = []
        for _ in range(steps):
            excess.append(float(start @ cost) - rate)
            if len(excess) > 5 and max(abs(e) for e in excess[-5:]) < 1e-10:
                break
            start = step(start)
        else:
            settled = False
        drift = rate - float(weights @ self._symbol_bits[symbols])
        return pi, nb, nxt, weights, drift, np.cumsum(excess), settled, history

    def _drift(self, p, n: int) -> tuple[float, float, float]:
        """E_pi[nb] - H(p, q~) in the stationary state, the variance of a step's error e (see
        the module docstring), and the allowance: 1e-9 when the iterations settled, else how far
        the drift moved from the log-uniform guess."""
        pi, nb, nxt, weights, drift, _, settled, history = self._stationary(p)
        size = 1 << self.table_log
        symbol_cost = self._symbol_bits[np.flatnonzero(self.freqs > 0)]
        e = nb + np.log2(size + nxt) - np.log2(size + np.arange(size))[None, :] - symbol_cost[:, None]
        mean = float(np.sum(weights[:, None] * pi[None, :] * e))
        variance = max(float(np.sum(weights[:, None] * pi[None, :] * e**2)) - mean**2, 0.0)
        allowance = 1e-9 if settled else abs(history[-1] - history[0]) + 1e-6
        return drift, variance, allowance

    def overhead(self, p, n: int) -> Overhead:
        """num_bits - code_length = R + sum_i (nb_i + log2 q~(x_i)): its mean is
        R + n drift + the start state's transient (both from the chain of states), its spread
        that of the steps' errors e and of the final state; within the guaranteed bounds."""
        if self.lone_symbol is not None or n == 0:
            return NO_OVERHEAD
        if not self._chain_solvable:
            below, above = self.length_bounds(n)
            return Overhead(mean=(above - below) / 2, sd=0.0, low=-below, high=above,
                            allowance=(above + below) / 2,
                            basis=f"the coder's guaranteed bounds (a chain of {self._chain_cells} "
                                  f"(symbol, state) cells is more than the {CHAIN_CELLS} solved)")
        drift, variance, allowance = self._per_p("drift", p, lambda p: self._drift(p, n))   # n-free
        settle = self._settle(p, n)
        mean = self.table_log + n * drift + settle
        sd = math.sqrt(n * variance + 1 / 12)
        below, above = self.length_bounds(n)
        return Overhead(mean=mean, sd=sd, low=max(-below, mean - n * allowance - 6 * sd - 1),
                        high=min(above, mean + n * allowance + 6 * sd + 1),
                        allowance=n * allowance + 0.5,
                        basis=f"derived from the chain of table states: drift {drift:+.3g} "
                              f"bits/symbol, start-state transient {settle:+.3g} bits")
