"""Every code is the codebook of its implied distribution 2^-l: data from p pay H(p) + D(p||2^-l)."""


import numpy as np

import codesim as cs
from .runner import Outcome
from ..simulation import compare

TITLE = "Implied distributions: Golomb, Rice, Elias and unary codes as codebooks"
CLAIM = ("A prefix code with lengths l is the ideal code for r = 2^-l; on data from p it costs "
         "E_p[l] = H(p) + D(p||r) bits per symbol (D counts the Kraft slack too). Geometric data "
         "coded with Golomb codes of the wrong m pay D(p||2^-l); power-law data (p ~ 1/x^2) suit "
         "Elias gamma (r ~ 1/(2x^2)) better than any Golomb code.")
DEFAULT_N, QUICK_N = 200_000, 20_000
K = 256
GEOMETRIC = cs.geometric(K, 0.9)                 # mean about 9: Golomb's best m is 7
POWER_LAW = cs.zipf(K, 2.0)                      # p(x) ~ 1/x^2, x = s + 1
MS = (1, 2, 4, 7, 12, 20, 32)
POWER_CODERS = ("elias_gamma", "elias_delta", "elias_omega", "golomb", "rice", "unary", "huffman")


def _row(source, p, r, options):
    coder = cs.make_coder(r.coder, p, **options)
    option = {"golomb": "m={m}", "rice": "k={k}"}.get(r.coder, "").format(**coder.options)
    implied = coder.implied_q if hasattr(coder, "implied_q") else coder.implied_distribution()
    kraft = float(np.sum(implied))
    return {"source": source, "coder": r.coder, "option": option,
            "measured": r.measured_bits_per_symbol,
            "E_p[l] (theory)": r.expected_bits_per_symbol,
            "H(p) (theory)": r.entropy,
            "D(p||2^-l) (theory)": r.expected_bits_per_symbol - r.entropy,
            "Kraft sum over 0..K-1": kraft, "stderr": r.stderr,
            "z": (r.measured_bits_per_symbol - r.expected_bits_per_symbol) / r.stderr if r.stderr else 0.0,
            "ledger": r.ledger}


def run(n, seed, quick):
    rows = []
    golomb = [("golomb", {"m": m}) for m in MS]
    for r, (_, options) in zip(compare(GEOMETRIC, GEOMETRIC, golomb, n=n, seed=seed), golomb):
        rows.append(_row("geometric(0.9)", GEOMETRIC, r, options))
    coders = [(name, {}) for name in POWER_CODERS]
    for r in compare(POWER_LAW, POWER_LAW, coders, n=n, seed=seed):
        rows.append(_row("power law 1/x^2", POWER_LAW, r, {}))
    geo = [r for r in rows if r["source"].startswith("geometric")]
    best = min(geo, key=lambda r: r["measured"])
    worst = max(geo, key=lambda r: r["measured"])
    power = {r["coder"]: r for r in rows if r["source"].startswith("power")}
    headline = (f"geometric data: Golomb {best['option']} costs {best['measured']:.3f} bits/symbol "
                f"(H(p) = {best['H(p) (theory)']:.3f}), {worst['option']} {worst['measured']:.3f}; "
                f"power law: Elias gamma {power['elias_gamma']['measured']:.3f} against Golomb "
                f"{power['golomb']['option']} {power['golomb']['measured']:.3f} "
                f"(H(p) = {power['huffman']['H(p) (theory)']:.3f}); largest |z| = "
                f"{max(abs(r['z']) for r in rows):.2f}")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    geo = [r for r in outcome.rows if r["source"].startswith("geometric")]
    ms = [int(r["option"][2:]) for r in geo]
    left.plot(ms, [r["E_p[l] (theory)"] for r in geo], "k-", lw=1, label="theory: H(p) + D(p||2^-l)")
    left.plot(ms, [r["measured"] for r in geo], "o", label="measured: Golomb code")
    left.axhline(geo[0]["H(p) (theory)"], color="k", ls=":", lw=1, label="theory: H(p)")
    left.set_xscale("log", base=2)
    left.set_xlabel("Golomb parameter m")
    left.set_ylabel("bits per symbol")
    left.set_title("Geometric data (r = 0.9), Golomb codes")
    left.legend(fontsize=7)
    power = [r for r in outcome.rows if r["source"].startswith("power")]
    x = np.arange(len(power))
    right.bar(x - 0.2, [r["E_p[l] (theory)"] for r in power], 0.4, color="0.75", label="theory: E_p[l]")
    right.bar(x + 0.2, [r["measured"] for r in power], 0.4, label="measured")
    right.axhline(power[0]["H(p) (theory)"], color="k", ls=":", lw=1, label="theory: H(p)")
    right.set_xticks(x, [f"{r['coder']}\n{r['option']}" for r in power], fontsize=7)
    right.set_yscale("log")
    right.set_ylabel("bits per symbol (log scale)")
    right.set_title("Power-law data p(x) ~ 1/x^2")
    right.legend(fontsize=7)
    fig.tight_layout()
    return fig

