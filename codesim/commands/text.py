"""``codesim text FILE``: what a text costs under context models of order 0..J, measured,
beside LZ78, LZW, zlib, bz2 and lzma (and pyppmd's PPMd beside PPM)."""

from __future__ import annotations

import sys

from ..files import read_bounded
from ..simulation.text import MAX_SYMBOLS, TextInterrupted, text_costs
from ._common import add_command, add_quiet_option, progress_stream, whole_number
from ..tables import Table, format_table


def register(subs) -> None:
    sub = add_command(
        subs, "text", "bits of a text under context models of order 0..J, beside zlib/bz2/lzma",
        "Code FILE with the arithmetic coder under context models of order 0..J (adaptive KT or "
        "Laplace counts, or fixed counts fitted on --train), decode it back, and print the "
        "measured bits per symbol beside each model's ideal length and beside zlib, bz2 and "
        "lzma on the same bytes. Symbols are bytes, or with --letters the letters a..z and the "
        "space between words.",
        "codesim text README.md --order 3 --model kt --model laplace")
    sub.add_argument("file", help="the text to code")
    sub.add_argument("--order", type=whole_number(0, 8), default=3, metavar="J",
                     help="the highest context order: models of order 0..J")
    sub.add_argument("--model", action="append", choices=("kt", "laplace", "fixed", "ppm", "ctw"),
                     help="a model, repeat for several (default: kt); fixed uses --train; ppm is "
                          "PPM with escape method D and exclusion, beside pyppmd's PPMd at the "
                          "same order where pyppmd is installed; ctw is context tree weighting "
                          "on the bytes' bits, order j reading 8 j bits (orders 1 to 3)")
    sub.add_argument("--train", metavar="FILE",
                     help="the training text of the fixed model (default: the text itself, "
                          "the model's own cost not counted)")
    sub.add_argument("--alpha", type=float, default=0.5,
                     help="the fixed model's add-alpha smoothing (from 1/1000 to 1000)")
    sub.add_argument("--letters", action="store_true",
                     help="symbols are the letters a..z and the space (case folded, every run of "
                          "other characters one space)")
    sub.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    add_quiet_option(sub)
    sub.set_defaults(func=run)


#: memory per byte of a text while it is read, and the most bytes read: a text of more than
#: MAX_SYMBOLS symbols is refused anyway (letters: other characters are dropped, so read more)
TEXT_BYTES, TEXT_MOST = 1, 16 * MAX_SYMBOLS


def run(args) -> int:
    data = read_bounded(args.file, TEXT_BYTES, "a text", TEXT_MOST)
    train = read_bounded(args.train, TEXT_BYTES, "a training text", TEXT_MOST) if args.train else None
    try:
        rows = text_costs(data, range(args.order + 1), args.model or ["kt"], train, args.letters,
                          progress=progress_stream(args), alpha=args.alpha)
    except TextInterrupted as stop:               # keep what finished, as sweep does
        print(Table(stop.rows).to_json() if args.json else format_table(stop.rows))
        print(f"codesim: interrupted: {len(stop.rows)} rows finished", file=sys.stderr)
        return 130
    if args.json:
        print(Table(rows).to_json())
        return 0
    unit = "letter" if args.letters else "byte"
    print(f"{args.file}: {len(data)} bytes; bits per {unit}, measured by encoding and decoding "
          "(ideal_bits: the model's own code length, theory)")
    print(format_table(rows))
    if not len(data):
        print(f"nothing to compare: {args.file} is empty, so no code has a rate per {unit} "
              "(the bits above are each format's fixed cost)")
        return 0
    best = min((r for r in rows if r["coder"] == "arithmetic"), key=lambda r: r["bits"])
    lzma_row = next(r for r in rows if r["model"] == "lzma")
    print(f"best context model: order {best['order']} {best['model']}, "
          f"{best['bits_per_symbol']:.4f} bits/{unit}; lzma {lzma_row['bits_per_symbol']:.4f} "
          f"({best['bits'] / lzma_row['bits']:.3f}x lzma's bits)")
    return 0
