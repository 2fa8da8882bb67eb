"""Sources with memory: Markov sources' rates against hand-solved chains, context models as
codebooks, and an honest stderr along the chain."""

import math

import numpy as np
import pytest

import codesim as cs
from codesim.sources.markov import MarkovSource


def h2(a):
    return 0.0 if a in (0, 1) else -a * math.log2(a) - (1 - a) * math.log2(1 - a)


@pytest.mark.parametrize("a, b", [(0.3, 0.1), (0.5, 0.5), (0.01, 0.9)])
def test_a_two_state_chain_has_the_hand_solved_stationary_law_and_rates(a, b):
    chain = MarkovSource([[1 - a, a], [b, 1 - b]])
    pi = np.array([b, a]) / (a + b)
    assert chain.stationary() == pytest.approx(pi)
    assert chain.entropy_rate() == pytest.approx(pi[0] * h2(a) + pi[1] * h2(b))
    q = np.array([0.7, 0.3])                   # an i.i.d. code pays the marginal's cross-entropy
    assert chain.cross_entropy_rate(q) == pytest.approx(cs.cross_entropy(pi, q))
    other = MarkovSource([[0.6, 0.4], [0.3, 0.7]])
    by_hand = sum(pi[c] * sum(chain.rows[c, s] * -math.log2(other.rows[c, s]) for s in (0, 1))
                  for c in (0, 1))
    assert chain.cross_entropy_rate(other) == pytest.approx(by_hand)
    assert chain.kl_rate(other) == pytest.approx(by_hand - chain.entropy_rate())
    assert chain.kl_rate(chain) == pytest.approx(0, abs=1e-12)


def test_an_order_2_source_against_an_order_1_model_by_enumerating_three_symbol_windows():
    source, model = MarkovSource.random(3, 2, 0.7, 1), MarkovSource.random(3, 1, 1.0, 2)
    pi = source.stationary().reshape(3, 3)                 # pi[a, b]: context (a, b)
    rate = sum(pi[a, b] * source.rows[a * 3 + b, s] * -math.log2(model.rows[b, s])
               for a in range(3) for b in range(3) for s in range(3))
    assert source.cross_entropy_rate(model) == pytest.approx(rate)
    # and the order-1 model against the order-2 source: windows of 2 from the same pi
    marginal = pi.sum(axis=0)
    assert source.marginal() == pytest.approx(marginal)


@pytest.mark.parametrize("rows, message", [
    ([[0.5, 0.6], [0.5, 0.5]], r"transitions\[0\] sums to 1.1"),
    (np.full((2, 2, 2), 0.5) * [1, 1.2], r"transitions\[0, 0\] sums to 1.1"),
    ([[0.5, 0.5, 0.0]], "every axis of length K"),
    ([[1.0, 0.0], [0.0, 1.0]], "no unique stationary distribution: context \\(1\\) never reaches"),
    ([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], "no unique stationary distribution"),
])
def test_bad_chains_are_refused_naming_the_context(rows, message):
    with pytest.raises(cs.DistributionError, match=message):
        MarkovSource(rows).stationary()


def test_a_sample_is_seeded_and_starts_stationary():
    chain = MarkovSource([[0.9, 0.1], [0.3, 0.7]])
    assert np.array_equal(chain.sample(500, 4), chain.sample(500, 4))
    firsts = np.array([chain.sample(1, s)[0] for s in range(2000)])
    assert abs(firsts.mean() - chain.marginal()[1]) < 4 * math.sqrt(0.25 / 2000)


@pytest.mark.parametrize("rows, message", [
    ([[float("nan"), 1.0], [0.5, 0.5]], r"transitions\[0, 0\] = nan is not a finite number"),
    ([[-0.5, 1.5], [0.5, 0.5]], r"transitions\[0, 0\] = -0.5 is negative"),
    ([[0.5, 0.5], [float("inf"), 0.0]], r"transitions\[1, 0\] = inf is not a finite number"),
    ([["0.5", "0.5"], [0.5, 0.5]], "is not a number"),
    ([[True, False], [0.5, 0.5]], "is not a number"),
])
def test_a_chain_with_a_bad_entry_names_it(rows, message):
    with pytest.raises(cs.DistributionError, match=message):
        cs.MarkovSource(rows)


@pytest.mark.parametrize("call", [lambda: cs.MarkovSource.random(3, 1, alpha=float("inf")),
                                  lambda: cs.MarkovSource.random(1, 64),
                                  lambda: cs.MarkovSource.random(2, 2**62)])
def test_a_random_chain_refuses_what_it_cannot_draw(call):
    with pytest.raises(cs.OptionError):
        call()


def _every_context(rows_of, order):
    """An order-``order`` binary chain whose row depends on the last symbol only."""
    return np.array([rows_of[c % 2] for c in range(2 ** order)]).reshape((2,) * order + (2,))


@pytest.mark.slow
def test_the_stationary_law_is_exact_above_2048_contexts():
    """A sticky chain of order 12 (4096 contexts): power iteration stopped at 20,000 steps gave
    (0.74542, 0.25458) and an entropy rate of 0.0021020."""
    base = [[1 - 1e-4, 1e-4], [3e-4, 1 - 3e-4]]
    chain = cs.MarkovSource(_every_context(base, 12))
    twin = cs.MarkovSource(base)                                # the same chain at order 1
    assert chain.marginal() == pytest.approx([0.75, 0.25], abs=1e-12)
    assert chain.entropy_rate() == pytest.approx(twin.entropy_rate(), rel=1e-9)


@pytest.mark.slow
def test_a_periodic_chains_cost_variance_is_its_order_1_twins():
    """The alternating chain: its series sum_t P^t g never converges (sigma^2 was 0.628)."""
    model = cs.FixedContextModel([[0.9, 0.1]])
    alternating = [[0.0, 1.0], [1.0, 0.0]]
    for order in (12, 13):
        mean, variance = cs.MarkovSource(_every_context(alternating, order)).cost_moments(model)
        assert variance == pytest.approx(0.0, abs=1e-12)
        assert mean == pytest.approx(cs.MarkovSource(alternating).cost_moments(model)[0])


def test_an_iteration_that_does_not_converge_is_refused_never_returned(monkeypatch):
    from codesim.sources import markov
    monkeypatch.setattr(markov, "DENSE_CONTEXTS", 2)
    monkeypatch.setattr(markov, "ITERATION_WORK", 1000)
    base = [[1 - 1e-4, 1e-4], [3e-4, 1 - 3e-4]]
    with pytest.raises(cs.DistributionError, match="did not converge"):
        cs.MarkovSource(_every_context(base, 3)).stationary()


def test_a_fitted_context_model_has_rates_on_a_source_and_an_adaptive_one_says_why_not():
    source = cs.MarkovSource.random(3, 2, 0.5, 1)
    model = cs.fit_context_model(source.sample(5000, 2), 2, 3)
    dense = cs.FixedContextModel(model.rows)
    assert source.cross_entropy_rate(model) == pytest.approx(source.cross_entropy_rate(dense))
    assert source.kl_rate(model) > 0
    with pytest.raises(cs.OptionError, match="learns as it codes"):
        source.cross_entropy_rate(cs.AdaptiveContextModel(3, 1))
