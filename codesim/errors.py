"""Errors raised by codesim.

Every error a user can provoke is a :class:`CodesimError`.  The children are also
:class:`ValueError`, so ``except ValueError`` keeps working for code that does not
know codesim.  Messages name the offending entry ("p[3] = -0.1 is negative").
"""

from __future__ import annotations


class CodesimError(Exception):
    """Base class of every error codesim raises on purpose."""


class DistributionError(CodesimError, ValueError):
    """A probability vector is not a valid distribution (or two do not match)."""


class SupportError(CodesimError, ValueError):
    """A symbol has probability zero under the model: no codeword can describe it.

    Attributes
    ----------
    symbol : int
        The symbol that the model rules out.
    position : int or None
        Its first position in the message, when a message is being coded.
    """

    def __init__(self, message: str, symbol: int | None = None, position: int | None = None):
        super().__init__(message)
        self.symbol = symbol
        self.position = position


class DecodeError(CodesimError, ValueError):
    """An encoded message is damaged, truncated, or was made with another model."""


class SymbolError(CodesimError, ValueError):
    """A message holds something that is not a symbol 0..K-1 of the alphabet."""


class OptionError(CodesimError, ValueError):
    """An unknown coder name, an unknown option, or an option value out of range."""


class ResourceLimitError(OptionError):
    """A size that would take more memory (or processes) than codesim's budget allows."""


class SpecError(CodesimError, ValueError):
    """A regression-check spec file is malformed (names the file, case and key)."""


def a(noun: str) -> str:
    """``noun`` after the article it is read with: a coder's name in a message.

    >>> a("huffman"), a("ans"), a("unary"), a("elias_gamma")
    ('a huffman', 'an ans', 'a unary', 'an elias_gamma')
    """
    return ("an " if noun[:1] in "aeio" else "a ") + noun
