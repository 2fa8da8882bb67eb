"""Running an experiment: options, a table, JSON and CSV rows, and a figure.

Each experiment is a module of this package (:mod:`codesim.experiments`, so it runs from an
installed wheel as well as from a checkout), listed in :data:`EXPERIMENTS`, with

* ``TITLE`` and ``CLAIM`` (what it demonstrates, two lines), ``DEFAULT_N`` and ``QUICK_N``;
* ``run(n, seed, quick) -> Outcome``: code real samples and return rows of measured figures
  beside theory, plus a one-line headline;
* ``plot(outcome, plt) -> figure`` (matplotlib, optional; ``plt.subplots`` makes the figure);
* ``QUICK_SECONDS`` (optional, default 1): about how long its quick run takes on one core, so
  that the report starts the longest first and no core idles at the end;
* optionally, for a run made of many independent parts, ``tasks(n, seed, quick)`` (a list of
  argument tuples), ``TASK`` (a module-level function of one tuple's arguments) and
  ``combine(results, n, seed, quick) -> Outcome``: ``run`` is then ``combine`` of ``TASK``
  over ``tasks``, and the report spreads the parts over its workers.

It runs as ``codesim experiment NAME`` (or ``python experiments/NAME.py`` in a checkout), with ``-n``,
``--seed``, ``--out DIR`` and ``--quick`` (the options live in
:mod:`codesim.commands.experiment`), and writes ``DIR/NAME.json``, ``.csv`` and ``.png``.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import OptionError
from ..parallel.progress import ticking
from ..present import figures
from ..present.ticks import plain_log_labels
from ..tables import Table, format_table
from ..files import atomic_write
from ..files import check_writable

__all__ = ["Outcome", "run_and_write", "EXPERIMENTS", "list_experiments", "load_experiment",
           "save_figure"]


@dataclass
class Outcome:
    """What an experiment returns: rows (measured beside theory), a headline, and extras."""

    rows: list[dict]
    headline: str
    columns: list[str] | None = None
    extra: dict = field(default_factory=dict)


#: the experiments, in their documented order: each is the module codesim.experiments.NAME
EXPERIMENTS = ("wrong_codebook", "decomposition", "minimised_by_truth", "asymmetry",
               "support_mismatch", "block_length", "quantization", "continuous", "classification",
               "adaptive", "real_text", "calibration", "implied_distribution", "skewed", "memory",
               "language_model", "regret", "universal")


def list_experiments() -> list[str]:
    """Names of the experiments, in their documented order."""
    return list(EXPERIMENTS)


def load_experiment(name: str):
    """The module of experiment ``name``."""
    if name not in EXPERIMENTS:
        raise OptionError(f"unknown experiment {name!r}; available: {', '.join(EXPERIMENTS)}")
    module = importlib.import_module(f"{__package__}.{name}")
    module.NAME = name
    return module


def save_figure(module, outcome: Outcome, path: Path) -> str:
    """Draw the figure with matplotlib if it is installed; say so if it is not.  The
    experiment's ``plot(outcome, plt)`` is handed :mod:`codesim.present.figures` as ``plt``
    (its ``subplots`` is pyplot's, without pyplot), so that drawing never changes the caller's
    matplotlib backend or figures."""
    try:
        figures.load()
    except OptionError:
        return "figure skipped: matplotlib is not installed (pip install -e '.[plot]')"
    fig = module.plot(outcome, figures)
    plain_log_labels(fig)
    atomic_write(path, figures.png_bytes(fig, dpi=110, bbox_inches="tight"))
    return f"figure: {path}"


def machine_key(label: str) -> str:
    """A column label as a key a program can use: lower case, words joined by ``_``, the signs
    spelled out.

    >>> machine_key("measured - H(p)"), machine_key("D(p||q) (theory)")
    ('measured_minus_h_p', 'd_p_q_theory')
    """
    text = str(label).lower().replace(" - ", " minus ").replace(" + ", " plus ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "column"


def experiment_json(name: str, module, outcome: Outcome, n: int, seed: int, quick: bool) -> str:
    """NAME.json: the run (experiment, n, seed, quick, codesim's version, headline), the columns
    (machine key -> the label the table shows) and the rows under machine keys."""
    columns: dict = {}
    for label in dict.fromkeys(k for row in outcome.rows for k in row):
        key, i = machine_key(label), 2
        while key in columns:
            key, i = f"{machine_key(label)}_{i}", i + 1
        columns[key] = label
    keys = {label: key for key, label in columns.items()}
    rows = Table({keys[k]: v for k, v in row.items()} for row in outcome.rows)
    head = json.dumps({"experiment": name, "title": module.TITLE, "n": n, "seed": seed,
                       "quick": bool(quick), "codesim_version": __version__,
                       "headline": outcome.headline, "columns": columns}, indent=2)
    return head[:-2] + ',\n  "rows": ' + rows.to_json().replace("\n", "\n  ") + "\n}\n"


def run_and_write(module, n: int, seed: int, quick: bool, out, stream=None, progress=None) -> Outcome:
    """Run an experiment, print its table and headline, and write NAME.json, .csv and .png;
    while it runs, tick the seconds on ``progress`` (a stream; None: no ticker).

    ``out`` is checked before the work starts: a folder that cannot be made or written is an
    error at once, not after minutes of coding."""
    stream = stream or sys.stdout
    name = getattr(module, "NAME", Path(module.__file__).stem)
    if n < 1:
        raise OptionError(f"n must be a positive number of symbols, got {n}")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OptionError(f"cannot make the output folder {out}: {err.strerror or err}") from None
    check_writable(out / f"{name}.json")
    print(f"{module.TITLE}\n{module.CLAIM}\n", file=stream)
    start = time.perf_counter()
    with ticking(progress, f"experiment {name}"):
        outcome = module.run(n=n, seed=seed, quick=quick)
    write_outcome(module, outcome, n, seed, quick, out, stream, time.perf_counter() - start)
    return outcome


def write_outcome(module, outcome, n: int, seed: int, quick: bool, out, stream, elapsed: float) -> None:
    """Print an experiment's table and headline, and write NAME.json, .csv and .png."""
    name = getattr(module, "NAME", Path(module.__file__).stem)
    out = Path(out)
    print(format_table(outcome.rows, outcome.columns), file=stream)
    print(f"\n{outcome.headline}\n(measured on real encoded and decoded samples, "
          f"n = {n}, seed {seed}, {elapsed:.1f}s)", file=stream)
    table = Table(outcome.rows)
    atomic_write(out / f"{name}.json", experiment_json(name, module, outcome, n, seed, quick))
    table.to_csv(out / f"{name}.csv")
    print(f"rows: {out / f'{name}.json'}, {out / f'{name}.csv'}", file=stream)
    print(save_figure(module, outcome, out / f"{name}.png"), file=stream)
