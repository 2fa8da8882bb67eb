"""The ``codesim`` command (also ``python -m codesim``): one module per subcommand.

Every figure a command prints is either measured from a real encode and decode, or labelled
theory.  Bad input of any kind gives one line on stderr and exit status 2, never a traceback;
Ctrl-C gives exit status 130.  The domain modules (coders, container, check, simulation) know
nothing of argparse: each command parses its options and calls them.
"""

from __future__ import annotations

import sys


from .. import __version__
from . import check, codebook, compare, decode, demo, encode, experiment, report, sweep, text, view
from ._common import Formatter, Parser, guarded

__all__ = ["main", "build_parser", "guarded"]

COMMANDS = (demo, compare, codebook, sweep, check, experiment, encode, decode, text, view, report)


def build_parser() -> Parser:
    parser = Parser(
        prog="codesim",
        description="Measure what a code built for q costs on data from p, in real encoded "
                    "bits, beside H(p), H(p,q) = H(p) + D(p||q) and D(p||q).",
        epilog="run 'codesim COMMAND --help' for each command's options and an example",
        formatter_class=Formatter)
    parser.add_argument("--version", action="version", version=f"codesim {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(subs)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):                # no command: say what there is
        parser.print_help(sys.stderr)
        return 2
    return guarded(lambda: args.func(args))
