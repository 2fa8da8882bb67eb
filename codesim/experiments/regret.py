"""Regret, exactly: what a code that must learn q pays above the best code chosen in hindsight."""

import math

import numpy as np

import codesim as cs
from ..models import regret
from ..simulation.roundtrip import checked_round_trip
from .runner import Outcome

TITLE = "Regret: NML, KT and the two-part code, exact, beside a real KT coder's bits"
CLAIM = ("On every binary sequence of length n, NML pays log2 C(n, 2) bits above the best i.i.d. "
         "code chosen after seeing it (the minimax regret, about (1/2) log2 n); a real KT coder "
         "pays its exact KT regret, within half a bit of NML's on its worst (constant) sequence.")
DEFAULT_N, QUICK_N = 100_000, 10_000
QUICK_SECONDS = 2
THETA = 0.2                         # the Bernoulli source of the typical sequences
SEEDS = 5


def run(n, seed, quick):
    sizes = sorted({int(v) for v in np.geomspace(10, n, 6 if quick else 9)})
    coder = cs.make_coder("arithmetic", [0.5, 0.5], adaptive="kt")
    rows = []
    for m in sizes:
        constant = np.zeros(m, dtype=np.int64)
        worst = _measured_regret(coder, constant)
        typical = [_measured_regret(coder, cs.sample([1 - THETA, THETA], m, [seed, i, m]))
                   for i in range(SEEDS)]
        rows.append({
            "n": m,
            "NML regret (theory, exact)": regret.nml_regret(m, 2),
            "KT regret on 0^n (theory, exact)": regret.kt_worst_regret(m, 2),
            "KT regret on 0^n (measured)": worst[0],
            "KT regret, Bernoulli samples (theory, exact, mean)": float(np.mean([t[1] for t in typical])),
            "KT regret, Bernoulli samples (measured, mean)": float(np.mean([t[0] for t in typical])),
            "two-part worst regret (theory, exact)": regret.two_part_worst_regret(m, 2),
            "(1/2) log2 n (theory, leading term)": 0.5 * math.log2(m),
            "coder overhead allowed (bits)": sum(coder.length_bounds(m)),
        })
    last = rows[-1]
    headline = (f"n = {last['n']}: NML's regret {last['NML regret (theory, exact)']:.4f} bits (exact); "
                f"a real KT coder on 0^n pays {last['KT regret on 0^n (measured)']:.4f} above the "
                f"ML length (exact KT regret {last['KT regret on 0^n (theory, exact)']:.4f}), and "
                f"{last['KT regret, Bernoulli samples (measured, mean)']:.4f} on Bernoulli({THETA}) "
                f"samples (exact {last['KT regret, Bernoulli samples (theory, exact, mean)']:.4f}); "
                f"the two-part code's worst case is {last['two-part worst regret (theory, exact)']:.4f}")
    return Outcome(rows, headline)


def _measured_regret(coder, x):
    """(the real coder's bits minus the ML code length, KT's exact regret on x)."""
    enc, _, _ = checked_round_trip(coder, x)
    counts = regret.counts_of(x, 2)
    return enc.num_bits - regret.ml_code_length(counts), regret.kt_regret(counts)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rows = outcome.rows
    ns = [r["n"] for r in rows]
    allowed = [r["coder overhead allowed (bits)"] for r in rows]
    for key, style in (("NML regret (theory, exact)", "k-"),
                       ("two-part worst regret (theory, exact)", "k:"),
                       ("(1/2) log2 n (theory, leading term)", "k-.")):
        ax.plot(ns, [r[key] for r in rows], style, lw=1, label=key)
    for theory, measured, color, marker, what in (
            ("KT regret on 0^n (theory, exact)", "KT regret on 0^n (measured)", "C0", "o", "0^n"),
            ("KT regret, Bernoulli samples (theory, exact, mean)",
             "KT regret, Bernoulli samples (measured, mean)", "C1", "s", f"Bernoulli({THETA}) samples")):
        exact = [r[theory] for r in rows]
        ax.plot(ns, exact, "--", color=color, lw=1, label=f"theory: KT's exact regret on {what}")
        ax.fill_between(ns, exact, [e + a for e, a in zip(exact, allowed)], color=color, alpha=0.15,
                        label="theory: plus the coder's stated overhead, (0, 2] bits")
        ax.plot(ns, [r[measured] for r in rows], marker, color=color, label=f"measured: KT coder on {what}")
    ax.set_xscale("log")
    ax.set_xlabel("n (symbols)")
    ax.set_ylabel("regret: bits above the ML code length")
    ax.set_title("Regret of codes that learn q, exact and measured")
    ax.legend(fontsize=6.5)
    fig.tight_layout()
    return fig
