r"""The paired measurement of D(p||q): one sample, coded with the code for q and with the code for p.

Coding one sample from p twice, with the same kind of coder built for q and for p, and taking
the difference of the information the two messages hold before their flushes (read exactly
from each coder's final state) per symbol, measures

.. math::  \frac{1}{n}\sum_i \log_2 \frac{p(x_i)}{q(x_i)} \;\to\; D(p\|q)

up to the two coders' rounding drifts and the two models' quantisation: what is coded is the
b-bit model q~, so the estimate tends to D(p||q~_q) - D(p||q~_p), which is D(p||q) plus the
``quantisation`` term (theory; below 1e-6 bits at the default 24 bits, not at 8), plus the
difference of the two coders' mean drifts per symbol, ``overhead`` (tANS: its two drifts).  The
sampling noise of each rate, sqrt(Var_p[-log2 q(X)] / n), is about 1e-3 bits per symbol at
n = 10**6 and would swamp a small D if the two rates were measured on different samples.  Paired, the noise is that of
the per-symbol differences d_i = cost_q(x_i) - cost_p(x_i), whose variance shrinks with D
(about 2 D / ln 2 for q near p): at n = 10**6 a divergence of 1e-4 bits has a standard error of
about 2e-5.

>>> m = measure_divergence([0.5, 0.5], [0.25, 0.75], "ans", n=20_000, seed=1)
>>> abs(m.estimate - m.target) < 3 * m.stderr + m.overhead_bound / m.n
True
"""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass

import numpy as np

from ..coders import STREAM_CODERS, make_coder
from ..coders.stream import StreamCoder
from ..validate import checked_pmf, check_same_length, seed_label
from ..sources.distributions import sample
from ..errors import OptionError
from ..measures import kl_divergence
from ..tables import Table
from .roundtrip import checked_round_trip

__all__ = ["measure_divergence", "DivergenceMeasurement"]


@dataclass(frozen=True)
class DivergenceMeasurement:
    """D(p||q) measured as the paired difference of two real encodings of one sample.

    The estimate is the difference of the two messages' information before their flushes
    (``information_q``, ``information_p``: each message's bits less its flush, read exactly from
    the coder's final state), per symbol.  It tends to ``target`` = ``kl_divergence +
    quantisation + overhead``: D, what the two b-bit models add, and the difference of the two
    coders' rounding drifts per symbol (tANS: its drifts under the two models); ``stderr`` covers
    the paired costs' spread and the drifts', so a 95% interval ``target +/- 1.96 stderr`` holds
    the estimate about 95% of the time, and ``|estimate - target| <= 3 stderr + overhead_bound /
    n`` but for a 3-sigma fluctuation.  ``bits_q - bits_p`` is the same difference with the two
    flushes in: at n = 10**6 a flush of 32-bit words alone moves it by 3.2e-5 bits per symbol."""

    coder: str
    n: int
    seed: int
    estimate: float           # measured: (information with q's code - with p's code) / n
    stderr: float             # sd of the per-symbol differences / sqrt(n), and the drifts'
    kl_divergence: float      # theory: D(p||q)
    bits_q: int               # measured: the sample coded with the code for q
    bits_p: int               # measured: the same sample coded with the code for p
    overhead_bound: float     # bits: how far the two coders' overheads can differ
    quantisation: float = 0.0  # theory: D(p||q~_q) - D(p||q~_p) - D(p||q), the b-bit models' share
    overhead: float = 0.0      # theory: (mean drift for q - mean drift for p) / n
    information_q: float = 0.0  # measured: bits_q less its flush, read from the final state
    information_p: float = 0.0  # measured: bits_p less its flush, read from the final state

    @property
    def target(self) -> float:
        """What the estimate tends to (theory): D(p||q) + quantisation + overhead."""
        return self.kl_divergence + self.quantisation + self.overhead

    def to_dict(self) -> dict:
        return asdict(self)

    def _repr_html_(self) -> str:
        """In a notebook: the estimate and its 95% interval beside the theory, as a table."""
        rows = [("D(p||q) estimate", f"{self.estimate:.6g} +/- {self.stderr:.2g}", "measured"),
                ("95% interval", f"[{self.estimate - 1.96 * self.stderr:.6g}, "
                                 f"{self.estimate + 1.96 * self.stderr:.6g}]", "measured"),
                ("D(p||q)", f"{self.kl_divergence:.6g}", "theory"),
                ("target: D + quantisation + rounding drifts", f"{self.target:.6g}", "theory"),
                ("whole bits, q's code and p's (not per symbol)", f"{self.bits_q:,}, {self.bits_p:,}", "measured")]
        return (f"<p><b>D(p||q) measured with {html.escape(self.coder)}</b> (paired, n = {self.n:,})</p>"
                + Table({"quantity": name, "bits/symbol": value, "kind": kind}
                        for name, value, kind in rows)._repr_html_())

    def __str__(self) -> str:
        shown = abs(self.quantisation) >= 5e-7
        return (f"D(p||q) measured with {self.coder}: {self.estimate:.6g} +/- {self.stderr:.2g} "
                f"bits/symbol (paired, n = {self.n}); theory {self.kl_divergence:.6g}"
                + (f" {self.quantisation:+.2g} from quantising the models" if shown else "")
                + (f" {self.overhead:+.2g} from the coders' rounding drifts"
                   if abs(self.overhead) >= 5e-7 else ""))


def measure_divergence(p, q, coder: str = "ans", n: int = 1_000_000, seed: int = 0,
                       **coder_options) -> DivergenceMeasurement:
    """Measure D(p||q) by coding one sample from p with ``coder`` built for q and for p.

    ``estimate`` is the difference of the two messages' information before their flushes (read
    exactly from each coder's final state) per symbol; ``bits_q`` and ``bits_p`` are the two
    measured bit counts, flushes included; ``stderr`` comes from the paired per-symbol
    differences of the two models' costs and the two rounding drifts' spread;
    ``overhead_bound`` is the widest the two coders' overheads (flush and rounding) can differ,
    in bits, and ``quantisation`` what the two b-bit models add to D and ``overhead`` the
    difference of the two coders' mean drifts per symbol (theory), so that the estimate tends
    to ``target`` = D + quantisation + overhead:
    ``|estimate - target| <= 3 stderr + overhead_bound / n`` but for a 3-sigma fluctuation.

    Only the stream coders (arithmetic, rans, tans, range, ans) pay -log2 q~(x) a symbol, so only
    they measure D; the others are refused, saying why: a prefix or integer code pays whole-bit
    codeword lengths (the paired difference would be D(p||2^-l_q) - D(p||2^-l_p), not D(p||q)),
    Tunstall pays per word, and an adaptive coder learns its own model and ignores q.
    """
    p, q = checked_pmf(p, "p"), checked_pmf(q, "q")
    check_same_length(p, q)
    for_q = make_coder(coder, q, **coder_options)
    _require_paired_costs(coder, for_q, coder_options)
    for_p = make_coder(coder, p, **coder_options)
    x = sample(p, n, seed)
    enc_q, _, _ = checked_round_trip(for_q, x)
    enc_p, _, _ = checked_round_trip(for_p, x)
    size = int(x.size)
    if size < 2:
        raise OptionError(f"measure_divergence needs at least 2 symbols for a standard error, got {size}")
    d = for_q.symbol_costs(x) - for_p.symbol_costs(x)
    over_q, over_p = for_q.overhead(p, size), for_p.overhead(p, size)
    # each message's information before its flush, read exactly from its final state: the
    # flushes (32-bit words for ans and range: a lattice of 32 / n bits per symbol, as wide as
    # the interval at n = 10**6) are out of the estimate, only the rounding drifts stay in
    info_q, info_p = for_q.information(x, enc_q), for_p.information(x, enc_p)
    (drift_q, var_q), (drift_p, var_p) = for_q.information_drift(p, size), for_p.information_drift(p, size)
    spread = float(np.var(d, ddof=1)) / size + (var_q + var_p) / size ** 2
    flushes = (for_q.flush.high - for_q.flush.low) + (for_p.flush.high - for_p.flush.low)
    return DivergenceMeasurement(
        coder=coder, n=size, seed=seed_label(seed), estimate=(info_q - info_p) / size,
        stderr=math.sqrt(spread), kl_divergence=kl_divergence(p, q),
        bits_q=int(enc_q.num_bits), bits_p=int(enc_p.num_bits),
        information_q=info_q, information_p=info_p,
        overhead_bound=max(over_q.high - over_p.low, over_p.high - over_q.low) + flushes,
        quantisation=_quantisation(p, q, for_q.model_pmf, for_p.model_pmf),
        overhead=(drift_q - drift_p) / size)


def _require_paired_costs(name: str, coder, options: dict) -> None:
    """OptionError unless ``coder`` pays -log2 q~(x) for each symbol x of a fixed model."""
    if isinstance(coder, StreamCoder) and not options.get("adaptive"):
        return
    if options.get("adaptive"):
        why = "an adaptive coder learns its own model from the data and ignores q"
    elif name == "tunstall":
        why = "tunstall pays whole-bit indices for words of symbols, not a cost per symbol"
    else:
        why = (f"{name} pays whole-bit codeword lengths l(x): the paired difference would be "
               "D(p||2^-l_q) - D(p||2^-l_p), not D(p||q)")
    raise OptionError(f"measure_divergence needs a coder that pays -log2 q~(x) for each symbol "
                      f"({', '.join(STREAM_CODERS)}, without adaptive): {why}")


def _quantisation(p, q, model_q, model_p) -> float:
    """D(p||q~_q) - D(p||q~_p) - D(p||q): what coding the b-bit models adds to D (theory)."""
    return kl_divergence(p, model_q) - kl_divergence(p, model_p) - kl_divergence(p, q)
