"""The information measures against textbook values and the identities they obey."""

import math

import numpy as np
import pytest

import codesim as cs
from codesim.errors import DistributionError

DYADIC = [0.5, 0.25, 0.125, 0.125]


@pytest.mark.parametrize("p, bits", [
    ([1.0], 0.0),
    ([0.5, 0.5], 1.0),
    (DYADIC, 1.75),                       # Cover & Thomas Example 2.1.2
    ([0.25] * 4, 2.0),
    ([1.0, 0.0, 0.0], 0.0),               # 0 log 0 = 0
])
def test_entropy_known_values(p, bits):
    assert cs.entropy(p) == pytest.approx(bits, abs=1e-15)


@pytest.mark.parametrize("p, q, bits", [
    (DYADIC, [0.25] * 4, 2.0),
    ([0.25] * 4, DYADIC, 2.25),
    ([0.5, 0.5, 0.0], [0.25, 0.25, 0.5], 2.0),   # p(x) = 0 terms contribute nothing
    ([0.5, 0.5], [1.0, 0.0], math.inf),          # p(x) > 0 = q(x): no codeword
    ([0.0, 1.0], [1.0, 0.0], math.inf),
])
def test_cross_entropy_known_values(p, q, bits):
    assert cs.cross_entropy(p, q) == pytest.approx(bits, abs=1e-15)


def test_kl_divergence_is_asymmetric_cover_thomas_example_2_3_1():
    # p = (1 - r, r), q = (1 - s, s) with r = 1/2, s = 1/4.
    p, q = [0.5, 0.5], [0.75, 0.25]
    assert cs.kl_divergence(p, q) == pytest.approx(1 - 0.5 * math.log2(3), abs=1e-15)  # 0.2075
    assert cs.kl_divergence(q, p) == pytest.approx(0.75 * math.log2(3) - 1, abs=1e-15)  # 0.1887
    assert cs.kl_divergence(p, q) != pytest.approx(cs.kl_divergence(q, p))


def test_kl_divergence_is_infinite_when_q_rules_out_an_outcome_of_p():
    assert cs.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert cs.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)


def test_kl_divergence_is_exactly_zero_at_q_equal_p():
    p = cs.dirichlet(50, 0.3, rng=7)
    assert cs.kl_divergence(p, p) == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_cross_entropy_is_entropy_plus_kl_divergence(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 300))
    p, q = cs.dirichlet(k, 0.5, rng), cs.dirichlet(k, 0.5, rng)
    assert abs(cs.cross_entropy(p, q) - (cs.entropy(p) + cs.kl_divergence(p, q))) <= 1e-12
    assert cs.kl_divergence(p, q) >= 0


def test_measures_agree_with_an_independent_formula_in_nats():
    # Independent formula: plain Python loops with math.log, base e.
    p, q = cs.dirichlet(10, 1.0, rng=3), cs.dirichlet(10, 1.0, rng=4)
    h = -sum(a * math.log(a) for a in p if a > 0)
    hx = -sum(a * math.log(b) for a, b in zip(p, q) if a > 0)
    d = sum(a * math.log(a / b) for a, b in zip(p, q) if a > 0)
    assert cs.entropy(p, base=math.e) == pytest.approx(h, rel=1e-13)
    assert cs.cross_entropy(p, q, base=math.e) == pytest.approx(hx, rel=1e-13)
    assert cs.kl_divergence(p, q, base=math.e) == pytest.approx(d, rel=1e-13)


def test_information_content_sums_to_the_ideal_code_length():
    q = [0.5, 0.25, 0.25]
    x = np.array([0, 1, 2, 0, 0])
    assert cs.information_content(q, x).sum() == 7.0
    assert cs.information_content([1.0, 0.0], [1]).tolist() == [math.inf]
    assert cs.information_content(q, [1], base=4).tolist() == [1.0]


@pytest.mark.parametrize("base", [1, 0, -2, math.inf, math.nan, "two"])
def test_a_bad_base_is_a_clear_error(base):
    with pytest.raises(DistributionError, match="base must be a positive number other than 1"):
        cs.entropy([0.5, 0.5], base=base)


def test_every_measure_validates_its_arguments():
    with pytest.raises(DistributionError, match="p sums to 1.1, not 1"):
        cs.entropy([0.5, 0.6])
    with pytest.raises(DistributionError, match=r"q\[1\] = -0.5 is negative"):
        cs.cross_entropy([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(DistributionError, match="p has 2 entries but q has 3"):
        cs.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
