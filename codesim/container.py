"""Encoded messages, and saved messages: an :class:`Encoded` as bytes that detect damage.

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

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from .errors import DecodeError

__all__ = ["Encoded", "dumps", "loads", "fingerprint", "MAGIC", "FORMAT_VERSION"]


@dataclass(frozen=True)
class Encoded:
    """An encoded message: payload bytes plus the exact bit count and symbol count.

    ``payload`` holds ``num_bits`` meaningful bits; what follows them up to the byte (or word)
    boundary is padding, never counted.  ``coder``, ``options`` and ``model_fingerprint`` say
    which code made it, so that decoding with another model can be refused.
    """

    coder: str
    num_symbols: int
    num_bits: int
    payload: bytes
    options: dict = field(default_factory=dict)
    model_fingerprint: str = ""
    #: side data, not part of the message: the bit offset of every 16th codeword of a prefix
    #: code, which lets the decoder work on many stretches at once (never saved by to_bytes)
    seek: object = field(default=None, compare=False, repr=False)

    @property
    def bits_per_symbol(self) -> float:
        """num_bits / num_symbols (nan for an empty message)."""
        return self.num_bits / self.num_symbols if self.num_symbols else float("nan")

    def to_bytes(self) -> bytes:
        """Serialise with a header that detects damage (see the module docstring)."""
        return dumps(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Encoded":
        """Read what :meth:`to_bytes` wrote; raise DecodeError when it is damaged."""
        return loads(data)

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
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DecodeError("a saved message is bytes (as to_bytes wrote them), got "
                          f"{type(data).__name__}")
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


def fingerprint(*arrays, **options) -> str:
    """A short hash of a model's arrays and options, stored with a message to detect misuse."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
    h.update(repr(sorted(options.items())).encode())
    return h.hexdigest()[:16]
