"""The ``codesim`` command (also ``python -m codesim``).

Every figure it prints is either measured from a real encode and decode, or labelled theory.
Bad input of any kind gives one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

from . import __version__
from .errors import CodesimError

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


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_common(sub, n_default=100_000):
    sub.add_argument("-n", type=int, default=n_default, metavar="N",
                     help=f"number of symbols to sample from p (default {n_default})")
    sub.add_argument("--seed", type=int, default=0, help="seed of the random sample (default 0)")
    sub.add_argument("--json", action="store_true", help="print JSON instead of a table")


def build_parser() -> argparse.ArgumentParser:
    from .coders import available_coders
    coders = available_coders()
    parser = _Parser(
        prog="codesim",
        description="Measure what a code built for q costs on data from p, in real encoded "
                    "bits, beside H(p), H(p,q) = H(p) + D(p||q) and D(p||q).",
        epilog="run 'codesim COMMAND --help' for each command's options and an example",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"codesim {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = subs.add_parser(
        "demo", help="the main job: English letters coded with right and wrong codebooks",
        description="Sample letters from the letter frequencies of English prose (the Python "
                    "Language Reference that ships with Python) and code them with every coder "
                    "built for three codebooks: English itself (cost H(p)), the letter "
                    "frequencies of Python source code, and uniform letters. The surcharge over "
                    "H(p) is D(p||q).",
        epilog="example:\n  codesim demo -n 100000 --seed 1",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(demo)
    demo.set_defaults(func=cmd_demo)

    compare = subs.add_parser(
        "compare", help="code a sample from P with coders built for Q",
        description="Sample N symbols from P, code them with each coder built for Q, decode, "
                    "and print measured bits/symbol beside the theory.",
        epilog=EPILOG_DISTRIBUTIONS + "\nexample:\n  codesim compare --p 0.5,0.25,0.125,0.125 "
               "--q uniform:4 --coder huffman -n 10000 --seed 0 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    compare.add_argument("--p", required=True, metavar="P", help="the true distribution")
    compare.add_argument("--q", required=True, metavar="Q", help="the distribution the code is built for")
    compare.add_argument("--coder", action="append", choices=coders, metavar="NAME",
                         help=f"a coder (repeat for several; default: all). One of: {', '.join(coders)}")
    compare.add_argument("--ledger", action="store_true",
                         help="also print each coder's ledger: the bits of the message split into "
                              "sample entropy, sample divergence, quantisation and coder overhead, "
                              "beside the theory of each")
    _add_common(compare)
    compare.set_defaults(func=cmd_compare)

    codebook = subs.add_parser(
        "codebook", help="print the prefix code built for Q",
        description="Print the codebook (symbol, q, -log2 q, length, codeword) of a prefix code "
                    "built for Q, its Kraft sum, and given P its expected length under P beside "
                    "H(P, Q). All figures here are theory.",
        epilog=EPILOG_DISTRIBUTIONS + "\nexample:\n  codesim codebook --q 0.4,0.3,0.2,0.1 "
               "--coder shannon --p uniform:4",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    codebook.add_argument("--q", required=True, metavar="Q")
    codebook.add_argument("--p", metavar="P", help="optional: also show the expected length under P")
    codebook.add_argument("--coder", default="huffman", choices=["huffman", "shannon", "sfe"])
    codebook.add_argument("--block", type=int, default=1, metavar="K",
                          help="build the code on blocks of K symbols (default 1)")
    codebook.set_defaults(func=cmd_codebook)

    sweep = subs.add_parser(
        "sweep", help="move q from P toward another distribution and measure each step",
        description="For each t, code a sample from P with coders built for q_t = (1-t) P + t R "
                    "(R uniform unless --toward is given), in parallel processes.",
        epilog=EPILOG_DISTRIBUTIONS + "\nexample:\n  codesim sweep --p zipf:64:1.1 --t 0,0.25,0.5,1 "
               "--coder huffman --coder ans --csv sweep.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sweep.add_argument("--p", required=True, metavar="P")
    sweep.add_argument("--toward", metavar="R", help="the end point of the path (default uniform)")
    sweep.add_argument("--t", default="0,0.1,0.2,0.4,0.6,0.8,1", metavar="T,T,...",
                       help="mixture weights in [0, 1] (default 0,0.1,0.2,0.4,0.6,0.8,1)")
    sweep.add_argument("--coder", action="append", choices=coders, metavar="NAME",
                       help="a coder (repeat for several; default huffman and arithmetic)")
    sweep.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    sweep.add_argument("--csv", metavar="FILE", help="also write the rows as CSV")
    _add_common(sweep)
    sweep.set_defaults(func=cmd_sweep)

    for register in _extra_commands():
        register(subs)
    return parser


def _extra_commands():
    """Commands defined beside their modules (check, experiment, encode/decode)."""
    out = []
    for module, attr in (("check", "register_cli"), ("experiment", "register_cli"),
                         ("container", "register_cli")):
        try:
            mod = __import__(f"codesim.{module}", fromlist=[attr])
        except ImportError:
            continue
        out.append(getattr(mod, attr))
    return out


def _parse(text, name):
    from .parsing import parse_distribution
    return parse_distribution(text, name)


def _results_table(results, header: str) -> str:
    from .report import format_table
    rows = [{"coder": r.coder, "measured": r.measured_bits_per_symbol,
             "expected": r.expected_bits_per_symbol, "sample ideal": r.ideal_bits_per_symbol,
             "excess over H(p)": r.excess_over_entropy, "stderr": r.stderr,
             "bits": r.num_bits} for r in results]
    return header + "\n" + format_table(rows)


def _theory_line(r) -> str:
    return (f"theory: H(p) = {r.entropy:.6f}  H(p,q) = {r.cross_entropy:.6f}  "
            f"D(p||q) = {r.kl_divergence:.6f}  bits/symbol")


def _refuse_infinite(p, q) -> None:
    from .errors import SupportError
    from .measures import cross_entropy
    if math.isinf(cross_entropy(p, q)):
        bad = int(((p > 0) & (q == 0)).argmax())
        raise SupportError(f"q[{bad}] = 0 but p[{bad}] = {p[bad]:g}: no code built for q can "
                           f"describe symbol {bad}, H(p,q) = D(p||q) = inf", symbol=bad)


def cmd_compare(args) -> int:
    from .coders import available_coders
    from .simulation import compare
    p, q = _parse(args.p, "p"), _parse(args.q, "q")
    _refuse_infinite(p, q)
    results = compare(p, q, args.coder or available_coders(), n=args.n, seed=args.seed)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        head = (f"{_theory_line(results[0])}\n"
                f"measured on n = {args.n} symbols from p (seed {args.seed}); 'expected' is "
                "each coder's theoretical rate under p, 'sample ideal' -log2 q of the sample / n")
        print(_results_table(results, head))
        if args.ledger:
            for r in results:
                print(f"\nledger of {r.coder} ({r.num_bits} bits, measured; theory per symbol "
                      "beside):")
                print(r.ledger_table())
    return 0


DEMO_CODEBOOKS = (
    ("english", "the right codebook: English letter frequencies themselves"),
    ("python", "a wrong codebook: letter frequencies of Python source code"),
    ("uniform:26", "a wrong codebook: all 26 letters equally likely"),
)


def cmd_demo(args) -> int:
    from .coders import available_coders
    from .simulation import compare
    p = _parse("english", "p")
    out = []
    if not args.json:
        print("p = letter frequencies (a..z) of English prose: the Python Language Reference "
              "shipped with Python (pydoc_data.topics)")
        print(f"n = {args.n} letters sampled from p with seed {args.seed}; every coder encodes "
              "and decodes them\n")
    for spec, what in DEMO_CODEBOOKS:
        q = _parse(spec, "q")
        results = compare(p, q, available_coders(), n=args.n, seed=args.seed)
        out += [dict(r.to_dict(), codebook=spec) for r in results]
        if not args.json:
            print(_results_table(results, f"q = {spec}: {what}\n{_theory_line(results[0])}"))
            print()
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print("measured - H(p) is the price of the codebook: about D(p||q) for the stream coders, "
              "plus the rounding of code lengths for the prefix codes.")
    return 0


def cmd_codebook(args) -> int:
    from .coders import make_coder
    from .report import codebook_text
    q = _parse(args.q, "q")
    p = _parse(args.p, "p") if args.p else None
    coder = make_coder(args.coder, q, **({"block": args.block} if args.block != 1 else {}))
    print(f"{args.coder} code for q (theory: code lengths and codewords)")
    print(codebook_text(coder, p))
    return 0


def cmd_sweep(args) -> int:
    from .errors import OptionError
    from .simulation import mixture_grid, sweep
    p = _parse(args.p, "p")
    toward = _parse(args.toward, "toward") if args.toward else None
    try:
        ts = [float(t) for t in args.t.split(",")]
    except ValueError:
        raise OptionError(f"--t must be a comma list of numbers in [0, 1], got {args.t!r}") from None
    rows = sweep(p, mixture_grid(p, ts, toward), args.coder or ["huffman", "arithmetic"],
                 n=args.n, seed=args.seed, workers=args.workers)
    if args.csv:
        rows.to_csv(args.csv)
    if args.json:
        print(rows.to_json())
    else:
        from .report import format_table
        print(format_table(list(rows), ["q", "coder", "measured_bits_per_symbol", "entropy",
                                        "cross_entropy", "kl_divergence", "stderr", "error"]))
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except CodesimError as err:
        print(f"codesim: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:                  # the reader went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:
        print(f"codesim: error: {err.strerror or err}: {err.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("codesim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":       # pragma: no cover
    sys.exit(main())
