"""A model learned online from counts approaches H(p); a fixed wrong model never improves."""

import math

import numpy as np

import codesim as cs
from ..models.adaptive import learning_cost_asymptotic
from ..simulation.roundtrip import checked_round_trip
from .runner import Outcome

TITLE = "Adaptive models: Laplace and Krichevsky-Trofimov counts against a fixed wrong q"
CLAIM = ("Learning q from the symbols already coded costs D(p^n || m) / n bits per symbol over the "
         "true p: exactly E[L_n]/n - H(p), asymptotically (K-1)/2 log2(n / 2 pi e)/n + a constant/n "
         "(Clarke-Barron), which vanishes as n grows; a fixed wrong q pays D(p||q) forever.")
DEFAULT_N, QUICK_N = 100_000, 10_000
K = 8


def run(n, seed, quick):
    p = cs.zipf(K, 1.0)
    wrong = p[::-1].copy()
    x = cs.sample(p, n, seed)
    sizes = sorted({int(v) for v in np.geomspace(100, n, 8 if quick else 12)})
    coders = {"adaptive KT": ("arithmetic", cs.uniform(K), {"adaptive": "kt"}),
              "adaptive Laplace": ("arithmetic", cs.uniform(K), {"adaptive": "laplace"}),
              "fixed wrong q": ("arithmetic", wrong, {}),
              "fixed true p": ("arithmetic", p, {})}
    rules = {"adaptive KT": "kt", "adaptive Laplace": "laplace"}
    rows = []
    for m in sizes:
        prefix = x[:m]
        own = float(cs.information_content(p, prefix).sum())        # the sample's cost under p
        for label, (name, q, opts) in coders.items():
            coder = cs.make_coder(name, q, **opts)
            enc, _, _ = checked_round_trip(coder, prefix)
            rule = rules.get(label)
            rows.append({"n": m, "model": label, "measured": enc.num_bits / m,
                         "H(p) (theory)": cs.entropy(p),
                         "excess over cost under p": (enc.num_bits - own) / m,
                         "learning cost (theory, exact)": coder.learning_cost(p, m) if rule else None,
                         "Clarke-Barron (theory, asymptotic)":
                             learning_cost_asymptotic(p, m, rule) / m if rule else None,
                         "(K-1)/2 log2(n)/n (theory, leading term)": (K - 1) / 2 * math.log2(m) / m,
                         "D(p||q) (theory)": None if opts else cs.kl_divergence(p, q),
                         "stderr of excess": None if opts else _stderr_of_excess(p, q, m)})
    kt = [r for r in rows if r["model"] == "adaptive KT"][-1]
    fixed = [r for r in rows if r["model"] == "fixed wrong q"][-1]
    key = "excess over cost under p"
    headline = (f"n = {kt['n']}: KT pays {kt[key]:.6f} bits/symbol over the sample's cost under p "
                f"(theory {kt['learning cost (theory, exact)']:.6f} exact, "
                f"{kt['Clarke-Barron (theory, asymptotic)']:.6f} Clarke-Barron, "
                f"{kt['(K-1)/2 log2(n)/n (theory, leading term)']:.6f} leading term only); the "
                f"fixed wrong q pays {fixed[key]:.4f} (D(p||q) = {fixed['D(p||q) (theory)']:.4f})")
    return Outcome(rows, headline)


def _stderr_of_excess(p, q, m):
    """sqrt(Var_p[log2 p(X) / q(X)] / m): the noise of a fixed model's excess on m symbols."""
    ratio = np.log2(p) - np.log2(q)
    return math.sqrt(float(np.dot(p, (ratio - np.dot(p, ratio)) ** 2)) / m)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rows = outcome.rows
    key = "excess over cost under p"
    ns = sorted({r["n"] for r in rows})
    kt = [r["learning cost (theory, exact)"] for r in rows if r["model"] == "adaptive KT"]
    laplace = [r["learning cost (theory, exact)"] for r in rows if r["model"] == "adaptive Laplace"]
    ax.plot(ns, kt, "k--", label="theory: KT's learning cost E[L_n]/n - H(p)")
    ax.plot(ns, laplace, "k-.", lw=0.8, label="theory: Laplace's learning cost")
    d = next(r["D(p||q) (theory)"] for r in rows if r["model"] == "fixed wrong q")
    ax.axhline(d, color="k", ls=":", label="theory: D(p||q) of the fixed wrong q")
    for label, marker in (("adaptive KT", "o"), ("adaptive Laplace", "s"), ("fixed wrong q", "x")):
        pts = [(r["n"], max(r[key], 1e-6)) for r in rows if r["model"] == label]
        ax.plot(*zip(*pts), marker=marker, lw=0.8, label=f"measured: {label}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n (symbols coded)")
    ax.set_ylabel("bits/symbol over the sample's cost under p")
    ax.set_title("Learning the model online: the excess vanishes like log(n)/n")
    ax.set_ylim(bottom=1e-5)
    ax.legend(fontsize=7)
    return fig

