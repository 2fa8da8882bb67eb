"""What quantising q to b-bit integer frequencies costs, measured, against D(p||q~) - D(p||q)."""


import codesim as cs
from .runner import Outcome
from ..simulation import compare

TITLE = "Quantization: stream coders with model precision from 4 to 24 bits"
CLAIM = ("A stream coder codes with q~ = f / 2**b, not q: it pays H(p, q~) = H(p,q) + "
         "[D(p||q~) - D(p||q)]; the measured extra cost follows that bracket and vanishes as b grows.")
DEFAULT_N, QUICK_N = 200_000, 30_000
PRECISIONS = [4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24]


def run(n, seed, quick):
    p = cs.zipf(16, 1.4)
    q = cs.zipf(16, 1.6)
    x = cs.sample(p, n, seed)                   # the sample compare() codes (same seed)
    ideal_q = cs.information_content(q, x).sum() / n
    rows = []
    for b in PRECISIONS:
        coders = [(c, {"precision": b}) for c in ("range", "ans", "rans")]
        for r in compare(p, q, coders, n=n, seed=seed):
            model = cs.make_coder(r.coder, q, precision=b).model_pmf
            # measured minus this sample's ideal cost under q itself: the quantisation cost on
            # this very sample (its noise is that of log2(q / q~), far below the rate's stderr)
            rows.append({"precision": b, "coder": r.coder,
                         "measured - sample ideal under q": r.measured_bits_per_symbol - r.ideal_bits_per_symbol,
                         "D(p||q~) - D(p||q) (theory)": cs.kl_divergence(p, model) - r.kl_divergence,
                         "theory + mean coder overhead/n":
                             cs.kl_divergence(p, model) - r.kl_divergence + r.ledger_theory["coder_overhead"],
                         "this sample: ideal under q~ - under q":
                             cs.information_content(model, x).sum() / n - ideal_q,
                         "coder overhead/n (bound)": cs.make_coder(r.coder, q, precision=b).length_bounds(n)[1] / n, "ledger": r.ledger})
    r4 = [r for r in rows if r["precision"] == 4 and r["coder"] == "range"][0]
    r24 = [r for r in rows if r["precision"] == 24 and r["coder"] == "range"][0]
    headline = (f"range coder: measured cost of quantising {r4['measured - sample ideal under q']:+.4f} "
                f"bits/symbol at 4 bits (theory {r4['D(p||q~) - D(p||q) (theory)']:+.4f}), "
                f"{r24['measured - sample ideal under q']:+.5f} at 24 bits (theory "
                f"{r24['D(p||q~) - D(p||q) (theory)']:+.1e}; the rest is the coder's fixed overhead)")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rows = outcome.rows
    bs = sorted({r["precision"] for r in rows})
    theory = [next(r["D(p||q~) - D(p||q) (theory)"] for r in rows if r["precision"] == b) for b in bs]
    ax.plot(bs, theory, "k--", label="theory: D(p||q~) - D(p||q)")
    ax.set_yscale("symlog", linthresh=1e-4)
    for coder, marker in (("range", "o"), ("ans", "x"), ("rans", "s")):
        pts = [(r["precision"], r["measured - sample ideal under q"]) for r in rows if r["coder"] == coder]
        line, = ax.plot(*zip(*pts), marker=marker, lw=0.8, label=f"measured: {coder}")
        with_overhead = [(r["precision"], r["theory + mean coder overhead/n"]) for r in rows
                         if r["coder"] == coder]
        ax.plot(*zip(*with_overhead), ls=":", lw=1.2, color=line.get_color(),
                label=f"theory + {coder}'s mean overhead/n")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("model precision b (bits)")
    ax.set_ylabel("measured - sample's ideal cost under q, bits/symbol")
    ax.set_title("The price of quantising q")
    ax.legend(fontsize=7)
    return fig

