"""Prefix codes designed for q: the theorems of Cover & Thomas chapter 5, in real bits."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from bitarray import bitarray
from hypothesis import given, settings
from hypothesis import strategies as st

import codesim as cs
from codesim.coders import PrefixCode, huffman_code_lengths, make_coder, shannon_code_lengths
from codesim.coders.prefix import pack_codewords
from codesim.errors import OptionError

from codesim.backends import using_backend
from tests.helpers import PREFIX, round_trip


def test_canonical_codewords_follow_length_then_symbol_order():
    code = PrefixCode([2, 1, 3, 3])
    assert code.codewords == ["10", "0", "110", "111"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=80).filter(lambda w: sum(w) > 0))
def test_canonical_codewords_are_the_same_by_deflates_loop_and_by_numpy(weights):
    """A small code's values come from DEFLATE's loop over the symbols, a larger one's from a
    sort: the same values either way."""
    from codesim.coders import prefix
    q = np.array(weights) / sum(weights)
    lengths = np.full(q.size, -1)
    lengths[q > 0] = huffman_code_lengths(q[q > 0]) if (q > 0).sum() > 1 else 1
    small = prefix.canonical_codewords(lengths)
    saved, prefix.SMALL_CODE = prefix.SMALL_CODE, 0
    try:
        assert small == prefix.canonical_codewords(lengths)
    finally:
        prefix.SMALL_CODE = saved


@pytest.mark.parametrize("name", PREFIX)
def test_measured_bits_are_exactly_the_sum_of_code_lengths(name, rng):
    q, p = cs.zipf(30, 1.0), cs.dirichlet(30, 1.0, rng)
    coder = make_coder(name, q)
    x = cs.sample(p, 10_000, rng)
    enc = coder.encode(x)
    lengths = coder.lengths[x]
    assert enc.num_bits == lengths.sum() == coder.code_length(x)


def test_huffman_kraft_sum_is_one(rng):
    for k in (2, 3, 17, 256):
        assert make_coder("huffman", cs.dirichlet(k, 0.5, rng)).kraft_sum() == 1


def _all_prefix_length_vectors(k, max_len):
    for lengths in itertools.product(range(1, max_len + 1), repeat=k):
        if sum(Fraction(1, 2 ** l) for l in lengths) <= 1:
            yield np.array(lengths)


@pytest.mark.parametrize("seed", range(8))
def test_huffman_is_optimal_no_prefix_code_is_shorter_on_average(seed):
    q = cs.dirichlet(5, 0.7, rng=seed)
    best = min(float(np.dot(q, l)) for l in _all_prefix_length_vectors(5, 5))
    assert make_coder("huffman", q).expected_bits_per_symbol(q) == pytest.approx(best, abs=1e-12)


def test_huffman_cost_under_p_is_entropy_plus_divergence_from_implied_distribution(rng):
    q, p = cs.dirichlet(12, 1.0, rng), cs.dirichlet(12, 1.0, rng)
    coder = make_coder("huffman", q)
    r = coder.implied_distribution()
    assert coder.expected_bits_per_symbol(p) == pytest.approx(cs.entropy(p) + cs.kl_divergence(p, r))


def test_huffman_can_cost_less_than_the_cross_entropy():
    # Huffman for q = (0.6, 0.4) has lengths (1, 1): 1 bit per symbol under any p,
    # while H(p, q) for p = (0.05, 0.95) is 0.05*0.737 + 0.95*1.32 = 1.29 bits.
    p, q = [0.05, 0.95], [0.6, 0.4]
    coder = make_coder("huffman", q)
    assert coder.expected_bits_per_symbol(p) == 1.0 < cs.cross_entropy(p, q)
    x = cs.sample(p, 10_000, rng=1)
    assert coder.encode(x).num_bits / x.size == 1.0


def test_shannon_lengths_are_exact_at_powers_of_two():
    q = np.array([0.5, 0.25, 2.0 ** -3, 2.0 ** -4, 2.0 ** -4])
    assert shannon_code_lengths(q).tolist() == [1, 2, 3, 4, 4]
    assert shannon_code_lengths([2.0 ** -40, 1 - 2.0 ** -40]).tolist() == [40, 1]
    q = cs.dirichlet(200, 0.3, rng=3)
    q = q[q > 0]
    assert shannon_code_lengths(q).tolist() == [math.ceil(-math.log2(v)) for v in q]


@pytest.mark.parametrize("seed", range(10))
def test_shannon_code_is_within_one_bit_of_the_cross_entropy(seed):
    rng = np.random.default_rng(seed)
    p, q = cs.dirichlet(20, 1.0, rng), cs.dirichlet(20, 1.0, rng)
    rate = make_coder("shannon", q).expected_bits_per_symbol(p)
    h = cs.cross_entropy(p, q)
    assert h <= rate < h + 1                                    # Cover & Thomas Thm 5.4.3


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_shannon_block_code_rate_is_within_one_over_k(k):
    p, q = [0.7, 0.2, 0.1], [0.5, 0.3, 0.2]
    rate = make_coder("shannon", q, block=k).expected_bits_per_symbol(p)
    h = cs.cross_entropy(p, q)
    assert h <= rate < h + 1 / k


def test_sfe_costs_between_one_and_two_bits_over_the_cross_entropy(rng):
    p, q = cs.dirichlet(16, 1.0, rng), cs.dirichlet(16, 1.0, rng)
    rate = make_coder("sfe", q).expected_bits_per_symbol(p)
    assert cs.cross_entropy(p, q) + 1 <= rate < cs.cross_entropy(p, q) + 2


@pytest.mark.parametrize("name", PREFIX)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 101])
def test_block_codes_round_trip_any_message_length(name, n, rng):
    coder = make_coder(name, [0.6, 0.3, 0.1], block=3)
    x = cs.sample([0.2, 0.3, 0.5], n, rng)
    enc = round_trip(coder, x)
    whole = n - n % 3
    tuples = x[:whole].reshape(-1, 3) @ np.array([9, 3, 1])
    expected = coder.block_code.lengths[tuples].sum() + coder.lengths[x[whole:]].sum()
    assert enc.num_bits == expected


def test_block_huffman_gets_closer_to_entropy(rng):
    p = [0.9, 0.1]
    rates = [make_coder("huffman", p, block=k).expected_bits_per_symbol(p) for k in (1, 2, 4, 8)]
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert rates[-1] - cs.entropy(p) < 1 / 8


def test_block_alphabet_too_large_is_refused_with_its_size():
    with pytest.raises(OptionError, match=r"256\*\*4 = 4294967296 tuples, more than the 1048576"):
        make_coder("huffman", cs.uniform(256), block=4)


def test_codebook_table_lists_symbol_q_information_length_codeword():
    row = make_coder("huffman", [0.5, 0.25, 0.25]).codebook()[1]
    assert row == {"symbol": 1, "q": 0.25, "-log2 q": 2.0, "length": 2, "codeword": "10"}


def test_long_codewords_take_the_general_path():
    q = np.array([2.0 ** -i for i in range(1, 80)] + [2.0 ** -79])   # Huffman lengths up to 79
    coder = make_coder("huffman", q)
    assert coder.code.max_length > 64
    round_trip(coder, np.arange(80))


def bit_by_bit(code: PrefixCode, bits, count: int, whole: bool):
    """The textbook decoder: extend the prefix a bit at a time until it is a codeword."""
    lookup = {(int(l), code._values[s]): s for s, l in enumerate(code.lengths) if l >= 0}
    out, value, length, pos = [], 0, 0, 0
    for bit in bits.tolist():
        if len(out) == count:
            break
        value, length, pos = (value << 1) | bit, length + 1, pos + 1
        if (length, value) in lookup:
            out.append(lookup[(length, value)])
            value = length = 0
        elif length > code.max_length:
            raise cs.DecodeError("no codeword")
    if len(out) != count or (whole and pos != len(bits)):
        raise cs.DecodeError("not the count")
    return out, pos


def long_code(kind: str, k: int, rng) -> PrefixCode:
    """A code with codewords longer than a decode tree takes (256 bits): unary's given
    codewords, a canonical code of lengths 1, 2, ..., k - 1, k - 1, or that code's lengths
    shuffled over the symbols with one of its three shortest codewords left out (a gap of
    up to half the numbers that no codeword covers)."""
    if kind == "unary":
        return make_coder("unary", cs.uniform(k)).code
    lengths = np.r_[np.arange(1, k), k - 1]
    if kind == "shuffled":
        lengths[rng.integers(3)] = -1
        lengths = rng.permutation(lengths)
    return PrefixCode(lengths)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["unary", "canonical", "shuffled"]), st.integers(258, 700),
       st.integers(0, 60), st.integers(0, 2**32 - 1), st.sampled_from(["none", "flip", "cut", "extra"]))
def test_a_codeword_longer_than_a_decode_tree_is_found_by_its_dyadic_interval(kind, k, n, seed, damage):
    """Codeword c of l bits is the interval [c, c + 1) 2**(L-l) of the L-bit numbers; the
    next L bits fall in one interval at most: the same symbols as the bit-by-bit decoder, and
    on damaged bits the same symbols or a DecodeError from both."""
    rng = np.random.default_rng(seed)
    code = long_code(kind, k, rng)
    assert code.max_length > 256
    x = rng.choice(np.flatnonzero(code.has_codeword), n)
    bits = bitarray(endian="big")
    for s in x.tolist():
        bits += code._bitarray(s)
    if damage == "flip" and n:             # a bit anywhere, or the first of a codeword
        starts = np.r_[0, np.cumsum(code.lengths[x])[:-1]]
        bits.invert(int(rng.integers(len(bits)) if rng.integers(2) else rng.choice(starts)))
    elif damage == "cut" and n:
        del bits[int(rng.integers(len(bits))):]
    elif damage == "extra":
        bits += bitarray("1" * int(rng.integers(1, 9)))
    if rng.integers(2):                    # the bits' order in memory does not matter
        bits = bitarray(bits, endian="little")
    for whole in (False, True):
        try:
            expected = bit_by_bit(code, bits, n, whole)
        except cs.DecodeError:
            with pytest.raises(cs.DecodeError):
                code.decode_bits(bits, n, whole)
            continue
        symbols, used = code.decode_bits(bits, n, whole)
        assert (symbols.tolist(), used) == expected
        if damage == "none":
            assert symbols.tolist() == x.tolist() and used == len(bits)


def test_unary_over_4096_symbols_round_trips_30_000_symbols_of_61_million_bits():
    """A codeword at a time (26 s and 544 MB when a Python list of every bit was read bit by
    bit; 0.2 s now)."""
    coder = make_coder("unary", cs.uniform(4096))
    x = cs.sample(cs.uniform(4096), 30_000, rng=3)
    round_trip(coder, x)


@pytest.mark.parametrize("lengths, count", [([1, 1], 0), ([0], 3), ([300, 300, 1], 0)])
def test_whole_bits_after_the_last_codeword_are_damage_even_with_no_codeword_to_read(lengths, count):
    code = PrefixCode(lengths)
    assert code.decode_bits(bitarray("101"), count)[1] == 0
    with pytest.raises(cs.DecodeError, match="run on 3 bits past the"):
        code.decode_bits(bitarray("101"), count, whole=True)


def test_codewords_too_long_for_a_tree_that_are_not_prefix_free_are_refused_by_name():
    code = PrefixCode([300, 301, 1], codewords=[1 << 299, 1 << 300, 0], check=False)
    with pytest.raises(OptionError, match="symbols 0 and 1 are not prefix-free"):
        code.decode_bits(bitarray("1" + "0" * 299), 1)


@pytest.mark.parametrize("k", [2, 5, 300])
@pytest.mark.parametrize("n", [1, 2, 3, 1001, 2 ** 15 + 7, 70_001])
def test_pack_codewords_matches_bitarray_encode_with_and_without_merging(k, n, rng):
    code = PrefixCode(huffman_code_lengths(cs.zipf(k, 1.1)))
    x = rng.integers(0, k, n)
    expected = code.to_bitarray(x).tobytes()
    for max_length in (code.max_length, 64):                 # merged in pairs, and not merged
        payload, bits = pack_codewords(*code.encode_into(x), max_length)
        assert payload == expected and bits == code.total_length(x)


def test_shannon_and_sfe_stay_prefix_free_when_a_float_pmf_sums_to_slightly_more_than_one():
    # 0.5 + 0.5 + 1e-17 is 1.0 in floats, so this is a valid pmf; but lengths (1, 1, 57) read
    # off the floats have Kraft sum 1 + 2**-57.  Found by hypothesis (an SFE codeword overflowed).
    q = np.array([0.5, 0.5, 1e-17])
    for name in ("shannon", "sfe"):
        coder = make_coder(name, q)
        assert coder.kraft_sum() <= 1
        round_trip(coder, [0, 1, 2, 1, 0])
    q = np.array([5.7e-13, 3.8e-08, 0.0, 2.5e-18])
    q = np.r_[q, 1 - q.sum()]
    round_trip(make_coder("sfe", q), [0, 1, 3, 4, 4])


def test_sfe_messages_name_their_model_even_when_lengths_agree():
    # Two q's with the same SFE lengths but different cumulative sums give different codewords:
    # a message from one must not decode silently with the other.
    a, b = make_coder("sfe", [0.3, 0.3, 0.4]), make_coder("sfe", [0.28, 0.44, 0.28])
    assert a.lengths.tolist() == b.lengths.tolist() and a.codewords != b.codewords
    with pytest.raises(cs.DecodeError, match="different model"):
        b.decode(a.encode([0, 1, 2]))


def test_the_fingerprint_depends_on_every_codeword_not_only_the_first_thousands():
    from codesim.coders.prefix import PrefixCoder

    lengths = np.full(5000, 13)
    values = list(range(5000))
    swapped = values[:4500] + [values[4501], values[4500]] + values[4502:]

    class Given(PrefixCoder):                     # a prefix code with explicit codewords
        name = "given"

        def __init__(self, q, words):
            self.words = words
            super().__init__(q)

        def build_code(self, q):
            return PrefixCode(lengths, self.words)

    q = cs.uniform(5000)
    assert Given(q, values).fingerprint != Given(q, swapped).fingerprint


def test_sfe_and_shannon_lengths_come_from_q_as_given():
    # [0.5, 0.1 * 5] sums to 1 + 2.8e-17: normalising it exactly gave the 0.5 symbol a 3-bit SFE
    # codeword and broke the strict bound E_p[l] < H(p, q) + 2.  q as given: 2 bits.
    q = [0.5, 0.1, 0.1, 0.1, 0.1, 0.1]
    assert sum(map(Fraction, q)) > 1                     # exactly, though sum(q) rounds below
    sfe = make_coder("sfe", q)
    assert sfe.lengths.tolist() == [2, 5, 5, 5, 5, 5]
    assert cs.cross_entropy(q, q) + 1 <= sfe.expected_bits_per_symbol(q) < cs.cross_entropy(q, q) + 2
    assert make_coder("shannon", q).lengths.tolist() == [1, 4, 4, 4, 4, 4]
    round_trip(sfe, [0, 1, 2, 3, 4, 5, 0])


def test_a_float_pmf_summing_above_one_lengthens_only_what_kraft_needs():
    # 0.5 + 0.5 + 1e-300 is 1.0 in floats; lengths (1, 1, 997) break Kraft.  One 0.5 grows to
    # 2 bits (not both, as exact normalisation did), so E_q[l] < H(q) + 1 still holds.
    q = [0.5, 0.5, 1e-300]
    coder = make_coder("shannon", q)
    assert coder.lengths.tolist() == [1, 2, 997] and coder.kraft_sum() <= 1
    assert coder.expected_bits_per_symbol(q) < cs.cross_entropy(q, q) + 1
    round_trip(coder, [0, 1, 2, 1, 0])


def test_the_bound_check_holds_for_an_ordinary_float_pmf(tmp_path):
    from codesim.commands import main
    spec = tmp_path / "spec.toml"
    spec.write_text('[[case]]\nname = "tenths"\np = "0.5,0.1,0.1,0.1,0.1,0.1"\n'
                    'q = "0.5,0.1,0.1,0.1,0.1,0.1"\ncoders = ["sfe", "shannon"]\nn = 2000\n'
                    'checks = ["exact", "bound"]\n')
    assert main(["check", str(spec)]) == 0


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 300), st.integers(0, 2**31), st.integers(10_000, 40_000),
       st.sampled_from([0, 1, 15]))
def test_the_lane_decoder_gives_back_every_message_and_refuses_a_damaged_one(k, seed, n, extra):
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.full(k, 0.7))
    coder = make_coder("huffman", q)
    if coder.code.max_length > 16:
        return                                     # too long for the lane table: bitarray decodes
    x = rng.choice(k, size=n - n % 16 + extra, p=q)
    with using_backend("python"):                  # the readable path writes the seek table
        _the_lanes_decode(coder, x, k)


def _the_lanes_decode(coder, x, k):
    from dataclasses import replace
    enc = coder.encode(x)
    assert enc.seek is not None and enc.seek.size == -(-x.size // 16)
    assert np.array_equal(coder.decode(enc), x)
    saved = cs.Encoded.from_bytes(enc.to_bytes())            # no seek table: bitarray decodes
    assert saved.seek is None and np.array_equal(coder.decode(saved), x)
    bad = enc.seek.copy()
    bad[len(bad) // 2] += 1                                  # a wrong entry is noticed
    with pytest.raises(cs.DecodeError):
        coder.decode(replace(enc, seek=bad))
    flipped = bytearray(enc.payload)
    flipped[len(flipped) // 3] ^= 0x10      # a flipped bit: DecodeError, or (a prefix code can
    try:                                    # re-parse a stretch; saved messages' CRC sees it)
        out = coder.decode(replace(enc, payload=bytes(flipped)))   # n symbols of the alphabet
        assert out.size == x.size and out.min() >= 0 and out.max() < k
    except cs.DecodeError:
        pass


def test_short_codes_over_a_big_alphabet_decode_two_codewords_a_step_with_any_symbol_number():
    # five possible symbols among 100000: 3-bit codewords, symbol numbers far above 255
    q = np.zeros(100_000)
    q[[7, 300, 65_000, 99_998, 99_999]] = [0.4, 0.3, 0.15, 0.1, 0.05]
    coder = make_coder("huffman", q)
    x = np.random.default_rng(1).choice(q.size, size=20_001, p=q)
    with using_backend("python"):                  # the lanes of the readable path
        enc = coder.encode(x)
        assert enc.seek is not None and coder.code.max_length <= 8
        assert np.array_equal(coder.decode(enc), x)
    assert np.array_equal(coder.decode(enc), x)         # and whichever backend is active


@pytest.mark.parametrize("name", ["huffman", "shannon", "sfe", "fano"])
def test_a_block_code_whose_tuples_underflow_is_refused_at_build_time(name):
    """q(0)**2 underflows to 0: the tuple (0, 0) would get no codeword though q allows it."""
    with pytest.raises(cs.OptionError, match="below the smallest float"):
        cs.make_coder(name, [1e-300, 1 - 1e-300], block=2)
    coder = cs.make_coder(name, [1e-150, 1 - 1e-150], block=2)        # 1e-300 still fits
    round_trip(coder, [0, 0, 1, 1, 0])


@pytest.mark.parametrize("k, block", [(2, 10**20), (1, 10**9), (3, 21), (2**10, 3)])
def test_a_block_is_bounded_before_its_tuples_are_counted(k, block):
    import time
    start = time.perf_counter()
    with pytest.raises(cs.OptionError, match="codesim builds at most|codesim builds"):
        cs.make_coder("huffman", cs.uniform(k), block=block)
    assert time.perf_counter() - start < 1
