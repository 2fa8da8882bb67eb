"""Is the instrument calibrated?  The statistical verdict's false alarms, counted over many seeds."""


import numpy as np

import codesim as cs
from ..coders import registry
from ..simulation.check import count_false_alarms
from .runner import Outcome
from ..parallel.pool import worker_count, worker_pool

TITLE = "Calibration: how often an honest coder fails the statistical and overhead verdicts"
CLAIM = ("With each coder's real expected overhead in the expectation, a check at false-alarm "
         "rate alpha fails an honest coder a fraction alpha of the time (within [0.5, 2] alpha), "
         "and the overhead verdict never fails it.")
DEFAULT_N, QUICK_N = 100_000, 2_000
QUICK_SECONDS = 30                 # 32,000 quick runs: the report starts this one first
#: every coder with a model of q (a universal code has no finite-n theory to be calibrated)
CODERS = [c for c in cs.available_coders() if registry.spec(c).family != "universal"]

NOMINAL = (0.05, 0.01)
K = 16


def model(seed):
    """The fixed (p, q) every run codes: a random p and a smoothed random q on 16 symbols."""
    rng = np.random.default_rng([seed, 2024])
    return cs.dirichlet(K, 1.0, rng), cs.smooth(cs.dirichlet(K, 1.0, rng), 0.05)


SEEDS = 1000
#: one part of the run: an honest coder's verdicts over a batch of seeds
TASK = count_false_alarms


def tasks(n, seed, quick):
    """The parts of the run: (p, q, coder, size, seeds, NOMINAL), eight batches of seeds for
    each coder and size."""
    p, q = model(seed)
    return [(p, q, coder, size, chunk, NOMINAL) for coder in CODERS for size in (n // 10, n)
            for chunk in np.array_split(np.arange(SEEDS) + 1000 * seed, 8)]


def run(n, seed, quick):
    parts = tasks(n, seed, quick)
    workers = worker_count(None, len(parts))         # 1 inside a worker (the report's)
    if workers == 1:
        results = [TASK(*part) for part in parts]
    else:
        with worker_pool(workers) as pool:      # Ctrl-C ends its workers at once
            results = list(pool.map(TASK, *zip(*parts)))
    return combine(results, n, seed, quick)


def combine(results, n, seed, quick):
    """The table of observed false-alarm rates from the parts' verdicts (in tasks' order)."""
    parts = [(coder, size) for _, _, coder, size, _, _ in tasks(n, seed, quick)]
    sizes = (n // 10, n)
    rows = []
    for coder in CODERS:
        for size in sizes:
            fails = np.concatenate([r for (c, s), r in zip(parts, results)
                                    if c == coder and s == size])
            for i, alpha in enumerate(NOMINAL):
                rate = float(fails[:, i].mean())
                rows.append({"coder": coder, "n": size, "nominal false-alarm rate": alpha,
                             "observed false-alarm rate": rate, "observed / nominal": rate / alpha,
                             "seeds": len(fails), "overhead verdict failures": int(fails[:, -1].sum())})
    ratios = [r["observed / nominal"] for r in rows]
    inside = sum(0.5 <= v <= 2 for v in ratios)
    headline = (f"observed / nominal false-alarm rate between {min(ratios):.2f} and {max(ratios):.2f}; "
                f"{inside} of {len(rows)} (coder, n, alpha) cells inside [0.5, 2]; the overhead "
                f"verdict failed {sum(r['overhead verdict failures'] for r in rows[::2])} of "
                f"{len(CODERS) * len(sizes) * SEEDS} honest runs")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(9, 4.6))
    sizes = sorted({r["n"] for r in outcome.rows})
    width = 0.8 / (len(sizes) * len(NOMINAL))
    for j, (size, alpha) in enumerate((s, a) for s in sizes for a in NOMINAL):
        ys = [next(r["observed / nominal"] for r in outcome.rows
                   if r["coder"] == c and r["n"] == size and r["nominal false-alarm rate"] == alpha)
              for c in CODERS]
        ax.bar(np.arange(len(CODERS)) + (j - 1.5) * width, ys, width,
               label=f"measured: n = {size}, alpha = {alpha}")
    ax.axhspan(0.5, 2.0, color="green", alpha=0.08, label="target: [0.5, 2] x nominal")
    ax.axhline(1.0, color="k", lw=0.8, ls="--", label="theory: observed = nominal")
    ax.set_xticks(np.arange(len(CODERS)), CODERS, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel("observed / nominal false-alarm rate")
    ratios = [r["observed / nominal"] for r in outcome.rows]
    inside = sum(0.5 <= v <= 2 for v in ratios)
    verdict = ("calibrated" if inside == len(ratios) else "not calibrated in every cell")
    ax.set_title(f"The statistical verdict, measured: {inside} of {len(ratios)} cells inside "
                 f"[0.5, 2] x nominal, {verdict} ({outcome.rows[0]['seeds']} seeds per bar)",
                 fontsize=10)
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    ax.set_ylim(0, 2.4)
    fig.tight_layout()
    return fig

