"""What every command shares: the parser, option types, distributions and coders from options."""

from __future__ import annotations

import argparse
import os
import sys

from ..coders import DEFAULT_CODERS, available_coders, options_of
from ..coders.registry import OPTIONS
from ..errors import CodesimError, OptionError
from ..sources.labels import BYTES, LETTER_LABELS, LETTERS, labelled
from ..sources.notation import parse_distribution

EPILOG_DISTRIBUTIONS = """\
distributions (P, Q) are given as:
  0.5,0.25,0.125,0.125     a comma list of probabilities (must sum to 1)
  uniform:K                uniform on K symbols
  zipf:K:S                 p(i) ~ 1/(i+1)^S
  geometric:K:R            p(i) ~ R^i
  dirichlet:K:ALPHA:SEED   a random distribution, reproducible from SEED
  english | python         frequencies of the letters a..z and space in stdlib English prose /
                           Python source
  counts:30,30,40          counts, each over their sum
  fit:FILE[:K[:ALPHA]]     fitted to the symbol counts of FILE (ALPHA added to every count)
  fit-bytes:FILE[:ALPHA]   fitted to the byte counts of FILE
  fit-letters:FILE[:ALPHA] fitted to the letter counts of FILE (a..z and space)
  FILE.json | FILE.npy     a list / 1-D array of probabilities
"""


class Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keep the description's line breaks and show every option's default, unless its help
    already says it ("default: the coder's own" beats "default: None") or there is none to show
    (a required option, or one whose help says what its absence means)."""

    def _get_help_string(self, action):
        help = action.help or ""
        if "default:" in help or action.required or action.default is None:
            return help
        return super()._get_help_string(action)


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


def add_distribution_options(sub, p: bool = True, q: bool = True) -> None:
    """--p (the true distribution) and --q (the one the code is built for), required, as every
    command names them."""
    if p:
        sub.add_argument("--p", required=True, metavar="P", help="the true distribution")
    if q:
        sub.add_argument("--q", required=True, metavar="Q", help="the distribution the code is built for")


#: the alphabets a file of text can be read in: flag -> (K, labels, what INPUT holds)
ALPHABETS = {"letters": (len(LETTERS), LETTER_LABELS, "UTF-8 text, coded as the letters a..z and the "
                         "space (case folded, every run of other characters one space)"),
             "bytes": (len(BYTES), BYTES, "raw bytes (symbols 0..255)")}


def add_alphabet_options(sub, reading: str) -> None:
    """--letters and --bytes (at most one): the file is text or bytes, not symbol numbers."""
    group = sub.add_mutually_exclusive_group()
    for flag, (_, _, holds) in ALPHABETS.items():
        group.add_argument(f"--{flag}", action="store_true", help=f"{reading} {holds}")


def alphabet(args) -> str | None:
    """The alphabet chosen with --letters or --bytes (None: symbol numbers)."""
    return next((flag for flag in ALPHABETS if getattr(args, flag, False)), None)


def in_alphabet(q, args, name: str = "q"):
    """q, labelled with the chosen alphabet's labels; OptionError when its size does not fit."""
    chosen = alphabet(args)
    if chosen is None:
        return q
    size, labels, _ = ALPHABETS[chosen]
    if q.size != size:
        hint = {"letters": "english, python, fit-letters:FILE or uniform:27",
                "bytes": "fit-bytes:FILE or uniform:256"}[chosen]
        raise OptionError(f"--{chosen} codes {size} symbols, but {name} has {q.size}: give a "
                          f"{name} over {size} symbols ({hint})")
    return labelled(q, labels, name)


def add_quiet_option(sub) -> None:
    """--quiet: no progress on stderr (which shows only on a terminal anyway)."""
    sub.add_argument("--quiet", action="store_true",
                     help="no progress on stderr (it shows only on a terminal, and never with --json)")


def progress_stream(args):
    """Where a command draws its progress: stderr on a terminal, unless --quiet or --json."""
    quiet = getattr(args, "quiet", False) or getattr(args, "json", False)
    return sys.stderr if not quiet and sys.stderr.isatty() else None


def add_coder_flags(sub, options=tuple(OPTIONS), **helps) -> None:
    """The flags of these coder options (left out: the coder's own default), as the registry
    declares them; ``helps`` replaces an option's help text where a command says it its own way."""
    for option in options:
        o = OPTIONS[option]
        sub.add_argument(o.flag, dest=option, type=whole_number(o.low, o.high), default=None,
                         metavar=o.metavar, help=helps.get(option, o.help))


def add_coder_options(sub, several: bool = True, default=None) -> None:
    """--coder (repeatable) and every coder's options (left out: the coder's own default)."""
    coders = available_coders()
    if several:
        sub.add_argument("--coder", action="append", choices=coders, metavar="NAME",
                         help=f"a coder, repeat for several: {', '.join(coders)} (default: the "
                              f"codes built for q: {', '.join(DEFAULT_CODERS)})")
    else:
        sub.add_argument("--coder", default=default, choices=coders, metavar="NAME",
                         help=f"the coder: {', '.join(coders)}")
    add_coder_flags(sub)


def coder_options(name: str, args, chosen=None) -> dict:
    """The coder options given on the command line that coder ``name`` accepts.  An option
    that none of the ``chosen`` coders (default: this one) accepts is an error naming the
    coders it applies to."""
    accepted = options_of(name)
    options = {}
    for option, declared in OPTIONS.items():
        flag = declared.flag
        value = getattr(args, option, None)
        if value is None:
            continue
        if option in accepted:
            options[option] = value
        elif not any(option in options_of(c) for c in (chosen or [name])):
            takers = [c for c in available_coders() if option in options_of(c)]
            raise OptionError(f"{flag} applies to {', '.join(takers)}, not to "
                              f"{', '.join(repr(c) for c in (chosen or [name]))}")
    return options


def coder_list(args) -> list[tuple[str, dict]]:
    """(name, options) of every coder named with --coder (default: the codes built for q)."""
    chosen = default_coders(args)
    return [(name, coder_options(name, args, chosen)) for name in chosen]


def default_coders(args) -> list[str]:
    """The coders named with --coder, or the codes built for q."""
    return args.coder or list(DEFAULT_CODERS)


def distribution(text: str, name: str, smooth: float | None = None):
    return parse_distribution(text, name, smooth)


def add_smooth_option(sub) -> None:
    """--smooth ALPHA: added to every count of a q made from counts (counts:, fit:...)."""
    sub.add_argument("--smooth", type=float, default=None, metavar="ALPHA",
                     help="add ALPHA to every count of a Q made from counts (counts:, fit:FILE, "
                          "fit-bytes:FILE, fit-letters:FILE), so that symbols the counts never "
                          "saw stay codable (1: Laplace's rule, 0.5: KT's; default: none added)")


def codebook_q(args):
    """Q as the command line gives it: smoothed with --smooth, labelled with --letters/--bytes."""
    return in_alphabet(distribution(args.q, "q", getattr(args, "smooth", None)), args)


def guarded(action) -> int:
    """Run a command; turn what a user can provoke into one line on stderr and an exit status."""
    try:
        return action()
    except CodesimError as err:
        print(f"codesim: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:                  # the reader went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:
        where = f": {err.filename}" if err.filename else ""
        print(f"codesim: error: {err.strerror or err}{where}", file=sys.stderr)
        return 2
    except MemoryError:
        print("codesim: error: out of memory (make the work smaller: n, K, an order, a block or "
              "a file; or raise CODESIM_MEMORY only if the machine has the memory)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("codesim: interrupted", file=sys.stderr)
        return 130
