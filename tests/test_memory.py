"""Sources with memory: Markov sources' rates against hand-solved chains, context models as
codebooks, and an honest stderr along the chain."""

import math

import numpy as np
import pytest

import codesim as cs
from codesim.models.context import context_ids
from codesim.coders.context import ContextCoder
from codesim.sources.markov import MarkovSource

from conftest import round_trip


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


# --- context models -----------------------------------------------------------------------

@pytest.mark.parametrize("coder", ["arithmetic", "range", "ans"])
@pytest.mark.parametrize("which", ["true", "wrong", "iid"])
def test_every_stream_coder_lands_within_4_stderr_of_the_models_cross_entropy_rate(coder, which):
    source = MarkovSource.random(4, 2, 0.5, 3)
    model = {"true": source, "wrong": MarkovSource.random(4, 1, 1.0, 2), "iid": source.marginal()}[which]
    r = cs.simulate(source, model, coder, n=20_000, seed=5)
    flush = r.ledger_theory["coder_overhead"]
    assert abs(r.measured_bits_per_symbol - r.cross_entropy) <= 4 * r.stderr + flush + abs(
        r.ledger_theory["quantisation"]) + 1e-3
    assert sum(r.ledger.values()) == pytest.approx(r.num_bits, abs=1e-6)
    assert r.entropy == pytest.approx(source.entropy_rate())


def _coverage(source, model, n, seeds):
    """The fraction of seeds whose 95% interval (measured +/- 1.96 stderr) covers the rate,
    with the reported stderr and with the i.i.d. formula (Var of one cost, no memory)."""
    probs, t, cost, _ = source._window_costs(model)
    mean = source.cross_entropy_rate(model)
    iid_stderr = math.sqrt(float(probs @ np.sum(t * (cost - mean) ** 2, axis=1)) / n)
    hits = np.zeros(2)
    for seed in range(seeds):
        r = cs.simulate(source, model, "arithmetic", n=n, seed=seed)
        miss = abs(r.measured_bits_per_symbol - r.expected_bits_per_symbol)
        hits += [miss <= 1.96 * r.stderr, miss <= 1.96 * iid_stderr]
    return hits / seeds


def test_a_95_percent_interval_from_the_chain_stderr_covers_the_rate_95_percent_of_the_time():
    # A sticky chain coded with its marginal as an i.i.d. code: the costs come in runs.
    source = MarkovSource([[0.95, 0.05], [0.1, 0.9]])
    chain, iid = _coverage(source, source.marginal(), 2000, 300)
    assert 0.93 <= chain <= 0.97
    assert iid < 0.80                                    # the i.i.d. formula would not


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


# --- CTW ---------------------------------------------------------------------------------------

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


# --- codesim text --------------------------------------------------------------------------------

def test_codesim_text_measures_every_order_and_model_beside_the_compressors(tmp_path, capsys):
    import json
    from codesim.commands import main
    text = tmp_path / "t.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 40)
    assert main(["text", str(text), "--order", "2", "--model", "kt", "--model", "fixed", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["order"], r["model"].split()[0]) for r in rows[:6]] == [
        (0, "kt"), (0, "fixed"), (1, "kt"), (1, "fixed"), (2, "kt"), (2, "fixed")]
    assert [r["model"] for r in rows[6:]] == ["zlib", "bz2", "lzma"]
    for r in rows:
        assert set(r) == {"order", "model", "bits", "bits_per_symbol", "ideal_bits", "coder"}
        if r["coder"] == "arithmetic":
            assert r["ideal_bits"] <= r["bits"] <= r["ideal_bits"] + 2 + 1e-6
    kt = [r["bits"] for r in rows if r["model"] == "kt"]
    assert kt[2] < kt[0]                                      # a repetitive text: memory pays
    assert main(["text", str(text), "--letters", "--order", "1"]) == 0
    assert "bits/letter" in capsys.readouterr().out
    assert main(["text", str(tmp_path / "missing.txt")]) == 2


def test_the_memory_experiment_orders_the_models_as_the_rates_do():
    from test_experiments import quick
    rows = quick("memory").rows
    fixed = {r["model"]: r for r in rows if not r["model"].startswith("adaptive")}
    iid, true, wrong = fixed["i.i.d. (the marginal)"], fixed["the true chain"], fixed["a wrong chain"]
    for r in (iid, true, wrong):
        assert abs(r["measured"] - r["expected (theory)"]) < 4 * r["stderr"] + 2 / r["n"]
    assert true["measured"] < iid["measured"] < wrong["measured"]
    large = {r["order"]: r["measured"] for r in rows if r["model"].startswith("adaptive") and r["n"] == 10_000}
    assert large[2] < large[3] and large[2] < large[1]        # the true order wins; more pays more


def test_the_language_model_experiment_shows_overfitting_in_bits():
    from test_experiments import quick
    rows = quick("language_model").rows
    fitted = [r for r in rows if r["model"] == "fitted on English" and r["test text"].startswith("English")]
    train = [r["train cost (theory)"] for r in fitted]
    test = [r["measured bits/char"] for r in fitted]
    assert all(a > b for a, b in zip(train, train[1:]))                # train cost falls
    best = int(np.argmin(test))
    assert 0 < best < 5 and test[-1] > test[best] + 0.5                 # test cost turns up
    other = [r["measured bits/char"] for r in rows if r["test text"] == "Python source"]
    assert all(o > t for o, t in zip(other[1:], test[1:]))              # the other kind costs more
    from codesim.experiments.runner import load_experiment
    size = load_experiment("language_model").QUICK_N // 5           # characters of each test text
    for r in rows:                                  # measured = cross-entropy, up to the flush
        if r["cross-entropy (theory)"] is not None:
            assert abs(r["measured bits/char"] - r["cross-entropy (theory)"]) <= 2 / size + 1e-9


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


@pytest.mark.parametrize("coder", ["arithmetic", "range", "ans"])
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
