"""Reading distributions from the command line and spec files.

A distribution is given as one of:

* a comma list of probabilities: ``0.5,0.25,0.125,0.125``;
* a named family: ``uniform:K``, ``zipf:K:S``, ``geometric:K:R``, ``dirichlet:K:ALPHA:SEED``;
* a named real text (letters a..z): ``english`` (stdlib prose), ``python`` (stdlib source);
* a file: ``.json`` (a list of numbers) or ``.npy`` (a 1-D array).
"""

from __future__ import annotations

import json
import os

import numpy as np

from . import distributions as d
from ..errors import DistributionError
from ..files import load_npy
from . import corpora as texts
from .corpora import LETTERS

__all__ = ["parse_distribution", "symbol_labels", "FAMILIES"]

#: family name -> (constructor, parameter types, usage)
FAMILIES = {
    "uniform": (d.uniform, (int,), "uniform:K"),
    "zipf": (d.zipf, (int, float), "zipf:K:S"),
    "geometric": (d.geometric, (int, float), "geometric:K:R"),
    "dirichlet": (d.dirichlet, (int, float, int), "dirichlet:K:ALPHA:SEED"),
}


def _texts():
    return {"english": lambda: texts.letter_distribution(texts.english_prose()),
            "python": lambda: texts.letter_distribution(texts.python_source())}


def parse_distribution(text: str, name: str = "p") -> np.ndarray:
    """Parse a distribution spec (see the module docstring) and validate it.

    >>> parse_distribution("uniform:4").tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> parse_distribution("0.5,0.5").tolist()
    [0.5, 0.5]
    >>> parse_distribution("zipf:4")
    Traceback (most recent call last):
    ...
    codesim.errors.DistributionError: p: 'zipf:4' needs 2 parameters (zipf:K:S)
    """
    text = str(text).strip()
    if text.endswith((".json", ".npy")):
        return _from_file(text, name)
    head, *params = text.split(":")
    if head in FAMILIES:
        build, types, usage = FAMILIES[head]
        if len(params) != len(types):
            raise DistributionError(f"{name}: {text!r} needs {len(types)} parameter"
                                    f"{'s' if len(types) > 1 else ''} ({usage})")
        try:
            values = [t(v) for t, v in zip(types, params)]
        except ValueError:
            raise DistributionError(f"{name}: cannot read the parameters of {text!r}") from None
        return d.checked_pmf(build(*values), name)
    texts = _texts()
    if text in texts:
        return texts[text]()
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise DistributionError(
            f"{name}: cannot read {text!r}: give a comma list (0.5,0.5), a family "
            f"({', '.join(f'{k}:...' for k in FAMILIES)}), {' or '.join(texts)}, "
            "or a .json/.npy file") from None
    return d.checked_pmf(values, name)


def symbol_labels(text: str) -> list[str] | None:
    """What the symbols of a named distribution stand for: the letters a..z of ``english`` and
    ``python`` (None for distributions over plain symbol numbers).

    >>> symbol_labels("english")[:3], symbol_labels("uniform:3")
    (['a', 'b', 'c'], None)
    """
    return list(LETTERS) if str(text).strip() in _texts() else None


def _from_file(path: str, name: str) -> np.ndarray:
    if not os.path.exists(path):
        raise DistributionError(f"{name}: no such file {path!r}")
    try:
        if path.endswith(".npy"):
            with open(path, "rb") as fh:
                data = fh.read()
        else:
            with open(path, encoding="utf-8") as fh:
                values = json.load(fh)
    except (OSError, ValueError) as err:
        raise DistributionError(f"{name}: cannot read {path!r}: {err}") from None
    if path.endswith(".npy"):
        values = load_npy(data, f"{name}: {path}", DistributionError)
    return d.checked_pmf(values, f"{name} (from {path})")
