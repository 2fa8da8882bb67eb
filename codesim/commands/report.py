"""``codesim report``: run every experiment and write one self-contained page for a class."""

from __future__ import annotations

from ._common import add_command, whole_number
from ..experiments.report import build_report


def register(subs) -> None:
    sub = add_command(
        subs, "report", "run every experiment and write one HTML page (DIR/index.html)",
        "Run every experiment (small samples with --quick) and write DIR/index.html: one "
        "self-contained page (figures embedded, no JavaScript, nothing from the network) with "
        "the demo table, the teaching views, and per experiment its claim, figure, table of "
        "measured against theory, and the command that reproduces it. Each experiment's JSON, "
        "CSV and PNG go to DIR/experiments/.",
        "codesim report --quick --out report")
    sub.add_argument("--out", required=True, metavar="DIR", help="the folder to write the page to")
    sub.add_argument("--quick", action="store_true",
                     help="small samples: the whole page in under a minute")
    sub.add_argument("-n", "--n", dest="n", type=whole_number(1), default=None, metavar="N",
                     help="symbols of the demo table's sample (default: 20000 with --quick, else "
                          "100000; each experiment keeps its own sizes)")
    sub.add_argument("--seed", type=whole_number(0), default=0, help="seed of every random draw")
    sub.add_argument("--json", action="store_true",
                     help="print DIR/report.json (each experiment's headline, seconds and files) "
                          "instead of the page's path")
    sub.add_argument("--workers", type=whole_number(1), default=None,
                     help="processes running the experiments (default: every core, at most "
                          "4 per core)")
    sub.set_defaults(func=run)


def run(args) -> int:
    page = build_report(args.out, quick=args.quick, seed=args.seed, workers=args.workers, n=args.n)
    if args.json:
        print(page.with_name("report.json").read_text(), end="")
    else:
        print(f"report written: {page}")
    return 0
