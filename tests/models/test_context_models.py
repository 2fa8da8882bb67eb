"""Sources with memory: Markov sources' rates against hand-solved chains, context models as
codebooks, and an honest stderr along the chain."""

import math

import numpy as np
import pytest

import codesim as cs
from codesim.models.context import context_ids
from codesim.coders.context import ContextCoder
from codesim.sources.markov import MarkovSource

from tests.helpers import CONTEXT, round_trip


def test_an_adaptive_context_models_bits_stay_within_the_coders_bounds_of_its_exact_sequential_length():
    source = MarkovSource.random(3, 2, 0.5, 7)
    x = source.sample(5000, 2)
    for order in (0, 1, 2, 3):
        for rule, alpha in (("kt", 0.5), ("laplace", 1.0)):
            coder = ContextCoder("arithmetic", cs.AdaptiveContextModel(3, order, rule))
            round_trip(coder, x)
            counts, exact = {}, 0.0                          # the sequential probability by hand
            for c, s in zip(context_ids(x, order, 3).tolist(), x.tolist()):
                row = counts.setdefault(c, [0, 0, 0])
                exact -= math.log2((row[s] + alpha) / (sum(row) + 3 * alpha))
                row[s] += 1
            assert coder.code_length(x) == pytest.approx(exact, rel=1e-12)


def test_a_fitted_model_codes_its_training_text_exactly_at_its_counts():
    x = MarkovSource.random(4, 1, 0.5, 1).sample(3000, 1)
    model = cs.fit_context_model(x, 1, 4, alpha=0.5)
    coder = ContextCoder("arithmetic", model)
    round_trip(coder, x)
    probs = {c: (row + 0.5) / (row.sum() + 2) for c, row in model.counts.items()}
    by_hand = -sum(math.log2(probs[c][s]) for c, s in zip(context_ids(x, 1, 4).tolist(), x.tolist()))
    assert coder.code_length(x) == pytest.approx(by_hand, rel=1e-12)


def test_what_each_coder_supports_is_said():
    adaptive = cs.AdaptiveContextModel(3, 1)
    with pytest.raises(cs.OptionError, match="range codes fixed context models"):
        ContextCoder("range", adaptive)
    with pytest.raises(cs.OptionError, match="a context model drives arithmetic, range, ans, not 'huffman'"):
        ContextCoder("huffman", adaptive)
    zero = cs.FixedContextModel([[1.0, 0.0], [0.5, 0.5]])
    with pytest.raises(cs.SupportError, match="symbol 1 at position 0 has probability 0"):
        ContextCoder("arithmetic", zero).encode([1, 0])


@pytest.mark.parametrize("depth", [2, 3, 6])
@pytest.mark.parametrize("seed", [1, 2])
def test_ctw_is_within_its_redundancy_bound_of_any_tree_source_of_depth_at_most_d(depth, seed):
    from codesim.models.ctw import CTWModel, ctw_redundancy_bound
    source = MarkovSource.random(2, 2, 0.3, seed)            # a full binary tree of depth 2
    x = source.sample(4000, seed)
    own = -np.log2(source.rows[context_ids(x, 2, 2), x]).sum()   # its probability, same start
    ctw = CTWModel(depth)
    assert ctw.ideal_code_length(x) <= own + ctw_redundancy_bound([2, 2, 2, 2], x.size, depth)
    coder = ContextCoder("arithmetic", ctw)                  # and coded: within the coder's bounds
    round_trip(coder, x)
    assert coder.code_length(x) == pytest.approx(ctw.ideal_code_length(x), abs=1e-3 * x.size / 1000)


def test_ctw_on_a_depth_1_source_with_a_deeper_tree_pays_only_the_tree_description():
    from codesim.models.ctw import CTWModel, ctw_redundancy_bound
    source = MarkovSource([[0.9, 0.1], [0.4, 0.6]])
    x = source.sample(3000, 3)
    own = -np.log2(source.rows[context_ids(x, 1, 2), x]).sum()
    excess = CTWModel(5).ideal_code_length(x) - own
    assert 0 < excess <= ctw_redundancy_bound([1, 1], x.size, 5)


def test_a_message_is_refused_by_another_context_model_and_malformed_chains_are_named():
    x = MarkovSource.random(3, 1, 0.5, 1).sample(400, 1)
    coders = [ContextCoder("arithmetic", cs.AdaptiveContextModel(3, 1, "kt")),
              ContextCoder("arithmetic", cs.AdaptiveContextModel(3, 2, "kt")),
              ContextCoder("arithmetic", cs.AdaptiveContextModel(3, 1, "laplace")),
              ContextCoder("arithmetic", cs.fit_context_model(x, 1, 3)),
              ContextCoder("arithmetic", cs.FixedContextModel.from_source(MarkovSource.random(3, 1, 1.0, 2)))]
    for i, coder in enumerate(coders):
        encoded = coder.encode(x)
        assert np.array_equal(coder.decode(encoded), x)
        for other in coders[:i] + coders[i + 1:]:
            with pytest.raises(cs.DecodeError, match="different context model"):
                other.decode(encoded)
    with pytest.raises(cs.DistributionError, match="transitions must be numbers"):
        MarkovSource([[0.5, 0.5], [1.0]])
    with pytest.raises(cs.OptionError, match="whole number K >= 1"):
        MarkovSource.random(0)


@pytest.mark.parametrize("coder", CONTEXT)
def test_a_fixed_model_with_ruled_out_symbols_codes_within_bounds_of_its_quantised_rows(coder):
    # range and ans give a ruled-out symbol one slot, as constriction must: the bits follow
    # exactly those frequencies (or the bounds would break over 20000 symbols)
    rows = np.array([[0.7, 0.3, 0.0], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    source = MarkovSource(rows)
    x = source.sample(20_000, 3)
    round_trip(ContextCoder(coder, cs.FixedContextModel(rows)), x)


@pytest.mark.parametrize("coder", ["range", "ans"])
def test_a_damaged_context_coded_message_is_a_decode_error_never_a_wrong_answer(coder):
    """The checks of the fixed-q range and ANS coders hold for context models too: a payload
    that is not whole 32-bit words, and a header that says fewer symbols than were coded."""
    from codesim.container import Encoded
    rows = [[0.5, 0.3, 0.2], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]]
    context_coder = ContextCoder(coder, cs.FixedContextModel(rows))
    x = MarkovSource(rows).sample(2000, 4)
    good = context_coder.encode(x)
    cut = Encoded(good.coder, good.num_symbols, good.num_bits - 8, good.payload[:-1],
                  good.options, good.model_fingerprint)
    with pytest.raises(cs.DecodeError, match="whole 32-bit words"):
        context_coder.decode(cut)
    fewer = Encoded(good.coder, good.num_symbols - 1000, good.num_bits, good.payload,
                    good.options, good.model_fingerprint)
    with pytest.raises(cs.DecodeError, match="unread|start"):
        context_coder.decode(fewer)


def test_a_fitted_order_7_model_over_bytes_finds_every_context_whatever_the_byte_values():
    """ctx * K + x overflowed int64 at K = 256, order 7: relabelling the bytes changed the cost."""
    x = np.random.default_rng(3).integers(0, 256, 3000)
    costs = []
    for y in (x, 255 - x):
        model = cs.fit_context_model(y, 7, 256)
        assert min(model.counts) >= 0 and max(model.counts) < 256 ** 7
        costs.append(cs.ContextCoder("arithmetic", model).code_length(y))
    assert costs[0] == pytest.approx(costs[1], rel=1e-12)


def test_an_order_is_bounded_before_its_contexts_are_counted():
    import time
    start = time.perf_counter()
    with pytest.raises(cs.OptionError, match="64-bit context number"):
        cs.AdaptiveContextModel(3, order=2**63)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("coder", CONTEXT)
def test_a_header_claiming_more_symbols_than_the_bits_hold_is_refused_at_once(coder):
    import dataclasses
    import time
    source = MarkovSource.random(3, 1, 0.5, 1)
    x = source.sample(2000, 1)
    coding = ContextCoder(coder, cs.FixedContextModel.from_source(source))
    encoded = coding.encode(x)
    start = time.perf_counter()
    with pytest.raises(cs.DecodeError, match="bits hold at most"):
        coding.decode(dataclasses.replace(encoded, num_symbols=10**7))
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("rule", ["kt", "laplace"])
def test_an_order_1_models_expected_cost_on_a_chain_is_exact(rule):
    """The walk over each context's counts against brute force: every message of 5 symbols,
    weighted by its probability under the chain (zero transitions included)."""
    import itertools
    from codesim.models.adaptive import expected_bits_on_source
    source = MarkovSource([[0.9, 0.1, 0.0], [0.0, 0.8, 0.2], [0.3, 0.0, 0.7]])
    model = cs.AdaptiveContextModel(3, 1, rule)
    coder = ContextCoder("arithmetic", model)
    pi, total = source.marginal(), 0.0
    for x in itertools.product(range(3), repeat=5):
        prob = pi[x[0]] * np.prod([source.rows[a, b] for a, b in zip(x[:-1], x[1:])])
        if prob > 0:
            total += prob * coder.code_length(np.array(x))
    assert expected_bits_on_source(source, model, 5) == pytest.approx(total, rel=1e-12)


@pytest.mark.parametrize("k, order, alpha", [(2, 0, 0.5), (5, 2, 1), (40, 1, 3), (256, 3, 1 / 256)])
def test_a_count_models_costs_looked_up_at_once_are_its_walkers_step_by_step(k, order, alpha):
    from codesim.models.context import ContextModel
    rng = np.random.default_rng(k + order)
    model = cs.fit_context_model(rng.zipf(1.5, 3000) % k, order, k, alpha=alpha)
    x = rng.integers(0, k, 700)                           # with contexts the training never saw
    assert model.costs(x, 24).tolist() == ContextModel.costs(model, x, 24).tolist()
