"""Robust under abuse: interrupts, resource limits, concurrent writers, crafted messages, and a
fuzzed command line.  Every test that starts processes bounds their memory and time."""

import time

import numpy as np
import pytest

import codesim as cs
from codesim.models.ctw import CTWModel
from codesim.coders import Encoded, make_coder


def _with_count(enc, num_symbols):
    """The same message with another symbol count, its CRCs recomputed (as an attacker would)."""
    return Encoded.from_bytes(Encoded(enc.coder, num_symbols, enc.num_bits, enc.payload,
                                      enc.options, enc.model_fingerprint).to_bytes())


P3 = [0.5, 0.25, 0.25]


@pytest.mark.parametrize("call, message", [
    (lambda: cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=10**10, chunk_size=10**10),
     "coding a message of 10000000000 symbols in one piece"),
    (lambda: cs.make_coder("huffman", cs.uniform(2**24)), "a huffman code over 16777216 symbols"),
    (lambda: cs.uniform(99_999_999_999), "a distribution over 99999999999 symbols"),
    (lambda: cs.sample([0.5, 0.5], 10**12), "a sample of 1000000000000 symbols"),
    (lambda: cs.MarkovSource.sticky(10**6, 0.5), "transitions over 1000000 contexts"),   # was numpy's 7 TiB error
])
def test_sizes_beyond_the_memory_budget_are_refused_at_once_naming_how_to_raise_it(call, message):
    start = time.perf_counter()
    with pytest.raises(cs.ResourceLimitError, match=message) as info:
        call()
    assert "CODESIM_MEMORY" in str(info.value) and time.perf_counter() - start < 5


@pytest.mark.parametrize("call", [lambda q: cs.make_coder("arithmetic", q.reshape(2**11, 2**10)),
                                  lambda q: cs.make_coder("huffman", q), lambda q: cs.entropy(q)])
def test_an_array_the_user_already_holds_is_budgeted_before_its_validated_copy(monkeypatch, call):
    # a 3 GiB 2-D q took numpy's MemoryError from the copy; here the budget is small instead
    q = np.full(2**21, 2.0**-21)
    monkeypatch.setenv("CODESIM_MEMORY", "32M")
    with pytest.raises(cs.ResourceLimitError, match="validating (p|q) of 2097152 entries needs about 64 MiB"):
        call(q)


def test_the_memory_budget_can_be_raised(monkeypatch):
    monkeypatch.setenv("CODESIM_MEMORY", "64G")
    from codesim.limits import memory_budget
    assert memory_budget() == 64 << 30
    monkeypatch.setenv("CODESIM_MEMORY", "lots")
    with pytest.raises(cs.ResourceLimitError, match="is not a size"):
        memory_budget()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ans", "range"])
def test_an_alphabet_of_2_to_the_24_codes_with_constriction(name):
    # every frequency is 1: constriction's Categorical cannot normalise weights f - 1 = 0
    coder = make_coder(name, cs.uniform(2**24))
    x = np.array([0, 5, 2**24 - 1, 77])
    assert np.array_equal(coder.decode(coder.encode(x)), x) and coder.code_length(x) == 96


@pytest.mark.parametrize("name", cs.available_coders())
def test_a_header_claiming_a_billion_symbols_is_refused_before_any_allocation(name):
    coder = make_coder(name, cs.zipf(8, 1))
    enc = coder.encode(cs.sample(cs.zipf(8, 1), 1000, 1))
    start = time.perf_counter()
    with pytest.raises(cs.DecodeError):
        coder.decode(_with_count(enc, 10**9))
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("name", cs.available_coders())
@pytest.mark.parametrize("extra", [5, -1, 50])
def test_a_wrong_symbol_count_is_a_decode_error_not_garbage_symbols(name, extra):
    coder = make_coder(name, cs.zipf(8, 1))
    x = cs.sample(cs.zipf(8, 1), 1000, 1)
    enc = coder.encode(x)
    if name == "tunstall" and extra < 0 and coder.encode(x[:1000 + extra]) == enc:
        # A Tunstall message ending inside a word is completed with symbol 0: here the last
        # symbol is such a completion, so both messages have these very bits and no decoder
        # can tell them apart; the count decides (and gives the shorter message exactly).
        assert np.array_equal(coder.decode(_with_count(enc, 1000 + extra)), x[:1000 + extra])
        return
    with pytest.raises(cs.DecodeError):
        coder.decode(_with_count(enc, 1000 + extra))


def test_a_lone_symbol_message_with_a_huge_count_is_refused_by_the_budget():
    coder = make_coder("ans", [1.0, 0.0])
    with pytest.raises(cs.ResourceLimitError):
        coder.decode(_with_count(coder.encode([0, 0]), 10**12))


def test_a_run_too_long_to_finish_is_refused_at_once():
    start = time.perf_counter()
    for call in (lambda: cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=10**21),
                 lambda: cs.compare([0.5, 0.5], [0.5, 0.5], ["ans"], n=10**21)):
        with pytest.raises(cs.ResourceLimitError, match="more than the 10\\*\\*12 one run codes"):
            call()
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("call, what", [
    (lambda: cs.make_coder("tunstall", [0.9999, 0.0001], bits=16), "Tunstall dictionary"),
    (lambda: cs.make_coder("huffman", cs.zipf(2**14), max_length=15), "package-merge"),
    (lambda: cs.ContextCoder("arithmetic", CTWModel(48)).encode(np.zeros(20_000, dtype=np.int64)),
     "ctw model"),
    (lambda: cs.ContextCoder("arithmetic", cs.AdaptiveContextModel(256, 3))
        .encode(np.arange(100_000) % 256), "adaptive model"),
])
def test_a_path_that_grows_with_its_input_is_refused_at_once_under_a_small_budget(call, what, monkeypatch):
    """Each ran past its estimate: Tunstall on a skewed q (quadratic in 2**bits: bits = 13 took
    1 GB), package-merge (4x), CTW at depth 48 (9 KB a bit, never estimated), adaptive counts."""
    import time
    monkeypatch.setenv("CODESIM_MEMORY", "20M")
    start = time.perf_counter()
    with pytest.raises(cs.ResourceLimitError, match=what):
        call()
    assert time.perf_counter() - start < 5
