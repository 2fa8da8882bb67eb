r"""Continuous sources: differential entropy and cross-entropy, via quantisation.

For densities p and q,  h(p) = -E_p[log2 p(X)],  h(p, q) = -E_p[log2 q(X)] and
h(p, q) = h(p) + D(p||q).  Quantising X into bins of width delta turns p into a distribution P
over bins with P(i) ~ p(x_i) delta, so a code for q's discretisation Q costs

.. math::  H(P, Q) \approx h(p, q) - \log_2 \delta

bits per sample: measured bits + log2(delta) -> h(p, q) as delta -> 0 (Cover & Thomas 8.3).
The KL divergence needs no correction: D(P||Q) -> D(p||q).

Closed forms for Gaussians N(mu, sigma^2), in bits:

* h(p) = 1/2 log2(2 pi e sigma_p^2)
* h(p, q) = 1/2 log2(2 pi sigma_q^2) + (sigma_p^2 + (mu_p - mu_q)^2) / (2 sigma_q^2 ln 2)
* D(p||q) = log2(sigma_q / sigma_p) + (sigma_p^2 + (mu_p - mu_q)^2) / (2 sigma_q^2 ln 2) - 1/(2 ln 2)
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DistributionError

__all__ = ["gaussian_entropy", "gaussian_cross_entropy", "gaussian_kl_divergence",
           "discretize_gaussian", "quantize_samples", "bin_edges"]

LN2 = math.log(2)


def _check_sigma(sigma: float, name: str) -> float:
    if not (isinstance(sigma, (int, float)) and math.isfinite(sigma) and sigma > 0):
        raise DistributionError(f"{name} must be a finite number > 0, got {sigma!r}")
    return float(sigma)


def gaussian_entropy(sigma: float) -> float:
    """h(N(mu, sigma^2)) = 1/2 log2(2 pi e sigma^2) bits.

    >>> round(gaussian_entropy(1.0), 6)
    2.047096
    """
    sigma = _check_sigma(sigma, "sigma")
    return 0.5 * math.log2(2 * math.pi * math.e * sigma ** 2)


def gaussian_cross_entropy(mu_p: float, sigma_p: float, mu_q: float, sigma_q: float) -> float:
    """h(p, q) for p = N(mu_p, sigma_p^2), q = N(mu_q, sigma_q^2), in bits."""
    sigma_p, sigma_q = _check_sigma(sigma_p, "sigma_p"), _check_sigma(sigma_q, "sigma_q")
    return (0.5 * math.log2(2 * math.pi * sigma_q ** 2)
            + (sigma_p ** 2 + (mu_p - mu_q) ** 2) / (2 * sigma_q ** 2 * LN2))


def gaussian_kl_divergence(mu_p: float, sigma_p: float, mu_q: float, sigma_q: float) -> float:
    """D(p||q) for two Gaussians, in bits (computed directly, not as a difference).

    >>> gaussian_kl_divergence(0.0, 1.0, 0.0, 1.0)
    0.0
    """
    sigma_p, sigma_q = _check_sigma(sigma_p, "sigma_p"), _check_sigma(sigma_q, "sigma_q")
    ratio = sigma_p ** 2 / sigma_q ** 2
    return (ratio + (mu_p - mu_q) ** 2 / sigma_q ** 2 - 1 - math.log(ratio)) / (2 * LN2)


def bin_edges(low: float, high: float, delta: float) -> np.ndarray:
    """Edges low, low + delta, ..., high of the quantisation bins (high - low a multiple of delta)."""
    if not (delta > 0 and high > low):
        raise DistributionError(f"need delta > 0 and high > low, got {delta}, [{low}, {high}]")
    count = int(round((high - low) / delta))
    return low + delta * np.arange(count + 1)


def discretize_gaussian(mu: float, sigma: float, edges: np.ndarray) -> np.ndarray:
    """Probability of each bin under N(mu, sigma^2); the tails go to the first and last bin."""
    sigma = _check_sigma(sigma, "sigma")
    z = (np.asarray(edges, dtype=np.float64) - mu) / (sigma * math.sqrt(2))
    cdf = 0.5 * (1 + np.array([math.erf(v) for v in z]))
    cdf[0], cdf[-1] = 0.0, 1.0
    mass = np.diff(cdf)
    return mass / mass.sum()


def quantize_samples(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin index of each sample (values beyond the edges go to the end bins)."""
    return np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2).astype(np.int64)
