"""The coder contract: a code designed for one assumed distribution q, and its output.

Every coder is built for q over the symbols 0..K-1 and offers

* ``encode(symbols) -> Encoded`` and ``decode(encoded) -> numpy array`` (an exact round trip);
* ``Encoded.num_bits``: the exact length of the stored message in bits;
* ``code_length(symbols)``: what theory says this very message costs: the sum of codeword
  lengths for a prefix code, the information content under the model really used for a stream
  coder; with ``length_bounds(num_symbols) = (below, above)`` the coder guarantees
  ``code_length - below <= num_bits <= code_length + above``;
* ``expected_bits_per_symbol(p, n)`` and ``bits_variance(p, n)``: mean and variance, under p,
  of ``code_length`` per symbol of an n-symbol message (for a fixed model they do not depend on
  n; for an adaptive one they do), so that a measurement has standard error sqrt(var / n);
* ``overhead(p, n)``: an :class:`Overhead`, what the coder adds to ``code_length`` (flush and
  rounding), num_bits - code_length: its mean and spread, and the tight range it lies in;
* a :class:`~codesim.errors.SupportError` when asked to encode a symbol that q rules out.

Together these account for every bit of a message (the ledger of
:class:`~codesim.simulation.SimulationResult`)::

    num_bits = sum -log2 p(x_i)                   sample entropy
             + sum log2 p(x_i) / q(x_i)           sample divergence
             + code_length - sum -log2 q(x_i)     quantisation (the model really used)
             + num_bits - code_length             coder overhead
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..container import Encoded
from ..limits import MESSAGE_BYTES
from ..errors import DecodeError, OptionError, SupportError
from ..validate import as_symbols, check_same_length, checked_pmf, sample_size
from ..tables import SHOWN_ROWS
import html

__all__ = ["Coder", "Encoded", "Overhead", "as_symbols", "check_support", "NO_OVERHEAD"]


@dataclass(frozen=True)
class Overhead:
    """coder_overhead = num_bits - code_length for an n-symbol message from p, in bits.

    A coder adds bits to the information content under its model: a flush at the end (a
    constant part somewhere in a fixed range) and rounding at each symbol (a drift, n times a
    mean per symbol, with a little noise).

    Attributes
    ----------
    mean, sd : float
        Expectation and standard deviation under p.
    low, high : float
        The range the overhead lies in: derived bounds of the flush, plus the drift and six
        standard deviations of its noise (what the ``overhead`` verdict checks).
    allowance : float
        How far ``mean`` itself may be off (the precision of its derivation, or half the flush
        range where the flush is not yet spread over its range); statistical tolerances add it.
    basis : str
        Where the figures come from, in words.
    """

    mean: float
    sd: float
    low: float
    high: float
    allowance: float = 0.0
    basis: str = ""


#: the overhead of a coder whose bits are exactly its code lengths
NO_OVERHEAD = Overhead(0.0, 0.0, 0.0, 0.0, 0.0, "exact: num_bits is the sum of the code lengths")


def ndim_of(x) -> int:
    """Dimensions of an array-like q (ragged nested lists count as 1: checked_pmf names them)."""
    try:
        return int(np.ndim(x))
    except ValueError:
        return 1


def refuse_per_position(q, coder: str) -> None:
    """OptionError for a 2-D q (one distribution per position) given to a coder of one fixed q,
    before any of it is validated or quantised."""
    if ndim_of(q) == 2:
        raise OptionError(f"{coder} codes with one fixed q; for one distribution per position "
                          "use 'arithmetic', 'range' or 'ans'")


def check_support(x: np.ndarray, possible: np.ndarray, q: np.ndarray, name: str = "q",
                  labels=None) -> None:
    """Raise SupportError for the first symbol of x that the model rules out (possible[s] false),
    naming it by its label too where the symbols have labels."""
    if x.size == 0 or possible.all():
        return
    ruled_out = ~possible[x]
    if ruled_out.any():
        i = int(np.argmax(ruled_out))
        s = int(x[i])
        named = f" ({labels[s]!r})" if labels is not None else ""
        raise SupportError(
            f"symbol {s}{named} at position {i} has {name}[{s}] = {q[s]:g}: a code built for {name} "
            f"has no codeword for it (the cross-entropy is infinite)", symbol=s, position=i)


#: the theory methods of a coder that take a message length n: where n stands, and whether
#: it may be left out (None: the limit of large n)
_N_ARGUMENT = {"length_bounds": (0, False), "overhead": (1, False),
               "expected_bits_per_symbol": (1, True), "bits_variance": (1, True)}


def _checking_n(method, at: int, optional: bool):
    """The method, refusing an n that is not a whole number >= 0 by name."""
    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        if len(args) > at:
            if args[at] is not None or not optional:
                args = (*args[:at], sample_size(args[at]), *args[at + 1:])
        elif "n" in kwargs and (kwargs["n"] is not None or not optional):
            kwargs["n"] = sample_size(kwargs["n"])
        return method(self, *args, **kwargs)
    checked.checks_n = True
    return checked


class Coder(ABC):
    """A code designed for the assumed distribution ``q`` over symbols 0..K-1."""

    def __init_subclass__(cls, **kwargs):
        """Every coder's theory methods check their n alike, at the door."""
        super().__init_subclass__(**kwargs)
        for name, (at, optional) in _N_ARGUMENT.items():
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "checks_n", False):
                setattr(cls, name, _checking_n(method, at, optional))

    #: registry name, e.g. "huffman"
    name: str = ""
    #: the integer type of the messages this coder codes fastest (samples are drawn in it)
    symbol_dtype = np.dtype(np.int64)
    #: memory one symbol of a message costs while it is sampled, coded and decoded
    bytes_per_symbol = MESSAGE_BYTES
    #: what each symbol stands for (a letter, a byte), from a labelled q; None: plain numbers
    labels: tuple | None = None

    def __init__(self, q: np.ndarray, options: dict):
        self.q = q
        self.options = dict(options)

    @property
    def alphabet_size(self) -> int:
        """K, the number of symbols."""
        return int(self.q.shape[-1])

    def _per_p(self, tag: str, p, compute):
        """``compute(p)``, remembered for the last few p (a sweep asks the same p again and again)."""
        memo = self.__dict__.setdefault("_memo", {})
        p = checked_pmf(p, "p")                  # validated once, then passed on
        check_same_length(p, self.q.reshape(-1, self.alphabet_size)[0])   # a row, per position too
        key = (tag, p.tobytes())
        if key not in memo:
            if len(memo) >= 16:
                memo.pop(next(iter(memo)))
            memo[key] = compute(p)
        return memo[key]

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the model this coder really uses (computed once)."""
        return self._fingerprint()

    @abstractmethod
    def _fingerprint(self) -> str:
        """Compute :attr:`fingerprint`."""

    @abstractmethod
    def encode(self, symbols) -> Encoded:
        """Encode a message (a sequence of symbols 0..K-1)."""

    @abstractmethod
    def decode(self, encoded: Encoded) -> np.ndarray:
        """Decode a message encoded by this coder (raises DecodeError when it cannot)."""

    @abstractmethod
    def code_length(self, symbols, counts=None) -> float:
        """Theoretical length in bits of this message (see the module docstring).

        ``counts`` (``np.bincount(symbols, minlength=K)``), when the caller has them, saves a
        pass over the message for coders whose length depends only on the symbol counts.
        """

    @abstractmethod
    def length_bounds(self, num_symbols: int) -> tuple[float, float]:
        """(below, above): code_length - below <= num_bits <= code_length + above."""

    @abstractmethod
    def expected_bits_per_symbol(self, p, n: int | None = None) -> float:
        """E_p[code_length] / n of an n-symbol message, in bits: this coder's theoretical rate.

        For a fixed model it does not depend on n (and n may be left out)."""

    @abstractmethod
    def bits_variance(self, p, n: int | None = None) -> float:
        """Var_p[code_length] / n (so the stderr of the rate on n symbols is sqrt(var / n))."""

    def overhead(self, p, n: int) -> Overhead:
        """What the coder adds to code_length on an n-symbol message from p (see Overhead)."""
        return NO_OVERHEAD

    def symbol_costs(self, symbols) -> np.ndarray:
        """The cost of each symbol of a message under the model really used; sums to code_length."""
        raise NotImplementedError(f"{self.name} has no per-symbol costs")

    def cost_distribution(self, p):
        """The cost of one coding unit under p, as (probabilities, costs in bits, symbols per
        unit), for the shape of the cost's distribution (its skewness); None where the cost
        is not one distribution (a model per position)."""
        return None

    def _check_encoded(self, encoded: Encoded) -> None:
        if not isinstance(encoded, Encoded):
            raise DecodeError(f"expected an Encoded message, got {type(encoded).__name__}")
        if encoded.coder != self.name:
            raise DecodeError(
                f"this message was encoded by {encoded.coder!r}, not by {self.name!r}")
        if encoded.model_fingerprint and encoded.model_fingerprint != self.fingerprint:
            raise DecodeError(
                "this message was encoded with a different model (fingerprint "
                f"{encoded.model_fingerprint} != {self.fingerprint}): decoding it would give "
                "wrong symbols")
        if encoded.num_bits > 8 * len(encoded.payload) or encoded.num_bits < 0:
            raise DecodeError(
                f"the payload holds {8 * len(encoded.payload)} bits but num_bits says "
                f"{encoded.num_bits}: the message is truncated")

    #: what a row of this coder's table stands for
    table_unit = "symbols"

    @property
    def table_size(self) -> int:
        """Rows of this coder's table (its codebook or quantised model): one per symbol."""
        return self.alphabet_size

    def _repr_html_(self) -> str:
        """In a notebook: the coder's table (its codebook, or its quantised model) as HTML."""
        for table in ("codebook", "model_table"):
            method = getattr(self, table, None)
            if method is not None:
                try:
                    rows = method(limit=SHOWN_ROWS)
                except OptionError:        # a per-position model has no single table
                    break
                more = self.table_size - len(rows)
                return (f"<p><b>{html.escape(repr(self))}</b></p>" + rows._repr_html_()
                        + (f"<p>... {more} more {self.table_unit}</p>" if more > 0 else ""))
        return f"<pre>{html.escape(str(self))}</pre>"

    def __repr__(self) -> str:
        opts = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}(K={self.alphabet_size}{opts})"
