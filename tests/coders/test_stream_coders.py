"""Stream coders: the model they really use, their stated overheads, and the teaching tools."""

import math
from bisect import bisect_right

import numpy as np
import pytest

import constriction
import codesim as cs
from codesim.coders import make_coder
from codesim.coders.arithmetic import FenwickTree
from codesim.errors import OptionError, SupportError

from tests.helpers import PER_POSITION, STREAM, round_trip


@pytest.mark.parametrize("name", ["range", "ans"])
def test_constriction_applies_exactly_our_quantised_model(name):
    # One symbol repeated n times costs n * -log2 q~(s) within the coder's fixed overhead.
    # An error of one slot in f(s) = 3 would move that by n * log2(4/3) = 41,500 bits.
    q = np.array([3.0, 1.0, 2.0 ** 24 - 12, 8.0]) / 2 ** 24
    coder = make_coder(name, q)
    assert coder.freqs.tolist() == [3, 1, 2 ** 24 - 12, 8]
    n = 100_000
    for s in range(4):
        x = np.full(n, s)
        enc = round_trip(coder, x)
        assert abs(enc.num_bits - n * -math.log2(coder.model_pmf[s])) <= 64 + 1


def test_constriction_raw_would_silently_accept_a_zero_probability_symbol_we_refuse():
    model = constriction.stream.model.Categorical(np.array([0.5, 0.0, 0.5]), perfect=False)
    raw = constriction.stream.stack.AnsCoder()
    raw.encode_reverse(np.array([1], dtype=np.int32), model)       # constriction: fine
    with pytest.raises(SupportError):
        make_coder("ans", [0.5, 0.0, 0.5]).encode([1])               # codesim: refused


@pytest.mark.parametrize("precision", [4, 8, 12, 16, 20, 24])
@pytest.mark.parametrize("name", STREAM)
def test_every_precision_round_trips_and_model_pmf_is_the_quantised_q(name, precision, rng):
    q = cs.zipf(12, 1.3)
    coder = make_coder(name, q, precision=precision)
    assert np.array_equal(coder.model_pmf, cs.quantize(q, precision) / 2 ** precision)
    round_trip(coder, cs.sample(q, 3000, rng))


def test_expected_bits_is_cross_entropy_against_the_model_really_used():
    p, q = cs.zipf(8, 0.5), cs.zipf(8, 2.0)
    coder = make_coder("ans", q, precision=6)
    assert coder.expected_bits_per_symbol(p) == pytest.approx(cs.cross_entropy(p, coder.model_pmf))
    assert coder.expected_bits_per_symbol(p) != pytest.approx(cs.cross_entropy(p, q), abs=1e-4)


@pytest.mark.parametrize("name", PER_POSITION)
def test_one_distribution_per_position(name, rng):
    n = 2000
    Q = rng.dirichlet(np.ones(6), size=n)
    x = np.array([rng.choice(6, p=row) for row in Q])
    coder = make_coder(name, Q)
    enc = round_trip(coder, x)
    ideal = float(np.sum(-np.log2(Q[np.arange(n), x])))
    assert abs(enc.num_bits - ideal) < 70
    with pytest.raises(OptionError, match="2000 positions, but the message has 3 symbols"):
        coder.encode([0, 1, 2])


def test_per_position_zero_is_a_support_error_with_position():
    Q = np.array([[0.5, 0.5], [1.0, 0.0]])
    with pytest.raises(SupportError, match=r"symbol 1 at position 1 has q\[1, 1\] = 0"):
        make_coder("range", Q).encode([0, 1])


@pytest.mark.parametrize("prior", ["laplace", "kt"])
def test_adaptive_model_regret_over_the_best_fixed_model_in_hindsight_is_logarithmic(prior, rng):
    # Code length - n * H_emp(x) (the ML code length) is >= 0 and at most the mixture's regret:
    # Laplace log2 C(n+m-1, m-1); KT (m-1)/2 log2 n + log2(Gamma(1/2)^m / Gamma(m/2)); +2 bits
    # for the arithmetic coder itself.
    p, m = [0.7, 0.2, 0.1, 0.0], 4
    coder = make_coder("arithmetic", cs.uniform(m), adaptive=prior)
    x = cs.sample(p, 20_000, rng)
    n = x.size
    enc = round_trip(coder, x)
    counts = np.bincount(x, minlength=m)
    ml_bits = n * cs.entropy(counts / n)
    if prior == "laplace":
        regret = math.log2(math.comb(n + m - 1, m - 1))
    else:
        regret = (m - 1) / 2 * math.log2(n) + (m * math.lgamma(0.5) - math.lgamma(m / 2)) / math.log(2)
    assert 0 < enc.num_bits - ml_bits <= regret + 2


def test_fenwick_tree_prefix_sums_and_search(rng):
    w = rng.integers(0, 5, 100)
    tree = FenwickTree(w)
    for _ in range(50):
        i = int(rng.integers(100))
        tree.add(i, 2)
        w[i] += 2
    cum = np.concatenate([[0], np.cumsum(w)])
    assert all(tree.prefix(i) == cum[i] for i in range(101))
    for v in range(0, int(cum[-1]), 7):
        s = bisect_right(tree, v) - 1                     # the tree reads as the list cum
        assert cum[s] <= v < cum[s + 1]


def test_arithmetic_trace_shows_the_interval_narrowing():
    coder = make_coder("arithmetic", [0.5, 0.25, 0.25], precision=2)
    steps = coder.trace([1, 2, 0])
    assert steps[0]["interval_before"] == (0.0, 1.0)
    assert steps[0]["interval_after"] == (0.5, 0.75)
    assert steps[0]["bits"] == "10"                  # [1/2, 3/4) settles two bits
    assert [s["information_bits"] for s in steps[:-1]] == [2.0, 2.0, 1.0]
    assert steps[-1]["position"] == "flush"
    # every bit of the message is in the trace, the flush included
    assert steps.num_bits == sum(len(s["bits"]) for s in steps) == coder.encode([1, 2, 0]).num_bits
    assert "flush" in str(steps) and "bits in all (measured)" in str(steps)


def test_rans_trace_of_the_state_by_hand():
    # q~ = (2, 2)/4, start x = L = 2**47: encoding symbol 1 gives x = (L // 2) * 4 + 2 + 0.
    from codesim.coders.rans import RANS_L, rans_encode
    data = rans_encode([1], [2, 2], [0, 2], 2)
    assert int.from_bytes(data[:7], "big") == (RANS_L // 2) * 4 + 2


def test_precision_must_have_room_for_every_possible_symbol():
    with pytest.raises(OptionError, match="precision 3 gives 8 slots"):
        make_coder("range", cs.uniform(9), precision=3)
    with pytest.raises(OptionError, match="precision must be an integer from 1 to 24"):
        make_coder("ans", cs.uniform(2), precision=30)


def test_the_arithmetic_coder_states_its_real_lower_bound():
    # Rounding can hand a symbol one unit more than width * f / total, so a message can cost
    # less than its information content: by at most eps = -log2(1 - 2**(precision - 46)) per symbol.
    coder = make_coder("arithmetic", [0.5, 0.5 - 2.0**-31, 2.0**-31], precision=32)
    below, above = coder.length_bounds(1000)
    eps = -math.log2(1 - 2.0 ** (32 - 46))
    assert below == pytest.approx(1000 * eps) and above == pytest.approx(2 + 1000 * eps)
    assert make_coder("arithmetic", [0.5, 0.5]).length_bounds(1000)[0] == pytest.approx(1000 * 2.0 ** -22 / math.log(2), rel=1e-3)
    rng = np.random.default_rng(3)
    for _ in range(20):
        round_trip(coder, rng.choice(3, 1000, p=[0.2, 0.2, 0.6]))


@pytest.mark.parametrize("name", ["range", "ans"])
@pytest.mark.parametrize("bad, message", [(5, "symbol 5 at position 3"), (-2, "symbol -2 at position 3")])
def test_an_int32_message_goes_to_constriction_unchecked_yet_a_bad_symbol_is_still_named(name, bad, message):
    coder = make_coder(name, [0.5, 0.3, 0.2])
    x = np.array([0, 1, 2, bad, 1], dtype=np.int32)
    with pytest.raises(cs.SymbolError, match=message):
        coder.encode(x)
    good = cs.sample([0.5, 0.3, 0.2], 1000, 2, dtype=np.int32)
    assert good.dtype == np.int32 and np.array_equal(good, cs.sample([0.5, 0.3, 0.2], 1000, 2))
    out = coder.decode(coder.encode(good))
    assert out.dtype == np.int32 and np.array_equal(out, good)


@pytest.mark.parametrize("name", PER_POSITION)
def test_a_per_position_coders_theory_takes_p_over_its_alphabet(name):
    """p has K entries, whatever the number of positions (checking p against q's length, the
    positions, refused every p)."""
    q = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
    coder = cs.make_coder(name, q)
    assert coder.expected_bits_per_symbol([0.5, 0.5], 3) > 0
    assert coder.overhead([0.5, 0.5], 3).high >= coder.overhead([0.5, 0.5], 3).low
    with pytest.raises(cs.DistributionError, match="must be over the same alphabet"):
        coder.expected_bits_per_symbol([0.5, 0.25, 0.25], 3)
