"""One page to hand to a class: every experiment and the teaching views, in ``DIR/index.html``.

:func:`build_report` runs every experiment (``--quick`` sizes, or their defaults), writes each
one's JSON, CSV and PNG to ``DIR/experiments/``, and writes one self-contained HTML page: the
figures are embedded as data URIs, the style is inline, and there is no JavaScript and nothing
fetched from the network.  The page opens with the demo table (English letters coded with
three codebooks) and the teaching views of :mod:`codesim.views`; then, per experiment, its
claim, its headline, its figure, its table of measured figures beside theory, and the command
that reproduces it.
"""

from __future__ import annotations

import base64
import html
import io
import json
import sys
import time
from pathlib import Path

from ..errors import OptionError
from .runner import list_experiments, load_experiment, run_and_write, write_outcome
from ..files import atomic_write, check_writable
from ..parallel.executors import finished
from ..parallel.pool import end_workers, process_pool, worker_count
from ..tables import Table
from ..coders import DEFAULT_CODERS, make_coder
from ..present import figures, views
from ..simulation import compare
from ..simulation.result import EXPECTED_NOTE
from ..sources.distributions import sample
from ..sources.notation import parse_distribution
from ..validate import sample_size
from .. import __version__

__all__ = ["build_report", "TABLE_ROWS"]

#: each experiment's table on the page shows at most this many rows (all are in its JSON)
TABLE_ROWS = 24

STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
img { max-width: 100%; border: 1px solid #eee; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.5em 0; display: block; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; }
.claim { font-style: italic; } .headline { background: #eef6ee; padding: 0.4em; }
code { background: #f4f4f4; padding: 1px 4px; }
"""


def _png(fig) -> str:
    return base64.b64encode(views.png_bytes(fig, dpi=90)).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _front(n: int, seed: int) -> str:
    """The demo table and the teaching views, on English letter frequencies."""
    p = parse_distribution("english", "p")
    rows = []
    for spec in ("english", "python", "uniform:27"):
        q = parse_distribution(spec, "q")
        for r in compare(p, q, list(DEFAULT_CODERS), n=n, seed=seed):
            rows.append({"codebook q": spec, "coder": r.coder, "measured": r.measured_bits_per_symbol,
                         "expected (theory)": r.expected_bits_per_symbol, "stderr": r.stderr,
                         "measured - H(p)": r.excess_over_entropy, "H(p) (theory)": r.entropy,
                         "H(p,q) (theory)": r.cross_entropy, "D(p||q) (theory)": r.kl_divergence})
    message = sample(p, 10, seed)
    shown = [
        ("The Huffman code for English letters: tree, Kraft picture, each letter's share of E_p[l]",
         views.code_tree(make_coder("huffman", p), p)),
        ("The arithmetic coder at work on 10 letters",
         views.arithmetic_steps(make_coder("arithmetic", p, precision=10), message)),
        ("tANS states along 60 letters",
         views.state_evolution(make_coder("tans", p, table_log=8), sample(p, 60, seed))),
        ("The wrong codebook: English letters coded as if uniform",
         views.wrong_codebook(p, parse_distribution("uniform:27", "q"))),
        ("The typical set: English letters, their own code and a uniform one",
         views.typical_set(p, parse_distribution("uniform:27", "q"), (10, 100, 1000), 1000, seed)),
    ]
    parts = ["<h2>The demo: English letters, three codebooks</h2>",
             f"<p>{n} letters sampled from the letter frequencies of English prose (seed {seed}), "
             "coded by each coder built for q. Measured: real encoded and decoded bits per "
             "symbol. Reproduce: <code>codesim demo -n " f"{n} --seed {seed}</code></p>",
             Table(rows)._repr_html_(), f"<p>{html.escape(EXPECTED_NOTE)}</p>",
             "<h2>Teaching views</h2>"]
    for title, fig in shown:
        parts += [f"<h3>{html.escape(title)}</h3>", _img(_png(fig), title)]
    return "\n".join(parts)


def _section(module, outcome, png: Path, quick: bool, seed: int, seconds: float) -> str:
    name = module.NAME
    rows = Table(outcome.rows[:TABLE_ROWS])
    more = len(outcome.rows) - TABLE_ROWS
    command = f"codesim experiment {name}{' --quick' if quick else ''} --seed {seed}"
    figure = _img(base64.b64encode(png.read_bytes()).decode("ascii"), f"{name} figure") \
        if png.exists() else "<p>(no figure: matplotlib is not installed)</p>"
    return "\n".join([
        f'<h2 id="{name}">{html.escape(module.TITLE)}</h2>',
        f'<p class="claim">{html.escape(module.CLAIM)}</p>',
        f'<p class="headline">Measured: {html.escape(outcome.headline)} ({seconds:.1f} s)</p>',
        figure, rows._repr_html_(),
        f"<p>{more} more rows in <code>experiments/{name}.json</code></p>" if more > 0 else "",
        f"<p>Reproduce: <code>{html.escape(command)}</code></p>"])


def _run_one(name: str, quick: bool, seed: int, folder: Path):
    """One experiment, anywhere (a worker process): its name, outcome and seconds."""
    module = load_experiment(name)
    began = time.perf_counter()
    outcome = run_and_write(module, _size(module, quick), seed, quick, folder, stream=io.StringIO())
    return name, outcome, time.perf_counter() - began


class _Experiments:
    """Every experiment, started at once on ``count`` worker processes or, with one, run in
    this process as it is iterated. An experiment made of parts (``tasks``, ``TASK``,
    ``combine``: see :mod:`.runner`) is spread over the workers part by part, after the whole
    experiments, longest first, so that no core idles at the end; its parts are combined and
    written here. Iterating yields (name, outcome, seconds) as each finishes; :meth:`close`
    ends the workers at once (Ctrl-C, or an error in the caller)."""

    def __init__(self, names, quick: bool, seed: int, folder: Path, count: int):
        self.args, self.pool = (quick, seed, folder), None
        if count == 1:
            self.names = names
            return
        modules = {name: load_experiment(name) for name in names}
        whole = sorted((n for n in names if not hasattr(modules[n], "tasks")),
                       key=lambda n: -getattr(modules[n], "QUICK_SECONDS", 1))
        self.pool, self.began = process_pool(count), time.perf_counter()
        self.futures = {self.pool.submit(_run_one, name, *self.args): (name, None) for name in whole}
        self.parts = {}
        for name in names:
            if name not in whole:
                module = modules[name]
                tasks = module.tasks(_size(module, quick), seed, quick)
                self.parts[name] = [None] * len(tasks)
                self.futures.update({self.pool.submit(module.TASK, *task): (name, i)
                                     for i, task in enumerate(tasks)})

    def __iter__(self):
        if self.pool is None:
            for name in self.names:
                yield _run_one(name, *self.args)
            return
        left = {name: len(parts) for name, parts in self.parts.items()}
        for future in finished(self.futures):
            name, i = self.futures[future]
            if i is None:
                yield future.result()
                continue
            self.parts[name][i] = future.result()
            left[name] -= 1
            if not left[name]:
                yield self._combined(name)
        self.pool.shutdown()
        self.pool = None

    def _combined(self, name: str):
        """An experiment of parts, its parts done: combined and written in this process."""
        quick, seed, folder = self.args
        module = load_experiment(name)
        n = _size(module, quick)
        outcome = module.combine(self.parts[name], n, seed, quick)
        seconds = time.perf_counter() - self.began
        write_outcome(module, outcome, n, seed, quick, folder, io.StringIO(), seconds)
        return name, outcome, seconds

    def close(self) -> None:
        if self.pool is not None:
            end_workers(self.pool)
            self.pool = None


def _size(module, quick: bool) -> int:
    return module.QUICK_N if quick else module.DEFAULT_N


def build_report(out, quick: bool = True, seed: int = 0, progress=None, workers=None,
                 n: int | None = None) -> Path:
    """Run every experiment and write ``out/index.html`` (and each experiment's files), and
    ``out/report.json``: the page, seed, n, codesim's version, and each experiment's headline,
    seconds and files.

    ``n`` is the demo table's sample (default 20 000 with ``quick``, else 100 000); each
    experiment keeps its own sizes. The experiments run on ``workers`` processes (default:
    every core, see :func:`codesim.pool.worker_count`); ``progress`` (a stream, default stderr)
    gets one line per experiment as it finishes."""
    n = (20_000 if quick else 100_000) if n is None else sample_size(n)
    try:
        figures.load()                   # once, here: the workers forked after inherit it
    except OptionError:
        raise OptionError("the report draws its figures with matplotlib, which is not "
                          "installed: pip install -e '.[plot]'") from None
    names = list_experiments()
    count = worker_count(workers, len(names))          # a bad count is refused before any work
    if not str(out).strip():
        raise OptionError("the report needs a folder to write to: --out DIR (an empty name "
                          "would write into the current folder)")
    out = Path(out)
    try:
        (out / "experiments").mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OptionError(f"cannot make the report folder {out}: {err.strerror or err}") from None
    page = check_writable(out / "index.html")
    progress = progress or sys.stderr
    start = time.perf_counter()
    experiments = _Experiments(names, quick, seed, out / "experiments", count)  # they start now
    try:
        sections = [_front(n, seed)]                                       # while this runs
        print(f"report: the demo and the views ({time.perf_counter() - start:.1f}s)", file=progress)
        done, summary = {}, {}
        for name, outcome, seconds in experiments:
            done[name] = _section(load_experiment(name), outcome,
                                  out / "experiments" / f"{name}.png", quick, seed, seconds)
            summary[name] = {"experiment": name, "headline": outcome.headline, "seconds": seconds,
                             "files": [f"experiments/{name}.{ext}" for ext in ("json", "csv", "png")
                                       if (out / "experiments" / f"{name}.{ext}").exists()]}
            print(f"report: {len(done)}/{len(names)} {name} ({seconds:.1f}s)", file=progress)
    finally:
        experiments.close()
    sections += [done[name] for name in names]
    contents = "".join(f'<li><a href="#{n}">{html.escape(load_experiment(n).TITLE)}</a></li>'
                       for n in names)
    total = time.perf_counter() - start
    body = "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        "<title>codesim report</title>", f"<style>{STYLE}</style></head><body>",
        "<h1>codesim: cross-entropy, measured in encoded bits</h1>",
        "<p>H(p,q) = H(p) + D(p||q) is what a code built for q costs on data from p. Every figure "
        "on this page is either measured from a real encode and decode, or labelled theory. "
        f"{'Quick runs (small samples)' if quick else 'Full runs'}, seed {seed}, built in "
        f"{total:.0f} s.</p>", f"<ul>{contents}</ul>", *sections, "</body></html>"])
    atomic_write(page, body)
    atomic_write(out / "report.json", json.dumps(
        {"page": "index.html", "quick": quick, "seed": seed, "n": n, "codesim_version": __version__,
         "seconds": total, "experiments": [summary[name] for name in names]}, indent=2) + "\n")
    print(f"report: {page} ({total:.1f}s)", file=progress)
    return page
