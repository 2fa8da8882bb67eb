"""``codesim sweep``: move q from P toward another distribution and measure each step."""

from __future__ import annotations

import json
import math
import os
import sys

from ..errors import OptionError
from ..files import atomic_write, check_writable
from ..simulation import SweepInterrupted, mixture_grid, sweep
from ..tables import format_table
from ._common import (add_coder_options, add_command, add_distribution_options, add_sample_options,
                      coder_list, distribution, whole_number)

COLUMNS = ["q", "coder", "measured_bits_per_symbol", "entropy", "cross_entropy", "kl_divergence",
           "stderr", "error"]


def register(subs) -> None:
    sub = add_command(
        subs, "sweep", "move q from P toward another distribution and measure each step",
        "For each t, code a sample from P with coders built for q_t = (1-t) P + t R (R uniform "
        "unless --toward is given), in parallel processes. Each row records the seed that "
        "reproduces it: simulate(p, q, coder, n, seed=row['seed']). Ctrl-C stops the sweep "
        "at once and still writes the rows that finished, marked as interrupted.",
        "codesim sweep --p zipf:64:1.1 --t 0,0.25,0.5,1 --coder huffman --coder ans --csv sweep.csv",
        distributions=True)
    add_distribution_options(sub, q=False)
    sub.add_argument("--toward", metavar="R", help="the end point of the path (default: uniform)")
    sub.add_argument("--t", default="0,0.1,0.2,0.4,0.6,0.8,1", metavar="T,T,...",
                     help="mixture weights in [0, 1]")
    add_coder_options(sub)
    sub.add_argument("--workers", type=whole_number(1), default=None,
                     help="processes (default: every core, at most one per t and 4 per core)")
    sub.add_argument("--progress", action="store_true",
                     help="draw the progress bar on stderr even when it is not a terminal "
                          "(it is drawn on a terminal anyway)")
    sub.add_argument("--same-sample", action="store_true",
                     help="code one sample at every t, so rows differ by the codebook alone")
    sub.add_argument("--csv", metavar="FILE",
                     help="also write the rows as CSV to FILE (default: not written)")
    add_sample_options(sub)
    sub.add_argument("--json-file", metavar="FILE",
                     help="also write the rows as JSON to FILE (default: not written)")
    sub.set_defaults(func=run)


def weights(text: str) -> list[float]:
    try:
        ts = [float(t) for t in text.split(",")]
    except ValueError:
        raise OptionError(f"--t must be a comma list of numbers in [0, 1], got {text!r}") from None
    bad = [t for t in ts if not (math.isfinite(t) and 0 <= t <= 1)]
    if bad:
        raise OptionError(f"--t must be a comma list of numbers in [0, 1], got {bad[0]!r}")
    return ts


def run(args) -> int:
    targets = [path for path in (args.csv, args.json_file) if path]
    for path in targets:                              # fail before the work, not after it
        check_writable(path)
    if len(targets) == 2 and os.path.abspath(targets[0]) == os.path.abspath(targets[1]):
        raise OptionError(f"--csv and --json-file both name {targets[0]}: one would overwrite "
                          "the other")
    p = distribution(args.p, "p")
    toward = distribution(args.toward, "toward") if args.toward else None
    grid = mixture_grid(p, weights(args.t), toward)
    coders = coder_list(args)
    try:
        rows = sweep(p, grid, coders, n=args.n, seed=args.seed, workers=args.workers,
                     same_sample=args.same_sample, progress=args.progress or None)
        note = None
    except SweepInterrupted as stop:
        rows, note = stop.rows, f"sweep interrupted: {stop.finished} of {stop.total} q's finished"
    write(rows, args.csv, args.json_file, note)
    if note:
        print(f"codesim: {note}" + (f"; their rows are in {', '.join(targets)}" if targets else ""),
              file=sys.stderr)
        return 130
    if args.json:
        print(rows.to_json())
    else:
        print(format_table(list(rows), COLUMNS))
    return 0


def write(rows, csv_path, json_path, note) -> None:
    """Write the rows; an interrupted sweep says so on stderr, in a sidecar CSV.interrupted
    beside the CSV (which stays plain CSV that any reader takes with no options), and in a JSON
    object {"interrupted": ..., "rows": [...]} in place of the plain list."""
    if csv_path:
        atomic_write(csv_path, rows.to_csv())
        if note:
            atomic_write(f"{csv_path}.interrupted", note + "\n")
    if json_path:
        text = rows.to_json()
        if note:
            text = json.dumps({"interrupted": note, "rows": json.loads(text)}, indent=2)
        atomic_write(json_path, text + "\n")
