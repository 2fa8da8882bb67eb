"""Validation happens once, at the door, by one rule for each kind of input."""

import numpy as np
import pytest

import codesim as cs
from codesim import validate


def test_compare_of_every_default_coder_validates_p_and_q_once_each(monkeypatch):
    calls = []
    real = validate._check_pmf
    monkeypatch.setattr(validate, "_check_pmf", lambda x, name: calls.append(name) or real(x, name))
    cs.compare(cs.zipf(8), cs.uniform(8), n=1000, seed=1)
    assert len(calls) <= 4, calls


def test_a_validated_distribution_is_passed_on_without_a_second_check():
    p = validate.checked_pmf([0.25, 0.75])
    assert validate.checked_pmf(p) is p and not p.flags.writeable
    assert validate.as_pmf(p) is not p and validate.as_pmf(p).flags.writeable


@pytest.mark.parametrize("value", [True, 1.0, "12", None, 0, 25])
def test_precision_is_one_rule_for_every_coder_and_the_context_coder(value):
    with pytest.raises(cs.OptionError, match="precision must be an integer from 1 to"):
        cs.make_coder("range", [0.5, 0.5], precision=value)
    with pytest.raises(cs.OptionError, match="precision must be an integer from 1 to 24"):
        cs.ContextCoder("arithmetic", cs.AdaptiveContextModel(2), precision=value)


@pytest.mark.parametrize("value", [True, 1.5, "3", -1, None])
def test_a_whole_number_is_one_rule_everywhere(value):
    assert not validate.is_whole(value, 0)
    with pytest.raises(cs.CodesimError):
        cs.uniform(value)
    with pytest.raises(cs.CodesimError):
        cs.make_coder("huffman", [0.5, 0.5], block=value)
    with pytest.raises(cs.CodesimError):
        cs.AdaptiveContextModel(2, order=value)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True, [1, -2], None])
def test_a_seed_is_refused_alike_by_every_entry_point(seed):
    for call in (lambda: cs.simulate([0.5, 0.5], [0.5, 0.5], n=10, seed=seed),
                 lambda: cs.sample([0.5, 0.5], 10, seed),
                 lambda: cs.MarkovSource.sticky(2, 0.9).sample(10, seed),
                 lambda: cs.measure_divergence([0.5, 0.5], [0.4, 0.6], "ans", n=10, seed=seed)):
        with pytest.raises(cs.OptionError, match="non-negative integer seed"):
            call()


def test_a_float32_distribution_is_accepted_where_float64_is():
    logits = np.random.default_rng(0).normal(size=50).astype(np.float32)
    p = np.exp(logits) / np.exp(logits).sum()
    assert abs(float(p.sum()) - 1) > 1e-12            # float32 rounding: not 1 in float64
    assert cs.compare(p, p, ["huffman", "ans"], n=200)[0].n == 200
