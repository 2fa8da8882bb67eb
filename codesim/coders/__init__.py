"""The coders and their registry: ``make_coder(name, q, **options)``.

=============  ===============================================================  ==========
name           what it is                                                       options
=============  ===============================================================  ==========
huffman        Huffman's optimal prefix code for q                              block
shannon        Shannon's code, l = ceil(-log2 q)                                block
sfe            Shannon-Fano-Elias code from the cumulative distribution         block
arithmetic     exact integer arithmetic coder, pure Python, for teaching        precision, adaptive
rans           readable rANS coder, pure Python, for teaching                   precision
range          fast range coder (constriction's RangeEncoder)                   precision
ans            fast ANS coder (constriction's AnsCoder)                         precision
=============  ===============================================================  ==========

The stream coders (arithmetic, rans, range, ans) also accept a 2-D q of shape (n, K): one
distribution per position of the message (range/ans/arithmetic).
"""

from __future__ import annotations

import functools
import inspect

from ..errors import OptionError
from .base import Coder, Encoded, Overhead, as_symbols
from .huffman import HuffmanCoder, huffman_code_lengths
from .prefix import PrefixCode, PrefixCoder
from .shannon import SFECoder, ShannonCoder, sfe_codewords, shannon_code_lengths

__all__ = ["Coder", "Encoded", "Overhead", "PrefixCode", "PrefixCoder", "make_coder", "available_coders",
           "huffman_code_lengths", "shannon_code_lengths", "sfe_codewords", "as_symbols",
           "PREFIX_CODERS", "STREAM_CODERS"]

PREFIX_CODERS = ("huffman", "shannon", "sfe")
STREAM_CODERS = ("arithmetic", "rans", "range", "ans")


def _registry() -> dict[str, type[Coder]]:
    from .arithmetic import ArithmeticCoder
    from .rans import RansCoder
    from .constriction_coders import AnsCoder, RangeCoder
    return {"huffman": HuffmanCoder, "shannon": ShannonCoder, "sfe": SFECoder,
            "arithmetic": ArithmeticCoder, "rans": RansCoder, "range": RangeCoder,
            "ans": AnsCoder}


def available_coders() -> list[str]:
    """Names accepted by :func:`make_coder`.

    >>> available_coders()
    ['huffman', 'shannon', 'sfe', 'arithmetic', 'rans', 'range', 'ans']
    """
    return list(_registry())


@functools.lru_cache(maxsize=None)
def _options_of(cls) -> list[str]:
    return [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "q")]


def make_coder(name: str, q, **options) -> Coder:
    """Build the coder called ``name`` for the assumed distribution q.

    Raises OptionError for an unknown name or option, naming what is accepted.

    >>> make_coder("huffman", [0.5, 0.5]).lengths.tolist()
    [1, 1]
    >>> make_coder("zip", [1.0])
    Traceback (most recent call last):
    ...
    codesim.errors.OptionError: unknown coder 'zip'; available: huffman, shannon, sfe, arithmetic, rans, range, ans
    """
    registry = _registry()
    if name not in registry:
        raise OptionError(f"unknown coder {name!r}; available: {', '.join(registry)}")
    cls = registry[name]
    accepted = _options_of(cls)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise OptionError(f"coder {name!r} has no option {unknown[0]!r}; its options: "
                          f"{', '.join(accepted) or 'none'}")
    return cls(q, **options)
