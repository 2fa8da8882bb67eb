"""What a text costs under context models of order 0..J, each measured by a real encode and
decode, beside the general-purpose compressors zlib, bz2 and lzma on the same bytes.

:func:`text_costs` is what ``codesim text FILE`` prints.  Symbols are the file's bytes
(K = 256), or its letters a..z and the space between words (case folded, every run of other
characters one space, K = 27).  Models:

* ``kt``, ``laplace`` -- adaptive context models learned from the text as it is coded (no
  training, nothing else to send: the bits are the whole description);
* ``ppm`` -- PPM with escape method D and exclusion (:mod:`codesim.models.ppm`), learned from
  the text as it is coded; beside each of its orders, pyppmd's PPMd (variant H, the real
  library: ``pip install "codesim[ppmd]"``) at the same order, measured in the same run;
* ``ctw`` -- context tree weighting (:mod:`codesim.models.ctw`) on the bits of the bytes (each
  byte's 8 bits, most significant first), order j reading the last 8 j bits (orders 1 to
  CTW_MAX_ORDER); its bits per symbol are per byte;
* ``fixed`` -- counts fitted with add-alpha smoothing (default 1/2) on a training text
  (``train``) and then held fixed; without one, fitted on the text itself (labelled so): its
  cost is *not* the text's empirical conditional entropy, since add-alpha smoothing over K
  symbols spreads mass over every unseen symbol (order 2 over bytes on 3000 bytes: 14,196 bits
  against 4,813), and the model's own description is not counted.  The empirical conditional
  entropy itself, sum over contexts of n_c H(counts_c / n_c), is a theory row of its own
  (``model`` = ``empirical H``, for every order that codes a fixed model).

Every row's ``bits`` come from the arithmetic coder and are decoded back; ``ideal_bits`` is the
model's own code length (exact: count models give integer frequencies).  A compressor's row has
``model`` = its name, ``bits`` = 8 x its output's bytes, and no ideal length; lzma's row is raw
LZMA2 (no .xz container: about 57 bytes of headers and checks that no other row pays).  The
universal codes LZ78 and LZW (:mod:`codesim.coders.universal`, written out to read) have rows of
their own, their bits exact and decoded back.

Every order is checked, and the memory of its counts estimated, before any coding; Ctrl-C
raises :class:`TextInterrupted` holding the rows finished so far.
"""

from __future__ import annotations

import bz2
import lzma
import math
import zlib

import numpy as np

from ..coders import make_coder
from ..coders.context import ContextCoder
from ..models.ctw import CTWModel
from ..models.ppm import PPMModel
from ..sources.distributions import uniform
from ..limits import require_memory
from ..models.context import AdaptiveContextModel, ContextModel, fit_context_model
from ..errors import DecodeError, OptionError
from .roundtrip import checked_round_trip
from ..models.context import _alpha
from ..sources.labels import LETTERS, letters_of

__all__ = ["text_costs", "text_symbols", "empirical_conditional_entropy", "TextInterrupted",
           "MODELS", "MAX_SYMBOLS"]

MODELS = ("kt", "laplace", "fixed", "ppm", "ctw")
#: CTW codes the bits of the bytes: order j reads 8 j bits, up to this order
CTW_MAX_ORDER = 3
#: the pure-Python coder codes at most this many symbols per model (about 5 us each)
MAX_SYMBOLS = 2_000_000
#: raw LZMA2 at its strongest preset: the compressed stream alone, as zlib's and bz2's rows
LZMA_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}]
COMPRESSORS = {"zlib": (lambda b: zlib.compress(b, 9), zlib.decompress),
               "bz2": (lambda b: bz2.compress(b, 9), bz2.decompress),
               "lzma": (lambda b: lzma.compress(b, format=lzma.FORMAT_RAW, filters=LZMA_FILTERS),
                        lambda b: lzma.decompress(b, format=lzma.FORMAT_RAW, filters=LZMA_FILTERS))}
#: memory of one context's counts, per symbol of the alphabet (an int64 row and its dict entry)
COUNT_BYTES = 12
#: the universal codes given rows of their own
UNIVERSAL = ("lz77", "lz78", "lzw")
#: pyppmd's model memory (its own default is 16 MiB)
PPMD_MEMORY = 16 << 20


class TextInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`text_costs`: ``rows`` holds the rows finished before it."""

    def __init__(self, rows):
        super().__init__(f"text interrupted: {len(rows)} rows finished")
        self.rows = rows


def empirical_conditional_entropy(x: np.ndarray, order: int, alphabet_size: int) -> float:
    """sum over contexts c of n_c H(counts_c / n_c), in bits: the text's own conditional
    entropy of order ``order`` (contexts padded with 0 at the start, as the models read them).

    In 0 1 0 1 0 1, context 0 (the padding before the start, then each 0) is followed by
    0, 1, 1, 1 and context 1 by 0, 0: 4 h(1/4) + 0 bits.

    >>> round(empirical_conditional_entropy(np.array([0, 1, 0, 1, 0, 1]), 1, 2), 4)
    3.2451
    """
    return fit_context_model(x, order, alphabet_size).empirical_bits()


def text_symbols(data: bytes, letters: bool) -> tuple[np.ndarray, int]:
    """(symbols, K): the bytes (K = 256), or the letters a..z and space (K = 27, see
    :func:`~codesim.sources.labels.letters_of`)."""
    if letters:
        return letters_of(data.decode("utf-8", errors="replace")), len(LETTERS)
    return np.frombuffer(data, dtype=np.uint8).astype(np.int64), 256


def text_costs(data: bytes, orders=range(0, 4), models=("kt",), train: bytes | None = None,
               letters: bool = False, progress=None, alpha=0.5) -> list[dict]:
    """Rows (order, model, bits, bits_per_symbol, ideal_bits, coder) for every (order, model),
    then one row per compressor.

    >>> rows = text_costs(b"abracadabra " * 20, orders=[0, 2], models=["kt"], letters=True)
    >>> [(r["order"], r["model"], r["bits"]) for r in rows[:2]]     # 200 letters, 19 spaces
    [(0, 'kt', 617), (2, 'kt', 362)]
    >>> [r["model"] for r in rows[2:]]
    ['lz77', 'lz78', 'lzw', 'zlib', 'bz2', 'lzma']
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
    orders = list(orders)
    for order in orders:                       # every order named before any coding
        ContextModel(order, size)
        seen = min(max(x.size, 0 if training is None else training.size), size ** order)
        require_memory(COUNT_BYTES * size * seen, f"the counts of up to {seen} contexts of order "
                       f"{order} over {size} symbols")
    per = (lambda v: v / x.size) if x.size else (lambda v: math.nan)
    rows = []
    try:
        for order in orders:
            rows += _order_rows(x, size, order, models, training, alpha, progress, per)
    except KeyboardInterrupt:
        raise TextInterrupted(rows) from None
    raw = bytes(x.astype(np.uint8)) if letters else data
    for name in UNIVERSAL:
        coder = make_coder(name, uniform(size))
        encoded, _, _ = checked_round_trip(coder, x)
        rows.append({"order": None, "model": name, "bits": int(encoded.num_bits),
                     "bits_per_symbol": per(encoded.num_bits), "ideal_bits": None, "coder": name})
    for name, (compress, decompress) in COMPRESSORS.items():
        packed = compress(raw)
        if decompress(packed) != raw:
            raise DecodeError(f"{name} did not give the text back")
        rows.append({"order": None, "model": name, "bits": 8 * len(packed),
                     "bits_per_symbol": per(8 * len(packed)), "ideal_bits": None,
                     "coder": name})
    return rows


def _ctw_row(x, size, order, per, progress) -> list[dict]:
    """CTW of depth 8 * order on the bits of the symbols (bytes), coded and decoded back; no row
    for order 0 or beyond CTW_MAX_ORDER, nor for letters (not whole bytes)."""
    if size != 256 or not 1 <= order <= CTW_MAX_ORDER:
        return []
    bits = np.unpackbits(x.astype(np.uint8)).astype(np.int64)
    coder = ContextCoder("arithmetic", CTWModel(8 * order))
    encoded, _, _ = checked_round_trip(coder, bits)
    if progress is not None:
        print(f"text: order {order} ctw: {per(encoded.num_bits):.4f} bits/symbol", file=progress)
    return [{"order": order, "model": f"ctw (bits, depth {8 * order})", "bits": int(encoded.num_bits),
             "bits_per_symbol": per(encoded.num_bits), "ideal_bits": coder.code_length(bits),
             "coder": "arithmetic"}]


def _pyppmd_row(x, order, per) -> list[dict]:
    """pyppmd's PPMd (variant H) at ``order`` on the same symbols (as bytes), decoded back; no
    row where pyppmd is not installed."""
    try:
        import pyppmd
    except ImportError:
        return []
    raw = bytes(x.astype(np.uint8))
    packed = pyppmd.compress(raw, max_order=order, mem_size=PPMD_MEMORY)
    if pyppmd.decompress(packed, max_order=order, mem_size=PPMD_MEMORY) != raw:
        raise DecodeError("pyppmd did not give the text back")
    return [{"order": order, "model": "pyppmd (PPMd H)", "bits": 8 * len(packed),
             "bits_per_symbol": per(8 * len(packed)), "ideal_bits": None, "coder": "pyppmd"}]


def _order_rows(x, size, order, models, training, alpha, progress, per) -> list[dict]:
    """The rows of one order: each model coded and decoded, and the empirical entropy."""
    rows, own = [], None
    for name in models:
        if name == "ctw":
            rows += _ctw_row(x, size, order, per, progress)
            continue
        if name == "fixed":
            model = fit_context_model(training if training is not None else x, order, size, alpha)
            own = model if training is None else None
            label = "fixed" if training is not None else "fixed (fitted on this text; model not counted)"
        elif name == "ppm":
            model, label = PPMModel(size, order, "D", exclusion=True), "ppm (D, exclusion)"
        else:
            model, label = AdaptiveContextModel(size, order, name), name
        coder = ContextCoder("arithmetic", model)
        encoded, _, _ = checked_round_trip(coder, x)
        rows.append({"order": order, "model": label, "bits": int(encoded.num_bits),
                     "bits_per_symbol": per(encoded.num_bits),
                     "ideal_bits": coder.code_length(x), "coder": "arithmetic"})
        if progress is not None:
            print(f"text: order {order} {label}: {per(encoded.num_bits):.4f} bits/symbol",
                  file=progress)
        if name == "ppm" and order >= 2:
            rows += _pyppmd_row(x, order, per)
    if own is not None:                        # fitted on this text: its counts are the text's
        bits = own.empirical_bits()
        rows.append({"order": order, "model": "empirical H", "bits": bits,
                     "bits_per_symbol": per(bits), "ideal_bits": bits, "coder": "theory"})
    return rows
