"""Which implementation runs the coders' inner loops: the readable Python, or compiled kernels.

codesim's coders are written to be read (``rans.py`` reads like ryg_rans).  With the ``fast``
extra (``pip install "codesim[fast]"``: numba) the hot loops of the same coders also exist as
compiled kernels (:mod:`codesim.kernels`), a second implementation of the same contract:
the same bytes, the same bit counts, the same errors on a damaged message (tested across the two).

One switch chooses, the environment variable ``CODESIM_BACKEND``:

==========  ================================================================
``auto``    (the default) the kernels where numba is installed, else Python
``numba``   the kernels; an :class:`~codesim.errors.OptionError` if numba is missing
``python``  the readable coders only
==========  ================================================================

Loading numba costs a process about 0.7 s once, and the kernels' first calls about 0.3 s more,
which a message of a few thousand symbols would never win back: under ``auto`` a call takes its
kernel where the readable path would spend at least :data:`AUTO_MIN_SECONDS` on it (n symbols
at the call's own rate: a Huffman message of 10 million symbols, an rANS one of 1.7 million, an
arithmetic one of half a million), or once the kernels are loaded in this process (a pool loads
them before it forks its workers); ``numba`` takes the kernels for every message.  The bytes
are the same either way.

It is read at every call, so a test or a notebook can change it, or use :func:`using_backend`.
``import codesim`` never imports numba: the kernels compile on their first use (and are cached
on disk by numba; a cold cache is filled meanwhile by a second process,
:mod:`codesim.parallel.compile_ahead`, which ``CODESIM_COMPILE_AHEAD=0`` turns off).

>>> import codesim as cs
>>> with cs.using_backend("python"):
...     cs.backend()
'python'
"""

from __future__ import annotations

import functools
import importlib.util
import os
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import OptionError
from .kernels import loaded as kernels_loaded

__all__ = ["backend", "BACKENDS", "using_backend", "numba_installed", "compiled", "AUTO_MIN_SECONDS"]

#: the values CODESIM_BACKEND takes
BACKENDS = ("auto", "numba", "python")
#: under ``auto``, the readable path's time (seconds) from which a call loads numba for its
#: kernel: about what loading numba and the kernels' first calls cost a process, once
AUTO_MIN_SECONDS = 1.0
#: the readable rate of a call that states none: a context tree's walk (about 19 us a symbol
#: at depth 4), the dearest per symbol
UNSTATED_SECONDS_PER_SYMBOL = 2e-5

#: the backend ``using_backend`` chose for this thread (or task), None: CODESIM_BACKEND's
_override: ContextVar[str | None] = ContextVar("codesim_backend", default=None)


@functools.lru_cache(maxsize=1)
def numba_installed() -> bool:
    """Whether numba can be imported (looked up once, not imported)."""
    return importlib.util.find_spec("numba") is not None


def _requested() -> str:
    chosen = _override.get()
    if chosen is not None:
        return chosen
    value = os.environ.get("CODESIM_BACKEND", "auto").strip().lower() or "auto"
    if value not in BACKENDS:
        raise OptionError(f"CODESIM_BACKEND must be one of {', '.join(BACKENDS)}, got "
                          f"{os.environ.get('CODESIM_BACKEND')!r}")
    return value


def backend() -> str:
    """The active backend: ``"numba"`` (compiled kernels) or ``"python"`` (the readable coders)."""
    return _active(_requested())


def _active(requested: str) -> str:
    """The backend that ``requested`` (a value of :data:`BACKENDS`) gives on this machine."""
    if requested == "python":
        return "python"
    if numba_installed():
        return "numba"
    if requested == "numba":
        raise OptionError('CODESIM_BACKEND=numba, but numba is not installed: '
                          'pip install "codesim[fast]", or set CODESIM_BACKEND=python')
    return "python"


def compiled(n: int | None = None, seconds_per_symbol: float = UNSTATED_SECONDS_PER_SYMBOL) -> bool:
    """Whether a call takes its compiled kernel for n symbols that the readable path codes in
    about ``seconds_per_symbol`` each (n None: work of no stated size): always under ``numba``,
    never under ``python``, and under ``auto`` where numba is installed and either the kernels
    are already loaded in this process or n seconds_per_symbol >= AUTO_MIN_SECONDS."""
    requested = _requested()                      # read once: this runs for every message
    if _active(requested) != "numba":
        return False
    if requested == "numba" or kernels_loaded():
        return True
    return n is not None and n * seconds_per_symbol >= AUTO_MIN_SECONDS


@contextmanager
def using_backend(name: str):
    """Run a block with another backend (``"auto"``, ``"numba"`` or ``"python"``), in this
    thread (or asyncio task) only: another thread keeps its own choice, and a thread started
    inside the block reads CODESIM_BACKEND."""
    if name not in BACKENDS:
        raise OptionError(f"the backend must be one of {', '.join(BACKENDS)}, got {name!r}")
    token = _override.set(name)
    try:
        backend()                      # refuse "numba" here, not at the first coder
        yield
    finally:
        _override.reset(token)
