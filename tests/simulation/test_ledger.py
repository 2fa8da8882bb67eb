"""Every bit accounted for: the ledger sums to num_bits, each term tends to its theory, and the
overhead verdict sees a coder that wastes 1e-3 bits per symbol."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import codesim as cs
from codesim.simulation.check import check_overhead, check_statistical
from codesim.coders import Encoded, make_coder
from codesim.simulation import LEDGER_TERMS, measure
from codesim.simulation.result import UNIVERSAL_LEDGER_TERMS

from tests.helpers import UNIVERSAL, ALL_CODERS, random_q


@settings(max_examples=60, deadline=None)
@given(random_q(st.integers(1, 40)), st.sampled_from(ALL_CODERS), st.integers(0, 3000))
def test_the_ledger_sums_to_num_bits_for_every_coder(q_rng, coder, n):
    q, rng = q_rng
    p = cs.normalize(np.where(q > 0, rng.dirichlet(np.ones(q.size)) + 1e-3, 0.0))
    r = measure(p, q, coder, n=n, seed=int(rng.integers(2**31))).result
    assert list(r.ledger) == list(UNIVERSAL_LEDGER_TERMS if coder in UNIVERSAL else LEDGER_TERMS)
    assert sum(r.ledger.values()) == pytest.approx(r.num_bits, rel=1e-6, abs=1e-6)


def _term_sd(coder, p, q, term, n):
    """Standard deviation of a ledger term's per-symbol mean on n symbols, under p."""
    if not hasattr(coder, "model_pmf") and not hasattr(coder, "code"):
        # no per-symbol model (Tunstall codes words): quantisation = code_length - information,
        # whose sd is at most the sum of theirs
        if term != "quantisation":
            return 0.0 if term == "coder_overhead" else _term_sd(make_coder("huffman", q), p, q, term, n)
        information = -np.log2(q)
        spread = math.sqrt(float(np.dot(p, (information - np.dot(p, information)) ** 2)))
        return math.sqrt(coder.bits_variance(p, n) / n) + spread / math.sqrt(n)
    q_model = coder.model_pmf if hasattr(coder, "model_pmf") else coder.code.implied_distribution()
    cost = {"sample_entropy": -np.log2(p),
            "sample_divergence": np.log2(p) - np.log2(q),
            "quantisation": np.log2(q) - np.log2(q_model)}.get(term)
    if cost is None:
        return 0.0
    mean = float(np.dot(p, cost))
    return math.sqrt(float(np.dot(p, (cost - mean) ** 2)) / n)

#: the coders with a model of q, whose every ledger term has a theory at every n
MODELLED = [c for c in ALL_CODERS if c not in UNIVERSAL]


@pytest.mark.parametrize("coder", UNIVERSAL)
def test_a_universal_codes_ledger_is_the_entropy_and_its_measured_redundancy(coder):
    """No model, no finite-n theory: num_bits = sample entropy + redundancy, exactly; the
    entropy term tends to H(p) and the redundancy per symbol shrinks as n grows."""
    p = [0.9, 0.1]
    redundancy = []
    for n in (1_000, 100_000):
        r = cs.simulate(p, [0.5, 0.5], coder, n=n, seed=3)
        assert set(r.ledger) == {"sample_entropy", "redundancy"}
        assert sum(r.ledger.values()) == pytest.approx(r.num_bits, abs=1e-6)
        assert math.isnan(r.expected_bits_per_symbol) and math.isnan(r.ledger_theory["redundancy"])
        assert r.ledger_theory["sample_entropy"] == cs.entropy(p)
        redundancy.append(r.ledger["redundancy"] / n)
    assert abs(r.ledger["sample_entropy"] / r.n - cs.entropy(p)) < 0.01
    assert 0 < redundancy[1] < redundancy[0]


@pytest.mark.parametrize("coder", MODELLED)
def test_each_term_per_symbol_approaches_its_theory_as_n_grows(coder):
    p, q = cs.dirichlet(10, 1.0, 7), cs.smooth(cs.dirichlet(10, 1.0, 8), 0.1)
    tolerances = {}
    for n in (1_000, 100_000):
        m = measure(p, q, coder, n=n, seed=3)
        r, ovh = m.result, m.overhead
        for term in LEDGER_TERMS:
            if term == "coder_overhead":
                tolerance = (max(ovh.high - ovh.mean, ovh.mean - ovh.low)) / n
            else:
                tolerance = 5 * _term_sd(m.coder, p, q, term, n) + 1e-12
            assert abs(r.ledger[term] / n - r.ledger_theory[term]) <= tolerance, (term, n)
            tolerances.setdefault(term, []).append(tolerance)
    for term, (small, large) in tolerances.items():      # the band around theory narrows
        assert large <= small / 9 or small == 0, term


def test_a_prefix_codes_quantisation_is_its_integer_length_cost():
    p, q = cs.zipf(6, 1.0), cs.dirichlet(6, 1.0, 2)
    coder = make_coder("huffman", q)
    m = measure(p, q, coder, n=50_000, seed=1)
    assert m.result.ledger["coder_overhead"] == 0
    assert m.result.ledger_theory["quantisation"] == pytest.approx(
        coder.expected_bits_per_symbol(p) - cs.cross_entropy(p, q))


# --- defect 1: adaptive models ---------------------------------------------------------------

def test_an_adaptive_run_reports_its_real_expectation_and_spread():
    # Was: stderr ~3e-18 and expected rate H(p).  The spread over seeds is ~0.0074.
    p = cs.zipf(8, 1)
    r = cs.simulate(p, cs.uniform(8), "arithmetic", adaptive="kt", n=20_000, seed=0)
    assert 0.006 < r.stderr < 0.009
    coder = make_coder("arithmetic", cs.uniform(8), adaptive="kt")
    # expected: the model's rate plus the coder's mean overhead (the flush), per symbol
    flush = coder.overhead(p, 20_000).mean / 20_000
    assert r.expected_bits_per_symbol == pytest.approx(coder.expected_bits_per_symbol(p, 20_000) + flush)
    assert r.expected_bits_per_symbol > cs.entropy(p) + 1e-3        # the learning cost
    # cross-entropy and ideal rate describe the model the coder used, not the uniform q
    assert r.cross_entropy == coder.expected_bits_per_symbol(p, 20_000) != cs.cross_entropy(p, cs.uniform(8))
    assert r.kl_divergence == pytest.approx(r.cross_entropy - r.entropy)
    assert r.ideal_bits_per_symbol * r.n == pytest.approx(coder.code_length(cs.sample(p, 20_000, 0)))


def test_the_adaptive_stderr_matches_the_spread_over_seeds():
    p, n = cs.zipf(6, 1.0), 3000
    rates = [cs.simulate(p, cs.uniform(6), "arithmetic", adaptive="kt", n=n, seed=s)
             for s in range(60)]
    spread = np.std([r.measured_bits_per_symbol for r in rates], ddof=1)
    assert 0.75 < spread / rates[0].stderr < 1.3
    mean = np.mean([r.measured_bits_per_symbol for r in rates])
    assert abs(mean - rates[0].expected_bits_per_symbol) < 4 * spread / math.sqrt(60) + 2 / n


@pytest.mark.parametrize("rule", ["kt", "laplace"])
def test_an_honest_adaptive_coder_passes_the_statistical_check_on_most_seeds(rule):
    fails = [not check_statistical(measure(cs.zipf(8, 1), cs.uniform(8), "arithmetic", 4000, s,
                                           adaptive=rule), 0.05).passed for s in range(100)]
    assert sum(fails) <= 12          # nominal 5; was 100 of 100


# --- defect 2: the adaptive option is part of the model fingerprint ---------------------------

@pytest.mark.parametrize("other", [{"adaptive": "laplace"}, {}])
def test_a_message_coded_adaptively_is_refused_by_another_model(other):
    x = cs.sample(cs.zipf(8, 1), 500, 1)
    kt = make_coder("arithmetic", cs.uniform(8), adaptive="kt")
    saved = Encoded.from_bytes(kt.encode(x).to_bytes())
    with pytest.raises(cs.DecodeError, match="different model"):
        make_coder("arithmetic", cs.uniform(8), **other).decode(saved)
    assert np.array_equal(kt.decode(saved), x)


# --- the power of the overhead verdict ---------------------------------------------------------

def wasteful(coder, every=1000):
    """A test double: the same coder, padding one zero bit per ``every`` symbols to its message."""

    class Wasteful(type(coder)):
        def encode(self, symbols):
            enc = super().encode(symbols)
            extra = enc.num_symbols // every
            return Encoded(enc.coder, enc.num_symbols, enc.num_bits + extra,
                           enc.payload + bytes(extra // 8 + 1), enc.options, enc.model_fingerprint)

        def decode(self, encoded):
            bits = encoded.num_bits - encoded.num_symbols // every
            return super().decode(Encoded(encoded.coder, encoded.num_symbols, bits,
                                          encoded.payload[: (bits + 7) // 8], encoded.options,
                                          encoded.model_fingerprint))

    double = Wasteful.__new__(Wasteful)
    double.__dict__.update(coder.__dict__)
    return double


#: one coder of every family: prefix codes built for q (huffman, fano), for the integers (golomb),
#: the stream coders (arithmetic, rans, range, ans), table ANS and variable-to-fixed (tunstall)
FAMILIES = ["huffman", "fano", "golomb", "arithmetic", "rans", "range", "ans", "tans", "tunstall"]


@pytest.mark.slow
@pytest.mark.parametrize("coder", FAMILIES)
def test_the_overhead_verdict_fails_a_coder_wasting_1e_3_bits_per_symbol(coder):
    p, q = cs.dirichlet(12, 1.0, 21), cs.smooth(cs.dirichlet(12, 1.0, 22), 0.05)
    honest = make_coder(coder, q)
    n = 1_000_000
    good = measure(p, q, honest, n=n, seed=5)
    bad = measure(p, q, wasteful(honest), n=n, seed=5)
    assert bad.result.num_bits == good.result.num_bits + n // 1000
    assert check_overhead(good).passed
    assert not check_overhead(bad).passed
    # A comparison with theory under p cannot see the waste: its stderr is about 1e-3.
    assert check_statistical(bad, 1e-3).passed


# --- the paired measurement of D ---------------------------------------------------------------

def _q_at_divergence(p, target):
    """q on the segment from p to uniform with D(p||q) = target (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cs.kl_divergence(p, cs.mixture(p, cs.uniform(p.size), mid)) < target else (lo, mid)
    return cs.mixture(p, cs.uniform(p.size), lo)


def test_a_paired_measurement_resolves_a_divergence_of_1e_4_bits():
    p = cs.zipf(16, 1.0)
    q = _q_at_divergence(p, 1e-4)
    m = cs.measure_divergence(p, q, "ans", n=1_000_000, seed=0)
    assert m.kl_divergence == pytest.approx(1e-4, rel=1e-6)
    assert m.stderr < 3e-5
    assert abs(m.estimate - m.kl_divergence) <= 3 * m.stderr + m.overhead_bound / m.n
    # two separate rates could not: each has a stderr of about 1e-3 bits/symbol
    assert cs.simulate(p, q, "ans", n=1_000_000, seed=1).stderr > 30 * m.stderr


@pytest.mark.parametrize("coder, options, why", [
    ("huffman", {}, "whole-bit codeword lengths"), ("huffman", {"block": 2}, "whole-bit codeword lengths"),
    ("shannon", {}, "D\\(p\\|\\|2\\^-l_q\\) - D\\(p\\|\\|2\\^-l_p\\), not D\\(p\\|\\|q\\)"),
    ("golomb", {}, "whole-bit codeword lengths"), ("tunstall", {}, "words of symbols"),
    ("arithmetic", {"adaptive": "kt"}, "learns its own model"),
])
def test_only_a_coder_paying_minus_log_q_per_symbol_measures_d(coder, options, why):
    # Before, these returned a number beside D(p||q) that was not an estimate of it: Huffman's
    # codes for nearby p and q coincide, so "0 +/- 0" against D = 0.0037.
    p = cs.zipf(8, 1.0)
    with pytest.raises(cs.OptionError, match=why):
        cs.measure_divergence(p, cs.mixture(p, cs.uniform(8), 0.1), coder, n=2000, **options)


def test_the_paired_estimate_tracks_d_plus_what_quantising_the_two_models_adds():
    p = cs.zipf(64, 1.1)
    q = cs.mixture(p, cs.uniform(64), 0.05)
    coarse = cs.measure_divergence(p, q, "ans", n=1_000_000, seed=0, precision=8)
    fine = cs.measure_divergence(p, q, "ans", n=1_000_000, seed=0)
    assert coarse.quantisation < -0.001 and abs(fine.quantisation) < 1e-6
    for m in (coarse, fine):
        assert abs(m.estimate - m.kl_divergence - m.quantisation) <= 3 * m.stderr + m.overhead_bound / m.n
    # at 8 bits the estimate is far from D itself: the quantisation term is what explains it
    assert abs(coarse.estimate - coarse.kl_divergence) > 3 * coarse.stderr


def test_measure_divergence_refuses_tiny_samples():
    with pytest.raises(cs.OptionError, match="at least 2 symbols"):
        cs.measure_divergence([0.5, 0.5], [0.5, 0.5], "ans", n=1)


@pytest.mark.parametrize("coder", MODELLED)
def test_expected_is_the_ledgers_theory_total_at_every_n(coder):
    """At n = 5, ans measured 12.8 bits/symbol beside an 'expected' of 1.000000 +/- 0: the
    expectation left out the coder's overhead, which its own ledger's theory counted."""
    p, q = [0.9, 0.1], [0.5, 0.5]
    try:
        r = cs.simulate(p, q, coder, n=5, seed=1)
    except cs.OptionError:
        pytest.skip(f"{coder} refuses this q")
    assert r.expected_bits_per_symbol == pytest.approx(sum(r.ledger_theory.values()), rel=1e-12)
    if coder == "ans":
        assert r.expected_bits_per_symbol > 5 and r.stderr > 0.5


def test_the_paired_divergence_of_tans_tends_to_its_target_with_the_drifts():
    """tANS's estimate tends to D + quantisation + (drift under q - drift under p), not to
    D + quantisation (0.00228 measured against 0.00049 documented)."""
    m = cs.measure_divergence([0.3, 0.7], [0.32, 0.68], "tans", n=200_000, seed=1, table_log=6)
    assert abs(m.estimate - m.target) <= 3 * m.stderr
    assert abs(m.estimate - m.kl_divergence - m.quantisation) > 3 * m.stderr
    assert m.overhead == pytest.approx(m.target - m.kl_divergence - m.quantisation)


@pytest.mark.parametrize("coder", ["ans", "range", "rans", "tans", "arithmetic"])
def test_the_paired_estimate_leaves_out_each_flush_exactly(coder):
    """ANS and range write whole 32-bit words: the difference of the two messages' lengths
    moves in steps of 32 / n bits per symbol, as wide as a 95% interval at n = 10**6 (which
    then held D in 99% of 200 seeds).  The estimate is the difference of the information the
    two messages hold before their flushes, read from the coders' final states: each is its
    message's bits less a flush inside the coder's documented flush range, and the sum of its
    symbols' costs but for the rounding drift."""
    p, q = [0.5, 0.5], [0.49, 0.51]
    m = cs.measure_divergence(p, q, coder, n=20_000, seed=3)
    assert m.estimate == (m.information_q - m.information_p) / m.n
    for model, bits, info in ((q, m.bits_q, m.information_q), (p, m.bits_p, m.information_p)):
        made = cs.make_coder(coder, model)
        assert made.flush.low - 1e-9 <= bits - info <= made.flush.high + 1e-9 or coder == "tans"
        x = cs.sample(p, 20_000, 3)
        drift, variance = made.information_drift(np.asarray(p), x.size)
        assert abs(info - made.code_length(x) - drift) <= 6 * math.sqrt(variance) + 2
