"""``codesim encode``: code a file of symbols (or bytes) with a code built for Q."""

from __future__ import annotations

import sys

import numpy as np

from ..coders import make_coder
from ..files import atomic_write, check_writable, read_symbols
from ..limits import MESSAGE_BYTES
from ..measures import cross_entropy
from ..sources.labels import read_letters
from ._common import (add_alphabet_options, add_coder_options, add_command, add_distribution_options,
                      add_smooth_option, alphabet, codebook_q, coder_options)


def register(subs) -> None:
    sub = add_command(
        subs, "encode", "code a file of symbols (or bytes) with a code built for Q",
        "Encode INPUT (whitespace-separated integers, a .npy array of integers, raw bytes "
        "with --bytes, or text as letters with --letters) with a coder built for Q, and write a "
        "saved message that detects damage "
        "(magic, version, model fingerprint, CRC-32). OUTPUT is written whole or not at all, "
        "never over INPUT, and over an existing file only with --force.",
        "codesim encode --q english --coder huffman --letters hello.txt hello.csim",
        distributions=True)
    sub.add_argument("input", help="the symbols to encode")
    sub.add_argument("output", help="where to write the saved message")
    add_distribution_options(sub, p=False)
    add_coder_options(sub, several=False, default="ans")
    add_alphabet_options(sub, "INPUT is")
    add_smooth_option(sub)
    sub.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    sub.set_defaults(func=run)


def run(args) -> int:
    check_writable(args.output, force=args.force, inputs=[args.input])
    q = codebook_q(args)
    coder = make_coder(args.coder, q, **coder_options(args.coder, args))
    budget = max(coder.bytes_per_symbol, MESSAGE_BYTES)
    if alphabet(args) == "letters":
        x, reduced = read_letters(args.input, budget)
        if reduced:
            print(f"codesim: note: {args.input} was reduced to letters and spaces (capitals folded, "
                  "other characters each run one space): decode gives that text", file=sys.stderr)
    else:
        x = read_symbols(args.input, alphabet(args) == "bytes", budget)
    enc = coder.encode(x)
    atomic_write(args.output, enc.to_bytes(), overwrite=args.force)
    empirical = np.bincount(np.asarray(x, dtype=np.int64), minlength=q.size) / max(len(x), 1)
    theory = cross_entropy(empirical, q) if len(x) else 0.0
    print(f"{args.coder}: {enc.num_symbols} symbols -> {enc.num_bits} bits "
          f"({enc.bits_per_symbol:.6f} bits/symbol measured; H(p,q) of the file's own symbol "
          f"frequencies = {theory:.6f}, theory) -> {args.output}")
    return 0
