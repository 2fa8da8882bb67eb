r"""Teaching views: the codes at work, as pictures (matplotlib).

Each view returns a :class:`matplotlib.figure.Figure` (built without pyplot, so it works
headless and shows inline in a notebook) and attaches what it draws as ``fig.codesim``, a dict
a student or a test can read.  ``codesim view KIND ... --out FILE.png`` writes one from the
command line.

* :func:`code_tree` -- a prefix code as a tree (edges 0/1, leaves with symbol, q and codeword),
  its Kraft picture (each codeword as its dyadic interval of [0, 1)), and, given p, each leaf's
  share p(x) l(x) of E_p[l];
* :func:`arithmetic_steps` -- the arithmetic coder's interval narrowing, step by step, with the
  bits each step settles, and the final codeword's interval inside the message's;
* :func:`state_evolution` -- the state of a tANS or rANS coder over a message, the bits each
  step reads, against -log2 q~(x);
* :func:`wrong_codebook` -- -log2 q(x) against -log2 p(x) per symbol, and the p-weighted
  differences, whose sum is D(p||q);
* :func:`typical_set` -- -(1/n) log2 p(X^n) concentrating at H(p), and -(1/n) log2 q(X^n) at
  H(p, q), as n grows.

Every number in a view is either measured (from a real encode) or theory, and says which.

>>> import codesim as cs
>>> from codesim.present.views import code_tree
>>> fig = code_tree(cs.make_coder("huffman", [0.5, 0.25, 0.125, 0.125]), p=cs.uniform(4))
>>> fig.codesim["leaves"], fig.codesim["kraft_sum"], fig.codesim["expected_length"]
({0: '0', 1: '10', 2: '110', 3: '111'}, 1.0, 2.25)
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..errors import OptionError, SupportError
from . import figures
from ..limits import require_memory
from ..measures import cross_entropy, entropy, kl_divergence
from ..sources.distributions import sample
from ..sources.labels import checked_labels, labels_of
from ..validate import as_rng, check_same_length, checked_pmf, ruled_out, whole_number

__all__ = ["code_tree", "arithmetic_steps", "state_evolution", "wrong_codebook", "typical_set",
           "png_bytes", "VIEWS", "MAX_LEAVES", "MAX_STEPS", "MAX_BARS"]

#: a tree shows at most this many leaves (more would not be readable)
MAX_LEAVES = 64
#: the step-by-step views show at most this many symbols
MAX_STEPS = 40
#: bars per symbol that a view draws, at most (beyond, no bar could be read)
MAX_BARS = 256


def _figure(width: float, height: float):
    """A view's figure (:func:`codesim.present.figures.figure`: no pyplot, shown in a notebook),
    laid out to fit its canvas."""
    return figures.figure(width, height, layout="constrained")


def png_bytes(fig, dpi: int = 100) -> bytes:
    """A view as PNG bytes, at ``dpi``.  A view's constrained layout already fits everything
    it draws inside its canvas, so it is saved as it is: a crop to its tight bounding box
    (``bbox_inches="tight"``) would draw it twice, a third of the time it takes, for a
    margin of 0.1 inch."""
    return figures.png_bytes(fig, dpi)


def _segments(pairs):
    """Line segments ((x0, y0), (x1, y1)) as the x and y of one line broken by NaN: one artist
    for all of them (a line each made a tree of 52 edges 52 artists to lay out and draw)."""
    xs, ys = [], []
    for (x0, y0), (x1, y1) in pairs:
        xs += [x0, x1, math.nan]
        ys += [y0, y1, math.nan]
    return xs, ys


def _label(labels, s: int) -> str:
    return str(s) if labels is None else f"{labels[s]!s}"


def _check_labels(labels, size: int, *owners):
    """Labels name each of the ``size`` symbols: the ones given, else those of the first owner
    (a labelled distribution, a coder built for one) that has labels of that length, else None."""
    if labels is not None:
        return list(checked_labels(labels, size))
    own = next((found for found in map(labels_of, owners) if found and len(found) == size), None)
    return None if own is None else list(own)


# --- the code tree -------------------------------------------------------------------------

def code_tree(coder, p=None, labels=None):
    """A prefix code as a tree, its Kraft picture, and (given p) each leaf's share of E_p[l].

    ``coder`` is any prefix coder (``make_coder("huffman", q)``, ``"fano"``, ``"golomb"``...);
    its per-symbol code is drawn.  ``fig.codesim`` holds ``leaves`` (symbol -> codeword),
    ``kraft_intervals`` (symbol -> [start, end) of its dyadic interval), ``kraft_sum`` and,
    given p, ``shares`` (symbol -> p(x) l(x)) and ``expected_length`` (their sum).
    """
    words = getattr(coder, "codewords", None)
    if words is None:
        raise OptionError(f"a code tree needs a prefix code, not {type(coder).__name__}")
    leaves = {s: w for s, w in enumerate(words) if w is not None}
    labels = _check_labels(labels, coder.alphabet_size, coder, p)
    if len(leaves) > MAX_LEAVES:
        raise OptionError(f"a tree of {len(leaves)} leaves is too many to read: view a code over "
                          f"at most {MAX_LEAVES} symbols")
    if p is not None:
        p = checked_pmf(p, "p")
        check_same_length(p, coder.q)
    order = sorted(leaves, key=lambda s: leaves[s])            # left to right: 0 before 1
    x_of = {leaves[s]: float(i) for i, s in enumerate(order)}
    nodes = {""}
    for w in leaves.values():
        nodes.update(w[:k] for k in range(len(w)))
    for node in sorted(nodes, key=len, reverse=True):          # parents from their children
        if node not in x_of:
            children = [x_of[c] for c in (node + "0", node + "1") if c in x_of]
            x_of[node] = sum(children) / len(children)
    panels = 3 if p is not None else 2
    fig = _figure(max(7.0, 0.45 * len(leaves) + 3), 3.2 * panels)
    axes = fig.subplots(panels, 1, height_ratios=[2.2] + [1] * (panels - 1))
    tree = axes[0]
    edges = [(node, node + bit) for node in nodes for bit in "01" if node + bit in x_of]
    tree.plot(*_segments([((x_of[a], -len(a)), (x_of[b], -len(b))) for a, b in edges]), "k-", lw=1)
    for a, b in edges:
        tree.text((x_of[a] + x_of[b]) / 2, -len(a) - 0.5, b[-1], color="C3", ha="center",
                  va="center", fontsize=8, bbox={"boxstyle": "circle,pad=0.1", "fc": "white", "ec": "none"})
    depth = max((len(w) for w in leaves.values()), default=0)
    upright = depth > 6                  # long codewords stand upright: side by side they would overlap
    tree.plot([x_of[w] for w in leaves.values()], [-len(w) for w in leaves.values()], "o", color="C0")
    for s, w in leaves.items():
        tree.text(x_of[w], -len(w) - 0.25, f"{_label(labels, s)}\n{coder.q[s]:.2g}",
                  ha="center", va="top", fontsize=7)
        tree.text(x_of[w], -len(w) - 1.05, w or "(empty)", ha="center", va="top", fontsize=7,
                  rotation=90 if upright else 0, color="0.25")
    tree.set_ylim(-depth - (1.3 + 0.09 * depth if upright else 1.6), 0.5)
    tree.set_xlim(-0.7, len(leaves) - 0.3)
    tree.axis("off")
    tree.set_title(f"{coder.name} code: edges are bits; under each leaf its symbol, q and codeword "
                   "(theory)")
    kraft = axes[1]
    intervals, total = {}, Fraction(0)
    for s in order:
        w = leaves[s]
        start = Fraction(int(w, 2) if w else 0, 1 << len(w))
        end = start + Fraction(1, 1 << len(w))
        intervals[s] = (float(start), float(end))
        total += end - start
        if end - start >= Fraction(1, 40):
            kraft.text(float(start + end) / 2, 0.5, w or "(empty)", ha="center", va="center", fontsize=7)
    kraft.broken_barh([(a, b - a) for a, b in (intervals[s] for s in order)], (0, 1),
                      facecolors=[f"C{i % 10}" for i in range(len(order))], edgecolors="white")
    kraft.set_xlim(0, 1)
    kraft.set_yticks([])
    kraft.set_xlabel("[0, 1): codeword w covers [0.w, 0.w + 2^-len(w)); white gaps are unused")
    kraft.set_title(f"Kraft picture: the intervals are disjoint, their total is the Kraft sum "
                    f"{float(total):.6g}")
    shown = {"leaves": leaves, "kraft_intervals": intervals, "kraft_sum": float(total)}
    if p is not None:
        share = axes[2]
        shares = {s: float(p[s]) * len(leaves[s]) for s in order}
        share.bar(range(len(order)), [shares[s] for s in order],
                  color=[f"C{i % 10}" for i in range(len(order))])
        share.set_xticks(range(len(order)), [f"{_label(labels, s)}\n{leaves[s]}" for s in order],
                         fontsize=7, rotation=90 if upright else 0)
        share.set_ylabel("p(x) l(x), bits")
        mean = sum(shares.values())
        share.set_title(f"each leaf's share of E_p[l] = {mean:.4f} bits/symbol (theory)")
        shown.update(shares=shares, expected_length=mean)
    fig.codesim = shown
    return fig


# --- the arithmetic coder at work ----------------------------------------------------------

def arithmetic_steps(coder, symbols, labels=None):
    """The arithmetic coder's interval narrowing on a short message (from ``coder.trace``).

    Row i shows the coder's current interval (in its own coordinates: each settled bit is
    shifted out and the interval rescaled), split among the symbols by q~, with the part of
    x_i highlighted and the bits that step settled.  Where the coder rescales, grey lines carry
    the blue interval's ends to where they land on the next row, marked with the zoom.  The last panel shows, in exact arithmetic, the message's interval
    [F, F + prod q~(x_i)) and the interval [0.c, 0.c + 2^-num_bits) of the codeword c the coder
    wrote.  ``fig.codesim``: ``widths`` (q~(x_i), theory), ``message_probability`` (their
    product), ``message_interval``, ``codeword_interval`` (measured), ``bits_per_step``,
    ``num_bits``.
    """
    if getattr(coder, "name", "") != "arithmetic":
        raise OptionError("arithmetic_steps shows the arithmetic coder: make_coder('arithmetic', q)")
    steps = coder.trace(symbols)
    labels = _check_labels(labels, coder.alphabet_size, coder)
    x = [s["symbol"] for s in steps if s["symbol"] is not None]
    if len(x) > MAX_STEPS:
        raise OptionError(f"{len(x)} steps are too many to read: view at most {MAX_STEPS} symbols")
    total = 1 << coder.precision
    freqs = coder.freqs.tolist()
    cum = np.concatenate(([0], np.cumsum(coder.freqs))).tolist()
    low, width, widths = Fraction(0), Fraction(1), []
    for s in x:
        low += width * Fraction(cum[s], total)
        width *= Fraction(freqs[s], total)
        widths.append(Fraction(freqs[s], total))
    bits = "".join(s["bits"] for s in steps)
    num_bits = len(bits)
    code_low = Fraction(int(bits, 2), 1 << num_bits) if bits else Fraction(0)
    code_high = code_low + Fraction(1, 1 << num_bits)
    fig = _figure(9.0, 0.45 * len(x) + 3.2)
    top, bottom = fig.subplots(2, 1, height_ratios=[max(len(x), 1), 2.2])
    rows = [s for s in steps if s["symbol"] is not None]
    rescales = []
    for i, step in enumerate(rows):
        a, b = step["interval_before"]
        c, d = step["interval_after"]
        y = len(x) - 1 - i
        if i + 1 < len(rows) and rows[i + 1]["interval_before"] != (c, d):   # the coder rescaled
            e, f = rows[i + 1]["interval_before"]
            zoom = (f - e) / (d - c)
            rescales.append((i, zoom))
            for start, end in ((c, e), (d, f)):
                top.plot([start, end], [y - 0.35, y - 0.65], color="0.45", lw=0.6)
            top.text(1.02, y - 0.5, f"\u2193 rescaled \u00d7{zoom:.3g}", fontsize=6, color="0.3",
                     va="center")
        top.broken_barh([(a + (b - a) * cum[t] / total, (b - a) * freqs[t] / total)   # split by q~
                         for t in range(coder.alphabet_size) if freqs[t]],
                        (y - 0.35, 0.7), facecolors="0.85", edgecolors="white", lw=0.5)
        top.broken_barh([(c, d - c)], (y - 0.35, 0.7), facecolors="C0", edgecolors="white", lw=0.5)
        top.text(1.02, y, f"x{i} = {_label(labels, step['symbol'])}  -log2 q~ = {step['information_bits']:.2f}  "
                          f"bits out: {step['bits'] or '-'}", va="center", fontsize=7)
    flush = steps[-1]["bits"] if steps and steps[-1]["symbol"] is None else ""
    top.set_xlim(0, 1.5)
    top.set_xticks([0, 0.25, 0.5, 0.75, 1])
    top.set_ylim(-0.6, len(x) - 0.4)
    top.set_yticks([])
    top.set_xlabel("the coder's interval before each symbol (grey, split by q~) and after (blue)")
    top.set_title(f"arithmetic coding, step by step: {num_bits} bits measured "
                  f"(flush: {flush or '-'}), -log2 P(message) = {-math.log2(width):.3f} bits (theory)",
                  fontsize=9)
    span = width
    left, right = low - span / 2, low + span * 3 / 2
    scale = float(right - left)
    bottom.broken_barh([(float((low - left)) / scale, float(width) / scale)], (0.55, 0.35),
                       facecolors="C0")
    bottom.broken_barh([(float((code_low - left)) / scale, float(code_high - code_low) / scale)],
                       (0.1, 0.35), facecolors="C2")
    bottom.text(0.0, 0.95, f"message interval [F, F + P): P = prod q~(x_i) = {float(width):.4g} "
                           "(theory)", fontsize=7, va="bottom")
    bottom.text(0.0, -0.02, f"codeword 0.{bits or '0'} covers 2^-{num_bits} = "
                            f"{2.0 ** -num_bits:.4g} (measured)", fontsize=7, va="top", color="C2")
    bottom.set_xlim(0, 1)
    bottom.set_ylim(-0.3, 1.2)
    bottom.set_yticks([])
    bottom.set_xticks([])
    inside = low <= code_low and code_high <= low + width
    bottom.set_title("the codeword's interval lies inside the message's" if inside else
                     "the codeword's point lies inside the message's interval", fontsize=9)
    fig.codesim = {"widths": [float(w) for w in widths], "message_probability": float(width),
                   "message_interval": (float(low), float(low + width)),
                   "codeword_interval": (float(code_low), float(code_high)),
                   "codeword_inside": inside,
                   "bits_per_step": [len(s["bits"]) for s in steps], "num_bits": num_bits,
                   "rescales": rescales}
    return fig


# --- ANS states ----------------------------------------------------------------------------

def state_evolution(coder, symbols, labels=None):
    """The state of a tANS or rANS coder along a message, as the decoder meets it.

    Top: log2 of the state before each symbol.  Bottom: the bits each step reads (measured)
    against -log2 q~(x) (theory); the flushed state's bits and the steps' bits add up to
    num_bits.  With labels (given, or the coder's own) each step is marked with its symbol's.
    ``fig.codesim``: ``states``, ``bits_per_step``, ``information``,
    ``flush_bits``, ``num_bits``.
    """
    name = getattr(coder, "name", "")
    if name not in ("tans", "rans"):
        raise OptionError("state_evolution shows a tans or rans coder")
    x = np.asarray(symbols)
    labels = _check_labels(labels, coder.alphabet_size, coder)
    if x.size > MAX_STEPS * 5:
        raise OptionError(f"{x.size} steps are too many to read: view at most {MAX_STEPS * 5} symbols")
    if name == "tans":
        steps = [{"state": t.state, "bits": t.bits, "information_bits": t.cost}
                 for t in coder.trace(x)]
        flush, unit = coder.table_log, f"table states [2^{coder.table_log}, 2^{coder.table_log + 1})"
    else:
        steps = coder.trace(x)
        flush, unit = 56, "state x in [2^47, 2^55)"
    states = [s["state"] for s in steps]
    bits = [len(s["bits"]) for s in steps]
    info = [s["information_bits"] for s in steps]
    num_bits = coder.encode(x).num_bits
    fig = _figure(9.0, 5.5)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(range(len(states)), np.log2(np.array(states, dtype=float)), "o-", ms=3)
    top.set_ylabel("log2 state")
    top.set_title(f"{name}: the decoder's state before each symbol ({unit})", fontsize=9)
    positions = np.arange(len(bits))
    bottom.bar(positions, bits, color="C0", label="bits read at the step (measured)")
    bottom.plot(positions, info, "k_", ms=12, mew=2, label="-log2 q~(x) (theory)")
    if labels is not None and 0 < x.size <= 2 * MAX_STEPS:
        bottom.set_xticks(positions, [_label(labels, s) for s in x.tolist()], fontsize=7)
        bottom.set_xlabel("the message, symbol by symbol")
    else:
        bottom.set_xlabel("position in the message")
    bottom.set_ylabel("bits")
    bottom.set_title(f"{flush} bits of flushed state + {sum(bits)} bits of steps = {num_bits} "
                     f"bits (measured); information {sum(info):.2f} bits (theory)", fontsize=9)
    bottom.legend(fontsize=7)
    fig.codesim = {"states": states, "bits_per_step": bits, "information": info,
                   "flush_bits": flush, "num_bits": num_bits}
    return fig


# --- the wrong codebook --------------------------------------------------------------------

def wrong_codebook(p, q, labels=None):
    """-log2 q(x) against -log2 p(x) per symbol, and the differences weighted by p(x).

    The ideal code for q spends -log2 q(x) bits on x; data from p make it pay on average
    H(p, q); the ideal code for p would pay H(p).  The weighted differences
    p(x) (log2 p(x) - log2 q(x)) add up to D(p||q), which can be negative term by term but
    never in total.  ``fig.codesim``: ``contributions`` (per symbol), ``kl_divergence``,
    ``entropy``, ``cross_entropy`` (all theory).
    """
    named = (p, q)
    p, q = checked_pmf(p, "p"), checked_pmf(q, "q")
    check_same_length(p, q)
    labels = _check_labels(labels, p.size, *named)
    if p.size > MAX_BARS:
        raise OptionError(f"the wrong-codebook view draws a bar per symbol: at most {MAX_BARS} "
                          f"symbols, got {p.size}")
    found = ruled_out(p, q, labels)
    if found is not None:
        s, named = found
        raise SupportError(f"{named}: no code for q describes symbol {s} (D(p||q) = inf)",
                           symbol=s)
    shown = np.flatnonzero(p > 0)
    with np.errstate(divide="ignore"):
        cost_p, cost_q = -np.log2(p[shown]), -np.log2(q[shown])
    contributions = p[shown] * (cost_q - cost_p)
    fig = _figure(max(7.0, 0.35 * shown.size + 2), 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    positions = np.arange(shown.size)
    top.bar(positions - 0.2, cost_p, 0.4, label="-log2 p(x): the right codebook")
    top.bar(positions + 0.2, cost_q, 0.4, label="-log2 q(x): the codebook used")
    top.set_ylabel("bits for symbol x")
    top.set_title(f"H(p) = {entropy(p):.4f}, H(p, q) = {cross_entropy(p, q):.4f} bits/symbol "
                  "(theory)", fontsize=9)
    top.legend(fontsize=7)
    bottom.bar(positions, contributions, color=np.where(contributions >= 0, "C3", "C2"))
    bottom.axhline(0, color="k", lw=0.8)
    bottom.set_xticks(positions, [_label(labels, s) for s in shown.tolist()], fontsize=7)
    bottom.set_ylabel("p(x) (log2 p(x) - log2 q(x))")
    divergence = kl_divergence(p, q)
    bottom.set_title(f"weighted by p(x), the differences add up to D(p||q) = {divergence:.4f} "
                     "bits/symbol (theory)", fontsize=9)
    fig.codesim = {"contributions": dict(zip(shown.tolist(), contributions.tolist())),
                   "kl_divergence": divergence, "entropy": entropy(p),
                   "cross_entropy": cross_entropy(p, q)}
    return fig


# --- the typical set ------------------------------------------------------------------------

def typical_set(p, q, ns=(10, 100, 1000), sequences: int = 2000, seed=0):
    """The distribution of -(1/n) log2 p(X^n) and -(1/n) log2 q(X^n) over sampled sequences.

    For X^n i.i.d. from p, the first concentrates at H(p) and the second at H(p, q) as n grows
    (the AEP): a typical sequence costs about n H(p) bits with p's code and n H(p, q) with q's.
    Sequence j of length n is drawn from seed ``[seed, n]``.  ``fig.codesim``: per n, the
    measured ``mean_p``, ``sd_p``, ``mean_q``, ``sd_q`` beside ``entropy`` and
    ``cross_entropy`` (theory).
    """
    labels = labels_of(p, q)
    p, q = checked_pmf(p, "p"), checked_pmf(q, "q")
    check_same_length(p, q)
    found = ruled_out(p, q, labels)
    if found is not None:
        s, named = found
        raise SupportError(f"{named}: -log2 q(X^n) is infinite for every sequence holding "
                           f"symbol {s}", symbol=s)
    if isinstance(ns, (str, bytes)) or np.ndim(ns) != 1 or not len(ns):
        raise OptionError(f"typical_set needs a list of lengths n >= 1, got {ns!r:.60}")
    ns = [whole_number(n, "a length n", 1, 10**6) for n in ns]
    sequences = whole_number(sequences, "sequences", 1, 100_000)
    as_rng(seed)                                      # a bad seed is named before any drawing
    require_memory(16 * max(ns) * sequences, f"{sequences} sequences of {max(ns)} symbols")
    h, hx = entropy(p), cross_entropy(p, q)
    with np.errstate(divide="ignore"):
        cost_p, cost_q = np.where(p > 0, -np.log2(np.where(p > 0, p, 1)), 0.0), -np.log2(np.where(q > 0, q, 1))
    fig = _figure(4.0 * len(ns), 3.8)
    axes = np.atleast_1d(fig.subplots(1, len(ns), sharey=False))
    shown = {}
    for ax, n in zip(axes, ns):
        x = sample(p, n * sequences, [seed, n]).reshape(sequences, n)
        rate_p, rate_q = cost_p[x].mean(axis=1), cost_q[x].mean(axis=1)
        bins = np.linspace(min(rate_p.min(), rate_q.min()), max(rate_p.max(), rate_q.max()), 50)
        counts_p = ax.hist(rate_p, bins=bins, alpha=0.6, label="-(1/n) log2 p(X^n) (measured)")[0]
        counts_q = ax.hist(rate_q, bins=bins, alpha=0.6, label="-(1/n) log2 q(X^n) (measured)")[0]
        _clip_spike(ax, bins, counts_p, counts_q)
        ax.axvline(h, color="C0", ls="--", label=f"H(p) = {h:.3f} (theory)")
        ax.axvline(hx, color="C1", ls="--", label=f"H(p,q) = {hx:.3f} (theory)")
        ax.set_title(f"n = {n}, {sequences} sequences", fontsize=9)
        ax.set_xlabel("bits per symbol")
        shown[n] = {"mean_p": float(rate_p.mean()), "sd_p": float(rate_p.std()),
                    "mean_q": float(rate_q.mean()), "sd_q": float(rate_q.std()),
                    "entropy": h, "cross_entropy": hx}
    axes[0].legend(fontsize=6)
    fig.codesim = shown
    return fig


def _clip_spike(ax, bins, *counts) -> None:
    """Where one histogram is a spike (a uniform q gives every sequence the same cost) over
    three times as tall as the other, cut the axis at the lower one's height and write the
    spike's count on it, so that both shapes can be read."""
    peaks = [float(c.max()) for c in counts]
    low = min(peaks)
    if low == 0 or max(peaks) <= 3 * low:
        return
    top = 1.35 * low
    ax.set_ylim(0, top)
    for c, colour in zip(counts, ("C0", "C1")):
        for i in np.flatnonzero(c > top):
            ax.annotate(f"\u2191 {int(c[i])}", ((bins[i] + bins[i + 1]) / 2, top), xytext=(0, -2),
                        textcoords="offset points", ha="center", va="top", fontsize=7, color=colour)


#: the views by the names ``codesim view`` knows them
VIEWS = {"tree": code_tree, "arithmetic": arithmetic_steps, "states": state_evolution,
         "wrong-codebook": wrong_codebook, "typical-set": typical_set}
