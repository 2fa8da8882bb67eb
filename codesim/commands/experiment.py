"""``codesim experiment NAME``, and ``python experiments/NAME.py``: the options of a run."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from ..errors import CodesimError
from ..experiments.runner import list_experiments, load_experiment, run_and_write
from ._common import (Formatter, Parser, add_command, add_quiet_option, guarded, progress_stream,
                      whole_number)


def register(subs) -> None:
    try:
        names = ", ".join(list_experiments())
    except CodesimError as err:
        names = f"(none found: {err})"
    sub = add_command(
        subs, "experiment", "run a demonstration from experiments/ (or 'list' them)",
        "Run one experiment: it codes real samples, prints measured figures beside theory, and "
        "writes JSON, CSV and a PNG figure. Options after NAME: -n N, --seed S, --out DIR, "
        f"--quick, --json (see 'codesim experiment NAME --help').\n\nexperiments: {names}",
        "codesim experiment list\n  codesim experiment wrong_codebook --quick")
    sub.add_argument("name", help="an experiment name, or 'list'")
    sub.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    sub.set_defaults(func=run)


def parser(module) -> Parser:
    name = getattr(module, "NAME", Path(module.__file__).stem)
    sub = Parser(prog=f"codesim experiment {name}", description=f"{module.TITLE}. {module.CLAIM}",
                 epilog=f"example:\n  codesim experiment {name} --quick --out results",
                 formatter_class=Formatter)
    sub.add_argument("-n", "--n", dest="n", type=whole_number(1), default=None,
                     help=f"symbols per sample (default {module.DEFAULT_N}; {module.QUICK_N} with --quick)")
    sub.add_argument("--seed", type=whole_number(0), default=0, help="seed of every random draw")
    sub.add_argument("--out", default="results", metavar="DIR",
                     help="where to write NAME.json, NAME.csv and NAME.png")
    sub.add_argument("--quick", action="store_true", help="a small, fast run (used by the tests)")
    sub.add_argument("--json", action="store_true",
                     help="print NAME.json (the run and its rows under machine keys) instead of "
                          "the table; the files are written either way")
    add_quiet_option(sub)
    return sub


def run_module(module, argv=None, stream=None) -> int:
    """Parse a run's options and run it (printing to ``stream``, default sys.stdout)."""
    args = parser(module).parse_args(argv)
    n = args.n if args.n is not None else (module.QUICK_N if args.quick else module.DEFAULT_N)
    progress = progress_stream(args)
    if args.json:                                  # the document, not the table, on stdout
        run_and_write(module, n, args.seed, args.quick, args.out, io.StringIO())
        name = getattr(module, "NAME", Path(module.__file__).stem)
        print((Path(args.out) / f"{name}.json").read_text(), end="", file=stream or sys.stdout)
        return 0
    run_and_write(module, n, args.seed, args.quick, args.out, stream, progress)
    return 0


def run(args) -> int:
    if args.name == "list":
        for name in list_experiments():
            print(f"{name:20s} {load_experiment(name).TITLE}")
        return 0
    return run_module(load_experiment(args.name), args.rest)


def main(module) -> None:
    """Run an experiment module with the command line's options, with the same errors as the
    codesim command."""
    sys.exit(guarded(lambda: run_module(module, sys.argv[1:])))


def script(name: str) -> None:
    """Entry point of the script ``experiments/NAME.py`` of a checkout."""
    sys.exit(guarded(lambda: run_module(load_experiment(name), sys.argv[1:])))
