"""A skewed source: Huffman's one-bit floor, block Huffman recovering, tANS and arithmetic at the entropy."""


import codesim as cs
from .runner import Outcome
from ..simulation import compare

TITLE = "Skewed sources: Huffman's one-bit floor against tANS and arithmetic coding"
CLAIM = ("When one symbol has probability 0.8 or more, H(p) falls below 1 bit but every Huffman "
         "codeword costs at least 1 bit; Huffman on blocks of k symbols recovers (within 1/k), "
         "and tANS (as FSE) and the arithmetic coder reach H(p) up to their table or "
         "quantisation cost, which falls as table_log grows.")
DEFAULT_N, QUICK_N = 200_000, 20_000
K = 16
TOPS = (0.8, 0.9, 0.95, 0.99)
TABLE_LOGS = (6, 7, 8, 9, 10, 11, 12)


def source(top: float):
    """One symbol at probability ``top``; the rest geometric (ratio 0.25) over 15 symbols."""
    rest = cs.geometric(K - 1, 0.25) * (1 - top)
    return cs.normalize([top, *rest])


def coders(quick: bool):
    out = [("huffman", {})] + [("huffman", {"block": k}) for k in (2, 3)]
    out += [("tans", {"table_log": r}) for r in (TABLE_LOGS[::2] if quick else TABLE_LOGS)]
    return out + [("arithmetic", {}), ("ans", {})]


def run(n, seed, quick):
    rows = []
    for top in (TOPS[::3] if quick else TOPS):
        p = source(top)
        chosen = coders(quick)
        for r, (_, options) in zip(compare(p, p, chosen, n=n, seed=seed), chosen):
            option = ", ".join(f"{k}={v}" for k, v in options.items())
            rows.append({"p(top)": top, "coder": r.coder, "option": option,
                         "measured": r.measured_bits_per_symbol,
                         "expected (theory)": r.expected_bits_per_symbol,
                         "with overhead (theory)": sum(r.ledger_theory.values()),
                         "H(p) (theory)": r.entropy,
                         "excess over H(p)": r.measured_bits_per_symbol - r.entropy,
                         "ratio vs 8 bits": 8 / r.measured_bits_per_symbol,
                         "stderr": r.stderr, "ledger": r.ledger})
    at = [r for r in rows if r["p(top)"] == 0.8]
    pick = {(r["coder"], r["option"]): r for r in at}
    huff, tans = pick[("huffman", "")], pick[("tans", "table_log=12")]
    headline = (f"p(top) = 0.8: H(p) = {huff['H(p) (theory)']:.3f} bits; Huffman "
                f"{huff['measured']:.3f} (ratio {huff['ratio vs 8 bits']:.2f} on bytes), tANS "
                f"table_log 12 {tans['measured']:.3f} (ratio {tans['ratio vs 8 bits']:.2f}), "
                f"arithmetic {pick[('arithmetic', '')]['measured']:.3f}")
    return Outcome(rows, headline)


def plot(outcome, plt):
    tops = sorted({r["p(top)"] for r in outcome.rows})
    fig, axes = plt.subplots(1, len(tops), figsize=(4.2 * len(tops), 4.2), squeeze=False)
    for ax, top in zip(axes[0], tops):
        rows = [r for r in outcome.rows if r["p(top)"] == top]
        labels = [f"{r['coder']}\n{r['option'].replace('table_log=', 'R=')}"
                  for r in rows]
        ax.bar(range(len(rows)), [r["excess over H(p)"] for r in rows])
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.set_xticks(range(len(rows)), labels, fontsize=6, rotation=90)
        ax.set_title(f"p(top) = {top}: H(p) = {rows[0]['H(p) (theory)']:.3f} bits")
        ax.set_ylabel("measured excess over H(p), bits/symbol")
    fig.tight_layout()
    return fig

