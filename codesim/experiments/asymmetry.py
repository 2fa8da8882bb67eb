"""Cross-entropy and KL divergence are not symmetric: coding p's data with q's code is not the
same price as coding q's data with p's code."""


import numpy as np

import codesim as cs
from .runner import Outcome
from ..simulation import simulate

TITLE = "Asymmetry: H(p,q) against H(q,p), both measured"
CLAIM = ("D(p||q) != D(q||p): Cover & Thomas Example 2.3.1 (p = (1/2, 1/2), q = (3/4, 1/4)) gives "
         "0.2075 against 0.1887 bits; measured by coding each one's data with the other's code.")
DEFAULT_N, QUICK_N = 400_000, 100_000

PAIRS = {
    "Cover & Thomas 2.3.1": ([0.5, 0.5], [0.75, 0.25]),
    "peaked vs flat (K=8)": (list(cs.geometric(8, 0.3)), list(cs.uniform(8))),
    "zipf vs reversed zipf (symmetric by construction)": (list(cs.zipf(6, 1.0)), list(cs.zipf(6, 1.0)[::-1])),
}


def run(n, seed, quick):
    rows = []
    for label, (p, q) in PAIRS.items():
        for direction, (a, b) in (("data p, code q", (p, q)), ("data q, code p", (q, p))):
            r = simulate(a, b, "ans", n=n, seed=seed)
            x = cs.sample(a, n, seed)                      # the same sample simulate coded
            own = float(cs.information_content(a, x).sum()) / n
            # the estimate of D averages log2(a(x) / b(x)): its standard error is that of the ratio
            ratio = np.log2(np.asarray(a)) - np.log2(np.asarray(b))
            var = float(np.dot(a, (ratio - r.kl_divergence) ** 2))
            rows.append({"pair": label, "direction": direction,
                         "measured cross-entropy": r.measured_bits_per_symbol,
                         "H (theory)": r.cross_entropy,
                         "measured D = measured - own information": r.measured_bits_per_symbol - own,
                         "D (theory)": r.kl_divergence, "stderr of measured D": (var / n) ** 0.5})
    c = rows[:2]
    headline = (f"Cover & Thomas 2.3.1: measured D(p||q) = {c[0]['measured D = measured - own information']:.4f}, "
                f"D(q||p) = {c[1]['measured D = measured - own information']:.4f} "
                f"(theory {c[0]['D (theory)']:.4f} and {c[1]['D (theory)']:.4f})")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(7, 4))
    labels = list(PAIRS)
    x = np.arange(len(labels))
    for j, direction in enumerate(("data p, code q", "data q, code p")):
        rows = [r for r in outcome.rows if r["direction"] == direction]
        ax.bar(x + (j - 0.5) * 0.35, [r["measured D = measured - own information"] for r in rows],
               0.35, label=f"measured: {direction}")
        ax.scatter(x + (j - 0.5) * 0.35, [r["D (theory)"] for r in rows], color="k", zorder=3,
                   marker="_", s=300, label="theory" if j == 0 else None)
    ax.set_xticks(x, [label.replace(" (", "\n(") for label in labels], fontsize=8)
    ax.set_ylabel("surcharge over the data's own information, bits/symbol")
    ax.set_title("D(p||q) against D(q||p), measured")
    ax.legend(fontsize=7)
    return fig

