"""``codesim codebook``: print the prefix code built for Q (theory: lengths and codewords)."""

from __future__ import annotations

from ..coders import PREFIX_CODERS, make_coder
from ..coders.codebook import codebook_text
from ._common import (add_alphabet_options, add_coder_flags, add_command, add_distribution_options,
                      add_smooth_option, codebook_q, coder_options, distribution, in_alphabet)


def register(subs) -> None:
    sub = add_command(
        subs, "codebook", "print the prefix code built for Q",
        "Print the codebook (symbol, q, -log2 q, length, codeword) of a prefix code built for "
        "Q, its Kraft sum, and given P its expected length under P beside H(P, Q). All figures "
        "here are theory.",
        "codesim codebook --q 0.4,0.3,0.2,0.1 --coder shannon --p uniform:4", distributions=True)
    add_distribution_options(sub, p=False)
    sub.add_argument("--p", metavar="P",
                     help="also show the expected length under P (default: not shown)")
    sub.add_argument("--coder", default="huffman", choices=PREFIX_CODERS,
                     help=f"the prefix code: {', '.join(PREFIX_CODERS)}")
    add_coder_flags(sub, ("block", "max_length", "m", "k"),
                    block="build the code on blocks of K symbols (default: 1, single symbols)")
    add_alphabet_options(sub, "label the symbols as the alphabet of")
    add_smooth_option(sub)
    sub.set_defaults(func=run)


def run(args) -> int:
    q = codebook_q(args)
    p = in_alphabet(distribution(args.p, "p"), args, "p") if args.p else None
    coder = make_coder(args.coder, q, **coder_options(args.coder, args))
    print(f"{args.coder} code for q (theory: code lengths and codewords)")
    print(codebook_text(coder, p))
    return 0
