r"""Simulating a source with memory: a Markov source coded with a context model.

:func:`simulate_source` is what :func:`codesim.simulate` does when p is a
:class:`~codesim.markov.MarkovSource`: it samples ``source.sample(n, seed)``, codes it with a
:class:`~codesim.context.ContextCoder` driven by the model (a context model, a MarkovSource,
or a plain q as an order-0 model), decodes it, and sets the bits beside the *rates*:

* ``entropy`` -- the source's entropy rate;
* ``cross_entropy``, ``kl_divergence`` -- the cross-entropy and KL rates of the model (for an
  adaptive model, the rate it really achieves at this n: E[L_n] / n, per context the exact
  i.i.d. expectation at its visit count, :func:`codesim.models.adaptive.expected_bits_on_source`);
* ``expected_bits_per_symbol`` -- the rate of the model really used (quantised rows), plus
  what its first j symbols cost beyond it (their context is padded with 0), plus the coder's
  flush, per symbol; ``stderr`` -- sqrt(sigma^2 / n) with sigma^2 the asymptotic
  variance of the cost *along the chain* (:meth:`~codesim.markov.MarkovSource.cost_moments`),
  not the i.i.d. formula.

The ledger holds as for i.i.d. sources: sample entropy (sum of -log2 P(x_i | past) under the
source, the first k symbols at their stationary probability), sample divergence (against the
model's own rows), quantisation (the coder's integer model against those rows) and coder
overhead add up to ``num_bits``.

A universal code (``lz78``, ``lzw``) reads no model: its result sets the sample's own
information and the measured redundancy beside the entropy rate it tends to.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from ..coders import make_coder, registry
from ..coders.context import ContextCoder
from ..errors import OptionError
from ..models.adaptive import expected_bits_on_source
from ..models.context import (AdaptiveContextModel, CountContextModel, FixedContextModel,
                              as_context_model, dense_rows)
from ..sources.distributions import uniform
from ..sources.markov import MarkovSource, projection, sample_entropy, start_excess
from .result import measured_result
from .roundtrip import checked_round_trip

__all__ = ["simulate_source"]


def simulate_source(source: MarkovSource, model, coder: str = "arithmetic", n: int = 100_000,
                    seed=0, precision: int = 24):
    """Code ``source.sample(n, seed)`` with ``coder`` driven by ``model``; measure against the
    rates (see the module docstring).

    >>> from codesim.sources.markov import MarkovSource
    >>> chain = MarkovSource.sticky(4, 0.9)
    >>> r = simulate_source(chain, chain, "arithmetic", n=20_000, seed=1)
    >>> round(r.entropy, 4), round(r.measured_bits_per_symbol, 4), round(r.stderr, 4)
    (0.6275, 0.6216, 0.0101)
    """
    if isinstance(coder, str) and coder in registry.names(family="universal"):
        return _universal(source, coder, n, seed)
    model = as_context_model(model, source.alphabet_size)
    if not isinstance(model, (FixedContextModel, CountContextModel, AdaptiveContextModel)):
        raise OptionError(
            f"simulate sets the bits beside the model's rates, and a {model.kind} model's expected "
            "rate has no closed form, only a bound (codesim.ctw.ctw_redundancy_bound): code the "
            "sample with ContextCoder('arithmetic', model) and compare it with "
            "source.entropy_rate() and that bound")
    coding = ContextCoder(coder, model, precision)
    x = source.sample(n, seed)
    encoded, encode_seconds, decode_seconds = checked_round_trip(coding, x)
    code_length = coding.code_length(x)
    h = source.entropy_rate()
    adaptive = isinstance(model, AdaptiveContextModel)
    if adaptive:
        best = projection(source, model.order)
        used = (expected_bits_on_source(source, model, n) / n if n
                else source.cross_entropy_rate(best))
        hx, variance = used, source.cost_moments(best)[1]
        nominal, quantisation = code_length, 0.0
    else:
        own, used_rows = dense_rows(model, coding.precision, leaky=coder != "arithmetic")
        own_model = SimpleNamespace(rows=own, order=model.order)
        used_model = SimpleNamespace(rows=used_rows, order=model.order)
        hx = source.cross_entropy_rate(own_model)
        used, variance = source.cost_moments(used_model)
        used += start_excess(source, used_model) / n if n else 0.0
        nominal = (float(model.float_costs(x).sum()) if isinstance(model, FixedContextModel)
                   else code_length)
        quantisation = used - hx
    flush = coding.flush.mean
    per = (lambda v: v / n) if n else (lambda v: math.nan)
    return measured_result(
        coder, n, seed, encoded.num_bits, code_length, nominal, sample_entropy(source, x),
        entropy=h, cross_entropy=hx, kl_divergence=hx - h, expected=used + per(flush),
        quantisation=quantisation, overhead_mean=flush,
        stderr=math.sqrt(variance / n) if n else math.nan,
        encode_seconds=encode_seconds, decode_seconds=decode_seconds)


def _universal(source: MarkovSource, coder: str, n: int, seed):
    """A universal code (LZ78, LZW) on the source: no model (``model`` is not read), so the
    ledger is the sample's own information under the source and the measured redundancy, beside
    the entropy rate the code tends to."""
    built = make_coder(coder, uniform(source.alphabet_size))
    x = source.sample(n, seed)
    encoded, encode_seconds, decode_seconds = checked_round_trip(built, x)
    return measured_result(
        coder, n, seed, encoded.num_bits, float(encoded.num_bits), float(encoded.num_bits),
        sample_entropy(source, x), entropy=source.entropy_rate(), cross_entropy=math.nan,
        kl_divergence=math.nan, expected=math.nan, quantisation=0.0, overhead_mean=0.0,
        stderr=math.nan, encode_seconds=encode_seconds, decode_seconds=decode_seconds,
        universal=True)
