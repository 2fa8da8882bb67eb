"""H(p,q) = H(p) + D(p||q), checked on a few hundred random (p, q) pairs with real bits."""


import numpy as np

import codesim as cs
from .runner import Outcome
from ..simulation.divergence import measure_divergence
from ..simulation import compare

TITLE = "Decomposition: measured cost minus H(p) against D(p||q) on random (p, q) pairs"
CLAIM = ("Stream coders pay D(p||q) over H(p) (the diagonal); Shannon's code pays between D and "
         "D + 1; Huffman pays D(p || 2**-l), which can be less than D(p||q). Coding one sample with "
         "the codes for q and for p measures D itself (paired), with a far smaller stderr.")
DEFAULT_N, QUICK_N = 5_000, 2_000
CODERS = ["ans", "shannon", "huffman"]


def run(n, seed, quick):
    rng = np.random.default_rng(seed)
    pairs = 40 if quick else 300
    rows = []
    for i in range(pairs):
        k = int(rng.integers(2, 33))
        p, q = cs.dirichlet(k, 1.0, rng), cs.smooth(cs.dirichlet(k, 1.0, rng), 0.02)
        overhead = cs.make_coder("ans", q).length_bounds(n)[1] / n
        seed_i = int(rng.integers(2**31))
        paired = measure_divergence(p, q, "ans", n=n, seed=seed_i)
        for r in compare(p, q, CODERS, n=n, seed=seed_i):
            # expected - H(p) is this coder's own divergence: sum_x p(x) log2(p(x) / r(x)) with
            # r = 2**-l for a prefix code (possibly summing to < 1), r = q~ for ans.
            rows.append({"pair": i, "K": k, "coder": r.coder,
                         "measured - H(p)": r.measured_bits_per_symbol - r.entropy,
                         "D(p||q)": r.kl_divergence,
                         "expected - H(p)": r.expected_bits_per_symbol - r.entropy,
                         "stderr": r.stderr, "overhead/n": overhead if r.coder == "ans" else 0.0,
                         "paired D estimate": paired.estimate if r.coder == "ans" else None,
                         "paired stderr": paired.stderr if r.coder == "ans" else None,
                         "paired overhead bound/n": paired.overhead_bound / n if r.coder == "ans" else None,
                         "paired quantisation": paired.quantisation if r.coder == "ans" else None,
                         "ledger": r.ledger})
    ans = [r for r in rows if r["coder"] == "ans"]
    within = np.mean([abs(r["measured - H(p)"] - r["D(p||q)"]) <= 5 * r["stderr"] + r["overhead/n"]
                      for r in ans])
    worst = max(abs(r["measured - H(p)"] - r["D(p||q)"]) for r in ans)
    inside = np.mean([r["D(p||q)"] <= r["expected - H(p)"] < r["D(p||q)"] + 1
                      for r in rows if r["coder"] == "shannon"])
    below = np.mean([r["expected - H(p)"] < r["D(p||q)"] for r in rows if r["coder"] == "huffman"])
    paired_within = np.mean([abs(r["paired D estimate"] - r["D(p||q)"] - r["paired quantisation"])
                             <= 3 * r["paired stderr"] + r["paired overhead bound/n"] for r in ans])
    headline = (f"ans: measured - H(p) within 5 stderr + overhead/n of D(p||q) on {within:.0%} of "
                f"{pairs} pairs (largest gap {worst:.4f} bits); the paired D (codes for q and p "
                f"on one sample) within 3 stderr + overhead bound/n on {paired_within:.0%}; "
                f"Shannon inside [D, D+1) on {inside:.0%}; Huffman below D(p||q) on {below:.0%}")
    return Outcome(rows, headline, ["pair", "K", "coder", "measured - H(p)", "D(p||q)",
                                    "expected - H(p)", "stderr", "paired D estimate", "paired stderr"])


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6, 5))
    d = [r["D(p||q)"] for r in outcome.rows]
    top = max(d)
    ax.plot([0, top], [0, top], "k--", lw=1, label="theory: diagonal D(p||q)")
    ax.plot([0, top], [1, top + 1], "k:", lw=1, label="theory: D(p||q) + 1 (Shannon's bound)")
    for coder, marker in zip(CODERS, "o^s"):
        pts = [(r["D(p||q)"], r["measured - H(p)"]) for r in outcome.rows if r["coder"] == coder]
        ax.scatter(*zip(*pts), s=8, marker=marker, alpha=0.6, label=f"measured: {coder}")
    pts = [(r["D(p||q)"], r["paired D estimate"]) for r in outcome.rows if r["coder"] == "ans"]
    ax.scatter(*zip(*pts), s=14, marker="x", color="k", lw=0.7,
               label="measured: ans paired (bits with q's code - bits with p's) / n")
    ax.set_xlabel("D(p||q), bits/symbol (theory)")
    ax.set_ylabel("measured bits/symbol - H(p)")
    ax.set_title("H(p,q) = H(p) + D(p||q), in real bits")
    ax.legend(fontsize=7)
    return fig

