"""Child processes for the tests that start them: codesim in a subprocess, bounded in memory
(never above the limit this process inherited) and given its own process group; its children;
whether a process is alive; a pipe read in bounded time; and an interrupt sent once a child is
ready.  Never imported by the library."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import limited

MEMORY_CAP = 6 << 30          # RLIMIT_AS of every child process a test starts (or less)
CHILD_TIMEOUT = 120


def codesim_child(*argv, cwd, **kw):
    """Start ``codesim ARGV`` bounded in memory (the caller bounds its time)."""
    return subprocess.Popen([sys.executable, "-m", "codesim", *argv], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=limited(MEMORY_CAP, new_session=True), **kw)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def read_until_closed(stream, seconds: float) -> bytes:
    """What is left in a pipe, up to its end or ``seconds`` (a surviving worker holds it open)."""
    import selectors
    out, deadline = b"", time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(stream.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
    return out


def interrupt_when(proc, ready, sig=signal.SIGINT, group=True) -> tuple[bytes, list[int], float]:
    """Read the process's stderr until ``ready(what it printed)`` (or EOF, or the timeout),
    note its worker processes, then press Ctrl-C (SIGINT to the whole process group, as a
    terminal does; or send ``sig`` to the process alone, as ``kill`` does).  Return what it
    printed, the workers, and the seconds it took to exit."""
    try:
        seen, deadline = b"", time.monotonic() + CHILD_TIMEOUT
        while not ready(seen) and time.monotonic() < deadline:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        workers = children(proc.pid)
        assert workers, f"it should run worker processes; it printed {seen[-300:]!r}"
        (os.killpg if group else os.kill)(proc.pid, sig)
        start = time.monotonic()
        proc.wait(timeout=10)
        elapsed = time.monotonic() - start
        return seen + read_until_closed(proc.stderr, 10), workers, elapsed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
