"""Real texts: the letters of English prose coded with a codebook built for Python source, and
the other way round.  Both texts ship with Python (see :mod:`codesim.texts`)."""


import numpy as np

import codesim as cs
from ..sources import corpora as texts
from ..sources.labels import fit_bytes, fit_letters
from ..simulation.roundtrip import checked_round_trip
from .runner import Outcome

TITLE = "Real text: English prose and Python source, each coded with the other's codebook"
CLAIM = ("The actual letters (and bytes) of one text, coded with a code built for the other text's "
         "frequencies, cost their empirical cross-entropy H(p,q) = H(p) + D(p||q), asymmetrically. "
         "Texts: stdlib pydoc_data.topics (English) and stdlib module sources (Python).")
DEFAULT_N, QUICK_N = 300_000, 30_000
CODERS = ["huffman", "arithmetic", "ans"]


def _symbols_bytes(text):
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.int64)


def run(n, seed, quick):
    corpus = {"English prose": texts.english_prose(), "Python source": texts.python_source()}
    rows = []
    for alphabet, to_symbols, codebook in (
            ("letters a-z, space", texts.letters_of, fit_letters),
            # bytes: add-one smoothing, or a byte unseen in the other text would be uncodable
            ("bytes (add-one codebook)", _symbols_bytes, lambda t: fit_bytes(t, 1.0))):
        for data_name, data_text in corpus.items():
            x = to_symbols(data_text)[:n]                       # the real sequence, in order
            p = np.bincount(x, minlength=len(texts.LETTERS) if alphabet.startswith("letters") else 256) / x.size
            for book_name, book_text in corpus.items():
                q = codebook(book_text)
                for name in CODERS:
                    coder = cs.make_coder(name, q)
                    enc, _, _ = checked_round_trip(coder, x)
                    rows.append({"alphabet": alphabet, "data": data_name, "codebook": book_name,
                                 "coder": name, "symbols": int(x.size),
                                 "measured": enc.num_bits / x.size,
                                 "H(p) (theory)": cs.entropy(p), "H(p,q) (theory)": cs.cross_entropy(p, q),
                                 "D(p||q) (theory)": cs.kl_divergence(p, q)})
    pick = {(r["data"], r["codebook"]): r for r in rows
            if r["alphabet"] == "letters a-z, space" and r["coder"] == "arithmetic"}
    ep, pe = pick[("English prose", "Python source")], pick[("Python source", "English prose")]
    headline = (f"letters, arithmetic coder: English coded with Python's codebook {ep['measured']:.4f} "
                f"bits/letter (H(p,q) = {ep['H(p,q) (theory)']:.4f}, D = {ep['D(p||q) (theory)']:.4f}); "
                f"Python with English's {pe['measured']:.4f} (H(p,q) = {pe['H(p,q) (theory)']:.4f}, "
                f"D = {pe['D(p||q) (theory)']:.4f})")
    return Outcome(rows, headline, ["alphabet", "data", "codebook", "coder", "measured",
                                    "H(p) (theory)", "H(p,q) (theory)", "D(p||q) (theory)"])


def plot(outcome, plt):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, alphabet in zip(axes, ("letters a-z, space", "bytes (add-one codebook)")):
        rows = [r for r in outcome.rows if r["alphabet"] == alphabet]
        pairs = list(dict.fromkeys((r["data"], r["codebook"]) for r in rows))
        x = np.arange(len(pairs))
        for j, coder in enumerate(CODERS):
            vals = [next(r["measured"] for r in rows if (r["data"], r["codebook"]) == pr and r["coder"] == coder)
                    for pr in pairs]
            ax.bar(x + (j - 1) * 0.25, vals, 0.25, label=f"measured: {coder}")
        theory = [next(r["H(p,q) (theory)"] for r in rows if (r["data"], r["codebook"]) == pr) for pr in pairs]
        ax.scatter(x, theory, color="k", marker="_", s=500, zorder=3, label="theory: H(p,q)")
        ax.set_xticks(x, [f"{d.split()[0]} data,\n{c.split()[0]} code" for d, c in pairs], fontsize=7)
        ax.set_ylabel("bits per symbol")
        ax.set_title(alphabet)
        lo = min(theory) - 0.5
        ax.set_ylim(max(lo, 0), None)
    axes[0].legend(fontsize=7)
    fig.suptitle("Real texts coded with their own and each other's codebooks")
    return fig

