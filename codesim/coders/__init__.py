"""The coders and their registry: ``make_coder(name, q, **options)``.

=============  ===============================================================  ===================
name           what it is                                                       options
=============  ===============================================================  ===================
huffman        Huffman's optimal prefix code for q (length-limited: package-    block, max_length
               merge)
shannon        Shannon's code, l = ceil(-log2 q)                                block
sfe            Shannon-Fano-Elias code from the cumulative distribution         block
fano           Fano's code: balanced splits of the sorted q (not always         block
               optimal)
arithmetic     exact integer arithmetic coder, pure Python, for teaching        precision, adaptive
rans           readable rANS coder, pure Python, for teaching                   precision
tans           readable table ANS (FSE-style), pure Python, for teaching        table_log
range          fast range coder (constriction's RangeEncoder)                   precision
ans            fast ANS coder (constriction's AnsCoder)                         precision
tunstall       Tunstall's variable-to-fixed code: words of q's symbols, each    bits
               a fixed-length index
unary          unary code for the integers (q sets the alphabet)
golomb         Golomb's code (m fitted to q's mean when not given)              m
rice           Rice's code, Golomb with m = 2**k (k best for q when not given)  k
elias_gamma    Elias's gamma code (symbol s coded as s + 1)
elias_delta    Elias's delta code (symbol s coded as s + 1)
elias_omega    Elias's omega code (symbol s coded as s + 1)
lz77           LZ77: a sliding window's matches and literals, Huffman-coded    window
               as deflate's (q sets the alphabet)
lz78           LZ78: phrases (pointer, new symbol), the dictionary learned
               from the message (q sets the alphabet)
lzw            LZW: codes of a dictionary grown from the message (q sets the
               alphabet)
=============  ===============================================================  ===================

The stream coders (arithmetic, rans, range, ans) also accept a 2-D q of shape (n, K): one
distribution per position of the message (range/ans/arithmetic).
"""

from __future__ import annotations

from ..errors import OptionError
from . import registry
from .base import Coder, Encoded, Overhead, as_symbols
from ..sources.labels import labels_of
from .huffman import HuffmanCoder, huffman_code_lengths
from .prefix import PrefixCode, PrefixCoder
from .shannon import SFECoder, ShannonCoder, sfe_codewords, shannon_code_lengths
from .arithmetic import ArithmeticCoder
from .constriction_coders import AnsCoder, RangeCoder
from .fano import FanoCoder
from .integer import EliasDeltaCoder, EliasGammaCoder, EliasOmegaCoder, GolombCoder, RiceCoder, UnaryCoder
from .rans import RansCoder
from .tans import TansCoder
from .tunstall import TunstallCoder
from .universal import LZ77Coder, LZ78Coder, LZWCoder

__all__ = ["Coder", "Encoded", "Overhead", "PrefixCode", "PrefixCoder", "make_coder", "available_coders",
           "huffman_code_lengths", "shannon_code_lengths", "sfe_codewords", "as_symbols",
           "PREFIX_CODERS", "STREAM_CODERS", "DESIGNED_PREFIX_CODERS", "DEFAULT_CODERS"]

#: the families and capabilities, from the registry (:mod:`codesim.coders.registry`)
PREFIX_CODERS = registry.names(family="prefix") + registry.names(family="integer")
#: the prefix codes built from q itself (the others are fixed codes for the integers)
DESIGNED_PREFIX_CODERS = registry.names(family="prefix")
STREAM_CODERS = registry.names(family="stream")
#: what compare, demo and sweep run when no coder is named: the codes a user builds for q
DEFAULT_CODERS = registry.names(default=True)

#: the class of each coder
CLASSES = {"huffman": HuffmanCoder, "shannon": ShannonCoder, "sfe": SFECoder, "fano": FanoCoder,
           "arithmetic": ArithmeticCoder, "rans": RansCoder, "tans": TansCoder,
           "range": RangeCoder, "ans": AnsCoder, "tunstall": TunstallCoder,
           "unary": UnaryCoder, "golomb": GolombCoder, "rice": RiceCoder,
           "elias_gamma": EliasGammaCoder, "elias_delta": EliasDeltaCoder,
           "elias_omega": EliasOmegaCoder, "lz77": LZ77Coder, "lz78": LZ78Coder, "lzw": LZWCoder}


def available_coders() -> list[str]:
    """Names accepted by :func:`make_coder`.

    >>> available_coders()      # doctest: +NORMALIZE_WHITESPACE
    ['huffman', 'shannon', 'sfe', 'fano', 'arithmetic', 'rans', 'tans', 'range', 'ans',
     'tunstall', 'unary', 'golomb', 'rice', 'elias_gamma', 'elias_delta', 'elias_omega',
     'lz77', 'lz78', 'lzw']
    """
    return list(registry.names())


def options_of(name: str) -> list[str]:
    """The options coder ``name`` accepts.

    >>> options_of("huffman")
    ['block', 'max_length']
    """
    return list(registry.spec(name).options)


def make_coder(name: str, q, **options) -> Coder:
    """Build the coder called ``name`` for the assumed distribution q.

    Raises OptionError for an unknown name or option, naming what is accepted. A labelled q
    (:func:`codesim.english`, :func:`codesim.labelled`) gives the coder its labels: its
    codebook and views show them.

    >>> make_coder("huffman", [0.5, 0.5]).lengths.tolist()
    [1, 1]
    >>> make_coder("zip", [1.0])
    Traceback (most recent call last):
    ...
    codesim.errors.OptionError: unknown coder 'zip'; available: huffman, shannon, sfe, fano, arithmetic, rans, tans, range, ans, tunstall, unary, golomb, rice, elias_gamma, elias_delta, elias_omega, lz77, lz78, lzw
    """
    if not isinstance(name, str) or name not in CLASSES:
        raise OptionError(f"unknown coder {name!r}; available: {', '.join(registry.names())}")
    accepted = registry.spec(name).options
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise OptionError(f"coder {name!r} has no option {unknown[0]!r}; its options: "
                          f"{', '.join(accepted) or 'none'}")
    coder = CLASSES[name](q, **options)
    labels = labels_of(q)
    if labels is not None and len(labels) == coder.alphabet_size:
        coder.labels = labels
    return coder
