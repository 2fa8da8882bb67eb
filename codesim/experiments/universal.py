"""With no codebook at all: universal codes' redundancy above the entropy (rate), against n."""

import math

import numpy as np

import codesim as cs
from ..models.ctw import CTWModel
from ..simulation.roundtrip import checked_round_trip
from ..sources.markov import sample_entropy
from .runner import Outcome

TITLE = "Universal codes: LZ77, LZ78 and LZW learn from the past, KT and CTW learn q; redundancy against n"
CLAIM = ("With no knowledge of the source, LZ78 and LZW still tend to its entropy (rate), but "
         "slowly: their redundancy shrinks like 1/log n, while a KT model that knows the order "
         "pays its exact learning cost, (k/2) log2(n)/n, and CTW stays within its bound: real "
         "encoded bits on Bernoulli(0.1) and on a sticky binary chain.")
DEFAULT_N, QUICK_N = 1_000_000, 30_000
QUICK_SECONDS = 4
#: the models that learn q are pure Python per symbol: measured up to this many symbols
MODEL_N = 100_000
THETA = 0.1
STAY = 0.95


def run(n, seed, quick):
    sizes = sorted({int(v) for v in np.geomspace(1000, n, 5 if quick else 7)})
    bernoulli = np.array([1 - THETA, THETA])
    chain = cs.MarkovSource.sticky(2, STAY)
    kt = cs.make_coder("arithmetic", [0.5, 0.5], adaptive="kt")
    rows = []
    for m in sizes:
        x = cs.sample(bernoulli, m, seed)
        y = chain.sample(m, seed)
        for source, label, rate, sample in (("Bernoulli(0.1)", "H(p)", cs.entropy(bernoulli), x),
                                            (f"sticky chain ({STAY})", "entropy rate", chain.entropy_rate(), y)):
            for coder in ("lz77", "lz78", "lzw"):
                r = (cs.simulate(bernoulli, [0.5, 0.5], coder, n=m, seed=seed) if sample is x
                     else cs.simulate(chain, None, coder, n=m, seed=seed))
                rows.append(_row(source, coder, m, rate, label, r.num_bits, r.ledger["redundancy"]))
            if m > MODEL_N:
                continue
            own = (float(cs.information_content(bernoulli, x).sum()) if sample is x
                   else sample_entropy(chain, y))           # the sample's own information
            if sample is x:                         # KT on i.i.d. data: its exact learning cost
                bits = checked_round_trip(kt, x)[0].num_bits
                rows.append(_row(source, "KT (order 0)", m, rate, label, bits, bits - own,
                                 theory=kt.learning_cost(bernoulli, m)))
            else:                                   # an order-1 KT model on the chain
                r = cs.simulate(chain, cs.AdaptiveContextModel(2, order=1), "arithmetic", n=m, seed=seed)
                rows.append(_row(source, "KT (order 1)", m, rate, label, r.num_bits, r.num_bits - own,
                                 theory=r.expected_bits_per_symbol - rate))
            ctw = cs.ContextCoder("arithmetic", CTWModel(4))
            bits = checked_round_trip(ctw, sample)[0].num_bits
            rows.append(_row(source, "CTW (depth 4)", m, rate, label, bits, bits - own))
    last = [r for r in rows if r["n"] == sizes[-1] and r["source"] == "Bernoulli(0.1)"]
    lz = next(r for r in last if r["coder"] == "lz78")
    headline = (f"n = {sizes[-1]}: on Bernoulli(0.1) (H = {cs.entropy(bernoulli):.4f}) LZ78 pays "
                f"{lz['measured']:.4f} bits/symbol, {lz['redundancy (measured)']:.4f} above the "
                f"sample's own information (times log2 n: {lz['redundancy x log2 n']:.3f}); "
                "KT and CTW, which learn q itself, pay a learning cost two orders of magnitude smaller")
    return Outcome(rows, headline)


def _row(source, coder, n, rate, label, bits, redundancy, theory=None):
    return {"source": source, "coder": coder, "n": n, "measured": bits / n,
            "entropy (rate) (theory)": rate,
            "redundancy (measured)": redundancy / n,
            "redundancy x log2 n": redundancy / n * math.log2(n),
            "learning cost (theory, exact)": theory}


def plot(outcome, plt):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, source in zip(axes, sorted({r["source"] for r in outcome.rows})):
        rows = [r for r in outcome.rows if r["source"] == source]
        for coder, marker in (("lz77", "v"), ("lz78", "o"), ("lzw", "s"), ("KT (order 0)", "^"),
                              ("KT (order 1)", "^"), ("CTW (depth 4)", "D")):
            pts = [(r["n"], max(r["redundancy (measured)"], 1e-7)) for r in rows if r["coder"] == coder]
            if pts:
                ax.plot(*zip(*pts), marker=marker, lw=0.8, label=f"measured: {coder}")
            theory = [(r["n"], r["learning cost (theory, exact)"]) for r in rows
                      if r["coder"] == coder and r["learning cost (theory, exact)"] is not None]
            if theory:
                ax.plot(*zip(*theory), "k--", lw=1, label=f"theory: {coder}'s exact learning cost")
        lz = [(r["n"], r["redundancy (measured)"]) for r in rows if r["coder"] == "lz78"]
        anchor_n, anchor = lz[0]
        ns = [n for n, _ in lz]
        ax.plot(ns, [anchor * math.log2(anchor_n) / math.log2(n) for n in ns], "k:", lw=1,
                label="shape 1/log2 n through LZ78's first point (not a fit of theory)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n (symbols)")
        ax.set_title(source)
    axes[0].set_ylabel("bits/symbol above the sample's own information")
    for ax in axes:
        ax.legend(fontsize=6)
    fig.suptitle("Universal codes learn slowly: redundancy against n")
    fig.tight_layout()
    return fig
