"""Validation at the door, the named families, sampling and quantisation."""

import math

import numpy as np
import pytest

import codesim as cs
from codesim.sources.distributions import SMALL_SAMPLE, Sampler, as_pmf, as_pmf_rows, check_same_length
from codesim.backends import numba_installed
from codesim.errors import DistributionError, OptionError


@pytest.mark.parametrize("x, message", [
    ([0.5, 0.6], r"p sums to 1.1, not 1"),
    ([0.5, 0.4], r"p sums to 0.9, not 1"),
    ([1.1, -0.1], r"p\[1\] = -0.1 is negative"),
    ([0.5, math.nan, 0.5], r"p\[1\] = nan is not a finite number"),
    ([math.inf, 0.5], r"p\[0\] = inf is not a finite number"),
    ([], r"p is empty"),
    ([[0.5, 0.5]], r"p must be a 1-D probability vector, got shape \(1, 2\)"),
    (["a", "b"], r"p\[0\] = 'a' is not a number \(str\)"),
    (["0.5", "0.5"], r"p\[0\] = '0.5' is not a number \(str\)"),
    ([True, False], r"p\[0\] = True is not a number \(bool\)"),
    ([0.5, None], r"p\[1\] = None is not a number \(NoneType\)"),
    (np.array([True, False]), r"p must be an array of numbers, got dtype bool"),
])
def test_as_pmf_rejects_an_invalid_distribution_naming_the_entry(x, message):
    with pytest.raises(DistributionError, match=message):
        as_pmf(x)


@pytest.mark.parametrize("x", [[0.5, 0.6], [0.5, 0.4], [1.1, -0.1], [0.5, math.nan, 0.5],
                               [math.inf, 0.5], [0.5, math.inf, -math.inf], [1e308, 1e308]])
def test_a_float64_array_is_refused_as_its_list_is_and_without_a_warning(x):
    """float64 arrays take a shorter path through as_pmf: it must refuse the same vectors,
    with the same message, and warn of nothing on the way."""
    with np.errstate(all="raise"), pytest.raises(DistributionError) as from_list:
        as_pmf(x)
    with np.errstate(all="raise"), pytest.raises(DistributionError) as from_array:
        as_pmf(np.array(x))
    assert str(from_array.value) == str(from_list.value)


def test_as_pmf_returns_a_copy_of_a_float64_array():
    p = np.array([0.25, 0.75])
    q = as_pmf(p)
    q[0] = 1.0
    assert p.tolist() == [0.25, 0.75]


def test_as_pmf_never_renormalises_silently():
    with pytest.raises(DistributionError):
        as_pmf([1, 1])
    assert cs.normalize([1, 1]).tolist() == [0.5, 0.5]


def test_as_pmf_accepts_float_rounding_within_the_tolerance():
    assert as_pmf([0.1] * 10).sum() == pytest.approx(1.0)


def test_errors_are_value_errors_too():
    assert issubclass(DistributionError, ValueError)
    assert issubclass(cs.SupportError, ValueError) and issubclass(cs.DecodeError, ValueError)
    assert issubclass(cs.SupportError, cs.CodesimError)


def test_two_lengths_that_differ_are_named():
    with pytest.raises(DistributionError, match="p has 2 entries but q has 3"):
        check_same_length(np.ones(2), np.ones(3))


def test_rows_are_validated_one_by_one():
    with pytest.raises(DistributionError, match=r"q\[1\] sums to 0.5, not 1"):
        as_pmf_rows([[0.5, 0.5], [0.25, 0.25]])
    with pytest.raises(DistributionError, match=r"q\[0, 1\] = -0.5 is negative"):
        as_pmf_rows([[1.5, -0.5]])


@pytest.mark.parametrize("family", [
    lambda: cs.uniform(7), lambda: cs.zipf(100, 1.2), lambda: cs.geometric(30, 0.7),
    lambda: cs.dirichlet(20, 0.5, rng=1), lambda: cs.smooth([1.0, 0.0, 0.0], 0.1),
    lambda: cs.mixture([1.0, 0.0], [0.5, 0.5], 0.5),
])
def test_families_are_valid_distributions(family):
    as_pmf(family())


def test_family_arguments_are_checked():
    with pytest.raises(DistributionError, match="alphabet size k must be a positive integer"):
        cs.uniform(0)
    with pytest.raises(DistributionError, match="mixture weight t must be in"):
        cs.mixture([1.0], [1.0], 2)
    with pytest.raises(DistributionError, match="geometric ratio"):
        cs.geometric(3, -1)


def test_sampling_is_reproducible_and_never_draws_a_ruled_out_symbol():
    p = [0.2, 0.0, 0.8]
    a, b = cs.sample(p, 10_000, rng=5), cs.sample(p, 10_000, rng=np.random.default_rng(5))
    assert np.array_equal(a, b)
    assert not np.any(a == 1)
    assert abs(np.mean(a == 2) - 0.8) < 0.02
    with pytest.raises(OptionError, match="rng must be a numpy Generator"):
        cs.sample(p, 3, rng=None)


@pytest.mark.parametrize("precision", [4, 8, 12, 24])
def test_quantize_sums_to_a_power_of_two_and_keeps_every_possible_symbol(precision):
    q = np.r_[cs.zipf(15, 1.5) * 0.99, 0.0, 0.01]
    f = cs.quantize(q, precision)
    assert f.sum() == 2 ** precision
    assert np.all(f[q > 0] >= 1) and f[q == 0].tolist() == [0]


def test_quantize_gets_closer_to_q_as_precision_grows():
    q = cs.zipf(64, 1.1)
    kl = [cs.kl_divergence(q, cs.quantize(q, b) / 2 ** b) for b in (8, 12, 16, 20, 24)]
    assert all(a > b for a, b in zip(kl, kl[1:]))
    assert kl[-1] < 1e-9


def test_quantize_refuses_a_precision_too_small_for_the_alphabet():
    with pytest.raises(OptionError, match="precision 2 gives 4 slots but the model needs one for each of its 5"):
        cs.quantize(cs.uniform(5), 2)


@pytest.mark.parametrize("p", [cs.zipf(256, 1.1), [0.0, 0.3, 0.0, 0.7, 0.0], cs.dirichlet(5000, 0.3, rng=4)])
@pytest.mark.parametrize("n", [SMALL_SAMPLE, SMALL_SAMPLE + 1, 3001, 200_003])
def test_sample_is_exactly_inverse_cdf_sampling_of_the_same_uniform_draws(p, n):
    # the guide table (of fewer entries than 5000 symbols at n = 3001), its size and the
    # chunking change speed, never the sample
    u = np.random.default_rng(11).random(n)
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    assert np.array_equal(cs.sample(p, n, rng=11), np.searchsorted(cdf, u, side="right"))


@pytest.mark.parametrize("backend", ["python", "numba"])
@pytest.mark.parametrize("p, n", [(cs.zipf(16, 1.1), 200), ([0.0, 0.3, 0.0, 0.7, 0.0], 60), (cs.dirichlet(5000, 0.3, rng=4), 300)])
def test_a_sampler_for_many_seeds_draws_each_seeds_sample(backend, p, n):
    # built for 40 draws, it uses a guide table for samples of 60 symbols: not one symbol changes
    if backend == "numba" and not numba_installed():
        pytest.skip("numba is not installed")
    sampler = Sampler(as_pmf(p), n, np.int32, draws=40)
    assert sampler.table is not None
    with cs.using_backend(backend):
        for seed in range(40):
            x, counts = sampler.draw(seed)
            assert x.dtype == np.int32 and np.array_equal(x, cs.sample(p, n, rng=seed))
            assert np.array_equal(counts, np.bincount(x, minlength=len(p)))


def test_the_sum_tolerance_follows_the_dtype_a_float32_softmax_passes():
    # A float32 softmax sums to 1 +- 1e-8: rounding of its dtype, not an error.
    z = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    softmax = np.exp(z) / np.exp(z).sum()
    assert softmax.dtype == np.float32 and abs(float(softmax.sum(dtype=np.float64)) - 1) > 1e-9
    assert as_pmf(softmax).dtype == np.float64
    # float64 is held to its own ulps: 1e-10 off is a real error, not rounding
    with pytest.raises(DistributionError, match=r"sums to 1.0000000001, not 1 \(off by 1e-10"):
        as_pmf([0.5, 0.5, 1e-10])
    with pytest.raises(DistributionError, match="float32"):
        as_pmf(np.array([0.5, 0.49], dtype=np.float32))


@pytest.mark.parametrize("q, precision", [([0.5, 0.5 - 9e-10], 32), ([0.5, 0.5 - 9e-10], 62),
                                          ([1 / 3] * 3, 62), ([0.2] * 5, 40)])
def test_quantize_always_sums_to_exactly_two_to_the_precision(q, precision):
    # Was: quantize([0.5, 0.5 - 9e-10], 32) summed to 2**32 - 2 (a sub-stochastic model).
    f = cs.quantize(q, precision)
    assert int(f.sum()) == 1 << precision and (f > 0).all()
    rows = cs.quantize(np.array([q, q[::-1]]), precision)
    assert (rows.sum(axis=1) == 1 << precision).all()
