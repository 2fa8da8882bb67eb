"""Sources with memory: Markov sources' rates against hand-solved chains, context models as
codebooks, and an honest stderr along the chain."""

import math

import numpy as np

import codesim as cs
from tests.helpers import quick



def h2(a):
    return 0.0 if a in (0, 1) else -a * math.log2(a) - (1 - a) * math.log2(1 - a)


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


def test_the_memory_experiment_orders_the_models_as_the_rates_do():
    rows = quick("memory").rows
    fixed = {r["model"]: r for r in rows if not r["model"].startswith("adaptive")}
    iid, true, wrong = fixed["i.i.d. (the marginal)"], fixed["the true chain"], fixed["a wrong chain"]
    for r in (iid, true, wrong):
        assert abs(r["measured"] - r["expected (theory)"]) < 4 * r["stderr"] + 2 / r["n"]
    assert true["measured"] < iid["measured"] < wrong["measured"]
    large = {r["order"]: r["measured"] for r in rows if r["model"].startswith("adaptive") and r["n"] == 10_000}
    assert large[2] < large[3] and large[2] < large[1]        # the true order wins; more pays more


def test_the_language_model_experiment_shows_overfitting_in_bits():
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
