"""Live widgets for class, in Jupyter (``pip install "codesim[notebook]"``: ipywidgets).

Every move of a control runs the real thing: a sample drawn and coded and decoded, a code
built, a coder stepped. Nothing on a widget is interpolated or remembered from a table.

* :class:`WrongCodebook` -- a slider moves q from p (t = 0) to another distribution (t = 1),
  whose entries can be typed; each move codes a sample from p with a coder built for q and sets
  the measured bits per symbol beside H(p), H(p, q), D(p||q) and the ledger of the bits;
* :class:`HuffmanExplorer` -- one slider per symbol's weight; the Huffman code for
  q = weights / their sum is rebuilt on each move, its tree, code lengths and Kraft sum shown;
* :class:`Stepper` -- an arithmetic, rANS or tANS coder on a short message, one symbol per
  click: the interval (rescalings marked) or the state, and the bits each step writes.

Each widget is a plain object holding its controls (set ``.value`` in Python, as a test does)
and its last measurement; in a notebook it displays as its controls and output.

>>> import codesim as cs
>>> from codesim.present.widgets import WrongCodebook
>>> w = WrongCodebook(cs.english(), n=2000)             # doctest: +SKIP
>>> w.t.value = 0.0; round(w.result.measured_bits_per_symbol - w.result.entropy, 2)   # doctest: +SKIP
0.0
"""

from __future__ import annotations

import html
import math

import numpy as np

from ..coders import DEFAULT_CODERS, make_coder
from ..errors import CodesimError, OptionError
from ..measures import cross_entropy, entropy
from ..simulation import simulate
from ..sources.distributions import mixture, normalize, uniform
from ..sources.labels import checked_labels, labelled, labels_of, letters_of
from ..validate import checked_pmf, check_same_length
from . import views

__all__ = ["WrongCodebook", "HuffmanExplorer", "Stepper", "MAX_SLIDERS"]

#: the Huffman explorer draws one slider per symbol: at most this many
MAX_SLIDERS = 16


def _ipywidgets():
    """ipywidgets, imported on first use (it is optional)."""
    try:
        import ipywidgets
    except ImportError:
        raise OptionError("the widgets need ipywidgets, which is not installed: "
                          "pip install -e '.[notebook]'") from None
    return ipywidgets


class _Widget:
    """What every widget shares: its controls in ``self.widget``, displayed in a notebook."""

    widget = None

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _show_error(self, err: Exception) -> None:
        self.output.value = f'<p style="color:#a00"><b>{html.escape(str(err))}</b></p>'


def _bars(rows, scale: float) -> str:
    """An HTML table of (name, value, kind) with a bar per value (no JavaScript, no plotting)."""
    out = ['<table style="border-collapse:collapse">']
    for name, value, kind in rows:
        width = 0 if not math.isfinite(value) or scale <= 0 else max(0.0, value) / scale * 260
        colour = "#1f77b4" if kind == "measured" else "#bbb"
        shown = f"{value:.4f}" if math.isfinite(value) else "inf"
        out.append(f'<tr><td style="padding-right:8px">{html.escape(name)}</td>'
                   f'<td style="text-align:right;padding-right:8px">{shown}</td>'
                   f'<td><div style="background:{colour};height:12px;width:{width:.0f}px"></div></td>'
                   f'<td style="color:#666;padding-left:6px">{kind}</td></tr>')
    out.append("</table>")
    return "".join(out)


class WrongCodebook(_Widget):
    """Code data from p with a code built for q = (1 - t) p + t other, live.

    ``t`` is a slider from 0 (the right codebook, q = p) to 1 (q = other); ``other`` is a text
    field of weights (a comma list, divided by their sum; default uniform); ``coder_name`` (a
    menu, set first from ``coder``) picks the code. Each change draws n symbols from p (the
    same sample every time: ``seed``), codes them with the coder built for q, decodes them, and shows the measured bits per symbol beside
    H(p), H(p, q) and D(p||q) (theory) and the ledger of the bits. ``result`` is the last
    :class:`~codesim.simulation.SimulationResult`, ``history`` every (t, measured, H(p, q)).
    """

    def __init__(self, p, other=None, coder: str = "arithmetic", n: int = 10_000, seed: int = 0,
                 t: float = 0.5):
        ipw = _ipywidgets()
        self.p = checked_pmf(p, "p")
        self.labels = labels_of(p)
        other = uniform(self.p.size) if other is None else checked_pmf(other, "other")
        check_same_length(self.p, other)
        if coder not in DEFAULT_CODERS:
            raise OptionError(f"coder must be one of {', '.join(DEFAULT_CODERS)}, got {coder!r}")
        self.n, self.seed, self.result, self.history = n, seed, None, []
        self.t = ipw.FloatSlider(value=t, min=0.0, max=1.0, step=0.05, description="t",
                                 continuous_update=False, readout_format=".2f")
        self.coder_name = ipw.Dropdown(options=list(DEFAULT_CODERS), value=coder, description="coder")
        self.other = ipw.Text(value=",".join(f"{v:.6g}" for v in other), description="other",
                              continuous_update=False, layout=ipw.Layout(width="95%"))
        self.output = ipw.HTML()
        self.widget = ipw.VBox([ipw.HTML("<b>The wrong codebook</b>: data from p, a code built for "
                                         "q = (1 - t) p + t other"),
                                ipw.HBox([self.t, self.coder_name]), self.other, self.output])
        for control in (self.t, self.coder_name, self.other):
            control.observe(self.update, names="value")
        self.update()

    @property
    def q(self) -> np.ndarray:
        """The codebook's distribution now: (1 - t) p + t other."""
        try:
            weights = [float(v) for v in self.other.value.replace(" ", "").split(",") if v]
        except ValueError:
            raise OptionError(f"other must be a comma list of weights, got {self.other.value!r}") from None
        other = normalize(weights)
        check_same_length(self.p, other)
        return mixture(self.p, other, self.t.value)

    def update(self, change=None) -> None:
        """Code the sample with the code built for the q now set (a real encode and decode)."""
        try:
            q = self.q
            result = simulate(self.p, q, self.coder_name.value, self.n, self.seed, progress=False)
        except CodesimError as err:          # q rules out a symbol of the sample, bad weights
            self._show_error(err)
            return
        self.result = result
        self.history.append((self.t.value, result.measured_bits_per_symbol, result.cross_entropy))
        rows = [("measured bits/symbol", result.measured_bits_per_symbol, "measured"),
                ("H(p)", result.entropy, "theory"),
                ("H(p, q) = H(p) + D(p||q)", result.cross_entropy, "theory"),
                ("D(p||q)", result.kl_divergence, "theory"),
                (f"{self.coder_name.value}'s expected rate", result.expected_bits_per_symbol, "theory")]
        scale = max(v for _, v, _ in rows if math.isfinite(v))
        ledger = "".join(f"<tr><td>{html.escape(term)}</td><td style='text-align:right'>{bits:,.1f}</td>"
                         f"<td style='text-align:right'>{bits / result.n:.4f}</td></tr>"
                         for term, bits in result.ledger.items())
        self.output.value = (
            f"<p>{result.n:,} symbols from p, coded and decoded: {result.num_bits:,} bits.</p>"
            + _bars(rows, scale)
            + "<p>the ledger of those bits (measured; the terms add up to the bits):</p>"
            + "<table><tr><th>term</th><th>bits</th><th>bits/symbol</th></tr>" + ledger
            + f"<tr><td><b>total</b></td><td style='text-align:right'><b>{result.num_bits:,}</b></td>"
            f"<td></td></tr></table>")


class HuffmanExplorer(_Widget):
    """The Huffman code for q = weights / their sum, rebuilt as the weights move.

    One slider per symbol (at most :data:`MAX_SLIDERS`); each move builds the code, draws its
    tree and Kraft picture (:func:`~codesim.present.views.code_tree`, with p's shares of
    E_p[l] when p is given) and shows the codebook. ``coder`` is the last code built.
    """

    def __init__(self, weights, p=None, labels=None, coder: str = "huffman"):
        ipw = _ipywidgets()
        start = normalize(weights)
        if start.size > MAX_SLIDERS:
            raise OptionError(f"the explorer draws a slider per symbol: at most {MAX_SLIDERS} "
                              f"symbols, got {start.size}")
        self.p = None if p is None else checked_pmf(p, "p")
        if self.p is not None:
            check_same_length(self.p, start)
        named = labels if labels is not None else labels_of(weights, p)
        self.labels = None if named is None else checked_labels(named, start.size)
        self.name, self.coder = coder, None
        top = float(start.max())
        self.sliders = [ipw.FloatSlider(value=float(w), min=0.0, max=round(2 * top, 3), step=top / 100,
                                        description=self.labels[s] if self.labels else str(s),
                                        continuous_update=False, readout_format=".3f")
                        for s, w in enumerate(start)]
        self.image = ipw.Image(format="png")
        self.output = ipw.HTML()
        self.widget = ipw.VBox([ipw.HTML(f"<b>{coder} code</b> for q = weights / their sum"),
                                ipw.HBox([ipw.VBox(self.sliders), self.output]), self.image])
        for slider in self.sliders:
            slider.observe(self.update, names="value")
        self.update()

    @property
    def q(self) -> np.ndarray:
        """The sliders' weights divided by their sum."""
        return normalize([s.value for s in self.sliders])

    def update(self, change=None) -> None:
        """Build the code for the q now set; draw it."""
        try:
            q = self.q
            coder = make_coder(self.name, q if self.labels is None else labelled(q, self.labels, "q"))
        except CodesimError as err:
            self._show_error(err)
            return
        self.coder = coder
        table = coder.codebook(self.p)._repr_html_()
        kraft = coder.kraft_sum()
        text = f"<p>Kraft sum {float(kraft):.6g}{' (complete)' if kraft == 1 else ''} (theory)</p>"
        if self.p is not None:
            text += (f"<p>E_p[l] = {coder.expected_bits_per_symbol(self.p):.4f} bits/symbol, "
                     f"H(p) = {entropy(self.p):.4f}, H(p, q) = {cross_entropy(self.p, q):.4f} "
                     "(theory)</p>")
        self.output.value = table + text
        self.image.value = views.code_tree(coder, self.p)._repr_png_()


class Stepper(_Widget):
    """An arithmetic, rANS or tANS coder on a short message, one symbol per click.

    ``message`` is symbols, or text when the coder's q is over the letters (``cs.english()``).
    Each click of *next* shows the next step: for the arithmetic coder the interval before and
    after the symbol (a rescaling marked with its zoom) and the bits it settled; for rANS and
    tANS the decoder's state and the bits it reads. The bits of all steps and the flush add up
    to ``encode(message).num_bits`` (measured). ``position`` is the number of steps shown.
    """

    def __init__(self, coder, message):
        ipw = _ipywidgets()
        if getattr(coder, "name", "") not in ("arithmetic", "rans", "tans"):
            raise OptionError("the stepper steps an arithmetic, rans or tans coder")
        if isinstance(message, str):
            if labels_of(coder) is None or len(labels_of(coder)) != 27:
                raise OptionError("a text message needs a coder built for the letters (cs.english())")
            message = letters_of(message)
        self.coder, self.symbols = coder, np.asarray(message)
        self.labels = labels_of(coder)
        self.steps = self._steps()
        self.num_bits = coder.encode(self.symbols).num_bits
        self.position = 0
        self.next = ipw.Button(description="next symbol")
        self.reset = ipw.Button(description="start again")
        self.output = ipw.HTML()
        self.next.on_click(self.step)
        self.reset.on_click(lambda _: self._go(0))
        self.widget = ipw.VBox([ipw.HBox([self.next, self.reset]), self.output])
        self._go(0)

    def _steps(self) -> list[dict]:
        """One dict per step: symbol, bits, information, and interval or state."""
        if self.coder.name == "arithmetic":
            return [dict(s) for s in self.coder.trace(self.symbols)]
        if self.coder.name == "tans":
            return [{"symbol": t.symbol, "state": t.state, "next_state": t.next_state, "bits": t.bits,
                     "information_bits": t.cost} for t in self.coder.trace(self.symbols)]
        return [dict(s) for s in self.coder.trace(self.symbols)]

    @property
    def flush_bits(self) -> int:
        """Bits outside the steps: the arithmetic coder's flush is a step; an ANS coder's is
        its final state."""
        return self.num_bits - sum(len(s["bits"]) for s in self.steps)

    def step(self, button=None) -> None:
        """Show one more step."""
        self._go(min(self.position + 1, len(self.steps)))

    def _go(self, position: int) -> None:
        self.position = position
        shown = self.steps[:position]
        rows = []
        for i, s in enumerate(shown):
            name = "flush" if s["symbol"] is None else (self.labels[s["symbol"]] if self.labels else s["symbol"])
            if "interval_after" in s:
                where = ("" if s["interval_before"] is None else
                         f"[{s['interval_before'][0]:.4f}, {s['interval_before'][1]:.4f}) &rarr; "
                         f"[{s['interval_after'][0]:.4f}, {s['interval_after'][1]:.4f})")
                after = s["interval_after"]
                if after is not None and i + 1 < len(self.steps) and self.steps[i + 1]["interval_before"] \
                        not in (None, after):
                    e, f = self.steps[i + 1]["interval_before"]
                    where += f" &darr; rescaled &times;{(f - e) / (after[1] - after[0]):.3g}"
            else:
                where = f"state {s['state']} &rarr; {s['next_state']}"
            rows.append(f"<tr><td>{html.escape(str(name))}</td><td>{where}</td>"
                        f"<td>{s['bits'] or '-'}</td><td>{s['information_bits']:.3f}</td></tr>")
        written = sum(len(s["bits"]) for s in shown)
        information = sum(s["information_bits"] for s in shown)
        done = position == len(self.steps)
        footer = (f"<p>{written} bits in these steps (measured), -log2 q~ of their symbols "
                  f"{information:.3f} bits (theory)" + (
                      f"; with the {self.flush_bits} bits of the final state: {self.num_bits} bits, "
                      "the whole message (measured)" if done and self.flush_bits else
                      f"; the whole message: {self.num_bits} bits (measured)" if done else "") + "</p>")
        bar = ""
        if shown and shown[-1].get("interval_after"):
            a, b = shown[-1]["interval_before"]
            c, d = shown[-1]["interval_after"]
            bar = (f'<div style="position:relative;width:400px;height:14px;background:#eee">'
                   f'<div style="position:absolute;left:{400 * a:.1f}px;width:{400 * (b - a):.1f}px;'
                   f'height:14px;background:#ccc"></div><div style="position:absolute;left:{400 * c:.1f}px;'
                   f'width:{max(400 * (d - c), 1):.1f}px;height:14px;background:#1f77b4"></div></div>')
        head = "interval (in the coder's coordinates)" if self.coder.name == "arithmetic" else "decoder's state"
        self.output.value = (f"<p>{self.coder.name}: step {position} of {len(self.steps)}</p>" + bar
                             + f"<table><tr><th>symbol</th><th>{head}</th><th>bits</th>"
                             "<th>-log2 q~</th></tr>" + "".join(rows) + "</table>" + footer)
