"""The compiled path of each coder: its tables as flat arrays, the kernel call, the status read.

A coder asks :func:`active` whether to take this path (``CODESIM_BACKEND``, see
:mod:`codesim.backends`); the functions here build the flat integer tables a kernel of
:mod:`codesim.kernels` needs (once per code or coder, kept on it), run the kernel, and turn
its status into the :class:`~codesim.errors.DecodeError` the readable decoder raises.  A
function returns None where its kernel does not serve a code (a prefix code of over 32 bits, a
non-canonical code of over 16 bits): the coder then takes its readable path.
"""

from __future__ import annotations

import numpy as np

from ..backends import compiled
from . import registry
from ..errors import DecodeError
from ..limits import MESSAGE_BYTES, require_memory
from ..models.context import room_spans
from ..kernels import (ARITH_BITS, ARITH_MASK, BAD_STATE, FLUSH_MISMATCH, INVALID_DATA, LEFT_OVER,
                       NO_CODEWORD, OK, PAD, RAN_OUT, kernel)

__all__ = ["active", "prefix_encode", "prefix_decode", "tans_encode", "tans_decode",
           "rans_encode", "rans_decode", "ans_decode", "range_encode", "range_decode",
           "arithmetic_encode", "arithmetic_decode", "context_encode", "ctw_decode",
           "counts_decode", "tunstall_parse", "chain_step", "guide_table", "lz77_tokens"]

#: codewords of at most this many bits are packed and read by the kernels (a 64-bit buffer
#: holds 31 pending bits and one codeword, or 32 bits read ahead)
KERNEL_MAX_LENGTH = 32
#: a prefix code's decoding table spans at most this many bits (2**16 entries, 256 KiB) ...
TABLE_MAX_BITS = 16
#: ... and a canonical code longer than that looks its short codewords up in this many bits
TABLE_BITS_LONG = 12
#: the decoder first reads this many bits, and the one or two codewords whole inside them
PAIR_BITS = 12
#: the top bits of a stream coder's slot index a guide table of at most 2**GUIDE_BITS symbols
GUIDE_BITS = 12


def active(n: int | None = None, coder: str | None = None) -> bool:
    """Whether coder ``coder`` takes its compiled path for a message of n symbols:
    :func:`codesim.backends.compiled` at the registry's readable rate for it (a name the
    registry does not list states none)."""
    try:
        rate = registry.spec(coder).seconds_per_symbol
    except KeyError:                  # a coder the registry does not list: no stated rate
        return compiled(n)
    return compiled(n, rate)


def _padded(payload: bytes) -> np.ndarray:
    return np.frombuffer(payload + bytes(PAD), dtype=np.uint8)


def _kept(owner, key: str, build):
    """The tables ``build()`` makes, built once and kept on ``owner``."""
    tables = owner.__dict__.setdefault("_kernel_tables", {})
    if key not in tables:
        tables[key] = build()
    return tables[key]


# --- prefix codes -------------------------------------------------------------------------
def _encode_tables(code):
    """(values, lengths) of every symbol's codeword as int64, or None where a codeword is
    longer than the kernel packs."""
    if not 0 < code.max_length <= KERNEL_MAX_LENGTH:
        return None
    return np.array(code._values, dtype=np.int64), np.maximum(code.lengths, 0).astype(np.int64)


def _lookup_table(code, width: int) -> np.ndarray:
    """For every ``width``-bit window: ``symbol << 5 | length`` of the codeword of at most
    ``width`` bits that starts it, 0 where none does."""
    symbols = np.flatnonzero(code.has_codeword)
    lengths = code.lengths[symbols]
    values = np.array(code._values, dtype=np.int64)[symbols]
    short = lengths <= width
    s, l = symbols[short], lengths[short]
    span = np.left_shift(1, width - l)                     # table entries per codeword
    start = values[short] << (width - l)
    where = np.repeat(start, span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    table = np.zeros(1 << width, dtype=np.int64)
    table[where] = np.repeat(s << 5 | l, span)
    return table


def _pair_table(code, width: int) -> np.ndarray:
    """For every ``width``-bit window, the one or two codewords that lie whole inside it:
    ``s1 << 40 | s2 << 16 | two << 12 | l1 << 6 | bits used`` (0: the first is longer than
    the window, or a gap)."""
    short = _lookup_table(code, width)
    window = np.arange(1 << width, dtype=np.int64)
    first = short[window]
    l1 = first & 31
    second = short[(window << l1) & ((1 << width) - 1)]
    l2 = second & 31
    two = (l1 > 0) & (l2 > 0) & (l1 + l2 <= width)
    used = np.where(two, l1 + l2, l1)
    entry = (first >> 5) << 40 | np.where(two, (second >> 5) << 16 | 1 << 12, 0) | l1 << 6 | used
    return np.where(l1 > 0, entry, 0)


def _decode_tables(code):
    """(pairs, pair_width, table, width, first, count, offset, ordered) of a prefix code, or
    None where the kernel cannot decode it (over 32 bits, a non-canonical code of over 16, or
    symbols beyond 2**23, which a pair's entry cannot hold)."""
    L = code.max_length
    if (not 0 < L <= KERNEL_MAX_LENGTH or (L > TABLE_MAX_BITS and not code.canonical)
            or code.lengths.size > 1 << 23):
        return None
    width = L if L <= TABLE_MAX_BITS else TABLE_BITS_LONG
    table = _lookup_table(code, width).astype(np.int32)
    pair_width = min(PAIR_BITS, 2 * L)
    pairs = _pair_table(code, pair_width)
    # a canonical code's longer codewords, by length: values first[l] .. first[l] + count[l] - 1
    # are the symbols ordered[offset[l]:], in (length, symbol) order
    symbols = np.flatnonzero(code.has_codeword)
    lengths = code.lengths[symbols]
    values = np.array(code._values, dtype=np.int64)[symbols]
    order = np.lexsort((symbols, lengths))
    count = np.bincount(lengths, minlength=L + 2).astype(np.int64)
    offset = np.concatenate(([0], np.cumsum(count[:-1]))).astype(np.int64)
    first = np.zeros(L + 2, dtype=np.int64)
    first[lengths[order][::-1]] = values[order][::-1]     # the smallest value of each length
    return pairs, pair_width, table, width, first, count, offset, symbols[order].astype(np.int64)


def prefix_encode(code, x: np.ndarray):
    """(payload, num_bits) of the codewords of x, or None where the kernel does not serve code."""
    tables = _kept(code, "encode", lambda: _encode_tables(code))
    if tables is None:
        return None
    values, lengths = tables
    out = np.empty((x.size * code.max_length >> 3) + PAD, dtype=np.uint8)    # each byte kept is set
    num_bits = kernel("pack_codewords_of")(x, values, lengths, out)
    return out[: (num_bits + 7) >> 3].tobytes(), int(num_bits)


def prefix_decode(code, payload: bytes, num_bits: int, n: int):
    """The n symbols of a message of this code's codewords (DecodeError on damage), or None
    where the kernel does not serve code."""
    tables = _kept(code, "decode", lambda: _decode_tables(code))
    if tables is None:
        return None
    pairs, pair_width, table, width, first, count, offset, ordered = tables
    if n > num_bits:                                  # every codeword has a bit at least
        raise DecodeError(f"the header says {n} symbols, but {num_bits} bits hold at most "
                          f"{num_bits} codewords: the message is damaged")
    require_memory(MESSAGE_BYTES * n, f"decoding a message of {n} symbols")
    out = np.empty(n + 1, dtype=np.int64)                 # room for a pair's second symbol
    status, at = kernel("decode_prefix")(_padded(payload), num_bits, n, pairs, pair_width,
                                         table, width, first, count, offset, ordered,
                                         code.max_length, out)
    if status == NO_CODEWORD:
        raise DecodeError(f"the bits do not parse as codewords of this code at symbol {at}: "
                          "damaged data")
    if status == RAN_OUT:
        raise DecodeError(f"the bits ran out after {at} of {n} symbols: the message is truncated")
    if status == LEFT_OVER:
        raise DecodeError(f"bits are left over after {n} symbols: the message is damaged")
    return out[:n]


# --- stream coders ------------------------------------------------------------------------
def guide_table(cums: np.ndarray, precision: int) -> tuple[np.ndarray, int]:
    """For the top min(precision, GUIDE_BITS) bits g of a slot: the symbol of slot
    g << shift (the first s with cums[s + 1] > that slot), and the shift."""
    bits = min(precision, GUIDE_BITS)
    shift = precision - bits
    starts = np.arange(1 << bits, dtype=np.int64) << shift
    return np.searchsorted(cums, starts, side="right").astype(np.int64) - 1, shift


def _status(name: str, status: int, at: int, n: int) -> None:
    if status == RAN_OUT:
        raise DecodeError(f"the {name} data ran out after {at} of {n} symbols: truncated")
    if status == BAD_STATE:
        raise DecodeError(f"the {name} state did not return to its start after the last symbol: "
                          "the data are damaged or the model is wrong")


def _tans_encode_tables(coder):
    """Per symbol s, the kernel's nb_deltas[s] = m 2**16 - f 2**m (m = table_log + 1 -
    bitlength(f): the bits a step writes, less one where the state is below f 2**m) and
    starts[s] = its first state's place in the states - f; then the states, symbol by
    symbol."""
    freqs = coder.freqs.astype(np.int64)
    m = coder.table_log + 1 - np.array([int(f).bit_length() for f in freqs.tolist()], dtype=np.int64)
    first = np.concatenate(([0], np.cumsum([len(s) for s in coder._enc_state])[:-1])).astype(np.int64)
    states = np.array([v for s in coder._enc_state for v in s], dtype=np.int64)
    return (m << 16) - (freqs << m), first - freqs, states


def _tans_decode_table(coder) -> np.ndarray:
    """State X's entry: its symbol | the bits it reads << 24 | the next state's base << 32."""
    symbols, bits, bases = (np.array(t, dtype=np.int64)
                            for t in (coder._dec_symbol, coder._dec_bits, coder._dec_base))
    return (bases << 32) | (bits << 24) | symbols


def tans_encode(coder, x: np.ndarray) -> tuple[bytes, int]:
    nb_deltas, starts, states = _kept(coder, "tans encode", lambda: _tans_encode_tables(coder))
    # every step writes at most table_log bits, the head's words at most 32 more
    out = np.empty(((x.size + 1) * coder.table_log >> 3) + 16, dtype=np.uint8)
    out[-1] = 0                                   # read (as zeros) past the stream's last byte
    num_bits = kernel("tans_encode")(x, nb_deltas, starts, states, coder.table_log, out)
    return out[: (num_bits + 7) >> 3].tobytes(), int(num_bits)


def tans_decode(coder, payload: bytes, num_bits: int, n: int) -> np.ndarray:
    entries = _kept(coder, "tans decode", lambda: _tans_decode_table(coder))
    if num_bits < coder.table_log:
        raise DecodeError(f"a tans message holds at least {coder.table_log} bits of state, "
                          f"got {num_bits}")
    out = np.empty(n, dtype=np.int64)
    status, at = kernel("tans_decode")(_padded(payload), num_bits, n, coder.table_log, entries, out)
    _status("tans", status, at, n)
    return out


def _rans_tables(coder):
    """freqs, cums, the decoder's (guide, shift, whole buckets), the encoder's division."""
    freqs = coder.freqs.astype(np.int64)
    cums = np.concatenate(([0], np.cumsum(freqs))).astype(np.int64)
    guide, shift = guide_table(cums, coder.precision)
    scale = np.where(freqs == 1, np.int64(1) << coder.precision, 1)   # f = 1: C(s, x) = x M + c
    decoding = guide, shift, whole_buckets(guide, shift, freqs, cums)
    return freqs, cums, decoding, (*reciprocals(freqs), scale)


def whole_buckets(guide: np.ndarray, shift: int, freqs: np.ndarray, cums: np.ndarray) -> np.ndarray:
    """For each bucket of the guide table (the slots g << shift to ((g + 1) << shift) - 1):
    f << 32 | c of its symbol where the bucket holds that one symbol alone (and f < 2**31),
    else -1."""
    last_slot = ((np.arange(guide.size, dtype=np.int64) + 1) << shift) - 1
    alone = (cums[guide + 1] > last_slot) & (freqs[guide] < 2**31)
    return np.where(alone, (freqs[guide] << 32) | cums[guide], -1)


def reciprocals(freqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""For each frequency f >= 2 (f <= 2**32), a reciprocal r (an int64 read as unsigned) and a
    shift t with x // f = (x r >> 64) >> t for every 0 <= x < 2**55: the rANS kernel's division
    without a divide (Granlund and Montgomery, 1994, theorem 4.2).  With l = ceil(log2 f),
    r = ceil(2**(55 + l) / f) * 2**8 (below 2**64) and t = l - 1: as (r / 2**8) f lies in
    [2**(55 + l), 2**(55 + l) + 2**l], x // f = x (r / 2**8) >> (55 + l) = (x r >> 64) >> t.
    f = 1 (whose r would be 2**64) and f = 0 get zeros; the kernel codes f = 1 on its own.

    r comes from two exact 64-bit long-division steps, 2**(55 + l) being 2**(23 + l) * 2**32:

    >>> r, t = reciprocals(np.array([3, 2**24]))
    >>> [(2**40 * (int(v) % 2**64) >> 64) >> int(u) for v, u in zip(r, t)]
    [366503875925, 65536]
    """
    f = np.maximum(freqs, 1).astype(np.uint64)
    l = np.frexp((f - np.uint64(1)).astype(np.float64))[1].astype(np.uint64)  # bit length of f - 1
    q1, r1 = np.divmod(np.uint64(1) << (l + np.uint64(23)), f)
    q2, r2 = np.divmod(r1 << np.uint64(32), f)
    reciprocal = ((q1 << np.uint64(32)) + q2 + (r2 != 0)) << np.uint64(8)
    divided = freqs >= 2
    return (np.where(divided, reciprocal.view(np.int64), 0),
            np.where(divided, l.astype(np.int64) - 1, 0))


def rans_encode(coder, x: np.ndarray) -> tuple[bytes, int]:
    freqs, cums, _, (reciprocal, tail, scale) = _kept(coder, "rans", lambda: _rans_tables(coder))
    most = -(-coder.precision // 8)              # bytes a symbol moves out: ceil(precision / 8)
    out = np.empty(x.size * most + 16, dtype=np.uint8)
    start = kernel("rans_encode")(x, freqs, cums, reciprocal, tail, scale, coder.precision, out)
    return out[start:].tobytes(), 8 * (out.size - int(start))


def rans_decode(coder, payload: bytes, n: int) -> np.ndarray:
    freqs, cums, decoding, _ = _kept(coder, "rans", lambda: _rans_tables(coder))
    if len(payload) < 7:
        raise DecodeError(f"a rANS message holds at least 7 bytes of state, got {len(payload)}")
    out = np.empty(n, dtype=np.int64)
    status, at = kernel("rans_decode")(_padded(payload), len(payload), n, freqs, cums,
                                       coder.precision, *decoding, out)
    if status == BAD_STATE and at == 0 and n:
        raise DecodeError("the rANS state is out of range: the data are damaged")
    _status("rANS", status, at, n)
    return out


def _constriction_tables(coder):
    """freqs and cums over q's support at constriction's precision 24 (its exact model, for
    ANS and the range coder alike: the coder's frequencies times its ``_widen``), and the
    guide's tables."""
    freqs = (coder.freqs[coder.possible] * coder._widen).astype(np.int64)
    cums = np.concatenate(([0], np.cumsum(freqs))).astype(np.int64)
    guide, shift = guide_table(cums, 24)
    return freqs, cums, guide, shift, whole_buckets(guide, shift, freqs, cums)


def ans_decode(coder, words: np.ndarray, n: int) -> np.ndarray:
    """constriction's ANS words decoded to indices over q's support (int32, as constriction)."""
    tables = _kept(coder, "constriction", lambda: _constriction_tables(coder))
    out = np.empty(n, dtype=np.int32)
    status, at = kernel("ans_decode")(words, n, *tables, out)
    if status != OK:
        raise DecodeError(f"ans decoding stopped after {at} of {n} symbols: the data are damaged "
                          "or the model is wrong" if status == RAN_OUT else
                          "the ANS stack did not return to its start state after the last symbol: "
                          "the data are damaged or the model is wrong")
    return out


def range_encode(coder, indices: np.ndarray) -> np.ndarray | None:
    """constriction's RangeEncoder's words for these indices over q's support (None where an
    index is outside the model: the coder then names the symbol)."""
    freqs, cums = _kept(coder, "constriction", lambda: _constriction_tables(coder))[:2]
    out = np.empty(indices.size + 4, dtype=np.uint32)      # a word a symbol at most, and the seal
    count = kernel("range_encode")(indices, freqs, cums, out)
    return out[:count] if count >= 0 else None


def range_decode(coder, words: np.ndarray, n: int) -> tuple[np.ndarray, bool]:
    """n indices over q's support from constriction's range-coded words (int32, as
    constriction), and whether the decoder may be exhausted (constriction's
    ``maybe_exhausted``)."""
    tables = _kept(coder, "constriction", lambda: _constriction_tables(coder))
    out = np.empty(n, dtype=np.int32)
    status, at = kernel("range_decode")(words, n, *tables, out)
    if status == INVALID_DATA:
        raise DecodeError(f"range decoding stopped after {at} of {n} symbols: a quantile outside "
                          "the model's 2**24 (invalid data)")
    return out, status == OK


# --- the arithmetic coder -------------------------------------------------------------------
def _arithmetic_tables(coder):
    cums = coder._cum_array
    guide, shift = guide_table(cums, coder.precision)
    return cums, guide, shift


def arithmetic_encode(coder, x: np.ndarray) -> tuple[bytes, int]:
    """A fixed model's message: the readable coder's bytes, from the compiled loop."""
    cums, _, _ = _kept(coder, "arithmetic", lambda: _arithmetic_tables(coder))
    # every symbol settles at most precision + 1 bits (its share is over 2**-precision of a
    # width over a quarter), and the flush and pending bits at most the state's 48 more
    out = np.empty(((x.size * (coder.precision + 2) + 2 * ARITH_BITS) >> 3) + PAD, dtype=np.uint8)
    num_bits = kernel("arithmetic_encode")(x, cums, coder.precision, out)
    return out[: (num_bits + 7) >> 3].tobytes(), int(num_bits)


def arithmetic_decode(coder, payload: bytes, num_bits: int, n: int) -> np.ndarray:
    """The readable decoder's symbols, or its DecodeError, from the compiled loop."""
    cums, guide, shift = _kept(coder, "arithmetic", lambda: _arithmetic_tables(coder))
    data, limit = _arithmetic_data(payload, num_bits)
    out = np.empty(n, dtype=np.int64)
    status, _ = kernel("arithmetic_decode")(data, num_bits, limit, n, cums, coder.precision,
                                            guide, shift, out)
    _check_arithmetic(status, n, num_bits)
    return out


def _arithmetic_data(payload: bytes, num_bits: int) -> tuple[np.ndarray, int]:
    """The payload as an arithmetic decoding kernel reads it: the bits past num_bits cleared,
    then zero bytes up to ``limit`` bits (as many 32-bit words as the readable decoder reads)
    and 7 more; and ``limit``."""
    whole = (num_bits + 7) >> 3
    words = -(-whole // 4) + ARITH_BITS // 32 + 4
    data = np.zeros(4 * words + PAD, dtype=np.uint8)
    data[:whole] = np.frombuffer(payload[:whole], dtype=np.uint8)
    if num_bits % 8:
        data[whole - 1] &= (0xFF << (8 - num_bits % 8)) & 0xFF      # the bits past num_bits: 0
    return data, 32 * words


def _check_arithmetic(status: int, n: int, num_bits: int) -> None:
    """The readable arithmetic decoder's DecodeError for a kernel's bad status."""
    if status == BAD_STATE:
        raise DecodeError("the code left the interval: the data are damaged")
    if status == RAN_OUT:
        raise DecodeError("the decoder read past the end of the data: damaged or truncated")
    if status == LEFT_OVER:
        raise DecodeError(f"decoding {n} symbols did not read the {num_bits} bits of the message: "
                          "the symbol count or the data are damaged")
    if status == FLUSH_MISMATCH:
        raise DecodeError(f"the message does not end as {n} symbols would end it: the symbol "
                          "count or the data are damaged")


# --- Tunstall's parse ---------------------------------------------------------------------------
def tunstall_parse(coder, x: np.ndarray) -> np.ndarray:
    """The readable parse's word indices (:meth:`~codesim.coders.tunstall.TunstallCoder.parse`),
    from the compiled loop over the dictionary's trie as a table."""
    children, first = _kept(coder, "tunstall",
                            lambda: _trie_table(coder._trie, coder.alphabet_size))
    out = np.empty(x.size + 1, dtype=np.int64)
    return out[: kernel("tunstall_parse")(x, children, first, out)]


def tunstall_pack(coder, indices: np.ndarray) -> tuple[bytes, int]:
    """The word indices as ``coder.bits``-bit codewords (the bytes of
    :func:`~codesim.coders.prefix.pack_codewords`), from the prefix codes' packing loop: index
    i is codeword i of a code whose every codeword is ``bits`` long (Tunstall's at most 20
    bits are within the loop's :data:`KERNEL_MAX_LENGTH`)."""
    values, lengths = _kept(coder, "tunstall codewords", lambda: (
        np.arange(len(coder.words), dtype=np.int64), np.full(len(coder.words), coder.bits, dtype=np.int64)))
    out = np.empty(((indices.size * coder.bits) >> 3) + PAD, dtype=np.uint8)
    num_bits = kernel("pack_codewords_of")(indices, values, lengths, out)
    return out[: (num_bits + 7) >> 3].tobytes(), int(num_bits)


def _trie_table(root: dict, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The nested dicts of a trie as ``children[node, s]`` (the next node's number > 0, or
    -(index + 1) where s ends a word) and ``first[node]`` (its first child, the same way);
    the root is node 0."""
    nodes = [root]
    for node in nodes:                                   # breadth first: numbered as met
        nodes.extend(child for child in node.values() if isinstance(child, dict))
    number = {id(node): i for i, node in enumerate(nodes)}
    require_memory(8 * len(nodes) * (k + 1), f"a table of {len(nodes)} Tunstall trie nodes")
    children = np.zeros((len(nodes), k), dtype=np.int64)
    first = np.zeros(len(nodes), dtype=np.int64)
    for i, node in enumerate(nodes):
        for j, (s, child) in enumerate(node.items()):
            step = number[id(child)] if isinstance(child, dict) else -child - 1
            children[i, s] = step
            if j == 0:
                first[i] = step
    return children, first


# --- a context model driving the arithmetic coder ---------------------------------------------
def context_encode(walker, x: np.ndarray) -> tuple[bytes, int]:
    """The readable context coder's bytes: the compiled walker's share of each symbol
    (``walker.intervals``: a context tree's or counts per context), then the arithmetic coder
    over those shares."""
    lows, highs, totals = walker.intervals(x)
    most = int(totals.max()).bit_length() + 1 if x.size else 0       # bits a symbol can settle
    out = np.empty(((x.size * most + 2 * ARITH_BITS) >> 3) + PAD, dtype=np.uint8)
    num_bits = kernel("arithmetic_encode_intervals")(lows, highs, totals, out)
    return out[: (num_bits + 7) >> 3].tobytes(), int(num_bits)


def ctw_decode(walker, payload: bytes, num_bits: int, n: int, precision: int) -> np.ndarray:
    """The readable context coder's bits for a CTW model, or its DecodeError: the decoder and
    the walk in one compiled loop (:func:`codesim.kernels.ctw_arithmetic_decode`)."""
    def step(data, limit, start, stop, coder, out):
        (status, _, walker.context, walker.log_pw, added, *coder) = kernel(
            "ctw_arithmetic_decode")(data, limit, start, stop, walker.depth, precision, walker.keys,
                                     walker.counts, walker.logs, walker.context, walker.log_pw,
                                     *coder, out)
        walker.size += added
        return status, coder
    return _context_decode(payload, num_bits, n, walker.room, step)


def counts_decode(walker, payload: bytes, num_bits: int, n: int) -> np.ndarray:
    """The readable context coder's symbols for counts per context, or its DecodeError: the
    decoder and the counts in one compiled loop (:func:`codesim.kernels.
    counts_arithmetic_decode`)."""
    def step(data, limit, start, stop, coder, out):
        (status, _, walker.used, walker.context, *coder) = kernel("counts_arithmetic_decode")(
            data, limit, start, stop, *walker.tables(), walker.used, walker.context, *coder, out)
        return status, coder
    return _context_decode(payload, num_bits, n, walker.room, step)


def _context_decode(payload: bytes, num_bits: int, n: int, room, step) -> np.ndarray:
    """The loop both compiled walkers decode with: ``step(data, limit, start, stop, coder,
    out)`` decodes symbols start..stop - 1 from the decoder's state ``coder`` (pos, low, high,
    code, pending) and returns (status, coder); the spans are as long as the walker's tables
    take (:func:`~codesim.models.context.room_spans` of its ``room``)."""
    data, limit = _arithmetic_data(payload, num_bits)
    out = np.empty(n, dtype=np.int64)
    coder = (ARITH_BITS, 0, ARITH_MASK, kernel("bits_at")(data, 0, ARITH_BITS), 0)
    status = OK
    for start, stop in room_spans(n, room):
        status, coder = step(data, limit, start, stop, coder, out)
        if status != OK:
            break
    if status == OK:
        pos, low, _, _, pending = coder
        status = kernel("arith_decode_end")(data, num_bits, n, pos, low, pending)
    _check_arithmetic(status, n, num_bits)
    return out


def chain_step(pi, nxt, weights, moved, row_sum) -> None:
    """One step of the chain of tANS states (theory), into ``moved``."""
    kernel("chain_step")(pi, np.ascontiguousarray(nxt), weights, moved, row_sum)


# --- LZ77 -----------------------------------------------------------------------------------
def _rank_runs(values: np.ndarray, length: int, keys: np.ndarray) -> int:
    """keys[i] = the rank of the run values[i:i + length] among the message's distinct runs
    (in lexicographic order); returns how many there are.  A run of symbols below b = max + 1
    is the number sum_k values[i + k] b^(length - 1 - k), which orders runs as the rows do, so
    one 1-D unique ranks them where b^length fits in an int64; else the rows are ranked."""
    count = values.size - length + 1
    base = int(values.max()) + 1
    if base ** length < 2**63:
        runs = np.zeros(count, dtype=np.int64)
        for k in range(length):
            runs = runs * base + values[k:count + k]
        distinct, keys[:count] = np.unique(runs, return_inverse=True)
    else:
        rows = np.stack([values[k:count + k] for k in range(length)], axis=1)
        distinct, keys[:count] = np.unique(rows, axis=0, return_inverse=True)
    return len(distinct)


def lz77_tokens(x: np.ndarray, window: int, min_match: int, max_match: int,
                chain: int) -> list[tuple[int, int]]:
    """LZ77's parse of x, (length, distance) a token, as the readable parse gives it; each run
    of ``min_match`` symbols is keyed by its rank among the message's distinct runs."""
    n = x.size
    require_memory(8 * 6 * n, "LZ77's parse")        # values, keys, runs, chains, tokens
    values = np.ascontiguousarray(x, dtype=np.int64)
    keys = np.zeros(n, dtype=np.int64)
    key_count = 1
    if n >= min_match:
        key_count = _rank_runs(values, min_match, keys)
    lengths, distances = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    head, previous = np.full(key_count, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    t = kernel("lz77_parse")(values, keys, head, previous, window, min_match, max_match, chain,
                             lengths, distances)
    return list(zip(lengths[:t].tolist(), distances[:t].tolist()))
