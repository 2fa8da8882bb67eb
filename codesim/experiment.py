"""Running an experiment: options, a table, JSON and CSV rows, and a figure.

Each experiment is a module in the ``experiments/`` folder of the source checkout with

* ``TITLE`` and ``CLAIM`` (what it demonstrates, two lines), ``DEFAULT_N`` and ``QUICK_N``;
* ``run(n, seed, quick) -> Outcome``: code real samples and return rows of measured figures
  beside theory, plus a one-line headline;
* ``plot(outcome, plt) -> figure`` (matplotlib, optional).

It runs as ``python experiments/NAME.py`` or ``codesim experiment NAME``, with ``--n``,
``--seed``, ``--out DIR`` and ``--quick``, and writes ``DIR/NAME.json``, ``.csv`` and ``.png``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OptionError
from .report import Table, format_table

__all__ = ["Outcome", "run_experiment", "experiments_dir", "list_experiments", "load_experiment"]


@dataclass
class Outcome:
    """What an experiment returns: rows (measured beside theory), a headline, and extras."""

    rows: list[dict]
    headline: str
    columns: list[str] | None = None
    extra: dict = field(default_factory=dict)


def experiments_dir() -> Path:
    """The experiments folder: $CODESIM_EXPERIMENTS, or ``experiments/`` beside the package."""
    env = os.environ.get("CODESIM_EXPERIMENTS")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "experiments"
    if not path.is_dir():
        raise OptionError(f"no experiments folder at {path}: the experiments live in the source "
                          "checkout (install it with pip install -e .) or set CODESIM_EXPERIMENTS")
    return path


def list_experiments() -> list[str]:
    """Names of the experiments, in their documented order."""
    names = [p.stem for p in experiments_dir().glob("*.py") if not p.stem.startswith("_")]
    order = ["wrong_codebook", "decomposition", "minimised_by_truth", "asymmetry",
             "support_mismatch", "block_length", "quantization", "continuous", "classification",
             "adaptive", "real_text", "calibration"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def load_experiment(name: str):
    """Import experiments/NAME.py as a module."""
    names = list_experiments()
    if name not in names:
        raise OptionError(f"unknown experiment {name!r}; available: {', '.join(names)}")
    path = experiments_dir() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"codesim_experiment_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.NAME = name
    return module


def _parser(module) -> argparse.ArgumentParser:
    from .cli import _Parser
    name = getattr(module, "NAME", Path(module.__file__).stem)
    parser = _Parser(
        prog=f"codesim experiment {name}", description=f"{module.TITLE}. {module.CLAIM}",
        epilog=f"example:\n  codesim experiment {name} --quick --out results",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None,
                        help=f"symbols per sample (default {module.DEFAULT_N}; {module.QUICK_N} with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random draw (default 0)")
    parser.add_argument("--out", default="results", metavar="DIR",
                        help="where to write NAME.json, NAME.csv and NAME.png (default results/)")
    parser.add_argument("--quick", action="store_true", help="a small, fast run (used by the tests)")
    return parser


def save_figure(module, outcome: Outcome, path: Path) -> str:
    """Draw the figure with matplotlib if it is installed; say so if it is not."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "figure skipped: matplotlib is not installed (pip install -e '.[plot]')"
    fig = module.plot(outcome, plt)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f"figure: {path}"


def run_experiment(module, argv=None, stream=None) -> int:
    """Parse options, run, print the table, write JSON, CSV and the figure (to ``stream``,
    default the current ``sys.stdout``)."""
    stream = stream or sys.stdout
    args = _parser(module).parse_args(argv)
    name = getattr(module, "NAME", Path(module.__file__).stem)
    n = args.n if args.n is not None else (module.QUICK_N if args.quick else module.DEFAULT_N)
    if n < 1:
        raise OptionError(f"--n must be a positive number of symbols, got {n}")
    print(f"{module.TITLE}\n{module.CLAIM}\n", file=stream)
    start = time.perf_counter()
    outcome = module.run(n=n, seed=args.seed, quick=args.quick)
    elapsed = time.perf_counter() - start
    print(format_table(outcome.rows, outcome.columns), file=stream)
    print(f"\n{outcome.headline}\n(measured on real encoded and decoded samples, "
          f"n = {n}, seed {args.seed}, {elapsed:.1f}s)", file=stream)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = Table(outcome.rows)
    table.to_json(out / f"{name}.json")
    table.to_csv(out / f"{name}.csv")
    print(f"rows: {out / f'{name}.json'}, {out / f'{name}.csv'}", file=stream)
    print(save_figure(module, outcome, out / f"{name}.png"), file=stream)
    return 0


def main(module) -> None:
    """Entry point for ``python experiments/NAME.py``."""
    from .errors import CodesimError
    try:
        sys.exit(run_experiment(module, sys.argv[1:]))
    except CodesimError as err:
        print(f"codesim: error: {err}", file=sys.stderr)
        sys.exit(2)


def cmd_experiment(args) -> int:
    if args.name == "list":
        for name in list_experiments():
            module = load_experiment(name)
            print(f"{name:20s} {module.TITLE}")
        return 0
    return run_experiment(load_experiment(args.name), args.rest)


def register_cli(subs) -> None:
    sub = subs.add_parser(
        "experiment", help="run a demonstration from experiments/ (or 'list' them)",
        description="Run one experiment: it codes real samples, prints measured figures beside "
                    "theory, and writes JSON, CSV and a PNG figure. Options after NAME: --n N, "
                    "--seed S, --out DIR, --quick (see 'codesim experiment NAME --help').",
        epilog="examples:\n  codesim experiment list\n  codesim experiment wrong_codebook --quick",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub.add_argument("name", help="an experiment name, or 'list'")
    sub.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    sub.set_defaults(func=cmd_experiment)
