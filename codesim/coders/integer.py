r"""Codes for the integers: unary, Golomb, Rice, and Elias's gamma, delta and omega.

These codes are fixed in advance, not built from q: each gives every integer a codeword, short
for small integers.  Applied to the symbols 0..K-1 (symbol s is the integer s for unary, Golomb
and Rice, s + 1 for the Elias codes, which start at 1), q given to ``make_coder`` sets the
alphabet, the support (a symbol q rules out gets no codeword, as in every codesim code) and,
when it is not given, the parameter of Golomb's and Rice's codes.

Every prefix code is the ideal code of its **implied distribution** 2^-l(s) (``implied_q``), so
on data from p it costs H(p) + D(p || 2^-l) bits per symbol when the Kraft sum is 1.  Over
0..K-1 the Kraft sum is below 1 (the codewords of K, K+1, ... are never used): that slack is
paid too, and the ledger's quantisation term shows it.

==============  =====================================  ===================================
code            codeword of n                          length, implied distribution
==============  =====================================  ===================================
unary           n ones, then a zero                    n + 1;  2^-(n+1), geometric(1/2)
golomb (m)      n // m in unary, n % m in truncated    n // m + 1 + b or b - 1,
                binary (b = ceil(log2 m) bits)         b = ceil(log2 m); about geometric
rice (k)        Golomb with m = 2^k                    n // 2^k + 1 + k
elias_gamma     floor(log2 n) zeros, then n in binary  2 floor(log2 n) + 1;  about 1/(2 n^2)
elias_delta     gamma(floor(log2 n) + 1), then n       floor(log2 n) + 2 floor(log2(floor(log2
                without its leading 1                  n) + 1)) + 1
elias_omega     recursively: binary of n, preceded     1 + the lengths of the binary forms
                by the code of its length - 1; a 0     n, len(n) - 1, ... down to 2
==============  =====================================  ===================================

Fitting (when the parameter is not given): Golomb's m is the best m for the geometric
distribution with q's mean mu, theta = mu / (1 + mu), m = ceil(log(1 + theta) / -log(theta))
(Gallager & Van Voorhis, 1975); Rice's k is the k that minimises E_q[l] exactly.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import OptionError
from .prefix import NO_CODEWORD, PrefixCode, PrefixCoder
from ..validate import is_whole

__all__ = ["UnaryCoder", "GolombCoder", "RiceCoder", "EliasGammaCoder", "EliasDeltaCoder",
           "EliasOmegaCoder", "golomb_codeword", "elias_gamma", "elias_delta", "elias_omega",
           "fit_golomb_m", "MAX_CODE_BITS"]

#: the codewords of one code hold at most this many bits in all (unary over 2**16 symbols
#: would hold 2**31: refused)
MAX_CODE_BITS = 1 << 26


def golomb_codeword(n: int, m: int) -> tuple[int, int]:
    """(value, length) of Golomb's codeword for n >= 0 with parameter m >= 1.

    >>> [format(v, f"0{l}b") for v, l in (golomb_codeword(n, 3) for n in range(5))]
    ['00', '010', '011', '100', '1010']
    """
    b = (m - 1).bit_length()                      # ceil(log2 m)
    cutoff = (1 << b) - m
    quotient, r = divmod(n, m)
    if r < cutoff:
        rem_bits, rem = b - 1, r
    else:
        rem_bits, rem = b, r + cutoff
    return (((1 << quotient) - 1) << (1 + rem_bits)) | rem, quotient + 1 + rem_bits


def elias_gamma(n: int) -> tuple[int, int]:
    """(value, length) of Elias's gamma codeword for n >= 1: floor(log2 n) zeros, then n.

    >>> [format(v, f"0{l}b") for v, l in map(elias_gamma, [1, 2, 5])]
    ['1', '010', '00101']
    """
    return n, 2 * (n.bit_length() - 1) + 1


def elias_delta(n: int) -> tuple[int, int]:
    """(value, length) of Elias's delta codeword for n >= 1.

    >>> [format(v, f"0{l}b") for v, l in map(elias_delta, [1, 2, 17])]
    ['1', '0100', '001010001']
    """
    top = n.bit_length() - 1
    value, length = elias_gamma(top + 1)
    return (value << top) | (n - (1 << top)), length + top


def elias_omega(n: int) -> tuple[int, int]:
    """(value, length) of Elias's omega codeword for n >= 1.

    >>> [format(v, f"0{l}b") for v, l in map(elias_omega, [1, 2, 4, 17])]
    ['0', '100', '101000', '10100100010']
    """
    value, length = 0, 1                          # the closing 0
    while n > 1:
        value |= n << length
        length += n.bit_length()
        n = n.bit_length() - 1
    return value, length


def _floor_log2(x: np.ndarray) -> np.ndarray:
    """floor(log2 x) of positive int64s, exactly (frexp's exponent, no float logarithm)."""
    return np.frexp(x.astype(np.float64))[1].astype(np.int64) - 1


def _golomb_values(k: int, m: int) -> np.ndarray:
    """Golomb codeword values of 0..k-1 (see :func:`golomb_codeword`), as int64."""
    s = np.arange(k, dtype=np.int64)
    b = (m - 1).bit_length()
    cutoff = (1 << b) - m
    quotient, r = s // m, s % m
    short = r < cutoff
    rem_bits = np.where(short, b - 1, b)
    rem = np.where(short, r, r + cutoff)
    return (((np.int64(1) << quotient) - 1) << (1 + rem_bits)) | rem


def fit_golomb_m(q) -> int:
    """Golomb's m for the geometric distribution with q's mean (Gallager & Van Voorhis).

    >>> fit_golomb_m([0.5, 0.25, 0.125, 0.125])      # mean 0.875: theta = 0.47
    1
    """
    q = np.asarray(q, dtype=np.float64)
    mean = float(np.dot(np.arange(q.size), q))
    if mean <= 0:
        return 1
    theta = mean / (1 + mean)
    return max(1, math.ceil(math.log(1 + theta) / -math.log(theta)))


class IntegerCoder(PrefixCoder):
    """A fixed code for the integers, on symbols 0..K-1 (see the module docstring)."""

    #: symbol s is coded as the integer s + offset
    offset = 0

    def __init__(self, q):
        super().__init__(q)

    def codeword(self, n: int) -> tuple[int, int]:  # pragma: no cover - abstract
        """(value, length) of the codeword of the integer n."""
        raise NotImplementedError

    def textbook_lengths(self, k: int) -> np.ndarray:
        """The codeword length of each symbol 0..k-1 (as if q allowed every one)."""
        return np.array([self.codeword(s + self.offset)[1] for s in range(k)], dtype=np.int64)

    def build_code(self, q: np.ndarray) -> PrefixCode:
        self._fit(q)
        k = q.size
        lengths = self.textbook_lengths(k)
        total = int(lengths.sum())
        if total > MAX_CODE_BITS:
            raise OptionError(
                f"{self.name}{self._described()} over {k} symbols has codewords of up to "
                f"{int(lengths.max())} bits ({total} bits in all), more than the {MAX_CODE_BITS} "
                f"codesim builds: use fewer symbols{self._hint()}")
        fast = self.textbook_values(k) if int(lengths.max()) <= 62 else None
        if fast is not None:
            values = np.where(q > 0, fast, 0).tolist()
        else:
            values = [self.codeword(s + self.offset)[0] if q[s] > 0 else 0 for s in range(k)]
        return PrefixCode(np.where(q > 0, lengths, NO_CODEWORD), values, check=False)

    def textbook_values(self, k: int):
        """The codeword values of symbols 0..k-1 as int64, computed at once (codes of at most
        62 bits); None where only :meth:`codeword`'s loop computes them."""
        return None

    def _fit(self, q: np.ndarray) -> None:
        """Choose the parameter from q when it was not given (Golomb, Rice)."""

    def _described(self) -> str:
        return ""

    def _hint(self) -> str:
        return ""

    @property
    def implied_q(self) -> np.ndarray:
        """2^-l(s) for every symbol 0..K-1, from the textbook lengths (its sum is the Kraft sum
        over the alphabet, below 1: the codewords of K, K+1, ... are never used)."""
        return np.exp2(-self.textbook_lengths(self.alphabet_size).astype(np.float64))


class UnaryCoder(IntegerCoder):
    """Unary: symbol s is s ones and a zero.

    >>> from codesim.coders import make_coder
    >>> make_coder("unary", [0.5, 0.25, 0.25]).codewords
    ['0', '10', '110']
    """

    name = "unary"

    def codeword(self, n: int) -> tuple[int, int]:
        return ((1 << n) - 1) << 1, n + 1

    def textbook_lengths(self, k: int) -> np.ndarray:
        return np.arange(1, k + 1, dtype=np.int64)

    def textbook_values(self, k: int):
        n = np.arange(k, dtype=np.int64)
        return ((np.int64(1) << n) - 1) << 1


def _check_parameter(name: str, value, low: int, high: int, what: str):
    if value is None:
        return None
    if not is_whole(value, low, high):
        raise OptionError(f"{name} must be an integer from {low} to {high} ({what}), got {value!r}")
    return int(value)


class GolombCoder(IntegerCoder):
    """Golomb's code with parameter m (fitted to q's mean when not given).

    >>> from codesim.coders import make_coder
    >>> make_coder("golomb", [0.2] * 5, m=3).codewords
    ['00', '010', '011', '100', '1010']
    """

    name = "golomb"

    def __init__(self, q, m: int | None = None):
        self.m = _check_parameter("m", m, 1, 1 << 32, "Golomb's divisor")
        super().__init__(q)
        self.options["m"] = self.m

    def _fit(self, q: np.ndarray) -> None:
        if self.m is None:
            self.m = fit_golomb_m(q)

    def codeword(self, n: int) -> tuple[int, int]:
        return golomb_codeword(n, self.m)

    def textbook_lengths(self, k: int) -> np.ndarray:
        b = (self.m - 1).bit_length()
        s = np.arange(k, dtype=np.int64)
        return s // self.m + 1 + b - (s % self.m < (1 << b) - self.m)

    def textbook_values(self, k: int):
        return _golomb_values(k, self.m)

    def _described(self) -> str:
        return f" with m = {self.m}"

    def _hint(self) -> str:
        return " or a larger m"


class RiceCoder(GolombCoder):
    """Rice's code with parameter k: Golomb's with m = 2^k (the k best for q when not given).

    >>> from codesim.coders import make_coder
    >>> make_coder("rice", [0.25] * 4, k=1).codewords
    ['00', '01', '100', '101']
    """

    name = "rice"

    def __init__(self, q, k: int | None = None):
        self.k = _check_parameter("k", k, 0, 32, "Rice's m = 2**k")
        self.m = None if self.k is None else 1 << self.k
        IntegerCoder.__init__(self, q)
        self.options["k"] = self.k

    def _fit(self, q: np.ndarray) -> None:
        if self.k is None:
            s = np.arange(q.size, dtype=np.int64)
            costs = [float(np.dot(q, (s >> k) + 1 + k)) for k in range(max(1, (q.size - 1).bit_length()) + 1)]
            self.k = int(np.argmin(costs))
            self.m = 1 << self.k

    def _described(self) -> str:
        return f" with k = {self.k}"

    def _hint(self) -> str:
        return " or a larger k"


class EliasGammaCoder(IntegerCoder):
    """Elias's gamma code, symbol s coded as s + 1.

    >>> from codesim.coders import make_coder
    >>> make_coder("elias_gamma", [0.25] * 4).codewords
    ['1', '010', '011', '00100']
    """

    name = "elias_gamma"
    offset = 1

    def codeword(self, n: int) -> tuple[int, int]:
        return elias_gamma(n)

    def textbook_lengths(self, k: int) -> np.ndarray:
        return 2 * _floor_log2(np.arange(1, k + 1, dtype=np.int64)) + 1

    def textbook_values(self, k: int):
        return np.arange(1, k + 1, dtype=np.int64)


class EliasDeltaCoder(IntegerCoder):
    """Elias's delta code, symbol s coded as s + 1."""

    name = "elias_delta"
    offset = 1

    def codeword(self, n: int) -> tuple[int, int]:
        return elias_delta(n)

    def textbook_lengths(self, k: int) -> np.ndarray:
        top = _floor_log2(np.arange(1, k + 1, dtype=np.int64))
        return top + 2 * _floor_log2(top + 1) + 1

    def textbook_values(self, k: int):
        x = np.arange(1, k + 1, dtype=np.int64)
        top = _floor_log2(x)
        return ((top + 1) << top) | (x - (np.int64(1) << top))


class EliasOmegaCoder(IntegerCoder):
    """Elias's omega code, symbol s coded as s + 1."""

    name = "elias_omega"
    offset = 1

    def codeword(self, n: int) -> tuple[int, int]:
        return elias_omega(n)
