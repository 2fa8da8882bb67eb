"""Real texts that exist on every Python installation, and their symbol distributions.

No download: both texts ship with CPython's standard library.

* :func:`english_prose`: the Python Language Reference topics that ``help()`` shows, stored in
  the standard library as ``pydoc_data.topics`` (English technical prose, with some code).
* :func:`python_source`: the source code of a fixed list of pure-Python standard-library modules
  (:data:`SOURCE_MODULES`).

They differ a little between Python versions; the distributions are computed, never stored.
"""

from __future__ import annotations

import importlib.util
import string

import numpy as np

__all__ = ["english_prose", "python_source", "letter_distribution", "byte_distribution",
           "SOURCE_MODULES", "LETTERS"]

SOURCE_MODULES = ("argparse", "textwrap", "json.decoder", "json.encoder", "string", "difflib",
                  "fractions", "statistics", "calendar", "shlex")
LETTERS = string.ascii_lowercase


def english_prose() -> str:
    """The text of ``pydoc_data.topics`` (the Language Reference sections of ``help()``)."""
    from pydoc_data.topics import topics
    return "\n".join(topics[key] for key in sorted(topics))


def python_source() -> str:
    """The source of the standard-library modules in :data:`SOURCE_MODULES`."""
    parts = []
    for name in SOURCE_MODULES:
        spec = importlib.util.find_spec(name)
        with open(spec.origin, encoding="utf-8") as fh:
            parts.append(fh.read())
    return "\n".join(parts)


def letter_counts(text: str) -> np.ndarray:
    """Counts of the letters a..z in text, case folded (other characters ignored)."""
    data = np.frombuffer(text.lower().encode("ascii", "ignore"), dtype=np.uint8)
    return np.bincount(data, minlength=256)[ord("a"): ord("z") + 1]


def letter_distribution(text: str) -> np.ndarray:
    """Relative frequencies of a..z in text (26 entries)."""
    counts = letter_counts(text).astype(np.float64)
    return counts / counts.sum()


def byte_distribution(text: str, pseudocount: float = 0.0) -> np.ndarray:
    """Relative frequencies of the 256 byte values of the UTF-8 text (+ pseudocount each)."""
    counts = np.bincount(np.frombuffer(text.encode("utf-8"), dtype=np.uint8), minlength=256)
    counts = counts.astype(np.float64) + pseudocount
    return counts / counts.sum()


def letters_of(text: str) -> np.ndarray:
    """The text's letters a..z as symbols 0..25 (case folded, in order)."""
    data = np.frombuffer(text.lower().encode("ascii", "ignore"), dtype=np.uint8)
    data = data[(data >= ord("a")) & (data <= ord("z"))]
    return (data - ord("a")).astype(np.int64)
