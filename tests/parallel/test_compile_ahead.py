"""Compiling ahead: a cold cache starts one second process, which leaves every kernel the coders
call in the cache; a warm cache starts none; the switch is read by name."""

import fcntl
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codesim.errors import OptionError
from codesim.parallel import compile_ahead
from tests.helpers import limited, run_bounded
from tests.processes import alive

pytest.importorskip("numba")

MEMORY = 3 << 30

#: in a process with an empty cache: one coder's first use, then the second process's end
FIRST_USE = """
import codesim as cs
from codesim.parallel import compile_ahead
cs.simulate([0.5, 0.3, 0.2], [0.4, 0.4, 0.2], "huffman", n=1000)
print(compile_ahead.wait(240))
"""

#: in a process after it: every kernel's use, and what numba compiled rather than loaded
EVERY_KERNEL = """
from codesim import kernels
from codesim.parallel import compile_ahead
compile_ahead.compile_every_kernel()
compiled = sorted(name for name, d in kernels._compiled.items()
                  if hasattr(d, "stats") and sum(d.stats.cache_misses.values()))
print(compiled, compile_ahead._process)
"""


def _environment(cache, **env):
    """This process's environment, compiling the kernels into ``cache``."""
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "CODESIM_BACKEND": "numba", **env}
    environment.pop("NUMBA_DISABLE_JIT", None)
    return environment


def _run(code, cache, **env) -> list[str]:
    """The lines ``python -c code`` prints, compiling into ``cache``."""
    done = run_bounded([sys.executable, "-c", code], MEMORY, 300, env=_environment(cache, **env))
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


@pytest.mark.slow
def test_a_cold_cache_is_filled_by_one_second_process(tmp_path):
    assert _run(FIRST_USE, tmp_path) == ["0"]               # it ran, and ended well
    assert _run(EVERY_KERNEL, tmp_path) == ["[] None"]      # nothing left to compile: none started


#: a process that starts the second process, says its pid, and waits to be killed
STARTS_AND_WAITS = """
import sys, time
from codesim.parallel import compile_ahead
compile_ahead.start(sys.argv[1])
print(compile_ahead._process.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_the_second_process_ends_itself_when_a_kill_takes_its_parent(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", STARTS_AND_WAITS, str(tmp_path)],
                              env=_environment(tmp_path, CODESIM_COMPILE_AHEAD="1"),
                              stdout=subprocess.PIPE, preexec_fn=limited(MEMORY))
    try:
        assert select.select([parent.stdout], [], [], 60)[0], "it never said the second process's pid"
        second = int(parent.stdout.readline())
        time.sleep(1)                                         # it is compiling (8 s in all)
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 5
        while alive(second) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(second)
    finally:
        if parent.poll() is None:
            parent.kill()
        parent.stdout.close()


def test_a_second_process_leaves_the_cache_to_the_one_that_holds_it(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    with open(cache / compile_ahead.LOCK_NAME, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code = f"import os; from codesim.parallel.compile_ahead import main; main({str(cache)!r}, os.getppid())"
        assert _run(code + "\nprint('left')", cache) == ["left"]
    assert [p.name for p in cache.rglob("*.nbi")] == []       # it compiled nothing


@pytest.mark.parametrize("value, on", [("1", True), ("0", False), ("", True), (" 0 ", False)])
def test_the_switch(monkeypatch, value, on):
    monkeypatch.setenv("CODESIM_COMPILE_AHEAD", value)
    assert compile_ahead.enabled() is on


@pytest.mark.parametrize("value", ["2", "yes", "off"])
def test_a_bad_switch_is_named(monkeypatch, value):
    monkeypatch.setenv("CODESIM_COMPILE_AHEAD", value)
    with pytest.raises(OptionError, match=f"CODESIM_COMPILE_AHEAD must be 0 or 1, got '{value}'"):
        compile_ahead.enabled()


BAD_SWITCH = """
import codesim as cs
for _ in range(2):
    try:
        cs.simulate([0.5, 0.5], [0.5, 0.5], "huffman", n=100)
    except cs.OptionError as e:
        print(e)
"""


def test_a_bad_switch_is_named_at_every_compile_it_would_start(tmp_path):
    assert _run(BAD_SWITCH, tmp_path, CODESIM_COMPILE_AHEAD="2") == \
        ["CODESIM_COMPILE_AHEAD must be 0 or 1, got '2'"] * 2


def test_switched_off_it_starts_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("CODESIM_COMPILE_AHEAD", "0")
    monkeypatch.setattr(compile_ahead, "_process", None)      # as in a process that started none
    monkeypatch.setattr(subprocess, "Popen", None)            # a start would fail loudly
    compile_ahead.start(str(tmp_path))
    assert compile_ahead.wait() is None


def test_where_no_process_can_be_started_this_one_compiles_alone(monkeypatch, tmp_path):
    def refused(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setenv("CODESIM_COMPILE_AHEAD", "1")
    monkeypatch.setattr(compile_ahead, "_process", None)
    monkeypatch.setattr(subprocess, "Popen", refused)
    compile_ahead.start(str(tmp_path))                        # no error reaches the kernel's caller
    assert compile_ahead.wait() is None
