"""Regret, exactly: NML's is the Shtarkov sum, KT's and the two-part code's follow from the
counts, and a real KT coder's bits minus the maximum-likelihood length are KT's regret."""

import itertools
import math

import numpy as np
import pytest

import codesim as cs
from codesim.models import regret


def compositions(n, k):
    if k == 1:
        yield (n,)
        return
    for i in range(n + 1):
        for rest in compositions(n - i, k - 1):
            yield (i,) + rest


@pytest.mark.parametrize("n, k", [(1, 2), (3, 2), (7, 2), (2, 3), (5, 3), (3, 4), (6, 4)])
def test_the_nml_regret_is_the_log_of_the_shtarkov_sum_over_every_sequence(n, k):
    total = sum(2.0 ** -regret.ml_code_length(np.bincount(seq, minlength=k))
                for seq in itertools.product(range(k), repeat=n))
    assert regret.nml_regret(n, k) == pytest.approx(math.log2(total), abs=1e-9)


def test_the_values_the_issue_pins():
    assert regret.nml_regret(1000, 2) == pytest.approx(5.332823, abs=1e-6)
    assert regret.kt_regret([1000, 0]) == pytest.approx(5.808821, abs=1e-6)
    assert regret.kt_worst_regret(1000, 2) == pytest.approx(5.808821, abs=1e-6)


@pytest.mark.parametrize("n, k", [(1, 2), (20, 2), (30, 3), (12, 4)])
def test_kt_and_the_two_part_code_are_worst_on_a_constant_sequence(n, k):
    types = list(compositions(n, k))
    assert max(regret.kt_regret(c) for c in types) == pytest.approx(regret.kt_worst_regret(n, k))
    assert max(regret.two_part_regret(c) for c in types) == pytest.approx(regret.two_part_worst_regret(n, k))


@pytest.mark.parametrize("n", [10, 100, 1000, 10_000])
def test_no_code_has_a_smaller_worst_case_than_nml(n):
    assert regret.nml_regret(n, 2) < regret.kt_worst_regret(n, 2) < regret.nml_regret(n, 2) + 0.5 + 1e-9
    assert regret.nml_regret(n, 2) < regret.two_part_worst_regret(n, 2)


def test_the_kt_mixture_is_a_probability_distribution_over_sequences():
    n, k = 6, 3
    total = sum(2.0 ** -regret.kt_code_length(np.bincount(seq, minlength=k))
                for seq in itertools.product(range(k), repeat=n))
    assert total == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("n", [1, 10, 1000, 20_000])
@pytest.mark.parametrize("kind", ["constant", "bernoulli"])
def test_a_real_kt_coder_pays_the_ml_length_plus_kt_regret_within_its_overhead(n, kind):
    x = np.zeros(n, dtype=np.int64) if kind == "constant" else cs.sample([0.7, 0.3], n, n)
    coder = cs.make_coder("arithmetic", [0.5, 0.5], adaptive="kt")
    enc = coder.encode(x)
    counts = regret.counts_of(x, 2)
    measured = enc.num_bits - regret.ml_code_length(counts)
    below, above = coder.length_bounds(n)
    assert regret.kt_regret(counts) - below - 1e-9 <= measured <= regret.kt_regret(counts) + above + 1e-9
    assert coder.code_length(x) == pytest.approx(regret.kt_code_length(counts), abs=1e-9)


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(cs.OptionError, match="whole numbers"):
        regret.nml_regret(-1, 2)
    with pytest.raises(cs.OptionError, match="counts must be"):
        regret.kt_regret([1.5, 2])
    with pytest.raises(cs.OptionError, match="0..1"):
        regret.counts_of([0, 2], 2)
