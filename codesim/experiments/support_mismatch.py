"""A code cannot describe what its model rules out: q(x) = 0 < p(x) makes H(p,q) infinite."""

import math

import numpy as np

import codesim as cs
from .runner import Outcome
from ..simulation import simulate

TITLE = "Support mismatch: q rules out a symbol that p produces"
CLAIM = ("Every coder refuses the ruled-out symbol (reported as infinite cost); smoothing "
         "q_eps = (1 - eps) q + eps u makes it codable at a cost growing like p(x) log2(1/eps). "
         "A b-bit model cannot go below 2**-b: ans (24 bits) levels off where eps/K < 2**-24.")
DEFAULT_N, QUICK_N = 200_000, 20_000
EPS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10, 1e-12]


def run(n, seed, quick):
    p = cs.zipf(8, 1.0)
    q = p.copy()
    q[-1] = 0.0                      # q rules out symbol 7, which p gives probability p[7]
    q /= q.sum()
    rows = []
    for coder in cs.available_coders():
        try:
            simulate(p, q, coder, n=n, seed=seed)
            rows.append({"eps": 0.0, "coder": coder, "measured": None, "H(p,q_eps) (theory)": math.inf,
                         "refused": "NO (this would be a bug)"})
        except cs.SupportError as err:
            rows.append({"eps": 0.0, "coder": coder, "measured": math.inf,
                         "H(p,q_eps) (theory)": cs.cross_entropy(p, q), "refused": str(err)[:60]})
    for eps in EPS:
        qe = cs.smooth(q, eps)
        for label, coder, opts, _ in SMOOTHED:
            r = simulate(p, qe, coder, n=n, seed=seed, **opts)
            rows.append({"eps": eps, "coder": label, "measured": r.measured_bits_per_symbol,
                         "expected": r.expected_bits_per_symbol,
                         "H(p,q_eps) (theory)": r.cross_entropy,
                         "p(x) log2(1/eps) (theory)": p[-1] * math.log2(1 / eps),
                         "stderr": r.stderr, "ledger": r.ledger})
    # Fit only where the model can represent eps/K: q~(x) >= 2**-precision.
    slopes = {label: _slope([r for r in rows if r["coder"] == label and r["eps"] <= 1e-3
                             and r["eps"] / p.size >= 2.0 ** -floor])
              for label, _, _, floor in SMOOTHED}
    share = float(np.mean(cs.sample(p, n, seed) == p.size - 1))
    headline = (f"all {len(cs.available_coders())} coders refuse at eps = 0 (infinite cost); "
                f"the measured cost grows {slopes['arithmetic (32-bit)']:.4f} bits per halving of eps "
                f"(arithmetic, 32-bit model), {slopes['shannon']:.4f} (Shannon), "
                f"{slopes['ans (24-bit)']:.4f} (ans, until its 2**-24 floor); theory p(x) = "
                f"{p[-1]:.4f} (this sample: {share:.4f})")
    return Outcome(rows, headline, extra={"slopes": slopes, "p_x": float(p[-1])})


#: (label, coder, options, log2 of the smallest probability its model can hold)
SMOOTHED = [("arithmetic (32-bit)", "arithmetic", {"precision": 32}, 32),
            ("shannon", "shannon", {}, 1074), ("ans (24-bit)", "ans", {}, 24)]


def _slope(rows):
    """Least-squares slope of measured bits/symbol against log2(1/eps)."""
    return float(np.polyfit([math.log2(1 / r["eps"]) for r in rows], [r["measured"] for r in rows], 1)[0])


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rows = [r for r in outcome.rows if r["eps"] > 0]
    for (label, _, _, _), marker in zip(SMOOTHED, "xso"):
        pts = [(math.log2(1 / r["eps"]), r["measured"]) for r in rows if r["coder"] == label]
        ax.plot(*zip(*pts), marker=marker, lw=0.8, label=f"measured: {label}")
    pts = [(math.log2(1 / r["eps"]), r["H(p,q_eps) (theory)"]) for r in rows if r["coder"] == "shannon"]
    ax.plot(*zip(*pts), "k--", lw=1, label="theory: H(p, q_eps)")
    ax.set_xlabel("log2(1/eps)")
    ax.set_ylabel("bits per symbol")
    ax.set_title("As eps -> 0 the cost grows like p(x) log2(1/eps): H(p,q) = inf in the limit")
    ax.legend(fontsize=8)
    return fig

