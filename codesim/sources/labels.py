"""Symbols with names: a distribution that says what its symbols stand for.

A code works on symbols 0..K-1; a class thinks in letters. A :class:`LabelledDistribution` is
a distribution (a 1-D float array, usable wherever one is) that also carries one label per
symbol. A coder built for it keeps the labels (``coder.labels``), and its codebook, its tables
and every view show them beside the symbol numbers.

Two alphabets are built in:

* :data:`LETTERS`, the 27 symbols of Shannon's experiments on printed English: the letters a..z
  and the space between words (symbol 26, shown as ``␣``). :func:`letters_of` turns text into
  these symbols (case folded; every run of other characters becomes one space);
* :data:`BYTES`, the 256 byte values, shown as the character where it is printable ASCII.

>>> p = labelled([0.5, 0.25, 0.25], ["x", "y", "z"])
>>> p.labels, float(p.sum())
(('x', 'y', 'z'), 1.0)
>>> letters_of("Hello, world!").tolist()
[7, 4, 11, 11, 14, 26, 22, 14, 17, 11, 3]
>>> text_of(letters_of("Hello, world!"))
'hello world'
"""

from __future__ import annotations

import string

import numpy as np

from ..errors import OptionError, SymbolError
from ..files import read_bounded
from ..limits import MESSAGE_BYTES
from ..tables import Table
from ..validate import as_pmf
from .distributions import fit

__all__ = ["LabelledDistribution", "labelled", "labels_of", "LETTERS", "LETTER_LABELS", "BYTES",
           "letters_of", "text_of", "read_letters", "fit_letters", "fit_bytes", "checked_labels",
           "with_labels"]

#: the letters alphabet as text: symbol s is LETTERS[s] (a..z, then the space)
LETTERS = string.ascii_lowercase + " "
#: how the letters are shown: the space as an open box, visible in tables and plots
LETTER_LABELS = tuple(string.ascii_lowercase) + ("␣",)
_ESCAPES = {9: "\\t", 10: "\\n", 13: "\\r", 32: "␣"}
#: the 256 byte values, printable ASCII as itself
BYTES = tuple(_ESCAPES.get(b, chr(b) if 33 <= b < 127 else f"\\x{b:02x}") for b in range(256))


class LabelledDistribution(np.ndarray):
    """A distribution whose symbols have names (``.labels``, one per symbol).

    It is an ordinary float array to every function that takes a distribution; arithmetic on
    it gives plain arrays (the labels belong to this distribution, not to numbers computed
    from it)."""

    labels: tuple | None

    def __new__(cls, p, labels, name: str = "p"):
        pmf = as_pmf(p, name)
        self = pmf.view(cls)
        self.labels = checked_labels(labels, pmf.size)
        return self

    def __array_finalize__(self, obj):
        same = obj is not None and getattr(obj, "shape", None) == self.shape
        self.labels = getattr(obj, "labels", None) if same else None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(x) if isinstance(x, LabelledDistribution) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(x) if isinstance(x, LabelledDistribution) else x
                                  for x in kwargs["out"])
        return getattr(ufunc, method)(*plain, **kwargs)

    def __reduce__(self):
        return (_rebuild, (np.asarray(self).copy(), self.labels))

    def __repr__(self) -> str:
        shown = ", ".join(f"{label!r}: {float(v):.4g}"
                          for label, v in zip(self.labels[:8], np.asarray(self)[:8]))
        more = f", ... {self.size - 8} more" if self.size > 8 else ""
        return f"LabelledDistribution({{{shown}{more}}})"

    def _repr_html_(self) -> str:
        """In a notebook: a table of label and probability."""
        return Table({"symbol": s, "label": label, "p": float(v)}
                     for s, (label, v) in enumerate(zip(self.labels, np.asarray(self))))._repr_html_()


def _rebuild(values, labels):
    return LabelledDistribution(values, labels) if labels is not None else values


def labelled(p, labels, name: str = "p") -> LabelledDistribution:
    """p (validated, never renormalised) with a label for each symbol.

    >>> labelled([0.5, 0.5], "hd").labels
    ('h', 'd')
    >>> labelled([0.5, 0.5], "abc")
    Traceback (most recent call last):
    ...
    codesim.errors.OptionError: labels must name each of the 2 symbols, got 3 labels
    """
    return LabelledDistribution(p, labels, name)


def checked_labels(labels, size: int) -> tuple:
    """The labels as a tuple of strings, one per symbol (OptionError otherwise)."""
    try:
        values = tuple(str(label) for label in labels)
    except TypeError:
        raise OptionError(f"labels must be a sequence of {size} names, got {labels!r:.60}") from None
    if len(values) != size:
        raise OptionError(f"labels must name each of the {size} symbols, got {len(values)} labels")
    return values


def labels_of(*things) -> tuple | None:
    """The labels of the first of ``things`` that has them: a labelled distribution, or a coder
    built for one (None when none has)."""
    for thing in things:
        labels = getattr(thing, "labels", None)
        if labels is not None:
            return tuple(labels)
    return None


def letters_of(text: str) -> np.ndarray:
    """Text as letter symbols 0..26 (:data:`LETTERS`): letters case folded, every run of other
    characters one space, none at either end.

    >>> letters_of("a b").tolist()
    [0, 26, 1]
    """
    if not isinstance(text, str):
        raise SymbolError(f"letters_of takes text (a str), got {type(text).__name__}")
    data = np.frombuffer(text.lower().encode("utf-8"), dtype=np.uint8)
    letter = (data >= ord("a")) & (data <= ord("z"))
    # a letter, or the first non-letter after a letter that another letter follows
    starts_gap = ~letter & np.concatenate(([False], letter[:-1]))
    keep = letter | starts_gap
    symbols = np.where(letter, data.astype(np.int64) - ord("a"), 26)[keep]
    while symbols.size and symbols[-1] == 26:        # no space at the end
        symbols = symbols[:-1]
    return symbols


def text_of(symbols) -> str:
    """Letter symbols 0..26 back as text (SymbolError for any other symbol).

    >>> text_of([7, 8])
    'hi'
    """
    x = np.asarray(symbols)
    if x.size and x.dtype.kind not in "iu":
        raise SymbolError(f"letter symbols are whole numbers 0..26, got {x.dtype} values")
    if x.size and (x.min() < 0 or x.max() > 26):
        bad = int(x[(x < 0) | (x > 26)][0])
        raise SymbolError(f"symbol {bad} is not a letter: the letters are symbols 0..26 (a..z, space)")
    return "".join(LETTERS[s] for s in x.tolist())


def fit_letters(text, alpha: float = 0.0) -> LabelledDistribution:
    """The frequencies of the 27 letters in text (or in letter symbols 0..26), ``alpha`` added
    to each count (1: Laplace's rule, so that a letter the text lacks stays codable), labelled.

    >>> fit_letters("abba").labels[:2], fit_letters("abba")[:2].tolist()
    (('a', 'b'), [0.5, 0.5])
    """
    symbols = letters_of(text) if isinstance(text, str) else text
    return labelled(fit(symbols, len(LETTERS), alpha), LETTER_LABELS)


def fit_bytes(data, alpha: float = 0.0) -> LabelledDistribution:
    """The frequencies of the 256 byte values of data (bytes, or text as UTF-8), ``alpha``
    added to each count, labelled with the bytes.

    >>> q = fit_bytes("aab", alpha=1)
    >>> q.labels[97], round(float(q[97]), 4)
    ('a', 0.0116)
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return labelled(fit(np.frombuffer(raw, dtype=np.uint8).astype(np.int64), 256, alpha), BYTES)


def read_letters(path, bytes_per_symbol: float = MESSAGE_BYTES) -> tuple[np.ndarray, bool]:
    """(symbols, reduced): a UTF-8 text file as letter symbols (:func:`letters_of`), and whether
    that changed its text (capitals, punctuation, digits, line breaks; a last line break
    does not count). The file must fit the memory budget."""
    data = read_bounded(str(path), bytes_per_symbol, "a text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SymbolError(f"{path} is not UTF-8 text: to code its raw bytes, use --bytes") from None
    symbols = letters_of(text)
    return symbols, text_of(symbols) != text.removesuffix("\n")


def with_labels(rows, labels):
    """Table rows with each symbol's label beside its number (the rows unchanged without labels).

    >>> with_labels([{"symbol": 1, "q": 0.5}], ("a", "b"))
    [{'symbol': 1, 'label': 'b', 'q': 0.5}]
    """
    if labels is None:
        return rows
    return type(rows)({"symbol": r["symbol"], "label": labels[r["symbol"]],
                       **{k: v for k, v in r.items() if k != "symbol"}} for r in rows)
