"""What each coder is, what it can do, and which options it takes: declared once, here.

``make_coder``, ``available_coders()``, the command line's flags (``--block``, ``--precision``,
...), the docs' table of coders and the tests' parametrize lists all read this table, so a new
coder or option is added in one place.

Families: ``prefix`` (a prefix code designed for q), ``integer`` (a fixed code for the
integers: q sets only the alphabet), ``stream`` (a stream coder paying -log2 q~(x) a symbol),
``variable-to-fixed`` (Tunstall).  Capabilities: ``default`` (compare, demo and sweep run it
unasked), ``per_position`` (takes a 2-D q, one distribution per position), ``adaptive`` (can
learn q from the message), ``context`` (a context model can drive it).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Option", "CoderSpec", "OPTIONS", "CODERS", "names", "spec"]


@dataclass(frozen=True)
class Option:
    """A coder option: a whole number in [low, high] (``high`` None: no upper bound)."""

    name: str
    flag: str
    metavar: str
    low: int
    high: int | None
    help: str


@dataclass(frozen=True)
class CoderSpec:
    """One coder: its registry name, what it is, its family, options and capabilities."""

    name: str
    summary: str
    family: str
    options: tuple[str, ...] = ()
    default: bool = False
    per_position: bool = False
    adaptive: bool = False
    context: bool = False
    #: about how long coding and decoding one symbol takes (measured on one core, 16 symbols),
    #: so that a sweep can size its batches by cost; and with the compiled kernels, where the
    #: coder has them (measured at 10**6 symbols, drawing and counting included)
    seconds_per_symbol: float = 1e-7
    compiled_seconds_per_symbol: float | None = None

    def cost(self, compiled: bool) -> float:
        """Seconds a symbol, on the readable path or with the kernels."""
        return (self.compiled_seconds_per_symbol if compiled and self.compiled_seconds_per_symbol
                else self.seconds_per_symbol)


#: every coder option, as the command line spells it
OPTIONS = {o.name: o for o in (
    Option("block", "--block", "K", 1, None, "prefix codes built for q: code blocks of K symbols (default: 1)"),
    Option("precision", "--precision", "BITS", 1, 62,
           "arithmetic, rans, range, ans: bits of the quantised model (default: 24)"),
    Option("max_length", "--max-length", "L", 1, 64,
           "huffman: no codeword longer than L bits (package-merge; default: no limit)"),
    Option("table_log", "--table-log", "R", 1, 16,
           "tans: a table of 2**R states (default: 11, more for over 1024 symbols)"),
    Option("bits", "--bits", "B", 1, 20, "tunstall: indices of B bits (default: 8, more for over 128 symbols)"),
    Option("m", "--m", "M", 1, 1 << 32, "golomb: the divisor m (default: fitted to q's mean)"),
    Option("k", "--k", "K", 0, 32, "rice: m = 2**K (default: the K best for q)"),
    Option("window", "--window", "W", 1, 1 << 24, "lz77: the sliding window, in symbols (default: 32768)"),
)}

#: every coder, in the order codesim lists them
CODERS = (
    CoderSpec("huffman", "Huffman's optimal prefix code for q (length-limited: package-merge)",
              "prefix", ("block", "max_length"), default=True, compiled_seconds_per_symbol=2e-8),
    CoderSpec("shannon", "Shannon's code, l = ceil(-log2 q)", "prefix", ("block",), default=True,
              compiled_seconds_per_symbol=2e-8),
    CoderSpec("sfe", "Shannon-Fano-Elias code from the cumulative distribution", "prefix",
              ("block",), default=True, compiled_seconds_per_symbol=2e-8),
    CoderSpec("fano", "Fano's code: balanced splits of the sorted q (not always optimal)",
              "prefix", ("block",), compiled_seconds_per_symbol=2e-8),
    CoderSpec("arithmetic", "exact integer arithmetic coder, pure Python, for teaching", "stream",
              ("precision", "adaptive"), default=True, per_position=True, adaptive=True, context=True,
              seconds_per_symbol=2e-6, compiled_seconds_per_symbol=1e-7),
    CoderSpec("rans", "readable rANS coder, pure Python, for teaching", "stream", ("precision",),
              default=True, seconds_per_symbol=6e-7, compiled_seconds_per_symbol=3e-8),
    CoderSpec("tans", "readable table ANS (FSE-style), pure Python, for teaching", "stream",
              ("table_log",), seconds_per_symbol=6e-7, compiled_seconds_per_symbol=3e-8),
    CoderSpec("range", "fast range coder (constriction's RangeEncoder)", "stream", ("precision",),
              default=True, per_position=True, context=True, compiled_seconds_per_symbol=3e-8),
    CoderSpec("ans", "fast ANS coder (constriction's AnsCoder)", "stream", ("precision",),
              default=True, per_position=True, context=True, compiled_seconds_per_symbol=3e-8),
    CoderSpec("tunstall", "Tunstall's variable-to-fixed code: words of q's symbols, each a "
              "fixed-length index", "variable-to-fixed", ("bits",), seconds_per_symbol=4e-6),
    CoderSpec("unary", "unary code for the integers (q sets the alphabet)", "integer"),
    CoderSpec("golomb", "Golomb's code (m fitted to q's mean when not given)", "integer", ("m",)),
    CoderSpec("rice", "Rice's code, Golomb with m = 2**k (k best for q when not given)", "integer",
              ("k",)),
    CoderSpec("elias_gamma", "Elias's gamma code (symbol s coded as s + 1)", "integer"),
    CoderSpec("elias_delta", "Elias's delta code (symbol s coded as s + 1)", "integer"),
    CoderSpec("elias_omega", "Elias's omega code (symbol s coded as s + 1)", "integer"),
    CoderSpec("lz77", "LZ77: a sliding window's matches and literals, Huffman-coded as deflate's "
              "(q sets the alphabet)", "universal", ("window",), seconds_per_symbol=2e-6,
              compiled_seconds_per_symbol=1.5e-6),
    CoderSpec("lz78", "LZ78: phrases (pointer, new symbol), the dictionary learned from the "
              "message (q sets the alphabet)", "universal", seconds_per_symbol=2e-6),
    CoderSpec("lzw", "LZW: codes of a dictionary grown from the message (q sets the alphabet)",
              "universal", seconds_per_symbol=2e-6),
)

_BY_NAME = {c.name: c for c in CODERS}


def names(**capabilities) -> tuple[str, ...]:
    """The coders with these capabilities or this family, in the registry's order.

    >>> names(family="stream")
    ('arithmetic', 'rans', 'tans', 'range', 'ans')
    >>> names(context=True)
    ('arithmetic', 'range', 'ans')
    """
    return tuple(c.name for c in CODERS
                 if all(getattr(c, key) == value for key, value in capabilities.items()))


def spec(name: str) -> CoderSpec:
    """The registry's entry for coder ``name`` (KeyError for an unknown name)."""
    return _BY_NAME[name]
