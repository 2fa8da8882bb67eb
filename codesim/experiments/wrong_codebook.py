"""The wrong codebook: data from p, codes built for q moving away from p.

Every coder codes the same sample at every q; the measured surcharge over H(p) follows D(p||q).
"""


import codesim as cs
from .runner import Outcome
from ..simulation import mixture_grid, sweep

TITLE = "Wrong codebook: measured cost against H(p) and H(p,q) as q moves away from p"
CLAIM = ("A code built for q costs H(p,q) = H(p) + D(p||q) bits per symbol on data from p: "
         "the measured surcharge over H(p) tracks D(p||q).")
DEFAULT_N, QUICK_N = 100_000, 5_000
TS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 0.9, 0.97]


def run(n, seed, quick):
    p = cs.zipf(16, 1.3)
    toward = p[::-1].copy()                   # q moves toward p reversed: D grows without bound
    rows = sweep(p, mixture_grid(p, TS, toward), list(cs.coders.DEFAULT_CODERS), n=n, seed=seed,
                 same_sample=True, workers=1 if quick else None)
    out = [{"t": float(r["q"][2:]), "coder": r["coder"], "measured": r["measured_bits_per_symbol"],
            "H(p)": r["entropy"], "H(p,q)": r["cross_entropy"], "D(p||q)": r["kl_divergence"],
            "measured - H(p)": r["measured_bits_per_symbol"] - r["entropy"],
            "expected": r["expected_bits_per_symbol"], "stderr": r["stderr"],
            "ledger": {k[7:]: v for k, v in r.items() if k.startswith("ledger.")}} for r in rows]
    far = [r for r in out if r["t"] == TS[-1] and r["coder"] == "ans"][0]
    headline = (f"at t = {TS[-1]}: ans measured {far['measured - H(p)']:.4f} bits/symbol over H(p), "
                f"theory D(p||q) = {far['D(p||q)']:.4f}")
    return Outcome(out, headline, ["t", "coder", "measured", "H(p)", "H(p,q)", "D(p||q)",
                                   "measured - H(p)", "stderr"])


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    rows = outcome.rows
    d = sorted({r["D(p||q)"] for r in rows})
    ax.plot(d, [rows[0]["H(p)"]] * len(d), "k:", label="theory: H(p)")
    ax.plot(d, [rows[0]["H(p)"] + x for x in d], "k--", label="theory: H(p,q) = H(p) + D(p||q)")
    for coder in dict.fromkeys(r["coder"] for r in rows):
        pts = [(r["D(p||q)"], r["measured"]) for r in rows if r["coder"] == coder]
        ax.plot(*zip(*pts), "o-", ms=3, lw=1, label=f"measured: {coder}")
    ax.set_xlabel("D(p||q), bits/symbol (theory)")
    ax.set_ylabel("bits per symbol")
    ax.set_title("Measured cost of a code built for q, on data from p")
    ax.legend(fontsize=7)
    return fig

