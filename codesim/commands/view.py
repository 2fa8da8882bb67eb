"""``codesim view KIND``: draw a teaching view (a code tree, the arithmetic coder at work, ANS
states, the wrong codebook, the typical set) to a PNG, SVG or PDF file."""

from __future__ import annotations

import io

import numpy as np

from ..coders import PREFIX_CODERS, make_coder
from ..sources.labels import LETTER_LABELS, labels_of, letters_of
from ..errors import OptionError
from ..files import atomic_write, check_writable
from ._common import (Parser, add_coder_flags, add_command, add_distribution_options, coder_options,
                      distribution, whole_number)
from ..present import views
from ..sources.distributions import sample

FORMATS = (".png", ".svg", ".pdf")
#: the resolution of a PNG (dots per inch) unless --dpi says otherwise; and its bounds
DPI, MAX_DPI = 100, 1200


def register(subs) -> None:
    sub = add_command(
        subs, "view", "draw a teaching view to a PNG, SVG or PDF file",
        "Draw one of the teaching views (codesim.views) and write it to --out. Every number in a "
        "view is labelled measured (from a real encode) or theory.",
        "codesim view tree --q 0.4,0.3,0.2,0.1 --p uniform:4 --out tree.png")
    kinds = sub.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=Parser,
                               help="the view: tree, arithmetic, states, wrong-codebook, typical-set")
    tree = add_command(kinds, "tree", "a prefix code as a tree, its Kraft picture, E_p[l] shares",
                       "The prefix code built for Q as a tree (edges 0/1, leaves with symbol, q, "
                       "codeword), each codeword as its dyadic interval of [0, 1), and given P "
                       "each leaf's share p(x) l(x) of E_p[l].",
                       "codesim view tree --q zipf:8:1 --coder huffman --out tree.png",
                       distributions=True)
    add_distribution_options(tree, p=False)
    tree.add_argument("--p", metavar="P", help="also show each leaf's share of E_p[l] (default: not shown)")
    tree.add_argument("--coder", default="huffman", choices=PREFIX_CODERS, metavar="NAME",
                      help=f"the prefix code: {', '.join(PREFIX_CODERS)}")
    add_coder_flags(tree, ("max_length", "m", "k"))
    steps = add_command(kinds, "arithmetic", "the arithmetic coder's interval narrowing",
                        "Code a short message with the arithmetic coder built for Q and show, "
                        "step by step, the interval, the bits each step settles, and the final "
                        "codeword's interval inside the message's.",
                        "codesim view arithmetic --q 0.6,0.3,0.1 --message '0 1 0 2' --out steps.png",
                        distributions=True)
    _message_options(steps)
    steps.add_argument("--precision", type=whole_number(1, 32), default=8, metavar="BITS",
                       help="bits of the quantised model (a small model reads best)")
    states = add_command(kinds, "states", "tANS or rANS states along a message",
                         "Code a message with tans or rans built for Q and show the decoder's "
                         "state before each symbol and the bits each step reads against "
                         "-log2 q~(x).",
                         "codesim view states --q 0.6,0.3,0.1 --coder tans --table-log 5 -n 40 --out states.png",
                         distributions=True)
    _message_options(states)
    states.add_argument("--coder", default="tans", choices=("tans", "rans"), help="the ANS coder")
    add_coder_flags(states, ("table_log",))
    wrong = add_command(kinds, "wrong-codebook", "-log2 q against -log2 p, weighted by p: D(p||q)",
                        "Per symbol, what the codebook for Q spends (-log2 q) against what the "
                        "right one would (-log2 p), and the differences weighted by p, which add "
                        "up to D(P||Q).",
                        "codesim view wrong-codebook --p english --q uniform:27 --out wrong.png",
                        distributions=True)
    add_distribution_options(wrong)
    typical = add_command(kinds, "typical-set", "-(1/n) log2 p(X^n) and q(X^n) concentrating",
                          "Sample sequences of n symbols from P and show how -(1/n) log2 p(X^n) "
                          "concentrates at H(P) and -(1/n) log2 q(X^n) at H(P,Q) as n grows.",
                          "codesim view typical-set --p zipf:8:1 --q uniform:8 --out typical.png",
                          distributions=True)
    add_distribution_options(typical)
    typical.add_argument("-n", "--n", "--lengths", dest="lengths", default="10,100,1000",
                         metavar="N,N,...", help="the sequence lengths n, one panel each")
    typical.add_argument("--sequences", type=whole_number(1, 100_000), default=2000,
                         help="sequences sampled per length")
    typical.add_argument("--seed", type=whole_number(0), default=0, help="seed of the samples")
    for kind in (tree, steps, states, wrong, typical):
        kind.add_argument("-o", "--out", required=True, metavar="FILE",
                          help="where to write the figure (.png, .svg or .pdf)")
        kind.add_argument("--dpi", type=whole_number(20, MAX_DPI), default=DPI, metavar="DPI",
                          help=f"dots per inch of a PNG (default: {DPI}; 300 for print)")
        kind.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
        kind.set_defaults(func=run)


def _message_options(sub) -> None:
    add_distribution_options(sub, p=False)
    sub.add_argument("--message", metavar="SYMBOLS",
                     help="the symbols to code, e.g. '0 1 0 2', or text when Q is over letters "
                          "(--q english --message 'hello world'; default: sampled from P)")
    sub.add_argument("--p", metavar="P", help="sample the message from P (default: Q)")
    sub.add_argument("-n", "--n", dest="n", type=whole_number(1, 200), default=12, metavar="N",
                     help="symbols to sample when no --message is given")
    sub.add_argument("--seed", type=whole_number(0), default=0, help="seed of the sample")


def _message(args, q) -> np.ndarray:
    if args.message is not None:
        try:
            return np.array([int(t) for t in args.message.replace(",", " ").split()], dtype=np.int64)
        except ValueError:
            if labels_of(q) == LETTER_LABELS:
                return letters_of(args.message)
            raise OptionError(f"--message must be whole numbers separated by spaces (or text, when "
                              f"Q is over the letters: english), got {args.message!r}") from None
    p = distribution(args.p, "p") if args.p else q
    return sample(p, args.n, args.seed)


def _lengths(text: str) -> list[int]:
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1 or max(values) > 100_000 or len(values) > 6:
        raise OptionError(f"--lengths must be 1 to 6 whole numbers from 1 to 100000, got {text!r}")
    return values


def run(args) -> int:
    out = check_writable(args.out, force=args.force)
    if out.suffix.lower() not in FORMATS:
        raise OptionError(f"--out must end in {', '.join(FORMATS)}, got {out.name!r}")
    if args.kind == "tree":
        q = distribution(args.q, "q")
        coder = make_coder(args.coder, q, **coder_options(args.coder, args))
        p = distribution(args.p, "p") if args.p else None
        fig = views.code_tree(coder, p)
    elif args.kind == "arithmetic":
        q = distribution(args.q, "q")
        fig = views.arithmetic_steps(make_coder("arithmetic", q, precision=args.precision),
                                     _message(args, q))
    elif args.kind == "states":
        q = distribution(args.q, "q")
        options = {"table_log": args.table_log} if args.coder == "tans" and args.table_log else {}
        if args.coder == "rans" and args.table_log:
            raise OptionError("--table-log applies to tans, not to 'rans'")
        fig = views.state_evolution(make_coder(args.coder, q, **options), _message(args, q))
    elif args.kind == "wrong-codebook":
        fig = views.wrong_codebook(distribution(args.p, "p"), distribution(args.q, "q"))
    else:
        fig = views.typical_set(distribution(args.p, "p"), distribution(args.q, "q"),
                                _lengths(args.lengths), args.sequences, args.seed)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=out.suffix[1:].lower(), dpi=args.dpi)
    atomic_write(out, buffer.getvalue(), overwrite=args.force)
    print(f"{args.kind} view -> {out}")
    return 0
