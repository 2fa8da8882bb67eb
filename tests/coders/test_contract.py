"""One suite for every coder: the coder contract of DESIGN.md, checked the same way for all."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import codesim as cs
from codesim.coders import make_coder
from codesim.validate import SMALL_MESSAGE, as_symbols
from codesim.errors import OptionError, SupportError, SymbolError

from tests.helpers import ALL_CODERS, INTEGER, PREFIX, STREAM, UNIVERSAL, coder_or_refusal, random_q, round_trip


@pytest.mark.parametrize("name", ALL_CODERS)
def test_round_trip_on_a_sample_from_another_distribution(name, rng):
    q, p = cs.zipf(40, 1.2), cs.dirichlet(40, 1.0, rng)
    coder = make_coder(name, q)
    round_trip(coder, cs.sample(p, 5_000, rng))


@pytest.mark.parametrize("name", ALL_CODERS)
def test_empty_message(name):
    coder = make_coder(name, [0.5, 0.5])
    enc = round_trip(coder, [])
    assert enc.num_bits == 0


@pytest.mark.parametrize("name", ALL_CODERS)
def test_one_symbol_alphabet_costs_nothing_except_sfe_and_the_integer_codes_one_bit(name):
    # the integer codes are fixed in advance: symbol 0 keeps its 1-bit codeword
    coder = make_coder(name, [1.0])
    enc = round_trip(coder, [0] * 100)
    if name in UNIVERSAL:     # no codebook: its phrases' pointers (LZ77: its codes' header) cost
        assert 0 < enc.num_bits == coder.code_length([0] * 100) == sum(coder.ledger([0] * 100).values())
        return
    assert enc.num_bits == (100 if name in ["sfe", *INTEGER] else 0)


@pytest.mark.parametrize("name", ALL_CODERS)
def test_a_ruled_out_symbol_raises_support_error_naming_symbol_and_position(name):
    coder = make_coder(name, [0.5, 0.0, 0.5])
    with pytest.raises(SupportError, match=r"symbol 1 at position 3 has q\[1\] = 0") as info:
        coder.encode([0, 2, 0, 1, 1])
    assert (info.value.symbol, info.value.position) == (1, 3)
    assert math.isinf(coder.expected_bits_per_symbol([0.2, 0.6, 0.2]))


@pytest.mark.parametrize("name", ALL_CODERS)
@pytest.mark.parametrize("bad, message", [
    ([0, 3], "symbol 3 at position 1 is outside the alphabet 0..2"),
    ([0, -1], "symbol -1 at position 1 is outside the alphabet"),
    ([0.0, 1.0], "symbols must be integers 0..2, got dtype float64"),
    ([[0, 1]], "a message must be a 1-D sequence"),
])
def test_symbols_outside_the_alphabet_are_a_clear_error(name, bad, message):
    with pytest.raises(SymbolError, match=message):
        make_coder(name, [0.5, 0.25, 0.25]).encode(bad)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16])
@pytest.mark.parametrize("length", [2, SMALL_MESSAGE, SMALL_MESSAGE + 1, 1000])
def test_short_and_long_messages_are_checked_alike(dtype, length):
    """Short messages are range-checked in Python, long ones in numpy: the same verdicts."""
    x = np.zeros(length, dtype=dtype)
    assert as_symbols(x, 3).tolist() == [0] * length
    for bad in ([3] + ([-1] if np.dtype(dtype).kind == "i" else [])):
        x[length // 2] = bad
        with pytest.raises(SymbolError, match=f"symbol {bad} at position {length // 2} is outside"):
            as_symbols(x, 3)
        x[length // 2] = 0


@pytest.mark.parametrize("name", ALL_CODERS)
def test_unknown_option_is_named(name):
    with pytest.raises(OptionError, match=f"coder '{name}' has no option 'colour'"):
        make_coder(name, [0.5, 0.5], colour="red")


@pytest.mark.parametrize("name", ALL_CODERS)
def test_same_message_same_bits(name, rng):
    q = cs.zipf(10, 1.0)
    x = cs.sample(q, 1000, rng)
    assert make_coder(name, q).encode(x) == make_coder(name, q).encode(x)


@pytest.mark.parametrize("name", ALL_CODERS)
def test_decoding_with_another_coder_or_model_is_refused(name):
    enc = make_coder(name, [0.5, 0.25, 0.25]).encode([0, 1, 2])
    fixed = name in INTEGER + UNIVERSAL      # the same code for any q of that support ...
    if fixed:
        assert make_coder(name, [0.25, 0.25, 0.5]).decode(enc).tolist() == [0, 1, 2]
    other_q = [0.5, 0.0, 0.5] if fixed else [0.25, 0.25, 0.5]   # ... another support does not
    with pytest.raises(cs.DecodeError, match="different model"):
        make_coder(name, other_q).decode(enc)
    other = "huffman" if name != "huffman" else "ans"
    with pytest.raises(cs.DecodeError, match=f"encoded by '{name}'"):
        make_coder(other, [0.5, 0.25, 0.25]).decode(enc)


@pytest.mark.parametrize("name", ALL_CODERS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=random_q(), n=st.integers(0, 400))
def test_property_round_trip_for_random_q_and_messages(name, case, n):
    q, rng = case
    coder = coder_or_refusal(name, q)
    if coder is None:
        return
    x = rng.choice(np.flatnonzero(q > 0), size=n)      # any symbols q allows, rare ones too
    round_trip(coder, x)
    if name in PREFIX:
        assert coder.kraft_sum() <= 1


@pytest.mark.parametrize("name", ALL_CODERS)
def test_large_alphabet_of_65536_symbols(name, rng):
    q = cs.dirichlet(65536, 0.5, rng)
    q = cs.smooth(q, 1e-3)
    coder = coder_or_refusal(name, q)
    if name == "unary":        # codewords of up to 65536 bits, 2**31 bits in all: refused
        assert coder is None
        return
    round_trip(coder, cs.sample(q, 3000, rng))


@pytest.mark.parametrize("name", STREAM)
def test_stream_coder_meets_the_information_content_on_20000_symbols(name, rng):
    p, q = cs.dirichlet(20, 1.0, rng), cs.smooth(cs.dirichlet(20, 1.0, rng), 0.05)
    coder = make_coder(name, q)
    x = cs.sample(p, 20_000, rng)
    enc = round_trip(coder, x)
    # ... and the measured rate is within a few standard errors of H(p, q~)
    rate = enc.num_bits / x.size
    stderr = math.sqrt(coder.bits_variance(p) / x.size)
    slack = coder.length_bounds(x.size)[1] / x.size
    assert abs(rate - coder.expected_bits_per_symbol(p)) <= 5 * stderr + slack
