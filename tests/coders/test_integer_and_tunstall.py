"""More codes under one harness: integer codes, Fano, length-limited Huffman, tANS, Tunstall.
Each test states the theorem or textbook formula it checks."""

import itertools
import math

import numpy as np
import pytest

import codesim as cs
from tests.helpers import quick
from codesim.coders import make_coder
from codesim.coders.huffman import huffman_code_lengths, length_limited_code_lengths
from codesim.coders.integer import MAX_CODE_BITS

from tests.helpers import INTEGER, round_trip

NEW = ["fano", "tans", "tunstall", *INTEGER]


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("k", [1, 2, 256, 65536])
def test_every_new_coder_round_trips_empty_short_and_long_messages(name, k):
    q = cs.smooth(cs.zipf(k, 1.1), 1e-3) if k > 1 else np.array([1.0])
    if name == "unary" and k == 65536:       # the code's codewords hold 2**31 bits: refused
        with pytest.raises(cs.OptionError, match="codesim builds"):
            make_coder(name, q)
        return
    coder = make_coder(name, q)
    round_trip(coder, [])
    round_trip(coder, cs.sample(q, 7, 1))
    round_trip(coder, cs.sample(q, 20_000 if k < 65536 else 3_000, 2))


# --- codes for the integers: the textbook lengths ------------------------------------------

def floor_log2(x):
    return x.bit_length() - 1


@pytest.mark.parametrize("name, length", [
    ("unary", lambda s: s + 1),
    ("elias_gamma", lambda s: 2 * floor_log2(s + 1) + 1),
    ("elias_delta", lambda s: floor_log2(s + 1) + 2 * floor_log2(floor_log2(s + 1) + 1) + 1),
    ("rice", lambda s: (s >> 3) + 1 + 3),                                    # k = 3
    ("golomb", lambda s: s // 5 + 1 + (2 if s % 5 < 3 else 3)),             # m = 5: b = 3, cutoff 3
])
def test_integer_code_lengths_equal_the_textbook_formulas(name, length):
    options = {"rice": {"k": 3}, "golomb": {"m": 5}}.get(name, {})
    coder = make_coder(name, cs.uniform(1000), **options)
    assert coder.lengths.tolist() == [length(s) for s in range(1000)]
    assert np.allclose(coder.implied_q, np.exp2(-coder.lengths))


def test_elias_omega_length_is_one_plus_the_recursive_binary_lengths():
    def omega(x):
        return 1 if x == 1 else x.bit_length() + omega(x.bit_length() - 1) if x.bit_length() > 1 else 1
    coder = make_coder("elias_omega", cs.uniform(5000))
    assert coder.lengths.tolist() == [omega(s + 1) for s in range(5000)]


@pytest.mark.parametrize("name", INTEGER)
def test_integer_codes_are_prefix_free_with_kraft_sum_at_most_one(name):
    coder = make_coder(name, cs.uniform(300))
    words = coder.codewords
    assert not any(a != b and b.startswith(a) for a in words for b in words)
    assert coder.kraft_sum() <= 1 and math.isclose(float(coder.implied_q.sum()), float(coder.kraft_sum()))


def test_golomb_and_rice_fit_their_parameter_to_q():
    assert make_coder("golomb", cs.geometric(256, 0.9)).m == 7      # Gallager-Van Voorhis for theta 0.9
    q = cs.geometric(256, 0.97)
    fitted = make_coder("rice", q)
    costs = {k: make_coder("rice", q, k=k).expected_bits_per_symbol(q) for k in range(9)}
    assert fitted.expected_bits_per_symbol(q) == min(costs.values())


def test_a_code_too_big_to_build_is_refused_naming_its_size():
    with pytest.raises(cs.OptionError, match=f"golomb with m = 1 over 20000 symbols has codewords of "
                                             f"up to 20000 bits .* more than the {MAX_CODE_BITS}"):
        make_coder("golomb", cs.uniform(20000), m=1)


# --- Fano and length-limited Huffman ---------------------------------------------------------

def test_fano_loses_to_huffman_on_a_q_where_an_early_balanced_split_forces_long_codewords():
    q = [0.35, 0.17, 0.17, 0.16, 0.15]
    fano, huffman = make_coder("fano", q), make_coder("huffman", q)
    assert fano.lengths.tolist() == [2, 2, 2, 3, 3] and huffman.lengths.tolist() == [1, 3, 3, 3, 3]
    assert fano.expected_bits_per_symbol(q) == pytest.approx(2.31)
    assert huffman.expected_bits_per_symbol(q) == pytest.approx(2.30)


@pytest.mark.parametrize("seed", range(30))
def test_fano_is_within_one_bit_of_the_entropy_and_never_beats_huffman(seed):
    q = cs.dirichlet(12, 0.5, seed)
    fano = make_coder("fano", q).expected_bits_per_symbol(q)
    assert cs.entropy(q) - 1e-12 <= fano <= cs.entropy(q) + 1 - q[q > 0].min() + 1e-12
    assert make_coder("huffman", q).expected_bits_per_symbol(q) <= fano + 1e-12


def _best_lengths_up_to(q, limit):
    """The least E_q[l] over all length vectors with 1 <= l <= limit and Kraft sum <= 1."""
    best = math.inf
    for lengths in itertools.product(range(1, limit + 1), repeat=len(q)):
        if sum(2.0 ** -l for l in lengths) <= 1:
            best = min(best, float(np.dot(q, lengths)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_length_limited_huffman_is_optimal_among_prefix_codes_with_lengths_at_most_L(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 7))
    q = cs.normalize(rng.dirichlet(np.full(k, 0.3)) + 1e-4)
    for limit in range(math.ceil(math.log2(k)), k):
        lengths = length_limited_code_lengths(q, limit)
        assert lengths.max() <= limit and cs.coders.prefix.kraft_sum(lengths) <= 1
        assert float(np.dot(q, lengths)) == pytest.approx(_best_lengths_up_to(q, limit), abs=1e-12)


def test_length_limited_huffman_is_huffman_when_the_limit_does_not_bind_and_refuses_too_short_a_limit():
    q = cs.zipf(40, 1.5)
    free = huffman_code_lengths(q)
    assert length_limited_code_lengths(q, int(free.max())).tolist() == free.tolist()
    coder = make_coder("huffman", q, max_length=7)
    assert coder.lengths.max() == 7 and coder.kraft_sum() == 1
    with pytest.raises(cs.OptionError, match=r"40 possible symbols need codewords of at least ceil\(log2 40\) = 6"):
        make_coder("huffman", q, max_length=5)


# --- tANS --------------------------------------------------------------------------------------

@pytest.mark.parametrize("table_log", [5, 8, 11])
def test_tans_num_bits_is_within_its_stated_bounds_of_the_information_under_the_table_model(table_log):
    p, q = cs.dirichlet(20, 1.0, 3), cs.smooth(cs.dirichlet(20, 1.0, 4), 0.05)
    coder = make_coder("tans", q, table_log=table_log)
    for n in (1, 10, 1000, 30_000):
        round_trip(coder, cs.sample(p, n, n))          # code_length - below <= num_bits <= + above


def test_tans_rate_approaches_the_cross_entropy_as_the_table_grows():
    p = q = [0.8, *(cs.geometric(15, 0.7) * 0.2)]
    x = cs.sample(p, 200_000, 5)
    excess = [make_coder("tans", q, table_log=r).encode(x).num_bits / x.size - cs.cross_entropy(p, q)
              for r in (6, 8, 10, 12)]
    assert excess[0] > excess[1] > excess[2] > 0 and excess[3] < 0.01


def test_tans_costs_what_its_chain_of_states_says_over_seeds():
    # the overhead over sum -log2 q~ is derived from the stationary state distribution
    p, q, n = cs.zipf(16, 1.2), cs.smooth(cs.dirichlet(16, 1.0, 3), 0.1), 3000
    coder = make_coder("tans", q)
    extra = [coder.encode(x := cs.sample(p, n, s)).num_bits - coder.code_length(x) for s in range(150)]
    theory = coder.overhead(p, n)
    assert abs(np.mean(extra) - theory.mean) < 4 * theory.sd / math.sqrt(150)
    assert 0.8 < np.std(extra, ddof=1) / theory.sd < 1.25


def test_tans_against_rans_with_the_same_quantised_model():
    # what the table approximation adds, measured: rANS at precision R codes the same q~
    p, q = cs.zipf(16, 1.2), cs.smooth(cs.dirichlet(16, 1.0, 3), 0.1)
    x = cs.sample(p, 50_000, 9)
    tans, rans = make_coder("tans", q, table_log=11), make_coder("rans", q, precision=11)
    assert np.array_equal(tans.freqs, rans.freqs)
    difference = (tans.encode(x).num_bits - rans.encode(x).num_bits) / x.size
    predicted = tans.overhead(p, x.size).mean / x.size - rans.overhead(p, x.size).mean / x.size
    assert difference == pytest.approx(predicted, abs=4e-3)


def test_the_tans_trace_adds_up_to_num_bits():
    coder = make_coder("tans", [0.6, 0.3, 0.1], table_log=5)
    x = cs.sample([0.6, 0.3, 0.1], 200, 1)
    steps = coder.trace(x)
    assert [t.symbol for t in steps] == x.tolist()
    assert coder.table_log + sum(len(t.bits) for t in steps) == coder.encode(x).num_bits
    assert all(t.next_state == steps[i + 1].state for i, t in enumerate(steps[:-1]))
    assert steps[-1].next_state == 1 << coder.table_log


# --- Tunstall --------------------------------------------------------------------------------

@pytest.mark.parametrize("bits", [3, 5, 8, 12])
def test_tunstall_on_its_own_source_is_within_the_tunstall_bound(bits):
    q = [0.6, 0.3, 0.1]
    coder = make_coder("tunstall", q, bits=bits)
    rate = coder.expected_bits_per_symbol(q)
    assert cs.entropy(q) <= rate <= coder.tunstall_bound()
    x = cs.sample(q, 30_000, bits)
    measured = coder.encode(x).num_bits / x.size
    assert abs(measured - coder.expected_bits_per_symbol(q, x.size)) < 4 * math.sqrt(
        coder.bits_variance(q) / x.size)


def test_tunstall_rate_on_another_source_tends_to_the_cross_entropy_from_either_side():
    # the words' lengths follow their probability under q: by Wald, E_p[D] H(p,q) = E_p[-log2 q(W)],
    # about bits give or take log2(1 / q_min), so bits / E_p[D] -> H(p, q), not monotonically
    p, q = [0.5, 0.3, 0.2], [0.6, 0.3, 0.1]
    gaps = [make_coder("tunstall", q, bits=b).expected_bits_per_symbol(p) - cs.cross_entropy(p, q)
            for b in (4, 8, 12, 16)]
    assert gaps[0] > 0.05 and all(abs(g) < 0.01 for g in gaps[1:])
    assert all(cs.cross_entropy(p, q) + g >= cs.entropy(p) for g in gaps)


@pytest.mark.parametrize("n", range(1, 12))
def test_a_tunstall_message_ending_inside_a_word_round_trips(n):
    coder = make_coder("tunstall", [0.7, 0.3], bits=3)
    for x in itertools.product([0, 1], repeat=min(n, 8)):
        round_trip(coder, list(x))


# --- the experiments -------------------------------------------------------------------------

def test_the_implied_distribution_experiment_measures_every_code_at_its_theory():
    rows = quick("implied_distribution").rows
    assert all(abs(r["z"]) < 4 for r in rows)
    geometric = {r["option"]: r["measured"] for r in rows if r["source"].startswith("geometric")}
    assert min(geometric, key=geometric.get) == "m=7"          # the fitted m wins
    power = {r["coder"]: r["measured"] for r in rows if r["source"].startswith("power")}
    assert power["elias_gamma"] < min(power["golomb"], power["rice"], power["unary"])


def test_the_skewed_experiment_shows_huffmans_floor_and_tans_reaching_the_entropy():
    rows = quick("skewed").rows
    for top in {r["p(top)"] for r in rows}:
        at = {(r["coder"], r["option"]): r for r in rows if r["p(top)"] == top}
        assert at[("huffman", "")]["measured"] >= 1.0 > at[("huffman", "")]["H(p) (theory)"]
        tans = [at[("tans", f"table_log={r}")]["excess over H(p)"] for r in (6, 8, 10, 12)]
        assert tans[0] > tans[1] > tans[3] and tans[3] < 0.02
        assert at[("huffman", "block=3")]["measured"] < at[("huffman", "")]["measured"]


def test_tunstalls_expected_cost_is_exact_at_small_n():
    """The renewal approximation said 2.135 bits/symbol at n = 1 for a code that always costs
    3; the exact recursion gives 3, and meets the renewal value by n = 100."""
    p = [0.7, 0.2, 0.1]
    coder = cs.make_coder("tunstall", p, bits=3)
    assert coder.expected_bits_per_symbol(p, 1) == pytest.approx(3.0)
    assert coder.bits_variance(p, 1) == pytest.approx(0.0)
    mu, second = coder.word_moments(p)
    renewal = coder.bits * (100 + (second - mu) / (2 * mu)) / mu / 100
    assert coder.expected_bits_per_symbol(p, 100) == pytest.approx(renewal, abs=1e-6)
    # against brute force: every message of 4 symbols, weighted by its probability
    import itertools
    total = sum(np.prod([p[s] for s in x]) * coder.encode(list(x)).num_bits
                for x in itertools.product(range(3), repeat=4))
    assert coder.expected_bits_per_symbol(p, 4) == pytest.approx(total / 4, rel=1e-12)
