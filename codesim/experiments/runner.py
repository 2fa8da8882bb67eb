"""Running an experiment: options, a table, JSON and CSV rows, and a figure.

Each experiment is a module of this package (:mod:`codesim.experiments`, so it runs from an
installed wheel as well as from a checkout), listed in :data:`EXPERIMENTS`, with

* ``TITLE`` and ``CLAIM`` (what it demonstrates, two lines), ``DEFAULT_N`` and ``QUICK_N``;
* ``run(n, seed, quick) -> Outcome``: code real samples and return rows of measured figures
  beside theory, plus a one-line headline;
* ``plot(outcome, plt) -> figure`` (matplotlib, optional);
* ``QUICK_SECONDS`` (optional, default 1): about how long its quick run takes on one core, so
  that the report starts the longest first and no core idles at the end.

It runs as ``codesim experiment NAME`` (or ``python experiments/NAME.py`` in a checkout), with ``-n``,
``--seed``, ``--out DIR`` and ``--quick`` (the options live in
:mod:`codesim.commands.experiment`), and writes ``DIR/NAME.json``, ``.csv`` and ``.png``.
"""

from __future__ import annotations

import importlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OptionError
from ..tables import Table, format_table
from ..files import atomic_write
from ..files import check_writable
import io

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
    """Draw the figure with matplotlib if it is installed; say so if it is not."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "figure skipped: matplotlib is not installed (pip install -e '.[plot]')"
    fig = module.plot(outcome, plt)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write(path, buffer.getvalue())
    return f"figure: {path}"


def run_and_write(module, n: int, seed: int, quick: bool, out, stream=None) -> Outcome:
    """Run an experiment, print its table and headline, and write NAME.json, .csv and .png.

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
    outcome = module.run(n=n, seed=seed, quick=quick)
    elapsed = time.perf_counter() - start
    print(format_table(outcome.rows, outcome.columns), file=stream)
    print(f"\n{outcome.headline}\n(measured on real encoded and decoded samples, "
          f"n = {n}, seed {seed}, {elapsed:.1f}s)", file=stream)
    table = Table(outcome.rows)
    table.to_json(out / f"{name}.json")
    table.to_csv(out / f"{name}.csv")
    print(f"rows: {out / f'{name}.json'}, {out / f'{name}.csv'}", file=stream)
    print(save_figure(module, outcome, out / f"{name}.png"), file=stream)
    return outcome
