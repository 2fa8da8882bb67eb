"""Resource limits: every size a user can type is served in bounded memory, or refused up front.

codesim estimates what a call will allocate *before* allocating it, and refuses (with a
:class:`~codesim.errors.ResourceLimitError` that names the size, the estimate, the budget and
how to raise it) anything over its memory budget: 4 GiB by default, or the ``CODESIM_MEMORY``
environment variable (``8G``, ``512M``, or bytes).  The estimates are per element, measured on
this implementation (peak resident memory over the interpreter's own):

======================  ==========================================================
what                    bytes per element
======================  ==========================================================
a distribution          ``DISTRIBUTION_BYTES`` per entry (the array and temporaries)
a prefix code           ``PREFIX_CODE_BYTES`` per symbol (Huffman at K = 2**20: 200;
                        SFE: 370; the decoding tables are built on first decode)
a stream coder's model  ``STREAM_MODEL_BYTES`` per symbol (cumulative lists of ints)
a message in memory     ``MESSAGE_BYTES`` per symbol (the sample, its encoding, its
                        decoding and the encoders' temporaries); a coder may state
                        more (``Coder.bytes_per_symbol``: 160 for the pure-Python
                        arithmetic coder's lists)
======================  ==========================================================
"""

from __future__ import annotations

import functools
import os
import re

from .errors import ResourceLimitError

__all__ = ["memory_budget", "require_memory", "require_symbols", "MAX_SYMBOLS", "DISTRIBUTION_BYTES", "PREFIX_CODE_BYTES",
           "STREAM_MODEL_BYTES", "MESSAGE_BYTES", "DEFAULT_BUDGET", "MAX_WORKERS_PER_CORE"]

DEFAULT_BUDGET = 4 << 30
DISTRIBUTION_BYTES = 32
PREFIX_CODE_BYTES = 512
STREAM_MODEL_BYTES = 128
MESSAGE_BYTES = 48
#: worker processes allowed per core (a sweep's processes each hold their own samples)
MAX_WORKERS_PER_CORE = 4
#: symbols one run codes at the most (about a day at 10**7 symbols per second): beyond, a run
#: could not finish, which is a hang by another name
MAX_SYMBOLS = 10**12


def require_symbols(n: int) -> None:
    """Refuse a run of more symbols than it could finish (:data:`MAX_SYMBOLS`).

    >>> require_symbols(10**13)
    Traceback (most recent call last):
    ...
    codesim.errors.ResourceLimitError: n = 10000000000000 symbols is more than the 10**12 one run codes (about a day at 10**7 symbols per second): split the work into several runs
    """
    if n > MAX_SYMBOLS:
        raise ResourceLimitError(f"n = {n} symbols is more than the 10**12 one run codes (about a "
                                 "day at 10**7 symbols per second): split the work into several runs")

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def memory_budget() -> int:
    """The most bytes one call may allocate: ``CODESIM_MEMORY`` (e.g. ``8G``), default 4 GiB.

    >>> memory_budget() >= 1 << 20
    True
    """
    return _budget(os.environ.get("CODESIM_MEMORY", ""))


@functools.lru_cache(maxsize=8)
def _budget(value: str) -> int:
    """The bytes a CODESIM_MEMORY value allows (read at every call, parsed once a value)."""
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    if not text:
        return DEFAULT_BUDGET
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)", text)
    if not match:
        raise ResourceLimitError(f"CODESIM_MEMORY={value!r} is not a size "
                                 "(write it like 8G, 512M or a number of bytes)")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def _size(nbytes: float) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} bytes"


def require_memory(nbytes: float, what: str) -> None:
    """Refuse, before allocating, anything estimated above the memory budget.

    >>> require_memory(1e12, "a sample of 10**11 symbols")         # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    codesim.errors.ResourceLimitError: a sample of 10**11 symbols needs about 931 GiB, more than codesim's memory budget of ... (set CODESIM_MEMORY to raise the budget, e.g. CODESIM_MEMORY=932G)
    """
    budget = memory_budget()
    if nbytes > budget:
        need_g = -(-int(nbytes) // (1 << 30))
        raise ResourceLimitError(
            f"{what} needs about {_size(nbytes)}, more than codesim's memory budget of "
            f"{_size(budget)} (set CODESIM_MEMORY to raise the budget, e.g. "
            f"CODESIM_MEMORY={need_g}G)")
