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

from .labels import LETTERS, LabelledDistribution, fit_letters, letters_of

__all__ = ["english_prose", "python_source", "english", "letters_of", "SOURCE_MODULES", "LETTERS"]

SOURCE_MODULES = ("argparse", "textwrap", "json.decoder", "json.encoder", "string", "difflib",
                  "fractions", "statistics", "calendar", "shlex")


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


def english() -> LabelledDistribution:
    """The letter frequencies (a..z and space, labelled) of the English prose shipped with Python.

    >>> p = english()
    >>> p.labels[:3], p.labels[-1], round(float(p[26]), 1)
    (('a', 'b', 'c'), '␣', 0.2)
    """
    return fit_letters(english_prose())
