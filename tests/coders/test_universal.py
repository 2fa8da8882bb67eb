"""LZ78 and LZW: exact round trips and ledgers, and a redundancy that vanishes as theory says."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import codesim as cs
from codesim.coders import make_coder

from tests.helpers import UNIVERSAL, random_q


def test_lz78_parses_the_textbook_example():
    """a b aa ba b: phrases (0, a) (0, b) (1, a) (2, a) and the last pointer alone (2)."""
    coder = make_coder("lz78", [0.5, 0.5])
    rows = coder.phrases([0, 1, 0, 0, 1, 0, 1])
    assert [(r["phrase"], r["pointer"]) for r in rows] == [("0", 0), ("1", 0), ("00", 1), ("10", 2), ("1", 2)]
    assert [r["pointer_bits"] for r in rows] == [0, 1, 2, 2, 3]


def test_lzw_decodes_a_code_for_the_entry_it_is_still_making():
    """aaaa...: the second token names entry m, 'aa', which the decoder makes from it (KwKwK)."""
    coder = make_coder("lzw", [0.5, 0.5])
    x = [0] * 21
    assert coder.decode(coder.encode(x)).tolist() == x
    assert [r["phrase"] for r in coder.phrases(x)] == ["0", "00", "000", "0000", "00000", "000000"]


@pytest.mark.parametrize("name", UNIVERSAL)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=random_q(st.integers(1, 40)), n=st.integers(0, 2000))
def test_every_bit_is_a_pointer_or_a_literal(name, case, n):
    """LZ78 and LZW: pointers and literals, phrase by phrase; LZ77: its codes' header,
    literals, match lengths and distances."""
    q, rng = case
    coder = make_coder(name, q)
    x = rng.choice(q.size, size=n, p=q)
    enc = coder.encode(x)
    assert coder.decode(enc).tolist() == x.tolist()
    ledger = coder.ledger(x)
    rows = coder.phrases(x)
    assert sum(ledger.values()) == enc.num_bits == coder.code_length(x)
    if name == "lz77":
        assert sum(r["length"] for r in rows) == n
    else:
        assert sum(r["pointer_bits"] + r["literal_bits"] for r in rows) == enc.num_bits


@pytest.mark.parametrize("name", UNIVERSAL)
def test_a_code_length_is_the_parse_of_its_own_message(name):
    """The last small message's parse is kept for its code length: a different message, or
    the same symbols as another dtype, still gets its own."""
    coder = make_coder(name, [0.5, 0.25, 0.25])
    x, y = np.random.default_rng(0).choice(3, 300), np.zeros(300, dtype=np.int64)
    bits_x, bits_y = (make_coder(name, [0.5, 0.25, 0.25]).encode(m).num_bits for m in (x, y))
    assert bits_x != bits_y
    for encoded, asked, bits in ((x, y, bits_y), (y, x, bits_x), (y, y, bits_y),
                                 (x, x.astype(np.int32), bits_x)):
        coder.encode(encoded)
        assert coder.code_length(asked) == bits


@pytest.mark.slow
def test_lz78_redundancy_times_log_n_stays_near_a_constant_on_bernoulli_0_1():
    """LZ78's redundancy above H(p) is O(1 / log n) (Savari; Louchard & Szpankowski): times
    log2 n it stays within 15% of one constant from n = 10^4 to 10^6 (5 seeds each)."""
    p = [0.9, 0.1]
    scaled = []
    for n in (10**4, 10**5, 10**6):
        runs = [cs.simulate(p, [0.5, 0.5], "lz78", n=n, seed=s) for s in range(5)]
        redundancy = np.mean([r.ledger["redundancy"] / n for r in runs])
        scaled.append(redundancy * math.log2(n))
    centre = np.mean(scaled)
    assert all(abs(v - centre) <= 0.15 * centre for v in scaled), scaled


@pytest.mark.parametrize("name", UNIVERSAL)
def test_on_a_markov_source_lz_tends_to_the_entropy_rate_not_the_marginal_entropy(name):
    source = cs.MarkovSource.sticky(2, 0.95)           # rate 0.286 bits, marginal entropy 1 bit
    rates = [cs.simulate(source, None, name, n=n, seed=1).measured_bits_per_symbol
             for n in (10**4, 2 * 10**5)]
    rate, marginal = source.entropy_rate(), cs.entropy(source.marginal())
    assert rate < rates[1] < rates[0] < marginal                 # it falls, toward the rate ...
    assert rates[1] - rate < 0.25 * (marginal - rate)            # ... far nearer it than H(marginal)
    r = cs.simulate(source, None, name, n=10**4, seed=1)
    assert sum(r.ledger.values()) == pytest.approx(r.num_bits)
    assert r.entropy == source.entropy_rate() and math.isnan(r.expected_bits_per_symbol)


@pytest.mark.parametrize("name", UNIVERSAL)
def test_a_statistical_verdict_is_refused_with_the_reason(name):
    from codesim.simulation.check import check_statistical
    m = cs.measure([0.9, 0.1], [0.5, 0.5], name, n=1000)
    with pytest.raises(cs.OptionError, match="universal code: no finite-n theory"):
        check_statistical(m)


def test_lz77_codes_english_prose_within_10_percent_of_zlib():
    """2*10^4 bytes of the prose shipped with Python: LZ77 (window 32768, lazy matches,
    Huffman-coded tokens) against zlib -9 on the same bytes, in one run."""
    import zlib
    from codesim.sources.corpora import english_prose
    data = english_prose()[:20_000].encode()
    x = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    coder = make_coder("lz77", cs.uniform(256))
    enc = coder.encode(x)
    assert coder.decode(enc).tolist() == x.tolist()
    assert abs(enc.num_bits / 8 - len(zlib.compress(data, 9))) <= 0.10 * len(zlib.compress(data, 9))


def read_bit_by_bit(monkeypatch):
    """LZ77's textbook reader: a codeword's bits one at a time until they are a codeword."""
    from codesim.coders import universal

    def decoder(lengths):
        return {(l, v): i for i, (v, l) in universal._canonical(lengths).items()}

    def read_codeword(bits, code, at):
        value = length = 0
        while True:
            value, length = (value << 1) | bits.read(1, "codeword", at), length + 1
            if (length, value) in code:
                return code[(length, value)]
            if length >= (1 << universal.LENGTH_FIELD) - 1:
                raise cs.DecodeError("no codeword")
    monkeypatch.setattr(universal, "_decoder", decoder)
    monkeypatch.setattr(universal, "_read_codeword", read_codeword)


@pytest.mark.parametrize("matches", [False, True])
def test_an_lz77_token_is_read_by_the_interval_its_codeword_begins(matches, monkeypatch):
    """Each token's codeword is the one whose dyadic interval holds the next bits (a message
    of distinct symbols has no match, so no distance code at all): on every payload with one
    bit flipped, the same symbols as the reader that takes a bit at a time, or a DecodeError
    from both (a raw payload has no check of its own: the saved message's checksum is that)."""
    x = np.tile(np.arange(20), 8) if matches else np.random.default_rng(5).permutation(200)[:60]
    coder = make_coder("lz77", cs.uniform(200))
    enc = coder.encode(x)
    assert np.array_equal(coder.decode(enc), x)
    damaged = []
    for bit in range(enc.num_bits):
        payload = bytearray(enc.payload)
        payload[bit // 8] ^= 0x80 >> (bit % 8)
        damaged.append(cs.Encoded(**{**enc.__dict__, "payload": bytes(payload)}))

    def outcomes():
        for message in damaged:
            try:
                yield coder.decode(message).tolist()
            except cs.DecodeError:
                yield "DecodeError"
    by_interval = list(outcomes())
    with monkeypatch.context() as patch:
        read_bit_by_bit(patch)
        assert list(outcomes()) == by_interval
    assert by_interval.count("DecodeError") > len(damaged) // 4
