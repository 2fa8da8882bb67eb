"""A source with memory: an i.i.d. code pays H(marginal), the true chain the entropy rate, a
wrong chain the cross-entropy rate, and adaptive order-j models learn their way to the rate."""


import numpy as np

import codesim as cs
from .runner import Outcome

TITLE = "Memory: a Markov source coded with i.i.d., true, wrong and adaptive order-j models"
CLAIM = ("On an order-2 Markov source an i.i.d. code costs H(marginal), the true chain the "
         "entropy rate, a wrong chain the cross-entropy rate (rate + KL rate); adaptive order-j "
         "models approach the rate with a learning cost of about (contexts)(K-1)/2 log2(n)/n "
         "bits, so too high an order pays more at small n.")
DEFAULT_N, QUICK_N = 100_000, 10_000
K = 4
SOURCE = cs.MarkovSource.random(K, 2, 0.4, 11)
WRONG = cs.MarkovSource.random(K, 2, 0.4, 12)


def run(n, seed, quick):
    rows = []
    fixed = [("i.i.d. (the marginal)", SOURCE.marginal()), ("the true chain", SOURCE),
             ("a wrong chain", WRONG)]
    for label, model in fixed:
        r = cs.simulate(SOURCE, model, "arithmetic", n=n, seed=seed)
        rows.append({"model": label, "order": getattr(model, "order", 0), "n": n,
                     "measured": r.measured_bits_per_symbol, "expected (theory)": r.expected_bits_per_symbol,
                     "rate (theory)": r.cross_entropy, "entropy rate (theory)": r.entropy,
                     "learning cost (theory)": 0.0, "stderr": r.stderr, "ledger": r.ledger})
    sizes = [n // 100, n // 10, n] if not quick else [n // 10, n]
    for size in sizes:
        for order in range(0, 4 if quick else 5):
            r = cs.simulate(SOURCE, cs.AdaptiveContextModel(K, order, "kt"), "arithmetic", n=size, seed=seed)
            best = cs.memory.projection(SOURCE, order)
            rate = SOURCE.cross_entropy_rate(best)
            rows.append({"model": f"adaptive KT, order {order}", "order": order, "n": size,
                         "measured": r.measured_bits_per_symbol,
                         "expected (theory)": r.expected_bits_per_symbol,
                         "rate (theory)": rate, "entropy rate (theory)": r.entropy,
                         "learning cost (theory)": r.cross_entropy - rate, "stderr": r.stderr,
                         "ledger": r.ledger})
    pick = {(r["model"], r["n"]): r for r in rows}
    iid, true, wrong = (pick[(label, n)] for label, _ in fixed)
    small = min(sizes)
    at_small = {r["order"]: r["measured"] for r in rows if r["n"] == small and r["model"].startswith("adaptive")}
    at_large = {r["order"]: r["measured"] for r in rows if r["n"] == n and r["model"].startswith("adaptive")}
    headline = (f"n = {n}: i.i.d. {iid['measured']:.4f} (H(marginal) {iid['rate (theory)']:.4f}), "
                f"true chain {true['measured']:.4f} (entropy rate {true['entropy rate (theory)']:.4f}), "
                f"wrong chain {wrong['measured']:.4f} (cross-entropy rate {wrong['rate (theory)']:.4f}); "
                f"adaptive order 2 {at_large[2]:.4f}; at n = {small} the best order is "
                f"{min(at_small, key=at_small.get)}, at n = {n} it is {min(at_large, key=at_large.get)}")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 4.5))
    fixed = [r for r in outcome.rows if not r["model"].startswith("adaptive")]
    x = np.arange(len(fixed))
    left.bar(x - 0.2, [r["expected (theory)"] for r in fixed], 0.4, color="0.75", label="theory: the model's rate")
    left.bar(x + 0.2, [r["measured"] for r in fixed], 0.4, label="measured")
    left.axhline(fixed[0]["entropy rate (theory)"], color="k", ls=":", lw=1, label="theory: entropy rate")
    left.set_xticks(x, [r["model"] for r in fixed], fontsize=8)
    left.set_ylabel("bits per symbol")
    left.set_title("Fixed models on the order-2 source")
    left.legend(fontsize=7)
    adaptive = [r for r in outcome.rows if r["model"].startswith("adaptive")]
    for order in sorted({r["order"] for r in adaptive}):
        pts = sorted((r["n"], r["measured"], r["expected (theory)"]) for r in adaptive if r["order"] == order)
        right.plot([p[0] for p in pts], [p[1] for p in pts], "o", color=f"C{order}",
                   label=f"measured: KT order {order}")
        right.plot([p[0] for p in pts], [p[2] for p in pts], "-", color=f"C{order}", lw=1)
    right.axhline(adaptive[0]["entropy rate (theory)"], color="k", ls=":", lw=1, label="theory: entropy rate")
    right.set_xscale("log")
    right.set_xlabel("n (symbols)")
    right.set_ylabel("bits per symbol")
    right.set_title("Adaptive order-j models (lines: rate + learning cost, theory)")
    right.legend(fontsize=7)
    fig.tight_layout()
    return fig

