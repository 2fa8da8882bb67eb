r"""Simulating a source with memory: a Markov source coded with a context model.

:func:`simulate_source` is what :func:`codesim.simulate` does when p is a
:class:`~codesim.markov.MarkovSource`: it samples ``source.sample(n, seed)``, codes it with a
:class:`~codesim.context.ContextCoder` driven by the model (a context model, a MarkovSource,
or a plain q as an order-0 model), decodes it, and sets the bits beside the *rates*:

* ``entropy`` -- the source's entropy rate;
* ``cross_entropy``, ``kl_divergence`` -- the cross-entropy and KL rates of the model (for an
  adaptive model, the rate it really achieves at this n: the rate of the best model of its
  order plus its learning cost, Clarke-Barron per context);
* ``expected_bits_per_symbol`` -- the rate of the model really used (quantised rows), plus
  what its first j symbols cost beyond it (their context is padded with 0), plus the coder's
  flush, per symbol; ``stderr`` -- sqrt(sigma^2 / n) with sigma^2 the asymptotic
  variance of the cost *along the chain* (:meth:`~codesim.markov.MarkovSource.cost_moments`),
  not the i.i.d. formula.

The ledger holds as for i.i.d. sources: sample entropy (sum of -log2 P(x_i | past) under the
source, the first k symbols at their stationary probability), sample divergence (against the
model's own rows), quantisation (the coder's integer model against those rows) and coder
overhead add up to ``num_bits``.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from .context import (AdaptiveContextModel, ContextCoder, ContextModel, CountContextModel,
                      FixedContextModel, context_ids)
from .distributions import seed_label
from .errors import OptionError
from .markov import MarkovSource

__all__ = ["simulate_source", "as_context_model", "projection"]


def as_context_model(model, alphabet_size: int) -> ContextModel:
    """A context model from a context model, a MarkovSource, or a plain q (order 0)."""
    if isinstance(model, ContextModel):
        built = model
    elif isinstance(model, MarkovSource):
        built = FixedContextModel.from_source(model)
    else:
        built = FixedContextModel(np.asarray(model, dtype=np.float64)[None, :]
                                  if np.ndim(model) == 1 else model)
    if built.alphabet_size != alphabet_size:
        raise OptionError(f"the model has {built.alphabet_size} symbols, the source {alphabet_size}")
    return built


def projection(source: MarkovSource, order: int) -> SimpleNamespace:
    """The best model of ``order`` for the source: P(X_t | the last ``order`` symbols) in
    stationarity (rows with no mass: uniform)."""
    size = source.alphabet_size
    joint = source.windows(order + 1).reshape(size ** order, size)
    mass = joint.sum(axis=1, keepdims=True)
    rows = np.where(mass > 0, joint / np.where(mass > 0, mass, 1), 1.0 / size)
    return SimpleNamespace(rows=rows, order=order, mass=mass[:, 0])


def _dense_rows(model: ContextModel, precision: int, leaky: bool = False):
    """(rows of the model's own probabilities, rows of the model really used) for theory."""
    size = model.alphabet_size
    if isinstance(model, FixedContextModel):
        return model.rows, model.quantised(precision, leaky) / float(1 << precision)
    if isinstance(model, CountContextModel):
        if size ** model.order * size > 1 << 22:
            raise OptionError(f"the theory of an order-{model.order} count model over {size} "
                              "symbols needs a dense table too large to build")
        alpha = float(model.alpha)
        rows = np.full((size ** model.order, size), 1.0 / size)
        for c, counts in model.counts.items():
            rows[c] = (counts + alpha) / (counts.sum() + size * alpha)
        return rows, rows
    raise OptionError("an adaptive model has no fixed rows")


def _learning_cost(source: MarkovSource, model: AdaptiveContextModel, n: int) -> float:
    """Clarke-Barron's learning cost in bits, summed over contexts seen about n pi(c) times."""
    from .coders.sequential import learning_cost_asymptotic
    best = projection(source, model.order)
    total = 0.0
    for c in np.flatnonzero(best.mass > 0).tolist():
        seen = n * float(best.mass[c])
        row = best.rows[c]
        if seen > 1:
            total += max(learning_cost_asymptotic(np.maximum(row, 1e-12), seen, model.rule), 0.0)
    return total


def _start_excess(source: MarkovSource, model) -> float:
    """E[sum over the first j positions of their cost] - j * rate: the model reads a context
    padded with 0 there, not the symbols before the stationary sample began (bits)."""
    j, size = model.order, source.alphabet_size
    if j == 0:
        return 0.0
    rate = source.cross_entropy_rate(model)
    excess = 0.0
    for i in range(min(j, 12)):
        probs = source.windows(i + 1)                      # (x_0, ..., x_i), oldest first
        index = np.arange(probs.size)
        symbol, past = index % size, index // size         # past: x_0..x_{i-1} in base K
        with np.errstate(divide="ignore"):
            cost = -np.log2(model.rows[past, symbol])      # context (0, ..., 0, x_0..x_{i-1})
        on = probs > 0
        excess += float(probs[on] @ cost[on]) - rate
    return excess


def _flush_mean(name: str) -> float:
    from .coders.arithmetic import ArithmeticCoder
    from .coders.constriction_coders import AnsCoder, RangeCoder
    return {"arithmetic": ArithmeticCoder, "range": RangeCoder, "ans": AnsCoder}[name].flush.mean


def _sample_entropy(source: MarkovSource, x: np.ndarray) -> float:
    """sum_i -log2 P(x_i | x_<i) under the source; the first k symbols at their stationary
    probability."""
    k, size = source.order, source.alphabet_size
    if k == 0:
        return float(-np.log2(source.rows[0][x]).sum())
    head = min(k, x.size)
    start = source.windows(head)[int(np.ravel_multi_index(x[:head], (size,) * head))] if head else 1.0
    rest = source.rows[context_ids(x, k, size)[k:], x[k:]]
    return float(-math.log2(start) - np.log2(rest).sum())


def simulate_source(source: MarkovSource, model, coder: str = "arithmetic", n: int = 100_000,
                    seed=0, precision: int = 24):
    """Code ``source.sample(n, seed)`` with ``coder`` driven by ``model``; measure against the
    rates (see the module docstring).

    >>> from codesim.markov import MarkovSource
    >>> chain = MarkovSource.sticky(4, 0.9)
    >>> r = simulate_source(chain, chain, "arithmetic", n=20_000, seed=1)
    >>> round(r.entropy, 4), round(r.measured_bits_per_symbol, 4), round(r.stderr, 4)
    (0.6275, 0.6216, 0.0101)
    """
    from .simulation import SimulationResult, checked_round_trip
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
        used = source.cross_entropy_rate(best) + (_learning_cost(source, model, n) / n if n else 0.0)
        hx, variance = used, source.cost_moments(best)[1]
        nominal, quantisation = code_length, 0.0
    else:
        own, used_rows = _dense_rows(model, coding.precision, leaky=coder != "arithmetic")
        own_model = SimpleNamespace(rows=own, order=model.order)
        used_model = SimpleNamespace(rows=used_rows, order=model.order)
        hx = source.cross_entropy_rate(own_model)
        used, variance = source.cost_moments(used_model)
        used += _start_excess(source, used_model) / n if n else 0.0
        nominal = (float(model.float_costs(x).sum()) if isinstance(model, FixedContextModel)
                   else code_length)
        quantisation = used - hx
    flush = _flush_mean(coder)
    sample_entropy = _sample_entropy(source, x)
    per = (lambda v: v / n) if n else (lambda v: math.nan)
    ledger = {"sample_entropy": sample_entropy, "sample_divergence": nominal - sample_entropy,
              "quantisation": code_length - nominal, "coder_overhead": encoded.num_bits - code_length}
    return SimulationResult(
        coder=coder, n=int(n), seed=seed_label(seed),
        num_bits=int(encoded.num_bits), measured_bits_per_symbol=per(encoded.num_bits),
        entropy=h, cross_entropy=hx, kl_divergence=hx - h,
        expected_bits_per_symbol=used + per(flush), ideal_bits_per_symbol=per(nominal),
        stderr=math.sqrt(variance / n) if n else math.nan,
        encode_seconds=encode_seconds, decode_seconds=decode_seconds, ledger=ledger,
        ledger_theory={"sample_entropy": h, "sample_divergence": hx - h,
                       "quantisation": quantisation, "coder_overhead": per(flush)})
