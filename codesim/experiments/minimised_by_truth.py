"""Gibbs' inequality in bits: the cost of coding data from p is least when the code is built for p."""


import codesim as cs
from .runner import Outcome
from ..simulation import sweep

TITLE = "Minimised by the truth: cost of codes for q_theta = p**theta / Z, on one sample from p"
CLAIM = ("Cross-entropy H(p, q_theta) is smallest at theta = 1, where q = p and the cost is H(p) "
         "(Gibbs' inequality, D(p||q) >= 0 with equality iff q = p), seen in encoded bits.")
DEFAULT_N, QUICK_N = 200_000, 20_000
THETAS = [0.0, 0.25, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 1.75, 2.0]


def tempered(p, theta):
    w = p ** theta
    return w / w.sum()


def run(n, seed, quick):
    p = cs.geometric(10, 0.6)
    qs = {f"{t:g}": tempered(p, t) for t in THETAS}
    rows = sweep(p, qs, ["ans", "arithmetic", "huffman"], n=n, seed=seed, same_sample=True,
                 workers=1 if quick else None)
    out = [{"theta": float(r["q"]), "coder": r["coder"], "measured": r["measured_bits_per_symbol"],
            "H(p,q) (theory)": r["cross_entropy"], "H(p) (theory)": r["entropy"],
            "stderr": r["stderr"]} for r in rows]
    ans = [r for r in out if r["coder"] == "ans"]
    best = min(ans, key=lambda r: r["measured"])
    headline = (f"ans: least measured cost at theta = {best['theta']:g}: {best['measured']:.4f} "
                f"bits/symbol; H(p) = {best['H(p) (theory)']:.4f} (theory)")
    return Outcome(out, headline)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rows = outcome.rows
    th = sorted({r["theta"] for r in rows})
    theory = [next(r["H(p,q) (theory)"] for r in rows if r["theta"] == t) for t in th]
    ax.plot(th, theory, "k--", label="theory: H(p, q_theta)")
    ax.axhline(rows[0]["H(p) (theory)"], color="k", ls=":", label="theory: H(p)")
    for coder, marker in (("ans", "o"), ("arithmetic", "x"), ("huffman", "s")):
        pts = [(r["theta"], r["measured"]) for r in rows if r["coder"] == coder]
        ax.plot(*zip(*pts), marker=marker, ms=4, lw=0.8, label=f"measured: {coder}")
    ax.axvline(1.0, color="grey", lw=0.5)
    ax.set_xlabel("theta (q_theta = p**theta / Z; theta = 1 is q = p)")
    ax.set_ylabel("bits per symbol")
    ax.set_title("The cost is least when the code is built for the truth")
    ax.legend(fontsize=7)
    return fig

