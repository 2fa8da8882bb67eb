"""Saved messages: an :class:`~codesim.coders.Encoded` as bytes that detect damage.

Layout (all integers big-endian)::

    offset  size  field
    0       4     magic b"CSIM"
    4       1     format version (1)
    5       4     header length H
    9       H     header: UTF-8 JSON {coder, options, num_symbols, num_bits, model_fingerprint,
                  payload_bytes}
    9+H     4     CRC-32 of the header
    13+H    4     CRC-32 of the payload
    17+H    ...   payload (num_bits meaningful bits)

Reading checks each of these in order and raises :class:`~codesim.errors.DecodeError` saying
what is wrong (not a codesim message, unknown version, truncated, header or payload damaged).
Decoding then checks the model fingerprint, so a message decoded with another q is refused
rather than turned into wrong symbols.
"""

from __future__ import annotations

import json
import struct
import zlib

from .errors import DecodeError

__all__ = ["dumps", "loads", "MAGIC", "FORMAT_VERSION"]

MAGIC = b"CSIM"
FORMAT_VERSION = 1
_FIXED = struct.Struct(">4sBI")          # magic, version, header length
_CRC = struct.Struct(">II")              # header CRC, payload CRC
MAX_HEADER = 1 << 16


def dumps(encoded) -> bytes:
    """Serialise an Encoded message (see the module docstring for the layout)."""
    header = json.dumps({"coder": encoded.coder, "options": encoded.options,
                         "num_symbols": encoded.num_symbols, "num_bits": encoded.num_bits,
                         "model_fingerprint": encoded.model_fingerprint,
                         "payload_bytes": len(encoded.payload)}, sort_keys=True).encode()
    return (_FIXED.pack(MAGIC, FORMAT_VERSION, len(header)) + header
            + _CRC.pack(zlib.crc32(header), zlib.crc32(encoded.payload)) + encoded.payload)


def loads(data: bytes):
    """Read what :func:`dumps` wrote; raise DecodeError naming the damage."""
    from .coders.base import Encoded
    data = bytes(data)
    if len(data) < _FIXED.size or data[:4] != MAGIC:
        raise DecodeError("not a codesim message (no CSIM magic at the start)")
    _, version, size = _FIXED.unpack_from(data)
    if version != FORMAT_VERSION:
        raise DecodeError(f"unknown format version {version} (this codesim reads {FORMAT_VERSION})")
    if size > MAX_HEADER or len(data) < _FIXED.size + size + _CRC.size:
        raise DecodeError(f"the message is truncated: {len(data)} bytes cannot hold its header")
    header = data[_FIXED.size: _FIXED.size + size]
    header_crc, payload_crc = _CRC.unpack_from(data, _FIXED.size + size)
    if zlib.crc32(header) != header_crc:
        raise DecodeError("the header is damaged (CRC-32 mismatch)")
    try:
        meta = json.loads(header)
        fields = (str(meta["coder"]), dict(meta["options"]), meta["num_symbols"], meta["num_bits"],
                  str(meta["model_fingerprint"]), meta["payload_bytes"])
    except (ValueError, KeyError, TypeError):
        raise DecodeError("the header is not a codesim header") from None
    coder, options, num_symbols, num_bits, fingerprint, payload_bytes = fields
    for name, v in (("num_symbols", num_symbols), ("num_bits", num_bits), ("payload_bytes", payload_bytes)):
        if not isinstance(v, int) or v < 0:
            raise DecodeError(f"the header's {name} is not a count: {v!r}")
    payload = data[_FIXED.size + size + _CRC.size:]
    if len(payload) != payload_bytes:
        raise DecodeError(f"the payload has {len(payload)} bytes but the header says "
                          f"{payload_bytes}: the message is {'truncated' if len(payload) < payload_bytes else 'too long'}")
    if zlib.crc32(payload) != payload_crc:
        raise DecodeError("the payload is damaged (CRC-32 mismatch)")
    if num_bits > 8 * len(payload):
        raise DecodeError(f"num_bits {num_bits} exceeds the payload's {8 * len(payload)} bits")
    return Encoded(coder, num_symbols, num_bits, payload, options, fingerprint)


# --- the encode / decode commands ------------------------------------------------------------

def _read_symbols(path: str, as_bytes: bool):
    import numpy as np
    from .errors import SymbolError
    if as_bytes:
        with open(path, "rb") as fh:
            return np.frombuffer(fh.read(), dtype=np.uint8).astype(np.int64)
    if path.endswith(".npy"):
        return np.load(path, allow_pickle=False)
    with open(path, encoding="utf-8") as fh:
        words = fh.read().split()
    try:
        return np.array([int(w) for w in words], dtype=np.int64)
    except ValueError:
        raise SymbolError(f"{path}: expected whitespace-separated integers (or use --bytes)") from None


def _write_symbols(path: str, symbols, as_bytes: bool) -> None:
    import numpy as np
    if as_bytes:
        if symbols.size and symbols.max() > 255:
            from .errors import SymbolError
            raise SymbolError("--bytes needs symbols 0..255")
        with open(path, "wb") as fh:
            fh.write(symbols.astype(np.uint8).tobytes())
    elif path.endswith(".npy"):
        np.save(path, symbols)
    else:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(" ".join(map(str, symbols.tolist())) + "\n")


def cmd_encode(args) -> int:
    import numpy as np
    from .coders import make_coder
    from .measures import cross_entropy
    from .parsing import parse_distribution
    q = parse_distribution(args.q, "q")
    options = {"block": args.block} if args.block else {}
    if args.precision:
        options["precision"] = args.precision
    coder = make_coder(args.coder, q, **options)
    x = _read_symbols(args.input, args.bytes)
    enc = coder.encode(x)
    with open(args.output, "wb") as fh:
        fh.write(enc.to_bytes())
    empirical = np.bincount(np.asarray(x, dtype=np.int64), minlength=q.size) / max(len(x), 1)
    print(f"{args.coder}: {enc.num_symbols} symbols -> {enc.num_bits} bits "
          f"({enc.bits_per_symbol:.6f} bits/symbol measured; H(p,q) of the file's own symbol "
          f"frequencies = {cross_entropy(empirical, q) if len(x) else 0.0:.6f}, theory) -> {args.output}")
    return 0


def cmd_decode(args) -> int:
    from .coders import make_coder
    from .parsing import parse_distribution
    with open(args.input, "rb") as fh:
        enc = loads(fh.read())
    coder = make_coder(enc.coder, parse_distribution(args.q, "q"), **enc.options)
    symbols = coder.decode(enc)
    _write_symbols(args.output, symbols, args.bytes)
    print(f"{enc.coder}: {enc.num_bits} bits -> {symbols.size} symbols -> {args.output}")
    return 0


def register_cli(subs) -> None:
    import argparse
    from .coders import available_coders
    enc = subs.add_parser(
        "encode", help="code a file of symbols (or bytes) with a code built for Q",
        description="Encode INPUT (whitespace-separated integers, a .npy array, or raw bytes with "
                    "--bytes) with a coder built for Q, and write a saved message that detects "
                    "damage (magic, version, model fingerprint, CRC-32).",
        epilog="example:\n  codesim encode --q uniform:256 --coder ans --bytes README.md readme.csim",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    enc.add_argument("input")
    enc.add_argument("output")
    enc.add_argument("--q", required=True, metavar="Q", help="the distribution the code is built for")
    enc.add_argument("--coder", default="ans", choices=available_coders())
    enc.add_argument("--block", type=int, default=0, help="block length for prefix coders")
    enc.add_argument("--precision", type=int, default=0, help="model precision for stream coders")
    enc.add_argument("--bytes", action="store_true", help="INPUT is raw bytes (symbols 0..255)")
    enc.set_defaults(func=cmd_encode)
    dec = subs.add_parser(
        "decode", help="decode a saved message with the code built for Q",
        description="Read a saved message, check it for damage, decode it with the coder named in "
                    "it built for Q (a different Q is refused), and write the symbols.",
        epilog="example:\n  codesim decode --q uniform:256 --bytes readme.csim readme.txt",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    dec.add_argument("input")
    dec.add_argument("output")
    dec.add_argument("--q", required=True, metavar="Q")
    dec.add_argument("--bytes", action="store_true", help="write raw bytes (symbols 0..255)")
    dec.set_defaults(func=cmd_decode)
