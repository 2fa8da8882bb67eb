"""Compiling the kernels ahead, in a second process, when numba's cache is cold.

A process compiles a kernel (:mod:`codesim.kernels`) the first time it calls it, and numba
keeps the machine code in its cache on disk; with a cold cache, all the kernels cost about 8 s
of CPU (numba types, lowers and optimises some 50 functions, 0.05 to 0.5 s each), which a
session meeting the coders one by one pays one by one.  The first time a process begins to
compile a kernel rather than load it, :func:`start` runs :func:`compile_every_kernel` in a
second process: it calls every kernel the coders call, on small messages, in the reverse of
the order a session usually meets them (the context coders first, the sampler and the prefix
codes last), while the first process compiles what it needs.  Each loads from the cache what
the other has compiled: on two cores, a fresh process that runs every kernel once took 5.2 to
7.0 s with a cold cache, against 7.7 to 9.1 s alone (``benchmarks/run.py``).  The machine code
is the same: numba's, compiled from the same source.

Bounded: one such process at a time for a cache (it holds :data:`LOCK_NAME` there), at a lower
priority, for at most :data:`TIME_LIMIT` seconds, stopped when the process that started it
exits, and ending itself if that process is killed (as a pool's workers do).
``CODESIM_COMPILE_AHEAD=0`` turns it off (``1``, the default, on).
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys

import numpy as np

try:
    import fcntl                                # a lock on the cache (not on Windows)
except ImportError:
    fcntl = None

from ..coders import available_coders, make_coder
from ..coders.context import ContextCoder
from ..errors import OptionError
from ..kernels import when_compiling
from ..models.context import AdaptiveContextModel
from ..models.ctw import CTWModel
from ..sources.distributions import Sampler
from .pool import start_worker

__all__ = ["start", "stop", "wait", "enabled", "compile_every_kernel", "TIME_LIMIT", "LOCK_NAME"]

#: seconds after which the second process gives up (every kernel takes about 8 s of CPU)
TIME_LIMIT = 300
#: the file in numba's cache directory that the process compiling ahead holds locked
LOCK_NAME = "codesim-compile-ahead.lock"
#: the values CODESIM_COMPILE_AHEAD takes
SWITCH = ("0", "1")

#: the second process this process started (one at most)
_process: subprocess.Popen | None = None


def enabled() -> bool:
    """Whether ``CODESIM_COMPILE_AHEAD`` (default ``1``) asks for the second process."""
    value = os.environ.get("CODESIM_COMPILE_AHEAD", "1").strip() or "1"
    if value not in SWITCH:
        raise OptionError(f"CODESIM_COMPILE_AHEAD must be 0 or 1, got "
                          f"{os.environ.get('CODESIM_COMPILE_AHEAD')!r}")
    return value == "1"


def start(cache_directory: str) -> None:
    """Start the second process, compiling into ``cache_directory`` (once in this process, and
    not at all if it is switched off, or if no process can be started: this one then compiles
    alone, as it would anyway).  It imports this very codesim: it starts where this package
    lies, with the kernels and the environment of this process."""
    global _process
    if _process is not None or not enabled() or not sys.executable:
        return
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "CODESIM_BACKEND": "numba", "CODESIM_COMPILE_AHEAD": "0"}
    code = f"from {__name__} import main; main({cache_directory!r}, {os.getpid()})"
    try:
        _process = subprocess.Popen([sys.executable, "-c", code], cwd=package_root, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
    except OSError:            # no process to be had (a limit, no interpreter): compile alone
        return
    atexit.register(stop)


def wait(timeout: float | None = None) -> int | None:
    """Wait for the second process to finish (its exit status; None if none was started)."""
    return None if _process is None else _process.wait(timeout)


def stop() -> None:
    """Stop the second process if it still runs: what it has compiled stays in the cache."""
    if _process is not None and _process.poll() is None:
        _process.terminate()
        try:
            _process.wait(5)
        except subprocess.TimeoutExpired:
            _process.kill()


def main(cache_directory: str, parent: int) -> None:
    """The second process: a worker of ``parent`` (Ctrl-C is for the parent, which stops it;
    it ends itself once the parent is gone), at a lower priority and bounded in time, holding
    the cache's lock (or leaving the cache to the process that holds it), compiling every
    kernel, in reverse."""
    start_worker(parent)
    if hasattr(os, "nice"):
        os.nice(10)
    if hasattr(signal, "SIGALRM"):
        signal.alarm(TIME_LIMIT)              # SIGALRM's default action ends the process
    os.makedirs(cache_directory, exist_ok=True)
    with open(os.path.join(cache_directory, LOCK_NAME), "w") as lock:
        try:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:                       # another process compiles ahead into this cache
            return
        compile_every_kernel(reverse=True)


def compile_every_kernel(reverse: bool = False) -> None:
    """Call every kernel the coders call, once, in the order a session usually meets them (or
    in reverse): the sampler, every registered coder on a message it draws (in the coder's own
    symbol type, as a simulation passes it), tANS's overhead, the context coders."""
    for call in reversed(_calls()) if reverse else _calls():
        call()


def _calls() -> list:
    """The calls of :func:`compile_every_kernel`, in order."""
    q = np.array([0.5, 0.3, 0.2])
    n = 4096                                  # above the sampler's plain search

    def draw(dtype=np.int64):
        return Sampler(q, n, dtype).draw(1)[0]

    def coder(name):
        def call():
            c = make_coder(name, q)
            c.decode(c.encode(draw(c.symbol_dtype)))
        return call

    def context(model):
        def call():
            c = ContextCoder("arithmetic", model)
            x = draw() % model.alphabet_size
            c.decode(c.encode(x))
            c.costs(x)
        return call

    return [draw, lambda: draw(np.int32),
            *(coder(name) for name in available_coders()),
            lambda: make_coder("tans", q).overhead(q, 100),
            context(AdaptiveContextModel(3, 1)), context(CTWModel(3))]


when_compiling(start)
