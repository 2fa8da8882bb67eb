"""What a text costs under context models of order 0..J, each measured by a real encode and
decode, beside the general-purpose compressors zlib, bz2 and lzma on the same bytes.

:func:`text_costs` is what ``codesim text FILE`` prints.  Symbols are the file's bytes
(K = 256), or its letters a..z (case folded, other characters dropped, K = 26).  Models:

* ``kt``, ``laplace`` -- adaptive context models learned from the text as it is coded (no
  training, nothing else to send: the bits are the whole description);
* ``fixed`` -- counts fitted with add-alpha smoothing (default 1/2) on a training text (``train``) and then
  held fixed; without one, fitted on the text itself, which is then the text's empirical
  conditional entropy *without* the cost of sending the model (labelled so).

Every row's ``bits`` come from the arithmetic coder and are decoded back; ``ideal_bits`` is the
model's own code length (exact: count models give integer frequencies).  A compressor's row has
``model`` = its name, ``bits`` = 8 x its output's bytes, and no ideal length.
"""

from __future__ import annotations

import bz2
import lzma
import zlib

import numpy as np

from ..coders.context import ContextCoder
from ..models.context import AdaptiveContextModel, fit_context_model
from ..errors import DecodeError, OptionError
from .roundtrip import checked_round_trip
from ..models.context import _alpha
from ..sources.corpora import letters_of

__all__ = ["text_costs", "text_symbols", "MODELS", "MAX_SYMBOLS"]

MODELS = ("kt", "laplace", "fixed")
#: the pure-Python coder codes at most this many symbols per model (about 5 us each)
MAX_SYMBOLS = 2_000_000
COMPRESSORS = {"zlib": (lambda b: zlib.compress(b, 9), zlib.decompress),
               "bz2": (lambda b: bz2.compress(b, 9), bz2.decompress),
               "lzma": (lambda b: lzma.compress(b, preset=9 | lzma.PRESET_EXTREME), lzma.decompress)}


def text_symbols(data: bytes, letters: bool) -> tuple[np.ndarray, int]:
    """(symbols, K): the bytes (K = 256), or the letters a..z case folded (K = 26)."""
    if letters:
        return letters_of(data.decode("utf-8", errors="replace")).astype(np.int64), 26
    return np.frombuffer(data, dtype=np.uint8).astype(np.int64), 256


def text_costs(data: bytes, orders=range(0, 4), models=("kt",), train: bytes | None = None,
               letters: bool = False, progress=None, alpha=0.5) -> list[dict]:
    """Rows (order, model, bits, bits_per_symbol, ideal_bits, coder) for every (order, model),
    then one row per compressor.

    >>> rows = text_costs(b"abracadabra " * 20, orders=[0, 2], models=["kt"], letters=True)
    >>> [(r["order"], r["model"], r["bits"]) for r in rows[:2]]     # 200 letters
    [(0, 'kt', 518), (2, 'kt', 322)]
    >>> [r["model"] for r in rows[2:]]
    ['zlib', 'bz2', 'lzma']
    """
    x, size = text_symbols(data, letters)
    if x.size > MAX_SYMBOLS:
        raise OptionError(f"the text has {x.size} symbols; the pure-Python coder codes at most "
                          f"{MAX_SYMBOLS} per model (code a part of the file)")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise OptionError(f"unknown model {unknown[0]!r}; models: {', '.join(MODELS)}")
    if "fixed" in models:
        _alpha(alpha)                          # a bad alpha is named before any coding
    training = text_symbols(train, letters)[0] if train is not None else None
    rows = []
    for order in orders:
        for name in models:
            if name == "fixed":
                model = fit_context_model(training if training is not None else x, order, size, alpha)
                label = "fixed" if training is not None else "fixed (fitted on this text; model not counted)"
            else:
                model, label = AdaptiveContextModel(size, order, name), name
            coder = ContextCoder("arithmetic", model)
            encoded, _, _ = checked_round_trip(coder, x)
            ideal = coder.code_length(x)
            rows.append({"order": order, "model": label, "bits": int(encoded.num_bits),
                         "bits_per_symbol": encoded.num_bits / max(x.size, 1),
                         "ideal_bits": ideal, "coder": "arithmetic"})
            if progress is not None:
                print(f"text: order {order} {label}: {encoded.num_bits / max(x.size, 1):.4f} "
                      "bits/symbol", file=progress)
    raw = bytes(x.astype(np.uint8)) if letters else data
    for name, (compress, decompress) in COMPRESSORS.items():
        packed = compress(raw)
        if decompress(packed) != raw:
            raise DecodeError(f"{name} did not give the text back")
        rows.append({"order": None, "model": name, "bits": 8 * len(packed),
                     "bits_per_symbol": 8 * len(packed) / max(x.size, 1), "ideal_bits": None,
                     "coder": name})
    return rows
