"""Coding blocks of k symbols: the per-symbol rate approaches H(p,q) inside the 1/k bound."""


import codesim as cs
from .runner import Outcome
from ..simulation import compare

TITLE = "Block length: Huffman and Shannon codes on blocks of k symbols"
CLAIM = ("Shannon's code for q^k costs between H(p,q) and H(p,q) + 1/k bits per symbol on data "
         "from p (Cover & Thomas Thm 5.4.3 on blocks); measured rates fall toward H(p,q) as k grows.")
DEFAULT_N, QUICK_N = 120_000, 12_000
P, Q = [0.65, 0.25, 0.1], [0.5, 0.3, 0.2]


def run(n, seed, quick):
    rows = []
    for k in range(1, (6 if quick else 9) + 1):
        for r in compare(P, Q, [("huffman", {"block": k}), ("shannon", {"block": k})], n=n, seed=seed):
            rows.append({"k": k, "coder": r.coder, "measured": r.measured_bits_per_symbol,
                         "expected (theory)": r.expected_bits_per_symbol,
                         "H(p,q) (theory)": r.cross_entropy, "H(p,q) + 1/k": r.cross_entropy + 1 / k,
                         "stderr": r.stderr, "ledger": r.ledger})
    last = [r for r in rows if r["coder"] == "shannon"][-1]
    headline = (f"k = {last['k']}: Shannon measured {last['measured']:.4f} bits/symbol, "
                f"H(p,q) = {last['H(p,q) (theory)']:.4f}, bound H(p,q) + 1/k = {last['H(p,q) + 1/k']:.4f}")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rows = outcome.rows
    ks = sorted({r["k"] for r in rows})
    h = rows[0]["H(p,q) (theory)"]
    ax.fill_between(ks, [h] * len(ks), [h + 1 / k for k in ks], color="0.9",
                    label="theory: [H(p,q), H(p,q) + 1/k)")
    ax.axhline(h, color="k", ls="--", lw=1, label="theory: H(p,q)")
    ax.axhline(cs.entropy(P), color="k", ls=":", lw=1, label="theory: H(p)")
    for coder, marker in (("huffman", "o"), ("shannon", "s")):
        pts = [(r["k"], r["measured"]) for r in rows if r["coder"] == coder]
        ax.plot(*zip(*pts), marker=marker, label=f"measured: {coder} on blocks")
    ax.set_xlabel("block length k")
    ax.set_ylabel("bits per symbol")
    ax.set_title("Per-symbol rate of block codes built for q^k")
    ax.legend(fontsize=7)
    return fig

