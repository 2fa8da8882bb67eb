"""Shared helpers for the tests (never imported by the library)."""

import os

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

# CI runs the same property-test examples every time (reproducible verdicts); a developer's run
# explores new ones (that is how an SFE overflow was found).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

import codesim as cs
from codesim.coders import available_coders

ALL_CODERS = available_coders()
PREFIX = ["huffman", "shannon", "sfe"]
STREAM = ["arithmetic", "rans", "range", "ans"]
#: fixed codes for the integers: q sets only their alphabet, support (and Golomb/Rice parameter)
INTEGER = ["unary", "golomb", "rice", "elias_gamma", "elias_delta", "elias_omega"]

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


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


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
