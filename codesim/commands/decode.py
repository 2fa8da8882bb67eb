"""``codesim decode``: decode a saved message with the code built for Q."""

from __future__ import annotations

from ..coders import make_coder
from ..container import loads
from ..files import atomic_write, check_writable, write_symbols
from ..sources.labels import text_of
from ._common import add_alphabet_options, add_command, add_smooth_option, alphabet, codebook_q


def register(subs) -> None:
    sub = add_command(
        subs, "decode", "decode a saved message with the code built for Q",
        "Read a saved message, check it for damage, decode it with the coder named in it built "
        "for Q (a different Q is refused), and write the symbols: text, a .npy array, raw "
        "bytes with --bytes, or the letters' text with --letters. OUTPUT is written whole or not "
        "at all, never over INPUT, and over an existing file only with --force.",
        "codesim decode --q english --letters hello.csim hello.txt", distributions=True)
    sub.add_argument("input", help="the saved message")
    sub.add_argument("output", help="where to write the symbols")
    sub.add_argument("--q", required=True, metavar="Q", help="the distribution the code was built for")
    add_alphabet_options(sub, "OUTPUT is")
    add_smooth_option(sub)
    sub.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    sub.set_defaults(func=run)


def run(args) -> int:
    check_writable(args.output, force=args.force, inputs=[args.input])
    with open(args.input, "rb") as fh:
        enc = loads(fh.read())
    coder = make_coder(enc.coder, codebook_q(args), **enc.options)
    symbols = coder.decode(enc)
    if alphabet(args) == "letters":
        atomic_write(args.output, text_of(symbols) + "\n", overwrite=args.force)
    else:
        write_symbols(args.output, symbols, alphabet(args) == "bytes", overwrite=args.force)
    print(f"{enc.coder}: {enc.num_bits} bits -> {symbols.size} symbols -> {args.output}")
    return 0
