"""Reading distributions from the command line and spec files.

A distribution is given as one of:

* a comma list of probabilities: ``0.5,0.25,0.125,0.125``;
* a named family: ``uniform:K``, ``zipf:K:S``, ``geometric:K:R``, ``dirichlet:K:ALPHA:SEED``;
* a named real text (the letters a..z and space, labelled): ``english`` (stdlib prose),
  ``python`` (stdlib source);
* a file: ``.json`` (a list of numbers) or ``.npy`` (a 1-D array);
* counts, each over their sum: ``counts:30,30,40``;
* fitted to a message's symbol counts: ``fit:FILE`` (whitespace-separated integers, or a
  ``.npy`` of them), ``fit:FILE:K`` over K symbols, ``fit:FILE:K:ALPHA`` with ALPHA added to
  every count (unseen symbols stay codable: 1 is Laplace's rule, 0.5 KT's); ``fit-bytes:FILE``
  and ``fit-bytes:FILE:ALPHA`` over the 256 byte values of a file's raw bytes (labelled);
  ``fit-letters:FILE[:ALPHA]`` over the 27 letters of a UTF-8 text file (labelled).
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from . import distributions as d
from ..errors import DistributionError, SymbolError
from ..files import load_npy, read_bounded, read_symbols
from ..limits import MESSAGE_BYTES
from . import corpora as texts
from .labels import fit_bytes, fit_letters, read_letters

__all__ = ["parse_distribution", "FAMILIES"]

#: family name -> (constructor, parameter types, usage)
FAMILIES = {
    "uniform": (d.uniform, (int,), "uniform:K"),
    "zipf": (d.zipf, (int, float), "zipf:K:S"),
    "geometric": (d.geometric, (int, float), "geometric:K:R"),
    "dirichlet": (d.dirichlet, (int, float, int), "dirichlet:K:ALPHA:SEED"),
}


def _texts():
    return {"english": texts.english,
            "python": lambda: fit_letters(texts.python_source())}


def parse_distribution(text: str, name: str = "p", smooth: float | None = None) -> np.ndarray:
    """Parse a distribution spec (see the module docstring) and validate it.

    ``smooth`` (``--smooth`` on the command line) adds that much to every count of a
    distribution made from counts (``counts:``, ``fit:``, ``fit-bytes:``, ``fit-letters:``), so
    that symbols the counts never saw stay codable; it is refused for any other spec.

    >>> parse_distribution("uniform:4").tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> parse_distribution("0.5,0.5").tolist()
    [0.5, 0.5]
    >>> parse_distribution("counts:3,0,1", smooth=1).tolist()
    [0.5714285714285714, 0.14285714285714285, 0.2857142857142857]
    >>> parse_distribution("zipf:4")
    Traceback (most recent call last):
    ...
    codesim.errors.DistributionError: p: 'zipf:4' needs 2 parameters (zipf:K:S)
    """
    text = str(text).strip()
    head, _, rest = text.partition(":")
    if head == "counts":
        try:
            values = [float(v) for v in rest.split(",")]
        except ValueError:
            raise DistributionError(f"{name}: cannot read the counts of {text!r} (counts:30,30,40)") from None
        counted = d.from_counts(values, name)
        return counted if smooth is None else d.normalize(np.array(values) + _smoothing(smooth, name))
    if head in ("fit", "fit-bytes", "fit-letters"):
        return _fitted(head, rest, name, smooth)
    if smooth is not None:
        raise DistributionError(f"{name}: --smooth adds to counts, and {text!r} is not made of counts "
                                "(counts:C,C,..., fit:FILE, fit-bytes:FILE, fit-letters:FILE)")
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
            "counts:C,C,..., fit:FILE, or a .json/.npy file") from None
    return d.checked_pmf(values, name)


def _smoothing(smooth, name: str) -> float:
    """The --smooth amount: a finite number >= 0."""
    if not d.is_number(smooth) or not 0 <= float(smooth) < math.inf:
        raise DistributionError(f"{name}: --smooth must be a number >= 0, got {smooth!r}")
    return float(smooth)


def _fitted(head: str, rest: str, name: str, smooth: float | None = None) -> np.ndarray:
    """``fit:FILE[:K[:ALPHA]]``, ``fit-bytes:FILE[:ALPHA]`` or ``fit-letters:FILE[:ALPHA]`` (see
    the module docstring)."""
    counted = head == "fit"
    usage = f"{head}:FILE:K:ALPHA" if counted else f"{head}:FILE:ALPHA"
    path, *params = ([rest] if os.path.exists(rest) else rest.rsplit(":", 2 if counted else 1)) if rest else [""]
    if not path:
        raise DistributionError(f"{name}: {head}: needs a file, e.g. {head}:message.txt")
    try:
        numbers = [float(v) for v in params]
    except ValueError:
        raise DistributionError(f"{name}: cannot read the parameters of {head}:{rest!r} ({usage})") from None
    if not os.path.exists(path):
        raise DistributionError(f"{name}: no such file {path!r}")
    given = len(numbers) > (1 if counted else 0)          # the spec's own ALPHA
    if smooth is not None:
        if given:
            raise DistributionError(f"{name}: {head}:{rest} gives its smoothing, and --smooth another: "
                                    "give it once")
        numbers = ([numbers[0] if numbers else None] if counted else []) + [_smoothing(smooth, name)]
    try:
        if head == "fit-letters":
            return fit_letters(read_letters(path)[0], numbers[0] if numbers else 0.0)
        if head == "fit-bytes":
            return fit_bytes(read_bounded(path, MESSAGE_BYTES, "a message"), numbers[0] if numbers else 0.0)
        symbols = read_symbols(path, as_bytes=False)
    except SymbolError as err:
        raise DistributionError(f"{name}: {str(err).replace('--bytes', 'fit-bytes:FILE')}") from None
    k = numbers[0] if numbers else None
    return d.fit(symbols, int(k) if k is not None and k == int(k) else k,
                 numbers[1] if len(numbers) > 1 else 0.0)


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
