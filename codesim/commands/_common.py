"""What every command shares: the parser, option types, distributions and coders from options."""

from __future__ import annotations

import argparse

from ..coders import available_coders
from ..errors import OptionError

EPILOG_DISTRIBUTIONS = """\
distributions (P, Q) are given as:
  0.5,0.25,0.125,0.125     a comma list of probabilities (must sum to 1)
  uniform:K                uniform on K symbols
  zipf:K:S                 p(i) ~ 1/(i+1)^S
  geometric:K:R            p(i) ~ R^i
  dirichlet:K:ALPHA:SEED   a random distribution, reproducible from SEED
  english | python         letter frequencies a..z of stdlib English prose / Python source
  FILE.json | FILE.npy     a list / 1-D array of probabilities
"""


class Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keep the description's line breaks and show every option's default."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def add_command(subs, name: str, help: str, description: str, example: str,
                distributions: bool = False) -> Parser:
    """A subcommand whose --help explains it, shows every default, and ends with an example."""
    epilog = (EPILOG_DISTRIBUTIONS + "\n" if distributions else "") + "example:\n  " + example
    return subs.add_parser(name, help=help, description=description, epilog=epilog,
                           formatter_class=Formatter)


def whole_number(least: int = 0, most: int | None = None):
    """An argparse type: an integer in [least, most] (0 never stands for "the default")."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if value < least or (most is not None and value > most):
            span = f"from {least} to {most}" if most is not None else f"of at least {least}"
            raise argparse.ArgumentTypeError(f"must be an integer {span}, got {value}")
        return value

    parse.__name__ = "int"
    return parse


def add_sample_options(sub, n_default: int = 100_000, json_help: str = "print JSON instead of a table") -> None:
    """-n/--n, --seed and --json, the same in every command."""
    sub.add_argument("-n", "--n", dest="n", type=whole_number(1), default=n_default, metavar="N",
                     help="number of symbols to sample from p")
    sub.add_argument("--seed", type=whole_number(0), default=0, help="seed of the random sample")
    sub.add_argument("--json", action="store_true", help=json_help)


def add_coder_options(sub, several: bool = True, default=None) -> None:
    """--coder (repeatable), --block and --precision (left out: the coder's own default)."""
    coders = available_coders()
    if several:
        sub.add_argument("--coder", action="append", choices=coders, metavar="NAME",
                         help=f"a coder, repeat for several (default: every coder: {', '.join(coders)})")
    else:
        sub.add_argument("--coder", default=default, choices=coders, metavar="NAME",
                         help=f"the coder: {', '.join(coders)}")
    sub.add_argument("--block", type=whole_number(1), default=None, metavar="K",
                     help="prefix coders: code blocks of K symbols (default: 1)")
    sub.add_argument("--precision", type=whole_number(1, 62), default=None, metavar="BITS",
                     help="stream coders: bits of the quantised model (default: the coder's, 24)")


def coder_options(name: str, args) -> dict:
    """The --block / --precision options that apply to this coder (an error if given to one
    that has no such option)."""
    from ..coders import PREFIX_CODERS
    options = {}
    if args.block is not None:
        if name not in PREFIX_CODERS:
            raise OptionError(f"--block applies to the prefix coders ({', '.join(PREFIX_CODERS)}), "
                              f"not to {name!r}")
        options["block"] = args.block
    if args.precision is not None:
        if name in PREFIX_CODERS:
            raise OptionError(f"--precision applies to the stream coders, not to {name!r}")
        options["precision"] = args.precision
    return options


def distribution(text: str, name: str):
    from ..parsing import parse_distribution
    return parse_distribution(text, name)
