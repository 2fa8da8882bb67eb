"""A language model's loss is a code length: context models fitted on a training text, coding
held-out text, cost exactly their cross-entropy (log2 perplexity), measured in encoded bits."""


import numpy as np

import codesim as cs
from ..coders.context import ContextCoder
from ..models.ctw import CTWModel
from .runner import Outcome
from ..simulation import checked_round_trip
from ..sources.corpora import english_prose, python_source
from ..simulation.text import COMPRESSORS

TITLE = "Language models: train and test cost of order-0..5 context models, in encoded bits"
CLAIM = ("Coding held-out text with a model's predictions costs its cross-entropy (log2 "
         "perplexity) per character, measured: training cost falls with the order while the "
         "test cost turns up (overfitting, seen in bits), and text of the other kind costs more "
         "once the model has context (order >= 1); "
         "adaptive models and CTW need no training; zlib, bz2 and lzma on the same bytes. Not "
         "a contest: a fitted model was trained on n bytes whose cost (the model's own "
         "description) no row counts, while the compressors, like the adaptive models, start "
         "cold on the n / 5 test bytes.")
DEFAULT_N, QUICK_N = 100_000, 10_000       # bytes of training text (the test part: n / 5)
QUICK_SECONDS = 6
K = 256
ALPHA = 1 / 256                 # add-alpha smoothing of the fitted counts


def _bytes(text: str, start: int, size: int) -> np.ndarray:
    data = text.encode("utf-8")[start: start + size]
    return np.frombuffer(data, dtype=np.uint8).astype(np.int64)


def run(n, seed, quick):
    english, python = english_prose(), python_source()
    offset = seed * 1000
    train = _bytes(english, offset, n)
    tests = {"English (held out)": _bytes(english, offset + n, n // 5),
             "Python source": _bytes(python, offset, n // 5)}
    rows = []
    for order in range(0, 6):
        model = cs.fit_context_model(train, order, K, alpha=ALPHA)
        fitted = ContextCoder("arithmetic", model)
        train_cost = fitted.code_length(train) / train.size
        for kind, x in tests.items():
            encoded, _, _ = checked_round_trip(fitted, x)
            rows.append({"model": "fitted on English", "order": order, "test text": kind,
                         "measured bits/char": encoded.num_bits / x.size,
                         "cross-entropy (theory)": fitted.code_length(x) / x.size,
                         "train cost (theory)": train_cost})
    x = tests["English (held out)"]
    for order in range(0, 4):
        coder = ContextCoder("arithmetic", cs.AdaptiveContextModel(K, order, "kt"))
        encoded, _, _ = checked_round_trip(coder, x)
        rows.append({"model": "adaptive KT (no training)", "order": order, "test text": "English (held out)",
                     "measured bits/char": encoded.num_bits / x.size,
                     "cross-entropy (theory)": coder.code_length(x) / x.size, "train cost (theory)": None})
    depth = 12 if quick else 16
    bits = np.unpackbits(x.astype(np.uint8)).astype(np.int64)
    ctw = ContextCoder("arithmetic", CTWModel(depth))
    encoded, _, _ = checked_round_trip(ctw, bits)
    rows.append({"model": f"CTW on bits, depth {depth} (no training)", "order": depth / 8,
                 "test text": "English (held out)", "measured bits/char": encoded.num_bits / x.size,
                 "cross-entropy (theory)": ctw.code_length(bits) / x.size, "train cost (theory)": None})
    raw = bytes(x.astype(np.uint8))
    for name, (compress, _) in COMPRESSORS.items():
        rows.append({"model": name, "order": None, "test text": "English (held out)",
                     "measured bits/char": 8 * len(compress(raw)) / x.size,
                     "cross-entropy (theory)": None, "train cost (theory)": None})
    fitted = [r for r in rows if r["model"] == "fitted on English" and r["test text"].startswith("English")]
    best = min(fitted, key=lambda r: r["measured bits/char"])
    gap = max(abs(r["measured bits/char"] - r["cross-entropy (theory)"]) for r in rows
              if r["cross-entropy (theory)"] is not None)
    headline = (f"train cost falls from {fitted[0]['train cost (theory)']:.3f} (order 0) to "
                f"{fitted[-1]['train cost (theory)']:.3f} (order 5) bits/char; held-out English is "
                f"cheapest at order {best['order']} ({best['measured bits/char']:.3f}) and costs "
                f"{fitted[-1]['measured bits/char']:.3f} at order 5; measured and cross-entropy "
                f"differ by at most {gap:.4f} bits/char; lzma, cold on the test bytes alone (the fitted "
                f"models' training not counted), {rows[-1]['measured bits/char']:.3f}")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(8, 4.8))
    rows = outcome.rows
    for kind, marker in (("English (held out)", "o"), ("Python source", "s")):
        pts = [(r["order"], r["measured bits/char"]) for r in rows
               if r["model"] == "fitted on English" and r["test text"] == kind]
        ax.plot(*zip(*pts), marker=marker, label=f"measured: fitted on English, coding {kind}")
    train = [(r["order"], r["train cost (theory)"]) for r in rows
             if r["model"] == "fitted on English" and r["test text"].startswith("English")]
    ax.plot(*zip(*train), "k--", label="theory: cost on the training text")
    kt = [(r["order"], r["measured bits/char"]) for r in rows if r["model"].startswith("adaptive")]
    ax.plot(*zip(*kt), "^-", label="measured: adaptive KT (no training)")
    for i, r in enumerate(r for r in rows if r["order"] is None or r["model"].startswith("CTW")):
        ax.axhline(r["measured bits/char"], color=f"C{i + 3}", ls=":", lw=1,
                   label=f"measured: {r['model']}")
    ax.set_xlabel("context order (bytes)")
    ax.set_ylabel("bits per character")
    ax.set_title("A model's cross-entropy is its code length: train vs held-out cost")
    ax.legend(fontsize=7)
    return fig

