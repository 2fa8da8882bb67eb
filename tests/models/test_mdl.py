"""MDL picks the Markov order of the shortest total code, and that code is a real one."""

import numpy as np
import pytest

import codesim as cs
from codesim.models import mdl
from codesim.sources.markov import MarkovSource

#: an order-2 binary source whose every context matters
ORDER_2 = MarkovSource([[[0.9, 0.1], [0.3, 0.7]], [[0.5, 0.5], [0.05, 0.95]]])


@pytest.mark.parametrize("method", mdl.METHODS)
def test_mdl_picks_the_true_order_of_an_order_2_source_in_95_percent_of_200_runs(method):
    picks = [mdl.select_order(ORDER_2.sample(10_000, seed), 2, max_order=4, method=method).order
             for seed in range(200)]
    assert np.mean(np.array(picks) == 2) >= 0.95


def test_an_iid_source_is_order_0():
    x = cs.sample([0.7, 0.2, 0.1], 5000, 3)
    assert mdl.select_order(x, 3, max_order=3).order == 0


@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_the_mixture_code_length_is_what_the_adaptive_context_coder_spends(order):
    x = ORDER_2.sample(3000, 5)
    coder = cs.ContextCoder("arithmetic", cs.AdaptiveContextModel(2, order=order))
    enc = coder.encode(x)
    bits = mdl.order_code_lengths(x, 2, max_order=3)[order]["bits"]
    assert bits - 1e-6 <= enc.num_bits <= bits + 2 + 1e-6


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(cs.OptionError, match="method must be one of"):
        mdl.select_order([0, 1], 2, method="aic")
    with pytest.raises(cs.OptionError, match="lower max_order"):
        mdl.select_order([0, 1], 2, max_order=40)
    with pytest.raises(cs.SymbolError):
        mdl.select_order([0, 3], 2)
