"""``codesim decode``: decode a saved message with the code built for Q."""

from __future__ import annotations

from ..coders import make_coder
from ..container import loads
from ..files import check_writable, write_symbols
from ._common import add_command, distribution


def register(subs) -> None:
    sub = add_command(
        subs, "decode", "decode a saved message with the code built for Q",
        "Read a saved message, check it for damage, decode it with the coder named in it built "
        "for Q (a different Q is refused), and write the symbols: text, a .npy array, or raw "
        "bytes with --bytes. OUTPUT is written whole or not at all, never over INPUT, and over "
        "an existing file only with --force.",
        "codesim decode --q uniform:256 --bytes readme.csim readme.txt", distributions=True)
    sub.add_argument("input", help="the saved message")
    sub.add_argument("output", help="where to write the symbols")
    sub.add_argument("--q", required=True, metavar="Q", help="the distribution the code was built for")
    sub.add_argument("--bytes", action="store_true", help="write raw bytes (symbols 0..255)")
    sub.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    sub.set_defaults(func=run)


def run(args) -> int:
    check_writable(args.output, force=args.force, inputs=[args.input])
    with open(args.input, "rb") as fh:
        enc = loads(fh.read())
    coder = make_coder(enc.coder, distribution(args.q, "q"), **enc.options)
    symbols = coder.decode(enc)
    write_symbols(args.output, symbols, args.bytes, overwrite=args.force)
    print(f"{enc.coder}: {enc.num_bits} bits -> {symbols.size} symbols -> {args.output}")
    return 0
