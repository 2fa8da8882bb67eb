r"""What the stream coders (arithmetic, rANS, range, ANS) share: a quantised model.

A stream coder does not use q itself but integer frequencies f(x) summing to
M = 2**precision (:func:`codesim.distributions.quantize`), i.e. the model
q~(x) = f(x) / M, exposed as ``coder.model_pmf``.  Its ideal cost on a message is the
information content under that model, :math:`\sum_i -\log_2 \tilde q(x_i)`; each coder states
how far its ``num_bits`` may stray from that (``length_bounds``).  Under p it costs
H(p, q~) = H(p) + D(p || q~) bits per symbol, and H(p, q~) -> H(p, q) as precision grows.

The model can be one distribution for every position (q of shape (K,)) or one per position
(q of shape (n, K), e.g. a classifier's predicted probabilities for n examples).

A model with a single possible symbol needs no bits at all: every coder then writes an empty
payload and the decoder repeats that symbol ``num_symbols`` times (-log2 1 = 0).

**Overhead** (:meth:`StreamCoder.overhead`): num_bits - sum_i -log2 q~(x_i) is a *flush* at
the end plus a *drift* of rounding at every symbol.

* The flush lies in a range each coder derives from its final state (a state x kept in
  [L, L * b) is flushed in full, so it costs log2(L * b) - log2 x bits beyond the information),
  and its mean and spread follow from the state's distribution: after many bits the state of
  an ANS or range coder is log-uniform over its interval (Benford's law, as the fractional
  part of a long random walk in log2 x), so the flush is uniform over its range.  Where the
  message's information content varies less than that range is wide, the state has not
  spread yet: only the coder's documented worst-case range (``length_bounds``) is claimed.  The arithmetic coder's and constriction's range coder's flush means
  and spreads are measured (2000 random models, the ``calibration`` experiment).
* The drift of rANS-type steps x -> floor(x / f) M + c + x mod f is, per coded s,
  (c_s / M - (x mod f) (1 - f / M) / f) / (u ln 2) bits with u = x / f, log-uniform over the
  interval the coder keeps it in before a step.  Its mean over p,
  E[1/u] / ln 2 * sum_s p_s (c_s / M - (1 - q~_s)(1 - 1/f_s) / 2),
  can be of either sign (it is the ANS coder's systematic excess, about 1e-5 bits per symbol
  in constriction's 32-bit coder).  A range coder's step truncates range / M: it loses
  E[1/u] / (2 ln 2) bits per symbol, u = range >> precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..validate import checked_pmf, checked_pmf_rows, check_same_length

from ..sources.distributions import quantize
from ..sources.labels import with_labels
from ..errors import DecodeError, OptionError, SupportError, a
from ..limits import MESSAGE_BYTES, STREAM_MODEL_BYTES, require_memory
from ..tables import SHOWN_ROWS
from ..validate import precision_bits
from ..container import fingerprint
from .base import (NO_OVERHEAD, Coder, Encoded, Overhead, as_symbols, check_support, ndim_of)
from ..measures import kl_divergence
from ..tables import Table
from ..tables import format_table

__all__ = ["StreamCoder", "Flush", "log_uniform_inverse_moments"]

#: a drift derivation is trusted to this fraction of its scale E[1/u] / ln 2 per symbol (the
#: ANS formula met the measured drift of six random models within 2% of it)
DRIFT_PRECISION = 0.05


@dataclass(frozen=True)
class Flush:
    """The constant part of a coder's overhead: its range, mean and spread, in bits."""

    low: float
    high: float
    mean: float
    sd: float
    basis: str


def log_uniform_inverse_moments(low: float, high: float) -> tuple[float, float]:
    """E[1/u] and E[1/u^2] for u log-uniform on [low, high).

    >>> m1, m2 = log_uniform_inverse_moments(2.0**8, 2.0**40); round(m1 * 1e4, 4)
    1.7611
    """
    log_ratio = math.log(high / low)
    return (1 / low - 1 / high) / log_ratio, (1 / low**2 - 1 / high**2) / (2 * log_ratio)


def rans_drift(p_rows: np.ndarray, freqs: np.ndarray, total: int, low: float, high: float):
    """(mean, variance, allowance) per symbol of rANS rounding, u = x / f on [low, high)."""
    inv, inv_sq = log_uniform_inverse_moments(low, high)
    f = freqs.astype(np.float64)
    c = np.cumsum(f, axis=-1) - f
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(f > 0, c / total - (1 - f / total) * (1 - 1 / np.maximum(f, 1)) / 2, 0.0)
    scale = inv / math.log(2)
    mean = scale * float(np.mean(np.sum(p_rows * term, axis=-1)))
    return mean, inv_sq / math.log(2) ** 2, DRIFT_PRECISION * scale


class StreamCoder(Coder):
    """Base of the stream coders: validation, quantised model, theory; subclasses code bits."""

    #: largest model precision (bits) the coder supports
    max_precision = 32
    #: whether symbols with q(x) = 0 keep one slot in per-position models (constriction's rule)
    leaky_rows = False

    def __init__(self, q, precision: int = 24):
        q = checked_pmf_rows(q, "q") if ndim_of(q) == 2 else checked_pmf(q, "q")
        require_memory(STREAM_MODEL_BYTES * q.size, f"{a(self.name)} model over {q.size} frequencies")
        precision = precision_bits(precision, self.max_precision, f"{self.name}: ")
        super().__init__(q, {"precision": int(precision)})
        self.precision = int(precision)
        self.per_position = q.ndim == 2
        self.possible = q > 0
        self.freqs = quantize(q, self.precision, leaky=self.per_position and self.leaky_rows)
        lone = self.possible.sum(axis=-1) == 1
        self.lone_symbol = int(np.argmax(self.possible)) if (not self.per_position and lone) else None

    # --- the model -------------------------------------------------------------------------
    @property
    def model_pmf(self) -> np.ndarray:
        """q~ = f / 2**precision: the distribution this coder really codes with."""
        return self.freqs / float(1 << self.precision)

    def _fingerprint(self) -> str:
        return fingerprint(self.freqs, coder=self.name, **self.options)

    @cached_property
    def _symbol_bits(self) -> np.ndarray:
        """-log2 q~(x) = precision - log2 f(x) for every symbol (per position), inf where f = 0."""
        with np.errstate(divide="ignore"):
            return self.precision - np.log2(self.freqs.astype(np.float64))

    @cached_property
    def _cheapest_symbol_bits(self) -> float:
        """-log2 max q~: the least any symbol costs (a fixed model)."""
        return float(np.min(self._symbol_bits[self.possible]))

    def _model_bits(self, x: np.ndarray) -> np.ndarray:
        """-log2 q~(x_i) for each symbol of a (valid) message."""
        return self._symbol_bits[np.arange(x.size), x] if self.per_position else self._symbol_bits[x]

    def model_table(self, limit: int | None = None):
        """One row per symbol: q, the quantised q~ = f / 2**precision, f, -log2 q, -log2 q~ (the
        first ``limit`` symbols only, when given)."""
        if self.per_position:
            raise OptionError("a per-position model has a table per position: index self.freqs")
        total = float(1 << self.precision)
        return with_labels(Table({"symbol": s, "q": float(self.q[s]), "q~": f / total, "f": int(f),
                      "-log2 q": -math.log2(self.q[s]) if self.q[s] > 0 else math.inf,
                      "-log2 q~": self.precision - math.log2(f) if f else math.inf}
                     for s, f in enumerate(self.freqs[:limit].tolist())), self.labels)

    def __str__(self) -> str:
        head = f"{self.name} coder, model q~ = f / 2**{self.precision}"
        if self.per_position:
            return f"{head}, one distribution per position ({self.q.shape[0]} positions, K = {self.alphabet_size})"
        more = self.alphabet_size - SHOWN_ROWS
        text = format_table(self.model_table(SHOWN_ROWS))
        text += f"\n... {more} more symbols" if more > 0 else ""
        return (f"{head}\n{text}\ncost of quantising: D(q||q~) = "
                f"{kl_divergence(self.q, self.model_pmf):.3g} bits/symbol on data from q (theory)")

    # --- validation ------------------------------------------------------------------------
    def _check_message(self, symbols) -> np.ndarray:
        x = as_symbols(symbols, self.alphabet_size)
        if self.per_position:
            if x.size != self.q.shape[0]:
                raise OptionError(f"{self.name}: the model has one distribution per position for "
                                  f"{self.q.shape[0]} positions, but the message has {x.size} symbols")
            ruled_out = ~self.possible[np.arange(x.size), x]
            if ruled_out.any():
                i = int(np.argmax(ruled_out))
                s = int(x[i])
                raise SupportError(f"symbol {s} at position {i} has q[{i}, {s}] = 0: the model "
                                   "has no room for it (the cross-entropy is infinite)",
                                   symbol=s, position=i)
        else:
            check_support(x, self.possible, self.q, labels=self.labels)
        return x

    # --- the contract ----------------------------------------------------------------------
    def encode(self, symbols) -> Encoded:
        x = self._check_message(symbols)
        if self.lone_symbol is not None or x.size == 0:
            payload, num_bits = b"", 0
        else:
            payload, num_bits = self._encode(x)
        return Encoded(self.name, int(x.size), num_bits, payload, self.options, self.fingerprint)

    def decode(self, encoded: Encoded) -> np.ndarray:
        self._check_encoded(encoded)
        n = encoded.num_symbols
        if self.per_position and n != self.q.shape[0]:
            raise DecodeError(f"the message has {n} symbols but the model has "
                              f"{self.q.shape[0]} positions")
        if n and self.lone_symbol is None and n > (most := self._most_symbols(encoded.num_bits)):
            raise DecodeError(f"the header says {n} symbols, but {encoded.num_bits} bits hold at "
                              f"most {most} under this model (each costs at least "
                              f"-log2 max q~ bits): the message is damaged")
        require_memory(MESSAGE_BYTES * n, f"decoding a message of {n} symbols")
        if n == 0 or self.lone_symbol is not None:
            if encoded.num_bits:
                raise DecodeError(f"{encoded.num_bits} bits for a message that needs none")
            return np.full(n, self.lone_symbol or 0, dtype=np.int64)
        return self._decode(encoded.payload, encoded.num_bits, n)

    def _most_symbols(self, num_bits: int) -> float:
        """How many symbols num_bits can hold: each costs at least c = -log2 max q~ bits, so
        n c - (slack below) <= num_bits (inf when c does not exceed the rounding per symbol)."""
        if self.per_position:
            return math.inf
        below, _, per_symbol = self.slack
        cheapest = self._cheapest_symbol_bits
        if cheapest <= per_symbol:
            return math.inf
        return math.floor((num_bits + max(below, 0.0)) / (cheapest - per_symbol)) + 1

    def _encode(self, x: np.ndarray) -> tuple[bytes, int]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _decode(self, payload: bytes, num_bits: int, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def code_length(self, symbols, counts=None) -> float:
        if counts is None or self.per_position:
            x = as_symbols(symbols, self.alphabet_size)
            possible = self.possible[np.arange(x.size), x] if self.per_position else self.possible[x]
            if not possible.all():
                return math.inf
            if self.per_position:
                return float(self._model_bits(x).sum()) if self.lone_symbol is None else 0.0
            counts = np.bincount(x, minlength=self.alphabet_size)     # one pass over the message
        elif np.any(counts[~self.possible]):
            return math.inf
        if self.lone_symbol is not None:
            return 0.0
        seen = counts > 0
        return float(np.dot(counts[seen], self._symbol_bits[seen]))

    def _rows(self, p):
        """p as rows matching the model (one row per position, or a single row)."""
        if self.per_position:
            p = np.asarray(p, dtype=np.float64)
            rows = checked_pmf_rows(np.broadcast_to(p, self.q.shape) if p.ndim == 1 else p, "p")
            check_same_length(rows[0], self.q[0])
            return rows, self.freqs
        p = checked_pmf(p, "p")
        check_same_length(p, self.q)
        return p[None, :], self.freqs[None, :]

    def _cost_moments(self, p) -> tuple[float, float]:
        return self._per_p("moments", p, self._compute_moments)

    def _compute_moments(self, p) -> tuple[float, float]:
        rows, f = self._rows(p)
        if np.any((rows > 0) & (f == 0)):
            return math.inf, math.inf
        if self.lone_symbol is not None:
            return 0.0, 0.0
        cost = np.where(f > 0, self._symbol_bits if self.per_position else self._symbol_bits[None, :], 0.0)
        mean = (rows * cost).sum(axis=1)
        var = (rows * (cost - mean[:, None]) ** 2).sum(axis=1)
        # per-position: average rate, and the variance of the average cost per symbol
        return float(mean.mean()), float(var.mean())

    def expected_bits_per_symbol(self, p, n: int | None = None) -> float:
        """H(p, q~): the cross-entropy of p against the model really used (mean over positions)."""
        return self._cost_moments(p)[0]

    def bits_variance(self, p, n: int | None = None) -> float:
        """Var_p[-log2 q~(X)] (mean over positions for a per-position model)."""
        return self._cost_moments(p)[1]

    def cost_distribution(self, p):
        """(p, -log2 q~, 1) for one fixed model; None for a model per position."""
        if self.per_position:
            return None
        costs = np.where(np.isfinite(self._symbol_bits), self._symbol_bits, 0.0)
        return np.asarray(p, dtype=np.float64), costs, 1

    def symbol_costs(self, symbols) -> np.ndarray:
        """-log2 q~(x_i) for each symbol (0 everywhere for a lone possible symbol)."""
        x = self._check_message(symbols)
        return np.zeros(x.size) if self.lone_symbol is not None else self._model_bits(x)

    # --- overhead --------------------------------------------------------------------------
    #: the flush (set by each coder)
    flush: Flush = Flush(0.0, 0.0, 0.0, 0.0, "none")

    def _drift(self, p, n: int) -> tuple[float, float, float]:
        """(mean, variance, allowance) per symbol of the rounding of one coding step."""
        return 0.0, 0.0, 0.0

    def overhead(self, p, n: int) -> Overhead:
        """Flush plus drift (see the module docstring) for an n-symbol message from p."""
        if self.lone_symbol is not None or n == 0:
            return NO_OVERHEAD
        flush = self.flush
        drift, variance, allowance = self._per_p(f"drift{n}", p, lambda p: self._drift(p, n))
        if math.sqrt(n * self.bits_variance(p, n)) < flush.sd * math.sqrt(12):
            # The information content varies less than the flush's spread is wide (a uniform
            # flush of sd s spans s * sqrt(12)): the state has not spread over its interval, so
            # only the documented worst case bounds it.  Its mean is the band's middle plus the
            # rounding's mean drift, which every step pays whether or not the state has spread;
            # its spread is the flush's (so a result's stderr at small n is not 0 beside an
            # overhead of tens of bits), the band's n eps part being a worst case, not a spread.
            below, above = self.length_bounds(n)
            return Overhead(mean=(above - below) / 2 + n * drift, sd=flush.sd,
                            low=-below, high=above,
                            allowance=(above + below) / 2,
                            basis="the coder's worst-case bounds (too little information for "
                                  "its state to spread out)")
        noise = math.sqrt(n * variance)
        return Overhead(
            mean=flush.mean + n * drift, sd=math.sqrt(flush.sd**2 + noise**2),
            low=flush.low + n * drift - n * allowance - 6 * noise,
            high=flush.high + n * drift + n * allowance + 6 * noise,
            allowance=n * allowance,
            basis=f"flush: {flush.basis}; drift {drift:+.3g} +/- {allowance:.2g} bits/symbol")

    # --- the information before the flush ---------------------------------------------------
    def information(self, x: np.ndarray, encoded) -> float:
        """The bits the message holds before its flush: num_bits less what the flush adds beyond
        the final state's own information, read exactly from that state.  It differs from
        sum_i -log2 q~(x_i) by the rounding drift alone (:meth:`information_drift`)."""
        if self.lone_symbol is not None or encoded.num_symbols == 0:
            return 0.0
        return self._information(x, encoded)

    def _information(self, x: np.ndarray, encoded) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def information_drift(self, p, n: int) -> tuple[float, float]:
        """(mean, variance) of information - sum_i -log2 q~(x_i) over an n-symbol message from p:
        the rounding's drift, step by step, without the flush."""
        if self.lone_symbol is not None or n == 0:
            return 0.0, 0.0
        drift, variance, _ = self._per_p(f"drift{n}", p, lambda p: self._drift(p, n))
        return n * drift, n * variance

    def length_bounds(self, num_symbols: int) -> tuple[float, float]:
        if self.lone_symbol is not None or num_symbols == 0:
            return 0.0, 0.0
        below, above, per_symbol = self.slack
        return below + per_symbol * num_symbols, above + per_symbol * num_symbols

    @property
    def slack(self) -> tuple[float, float, float]:  # pragma: no cover - abstract
        """(bits below, bits above, bits per symbol) of the documented length guarantee."""
        raise NotImplementedError
