"""Sources with memory: Markov sources' rates against hand-solved chains, context models as
codebooks, and an honest stderr along the chain."""


import numpy as np

from tests.helpers import quick


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
