"""What several test files share: the round trip every coder must keep, random distributions,
the coder families (read from the registry), and bounded child processes.  Never imported by
the library."""

import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

import codesim as cs
from codesim.coders import registry
from codesim.experiments.runner import load_experiment

#: the checkout's top folder
REPOSITORY = Path(__file__).resolve().parents[1]

ALL_CODERS = list(registry.names())
#: prefix codes designed for q that take any q (Fano too: it is slow on big alphabets)
PREFIX = [c for c in registry.names(family="prefix") if c != "fano"]
#: stream coders of any q (tANS is left out: its table bounds the alphabet)
STREAM = [c for c in registry.names(family="stream") if c != "tans"]
#: fixed codes for the integers: q sets only their alphabet, support (and Golomb/Rice parameter)
INTEGER = list(registry.names(family="integer"))
#: the universal codes: no model of q, so no finite-n theory of their rate
UNIVERSAL = list(registry.names(family="universal"))
#: coders a context model drives, and the ones that take one distribution per position
CONTEXT = list(registry.names(context=True))
PER_POSITION = list(registry.names(per_position=True))

#: the documented alphabet limits: the words of each coder's refusal
REFUSALS = {"tans": "cannot hold", "tunstall": "need indices of at least",
            "unary": "codesim builds", "golomb": "codesim builds", "rice": "codesim builds"}


def coder_or_refusal(name, q, **options):
    """make_coder, or None where the coder refuses this alphabet by its documented limit
    (tANS: 2**16 states; Tunstall: 2**20 words; unary, Golomb, Rice: 2**26 codeword bits)."""
    try:
        return cs.make_coder(name, q, **options)
    except cs.OptionError as err:
        if name in REFUSALS and REFUSALS[name] in str(err):
            return None
        raise


def round_trip(coder, symbols):
    """Encode then decode; assert the exact round trip and the coder's length guarantee."""
    symbols = np.asarray(symbols, dtype=np.int64)
    enc = coder.encode(symbols)
    assert enc.num_symbols == symbols.size
    assert len(enc.payload) * 8 >= enc.num_bits
    out = coder.decode(enc)
    assert out.dtype.kind == "i" and np.array_equal(out, symbols)
    below, above = coder.length_bounds(symbols.size)
    ideal = coder.code_length(symbols)
    assert ideal - below - 1e-6 <= enc.num_bits <= ideal + above + 1e-6, (enc.num_bits, ideal, below, above)
    return enc


@st.composite
def random_q(draw, sizes=st.integers(1, 300)):
    """A random q over K symbols (K drawn from ``sizes``), now and then with exact zeros and a
    probability of 1e-12; and a seeded Generator for drawing a message."""
    k = draw(sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = rng.dirichlet(np.full(k, draw(st.sampled_from([0.1, 0.5, 1.0, 10.0]))))
    if k > 1 and draw(st.booleans()):
        w[rng.random(k) < 0.3] = 0.0
    if k > 1 and draw(st.booleans()):
        w[rng.integers(k)] = 1e-12
    if w.sum() == 0:
        w[0] = 1.0
    return w / w.sum(), rng


def quick(name):
    """The outcome of experiment ``name``'s quick run."""
    module = load_experiment(name)
    return module.run(n=module.QUICK_N, seed=0, quick=True)


# --- child processes, bounded ----------------------------------------------------------------

def memory_cap(wanted: int) -> int:
    """The address-space limit for a child: ``wanted``, or the hard limit this process
    inherited if that is lower (a child may never be given more than its parent may have)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)


def limited(wanted: int, new_session: bool = False):
    """A preexec_fn that caps the child's address space at ``memory_cap(wanted)`` (and, with
    ``new_session``, gives it its own process group)."""
    cap = memory_cap(wanted)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if new_session:
            os.setsid()

    return limit


def codesim_command(*argv) -> list[str]:
    """The command line that runs ``codesim ARGV`` with this interpreter."""
    return [sys.executable, "-m", "codesim", *argv]


def run_bounded(argv, memory: int, timeout: float, **kw) -> subprocess.CompletedProcess:
    """Run argv to its end, bounded in memory and time; capture its output as text."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limited(memory), **kw)
