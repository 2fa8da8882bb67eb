"""Why cross-entropy is the training loss: coding labels with a classifier's predictions costs
exactly its cross-entropy loss."""


import numpy as np

import codesim as cs
from ..simulation.roundtrip import checked_round_trip
from .runner import Outcome

TITLE = "Classification: labels coded with a softmax classifier's predictions, during training"
CLAIM = ("An arithmetic coder driven by the model's per-example predictions spends, per example, "
         "the model's cross-entropy loss in bits: minimising the loss is maximum likelihood is the "
         "shortest code for the labels. (The receiver is assumed to hold the model's weights and "
         "the inputs; their cost is not counted.)")
DEFAULT_N, QUICK_N = 4_000, 1_000
CHECKPOINTS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 400]
K, DIM = 4, 2


def make_data(n, rng):
    """Four overlapping Gaussian blobs in the plane; labels 0..3."""
    centres = np.array([[0.0, 0.0], [2.0, 0.5], [0.5, 2.0], [2.0, 2.5]])
    y = rng.integers(0, K, size=n)
    x = centres[y] + rng.normal(scale=0.9, size=(n, DIM))
    return np.hstack([x, np.ones((n, 1))]), y


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def run(n, seed, quick):
    rng = np.random.default_rng(seed)
    x, y = make_data(n, rng)
    w = np.zeros((DIM + 1, K))
    onehot = np.eye(K)[y]
    rows, epoch = [], 0
    for stop in CHECKPOINTS:
        while epoch < stop:                                   # full-batch gradient descent
            probs = softmax(x @ w)
            w -= 0.5 * x.T @ (probs - onehot) / n
            epoch += 1
        probs = softmax(x @ w)
        loss_bits = float(np.mean(-np.log2(probs[np.arange(n), y])))     # cross-entropy loss
        row = {"epoch": stop, "loss (bits/example)": loss_bits,
               "accuracy": float(np.mean(probs.argmax(1) == y))}
        for name in ("arithmetic", "range"):
            coder = cs.make_coder(name, probs)
            enc, _, _ = checked_round_trip(coder, y)
            row[f"measured {name} (bits/example)"] = enc.num_bits / n
            if name == "arithmetic":
                row["coder overhead bound/n"] = coder.length_bounds(n)[1] / n
        rows.append(row)
    first, last = rows[0], rows[-1]
    headline = (f"epoch 0: {first['measured arithmetic (bits/example)']:.4f} bits/label measured vs loss "
                f"{first['loss (bits/example)']:.4f}; epoch {last['epoch']}: "
                f"{last['measured arithmetic (bits/example)']:.4f} measured vs loss "
                f"{last['loss (bits/example)']:.4f} (accuracy {last['accuracy']:.1%})")
    return Outcome(rows, headline)


def plot(outcome, plt):
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rows = outcome.rows
    epochs = [max(r["epoch"], 0.5) for r in rows]
    ax.plot(epochs, [r["loss (bits/example)"] for r in rows], "k--", lw=1.5,
            label="theory: the model's cross-entropy loss")
    ax.plot(epochs, [r["measured arithmetic (bits/example)"] for r in rows], "o", ms=6, mfc="none",
            label="measured: arithmetic coder, bits per label")
    ax.plot(epochs, [r["measured range (bits/example)"] for r in rows], "x", label="measured: range coder")
    ax.set_xscale("log")
    ax.set_xlabel("training epoch (0 plotted at 0.5)")
    ax.set_ylabel("bits per example")
    ax.set_title("Label code length = cross-entropy loss, as the classifier trains")
    ax.legend(fontsize=8)
    return fig

