r"""Prefix codes: codeword lengths -> canonical codewords -> bits, and back.

A prefix code gives symbol x a codeword of l(x) bits, none a prefix of another.  Such lengths
exist iff the Kraft sum :math:`\sum_x 2^{-l(x)} \le 1`, and a code with lengths l is the ideal
code for its *implied distribution* :math:`r(x) = 2^{-l(x)}`: under p it costs

.. math::  E_p[l] = \sum_x p(x) l(x) = H(p, r) = H(p) + D(p \| r)

bits per symbol (when the Kraft sum is 1).  Which codewords carry the lengths does not change
the cost; codesim uses the *canonical* assignment so that the same lengths always give the
same code: symbols sorted by (length, symbol), each codeword is the previous one plus one,
shifted left whenever the length grows.

Encoding is vectorised (codeword values and lengths looked up per symbol, bit offsets by a
cumulative sum, codewords OR-ed into 64-bit words); decoding walks bitarray's C decode tree.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from fractions import Fraction
from functools import cached_property

import numpy as np
from bitarray import bitarray, decodetree
from bitarray.util import canonical_decode

from ..validate import power_fits, checked_pmf, check_same_length, is_whole, whole_number
from ..errors import DecodeError, OptionError, a
from ..limits import PREFIX_CODE_BYTES, require_memory
from ..container import fingerprint
from .base import Coder, Encoded, as_symbols, check_support, refuse_per_position
from ..tables import Table
from ..sources.labels import with_labels
from .codebook import codebook_text
from . import compiled

__all__ = ["PrefixCode", "PrefixCoder", "DyadicIntervals", "canonical_codewords", "pack_codewords",
           "bits_at", "kraft_sum", "MAX_BLOCK_ALPHABET"]

#: Block codes are built over at most this many k-tuples.
MAX_BLOCK_ALPHABET = 2 ** 20
#: the longest block (tuples of more symbols are refused whatever K, K = 1 included)
MAX_BLOCK = 20

#: Marks a symbol without a codeword (q(x) = 0) in ``PrefixCode.lengths``.
NO_CODEWORD = -1

#: bitarray's decode trees take codewords of at most this many bits; longer codes (q(x) below
#: about 2**-255, unary over more than 256 symbols) are decoded by
#: :meth:`PrefixCode._decode_long`, a codeword at a time.
MAX_TREE_LENGTH = 256


#: codes of at most this many symbols get their canonical values in a Python loop (numpy's
#: set-up costs more at this size)
SMALL_CODE = 64


def canonical_codewords(lengths: np.ndarray) -> list[int]:
    """Canonical codeword values for the given lengths (-1: no codeword, value 0 there).

    The recurrence of DEFLATE (RFC 1951, 3.2.2): with count[l] codewords of length l,
    ``first[l] = (first[l-1] + count[l-1]) << 1`` and the symbols of length l, in increasing
    order, get first[l], first[l] + 1, ...  Tie-break: equal lengths go by symbol number.

    >>> canonical_codewords(np.array([1, 2, 3, 3]))
    [0, 2, 6, 7]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    has = lengths > 0
    if not has.any():
        return [0] * lengths.size
    max_len = int(lengths.max())
    count = np.bincount(lengths[has], minlength=max_len + 1).tolist()
    first, code = [0] * (max_len + 1), 0
    for length in range(1, max_len + 1):
        code = (code + count[length - 1]) << 1
        first[length] = code
    if lengths.size <= SMALL_CODE:          # DEFLATE's own last step: the symbols in order,
        values = [0] * lengths.size         # each taking the next value of its length
        for s, length in enumerate(lengths.tolist()):
            if length > 0:
                values[s] = first[length]
                first[length] += 1
        return values
    order = np.lexsort((np.arange(lengths.size), lengths))
    order = order[has[order]]
    sorted_len = lengths[order]
    rank = np.arange(order.size) - np.searchsorted(sorted_len, sorted_len, side="left")
    if max_len <= 62:
        values = np.zeros(lengths.size, dtype=np.int64)
        values[order] = np.array(first, dtype=np.int64)[sorted_len] + rank
        return values.tolist()
    values = [0] * lengths.size
    for s, length, r in zip(order.tolist(), sorted_len.tolist(), rank.tolist()):
        values[s] = first[length] + r
    return values


#: codewords packed per step of :func:`pack_codewords`: its temporaries then stay in cache
PACK_CHUNK = 1 << 15
#: up to this many codewords are packed into one Python int instead
SMALL_PACK = 64
#: codes over more symbols decode with bitarray's canonical tables instead of building a tree
CANONICAL_DECODE_K = 4096
#: the encoder records the bit offset of every SEEK_STRIDE-th codeword (see decode_lanes) ...
SEEK_STRIDE = 16
#: ... for messages of at least LANES_MIN symbols and codes of at most LANES_MAX_LENGTH bits
LANES_MIN = 10_000
LANES_MAX_LENGTH = 16
#: lanes decoded together: their working arrays (32 KiB each) stay in cache
LANE_BLOCK = 4096
#: codes of at most half this many bits decode two codewords per lane step (a 2**16 table)
PAIR_MAX_BITS = 16


def kraft_sum(lengths) -> Fraction:
    """sum_x 2**-l(x) over the symbols with a codeword (l >= 0), exactly, one term per length.

    >>> kraft_sum([1, 2, 3, 3, -1])
    Fraction(1, 1)
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    count = np.bincount(lengths[lengths >= 0])
    top = count.size - 1
    return Fraction(sum(int(c) << (top - l) for l, c in enumerate(count.tolist()) if c), 1 << top)


def bits_at(data: bytes, pos: int, width: int) -> int:
    """The ``width`` bits of ``data`` from bit ``pos`` on (most significant first), as a
    number; bits past the end of ``data`` read as 0.

    >>> bits_at(bytes([0b10110000]), 1, 3), bits_at(b"\\xff", 6, 4)
    (3, 12)
    """
    first, last = pos >> 3, (pos + width + 7) >> 3
    chunk = int.from_bytes(data[first:last].ljust(last - first, b"\0"), "big")
    return (chunk >> (8 * (last - first) - (pos & 7) - width)) & ((1 << width) - 1)


def pack_codewords(values: np.ndarray, lengths: np.ndarray, max_length: int = 64) -> tuple[bytes, int]:
    """Concatenate codewords (values < 2**64, 1 <= length <= max_length <= 64) into big-endian bytes.

    Codeword i starts at bit ``start = sum(lengths[:i])``, in 64-bit word ``start >> 6`` at
    offset ``start & 63``.  Left-aligned in 64 bits and shifted right by its offset, it gives
    the part that lands in its first word; the codewords landing in one word are consecutive,
    so ``np.bitwise_or.reduceat`` ORs each word's parts together.  A codeword that crosses into
    the next word (offset + length > 64; at most one per word boundary) adds its remaining low
    bits there.  The work goes in chunks of :data:`PACK_CHUNK` codewords so that every
    temporary stays in cache (memory traffic, not arithmetic, is the cost at 10**6 codewords),
    and short codewords are first merged in adjacent pairs while the merged ones still fit in 64
    bits (``v0 << l1 | v1``, length ``l0 + l1``): 3-bit codes are packed 16 at a time.

    >>> pack_codewords(np.array([1, 2], dtype=np.uint64), np.array([1, 2]))
    (b'\\xc0', 3)
    """
    if lengths.size <= SMALL_PACK:           # a few codewords: one Python int is quicker
        word, num_bits = 0, 0
        for v, l in zip(values.tolist(), lengths.tolist()):
            word = (word << l) | v
            num_bits += l
        pad = -num_bits % 8
        return (word << pad).to_bytes((num_bits + pad) // 8, "big"), num_bits
    num_bits = int(lengths.sum(dtype=np.int64))
    if num_bits == 0:
        return b"", 0
    out = np.zeros((num_bits >> 6) + 2, dtype=np.uint64)
    base = 0                                                     # bit offset of the chunk
    for i in range(0, lengths.size, PACK_CHUNK):
        base += _pack_chunk(out, base, values[i: i + PACK_CHUNK], lengths[i: i + PACK_CHUNK], max_length)
    return _packed_bytes(out, num_bits), num_bits


def _pack_chunk(out: np.ndarray, base: int, values: np.ndarray, lengths: np.ndarray,
                max_length: int) -> int:
    """OR one chunk of codewords into the 64-bit words ``out`` from bit ``base``; return its bits."""
    length = lengths.astype(np.int64)
    value = values.astype(np.uint64, copy=False)
    width = max_length
    while 2 * width <= 64 and length.size > 1:                   # merge neighbours in pairs
        if length.size % 2:                                      # pad with an empty codeword
            length, value = np.append(length, 0), np.append(value, np.uint64(0))
        value = (value[0::2] << length[1::2].view(np.uint64)) | value[1::2]
        length = length[0::2] + length[1::2]
        width *= 2
    start = np.cumsum(length)
    chunk_bits = int(start[-1])
    start -= length
    start += base                                                # bit offset of each codeword
    word = start >> 6
    offset = np.bitwise_and(start, 63, out=start).view(np.uint64)
    part = value << (64 - length).view(np.uint64)
    cross = np.flatnonzero(offset + length.view(np.uint64) > 64)   # spills into the next word
    spill = part[cross] << (np.uint64(64) - offset[cross])
    np.right_shift(part, offset, out=part)                      # the part in its first word
    first = np.flatnonzero(word[1:] != word[:-1]) + 1
    first = np.concatenate(([0], first))
    out[word[first]] |= np.bitwise_or.reduceat(part, first)
    out[word[cross] + 1] |= spill
    return chunk_bits


def _packed_bytes(out: np.ndarray, num_bits: int) -> bytes:
    """The words as big-endian bytes, cut to num_bits (one copy)."""
    return out.byteswap().view(np.uint8)[: (num_bits + 7) // 8].tobytes()


def _lane_lookup(window: np.ndarray, pos: np.ndarray, width: int, table: np.ndarray) -> np.ndarray:
    """The table entry of the ``width`` bits at each lane's position (the 32-bit window of its
    byte, shifted); a DecodeError where no codeword starts there."""
    bits = window[pos >> 3]
    bits <<= pos & 7
    bits >>= 32 - width
    bits &= (1 << width) - 1
    entry = table[bits]
    if not (entry & 31).all():
        raise DecodeError("the bits do not parse as codewords of this code: damaged data")
    return entry


def seek_table(lengths: np.ndarray) -> np.ndarray:
    """The bit offset of every SEEK_STRIDE-th codeword, from uint8 codeword lengths <= 16.

    Eight lengths at a time are read as one uint64 and summed by a multiply (at most
    8 * 16 = 128 bits, so no byte overflows): 0x0101... * v carries the sum of v's bytes
    into its top byte.

    >>> seek_table(np.array([3] * 40, dtype=np.uint8)).tolist()
    [0, 48, 96]
    """
    n = lengths.size
    whole = n - n % SEEK_STRIDE
    eights = np.ascontiguousarray(lengths[:whole], dtype=np.uint8).view(np.uint64)
    sums = (eights * np.uint64(0x0101010101010101)) >> np.uint64(56)
    per_lane = sums[0::2] + sums[1::2]
    if whole < n:
        per_lane = np.append(per_lane, np.uint64(int(lengths[whole:].sum())))
    return np.concatenate(([0], np.cumsum(per_lane[:-1], dtype=np.int64)))


class DyadicIntervals:
    """A prefix code's codewords as intervals, to find the codeword that comes next at once.

    With L the longest codeword, codeword c of l bits covers the L-bit numbers from
    c 2**(L-l) up to (c + 1) 2**(L-l): its dyadic interval, of width 2**-l as a fraction of
    2**L (their widths add up to the Kraft sum).  No codeword of a prefix code begins
    another, so no two intervals overlap, and the next L bits of a message, read as a number
    w, lie in at most one: the last that starts at or below w (a bisection), if w is inside
    it.  Given codewords that overlap are refused by name.

    >>> code = DyadicIntervals([(0, 0b0, 1), (1, 0b10, 2), (2, 0b110, 3)])    # no 111
    >>> code.width, code.codeword_at(0b101), code.codeword_at(0b111)
    (3, (1, 2), None)
    """

    def __init__(self, codewords):
        """``codewords``: (symbol, value, length) of each codeword."""
        codewords = list(codewords)
        self.width = max((l for _, _, l in codewords), default=0)
        bounds = sorted((v << (self.width - l), (v + 1) << (self.width - l), s, l)
                        for s, v, l in codewords)
        self.starts, self.ends, self.symbols, self.lengths = ([b[i] for b in bounds] for i in range(4))
        for j in range(1, len(bounds)):
            if self.starts[j] < self.ends[j - 1]:
                pair = sorted((self.symbols[j - 1], self.symbols[j]))
                raise OptionError(f"the codewords of symbols {pair[0]} and {pair[1]} are not "
                                  "prefix-free: one begins the other")

    def codeword_at(self, w: int) -> tuple[int, int] | None:
        """(symbol, codeword length) of the codeword that begins the ``width`` bits whose
        number is w, or None where no codeword does."""
        j = bisect_right(self.starts, w) - 1
        if j < 0 or w >= self.ends[j]:
            return None
        return self.symbols[j], self.lengths[j]


class PrefixCode:
    """A prefix code over symbols 0..K-1, given by codeword lengths (and optionally codewords).

    Parameters
    ----------
    lengths : array_like of int
        l(x) for each symbol; -1 for a symbol with no codeword.  A single symbol of length 0
        is the code of a one-symbol alphabet: it costs 0 bits.
    codewords : list of int, optional
        Codeword values (the l(x) bits, most significant first).  Default: canonical.
    check : bool
        Check at once that given codewords are prefix-free (by building the decode tree);
        codes prefix-free by construction (Fano's tree, the codes for the integers, whose
        prefix-freeness the tests check) skip it, and build the tree on first decode.

    Examples
    --------
    >>> code = PrefixCode([1, 2, 3, 3])
    >>> code.codewords
    ['0', '10', '110', '111']
    >>> code.kraft_sum()
    Fraction(1, 1)
    >>> code.implied_distribution().tolist()
    [0.5, 0.25, 0.125, 0.125]
    """

    def __init__(self, lengths, codewords: list[int] | None = None, check: bool = True):
        self.lengths = np.asarray(lengths, dtype=np.int64)
        if self.lengths.ndim != 1 or self.lengths.size == 0:
            raise OptionError("a prefix code needs a 1-D array of at least one code length")
        self.has_codeword = self.lengths >= 0
        if not self.has_codeword.any():
            raise OptionError("a prefix code needs at least one symbol with a codeword")
        if self.kraft_sum() > 1:
            raise OptionError(f"lengths violate Kraft's inequality (sum {float(self.kraft_sum())})")
        if (self.lengths == 0).any() and self.has_codeword.sum() > 1:
            raise OptionError("a codeword of length 0 is only possible for a one-symbol code")
        self.canonical = codewords is None
        self._values = canonical_codewords(self.lengths) if self.canonical else list(codewords)
        self.max_length = int(self.lengths.max())
        self._fast = self.max_length <= 64
        if self._fast:
            self._value_array = np.array(self._values, dtype=np.uint64)
            self._length_array = np.maximum(self.lengths, 0).astype(np.uint8)
        self._bits_per_symbol = np.where(self.has_codeword, self.lengths, 0)
        if check and codewords is not None and 0 < self.max_length <= MAX_TREE_LENGTH:
            self._tree           # given codewords: building the tree checks they are prefix-free

    @cached_property
    def _codebook(self) -> dict:
        """symbol -> codeword as a bitarray (built on first use: the fast encoder needs none)."""
        return {s: self._bitarray(s) for s in np.flatnonzero(self.has_codeword).tolist()}

    @cached_property
    def _tree(self):
        """bitarray's C decode tree (codes up to MAX_TREE_LENGTH bits)."""
        return decodetree(self._codebook)

    def _bitarray(self, s: int) -> bitarray:
        length = int(self.lengths[s])
        return bitarray(format(self._values[s], f"0{length}b"), endian="big")

    @property
    def codewords(self) -> list[str | None]:
        """The codewords as strings of '0'/'1' (None where a symbol has no codeword)."""
        return self._codeword_texts(self.lengths.size)

    def _codeword_texts(self, count: int) -> list[str | None]:
        """The first ``count`` codewords as strings of '0'/'1' (None: no codeword)."""
        return [format(v, f"0{l}b") if l > 0 else ("" if l == 0 else None)
                for v, l in zip(self._values[:count], self.lengths[:count].tolist())]

    def kraft_sum(self) -> Fraction:
        """Kraft sum, exactly: sum over symbols with a codeword of 2**-l(x)."""
        return kraft_sum(self.lengths)

    def implied_distribution(self) -> np.ndarray:
        """r(x) = 2**-l(x): the distribution for which this code is ideal (0 without codeword)."""
        return np.where(self.has_codeword, np.exp2(-self._bits_per_symbol.astype(float)), 0.0)

    def expected_length(self, p) -> float:
        """E_p[l] = sum_x p(x) l(x); ``inf`` if p gives mass to a symbol without a codeword."""
        p = checked_pmf(p, "p")
        check_same_length(p, self.lengths, ("p", "the code"))
        if np.any(p[~self.has_codeword] > 0):
            return math.inf
        return float(np.dot(p, self._bits_per_symbol))

    def length_variance(self, p) -> float:
        """Var_p[l(X)]."""
        p = checked_pmf(p, "p")
        if np.any(p[~self.has_codeword] > 0):
            return math.inf
        mean = float(np.dot(p, self._bits_per_symbol))
        return float(np.dot(p, (self._bits_per_symbol - mean) ** 2))

    def total_length(self, indices: np.ndarray, counts=None) -> int:
        """Exact number of bits of the codewords of these (valid) symbols."""
        if counts is None:
            counts = np.bincount(indices, minlength=self.lengths.size)
        return int(np.dot(counts, self._bits_per_symbol))

    def pack(self, indices: np.ndarray, seek: bool = False) -> tuple[bytes, int, np.ndarray | None]:
        """Pack the codewords of ``indices``, looked up chunk by chunk (no whole-message copy of
        values or lengths), and, with ``seek``, the bit offset of every SEEK_STRIDE-th one."""
        n = indices.size
        out = np.zeros((n * self.max_length >> 6) + 2, dtype=np.uint64)   # an upper bound
        base, seeks = 0, []
        for i in range(0, n, PACK_CHUNK):
            idx = indices[i: i + PACK_CHUNK]
            lengths = self._length_array[idx]
            if seek:
                seeks.append(seek_table(lengths) + base)
            base += _pack_chunk(out, base, self._value_array[idx], lengths, self.max_length)
        return (_packed_bytes(out, base), base,
                np.concatenate(seeks) if seek and seeks else None)

    def encode_into(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Codeword values and lengths of a symbol array (fast path), for :func:`pack_codewords`."""
        return self._value_array[indices], self._length_array[indices]

    def to_bitarray(self, indices: np.ndarray) -> bitarray:
        """The codewords of ``indices`` as one bitarray (general path, any length)."""
        out = bitarray(endian="big")
        if self.max_length > 0 and indices.size:
            out.encode(self._codebook, indices.tolist())
        return out

    @cached_property
    def _canonical_tables(self) -> tuple[list[int], list[int]]:
        """(count of codewords per length, symbols in canonical order): bitarray's
        ``canonical_decode`` decodes with these, no tree needed."""
        count = np.bincount(self.lengths[self.lengths > 0], minlength=self.max_length + 1)
        order = np.lexsort((np.arange(self.lengths.size), self.lengths))
        return count.tolist(), order[self.lengths[order] > 0].tolist()

    @cached_property
    def _lane_table(self) -> np.ndarray:
        """For every L-bit window (L = max_length): ``symbol << 5 | length`` of the codeword that
        starts it (0 where none does: an incomplete code's gap)."""
        L = self.max_length
        symbols = np.flatnonzero(self.has_codeword)
        lengths = self.lengths[symbols]
        span = np.left_shift(1, L - lengths)                   # windows per codeword
        first = np.array(self._values, dtype=np.int64)[symbols] << (L - lengths)
        table = np.zeros(1 << L, dtype=np.int64)
        where = np.repeat(first, span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
        table[where] = np.repeat(symbols << 5 | lengths, span)
        return table

    @cached_property
    def _pair_table(self) -> np.ndarray:
        """For every 2L-bit window (codes of at most 8 bits: two codewords always fit in it):
        ``symbol1 << 37 | symbol2 << 5 | length1 + length2`` of the two codewords that start it
        (total 0 where either is a gap of an incomplete code)."""
        L, table = self.max_length, self._lane_table
        window = np.arange(1 << (2 * L), dtype=np.int64)
        first = table[window >> L]
        length1 = first & 31
        second = table[((window << length1) >> L) & ((1 << L) - 1)]
        length2 = second & 31
        total = np.where((length1 > 0) & (length2 > 0), length1 + length2, 0)
        return (first >> 5) << 37 | (second >> 5) << 5 | total

    def decode_lanes(self, payload: bytes, num_bits: int, seek: np.ndarray, count: int) -> np.ndarray:
        """Decode ``count`` symbols in lanes of :data:`SEEK_STRIDE` codewords, many lanes at once.

        Lane j starts at bit ``seek[j]`` (recorded by the encoder).  At each step every lane
        reads the 32 bits from the byte its position is in (``window[pos >> 3]``, built once),
        shifts out the ``pos & 7`` bits before it and keeps the next L, looks up the symbol and
        length of the codeword that starts there, and moves on by that length; for codes of at
        most 8 bits it reads 2L bits and two codewords a step (:attr:`_pair_table`).  Lanes go
        through in blocks of :data:`LANE_BLOCK`, whose arrays stay in cache.  A lane must end exactly
        where the next begins, and the last exactly at ``num_bits``: otherwise the data or the
        seek table are damaged.
        """
        stride = SEEK_STRIDE
        padded = payload + bytes(4)
        pos = seek.astype(np.int64)
        lanes = pos.size
        bounds = np.append(pos, num_bits)
        out = np.empty((lanes, stride), dtype=np.int64)
        for first in range(0, lanes, LANE_BLOCK):
            last = min(first + LANE_BLOCK, lanes)
            steps = stride if last < lanes else count - stride * (lanes - 1)
            byte0 = int(bounds[first]) >> 3                  # this block's bytes only
            window = np.ndarray(((int(bounds[last]) + 7 >> 3) - byte0 + 1,), dtype=">u4",
                                buffer=padded, offset=byte0, strides=(1,)).astype(np.int64)
            block = pos[first:last]
            block -= byte0 << 3
            if steps == stride:
                out[first:last] = self._lane_steps(window, block, stride).T
            else:                                          # the last lane is shorter
                if last - 1 > first:
                    out[first:last - 1] = self._lane_steps(window, block[:-1], stride).T
                out[last - 1, :steps] = self._lane_steps(window, block[-1:], steps)[:, 0]
            block += byte0 << 3
        if not np.array_equal(pos, bounds[1:]):
            raise DecodeError("a stretch of codewords did not end where the next began: the data "
                              "or the seek table are damaged")
        return out.reshape(-1)[:count]

    def _lane_steps(self, window: np.ndarray, pos: np.ndarray, steps: int) -> np.ndarray:
        """``steps`` codewords of every lane starting at ``pos`` (advanced in place); two a step
        for codes of at most PAIR_MAX_BITS / 2 bits (an even number of steps)."""
        pairs = 2 * self.max_length <= PAIR_MAX_BITS and steps % 2 == 0
        width, table = (2 * self.max_length, self._pair_table) if pairs else (self.max_length, self._lane_table)
        rows = np.empty((steps, pos.size), dtype=np.int64)
        for step in range(0, steps, 2 if pairs else 1):
            entry = _lane_lookup(window, pos, width, table)
            if pairs:                                  # symbol1 << 37 | symbol2 << 5 | length
                np.right_shift(entry, 37, out=rows[step])
                np.right_shift(entry, 5, out=rows[step + 1])
                rows[step + 1] &= 0xFFFFFFFF
            else:                                      # symbol << 5 | length
                np.right_shift(entry, 5, out=rows[step])
            pos += entry & 31
        return rows

    def decode_bits(self, bits: bitarray, count: int, whole: bool = False) -> tuple[np.ndarray, int]:
        """Decode ``count`` symbols from the start of ``bits``; return them and the bits used.

        With ``whole``, ``bits`` must hold exactly ``count`` codewords: the C decoder then runs
        to the end (it raises on a partial codeword), and no bit count is needed.
        """
        if self.max_length == 0 or count == 0:           # no bits to read
            if whole and len(bits):
                raise DecodeError(f"the bits run on {len(bits)} bits past the {count} symbols expected")
            return np.full(count, int(np.argmax(self.has_codeword)), dtype=np.int64), 0
        if self.max_length > MAX_TREE_LENGTH:
            return self._decode_long(bits, count, whole)
        if (self.canonical and self.lengths.size > CANONICAL_DECODE_K and self.max_length <= 31
                and "_tree" not in self.__dict__):      # a big code: no tree to build
            symbols = canonical_decode(bits, *self._canonical_tables)
        else:
            symbols = bits.decode(self._tree)
        if not whole:
            symbols = itertools.islice(symbols, count)
        try:
            if self.lengths.size <= 256:       # bytes() drains the C iterator fastest
                symbols = np.frombuffer(bytes(symbols), dtype=np.uint8).astype(np.int64)
            else:
                symbols = np.fromiter(symbols, dtype=np.int64, count=-1)
        except ValueError as err:
            raise DecodeError(f"the bits do not parse as codewords of this code ({err})") from None
        if symbols.size != count:
            raise DecodeError(f"the bits hold {symbols.size} symbols, not the {count} expected")
        return symbols, len(bits) if whole else self.total_length(symbols)

    def _decode_long(self, bits: bitarray, count: int, whole: bool) -> tuple[np.ndarray, int]:
        """Decode any prefix code, however long its codewords, a codeword at a time: the one
        whose dyadic interval holds the next L bits (:class:`DyadicIntervals`).  Bits past the
        message's end read as 0 (and a codeword there is damage)."""
        L, codeword_at = self.max_length, self._intervals.codeword_at
        endian = bits.endian if isinstance(bits.endian, str) else bits.endian()  # bitarray 2 or 3
        data = (bits if endian == "big" else bitarray(bits, endian="big")).tobytes()
        size = len(bits)
        out = np.empty(count, dtype=np.int64)
        pos = 0
        for i in range(count):
            found = codeword_at(bits_at(data, pos, L)) if pos < size else None
            if found is None:
                raise DecodeError(f"the bits hold {i} whole symbols, not the {count} expected: "
                                  f"no codeword matches the bits at {pos} (damaged data)")
            out[i], length = found
            pos += length
            if pos > size:
                raise DecodeError(f"the bits hold {i} whole symbols, not the {count} expected: "
                                  "the last codeword runs past the end (truncated data)")
        if whole and pos != size:
            raise DecodeError(f"the bits run on {size - pos} bits past the {count} symbols expected")
        return out, pos

    @cached_property
    def _intervals(self) -> DyadicIntervals:
        have = np.flatnonzero(self.has_codeword).tolist()
        require_memory(2 * len(have) * (self.max_length // 8 + 32),
                       f"the intervals of {len(have)} codewords of up to {self.max_length} bits")
        return DyadicIntervals((s, self._values[s], l)
                               for s, l in zip(have, self.lengths[have].tolist()))

    def table(self, q=None, p=None, limit: int | None = None) -> list[dict]:
        """One row per symbol: symbol, q, -log2 q, length, codeword (and p when given); only the
        first ``limit`` symbols when it is given (a printout of a code over 2**24 symbols builds
        64 rows, not 2**24)."""
        rows = []
        count = self.lengths.size if limit is None else min(limit, self.lengths.size)
        lengths = self.lengths[:count].tolist()
        for s, (length, word) in enumerate(zip(lengths, self._codeword_texts(count))):
            row = {"symbol": s}
            if p is not None:
                row["p"] = float(p[s])
            if q is not None:
                row["q"] = float(q[s])
                row["-log2 q"] = -math.log2(q[s]) if q[s] > 0 else math.inf
            row["length"] = length if length >= 0 else None
            row["codeword"] = word
            rows.append(row)
        return rows


class PrefixCoder(Coder):
    """A prefix code designed for q (optionally on blocks of k symbols, code built for q^k).

    Subclasses say how to turn a distribution into a :class:`PrefixCode` (``build_code``).
    With ``block=k``, whole k-tuples are coded with the code for q^k (tuple index in base K,
    first symbol most significant); the last ``n mod k`` symbols, if any, with the code for q.
    """

    def __init__(self, q, block: int = 1):
        refuse_per_position(q, self.name)
        q = checked_pmf(q, "q")
        if not is_whole(block, 1):
            raise OptionError(f"block must be a positive integer, got {block!r}")
        block = int(block)
        super().__init__(q, {"block": block} if block != 1 else {})
        self.block = block
        self.possible = q > 0
        k = q.size
        if block > 1 and not power_fits(k, block, MAX_BLOCK_ALPHABET):
            size = f"{k ** block}" if power_fits(k, block, 1 << 64) else "more than 2**64"
            raise OptionError(
                f"block={block} on an alphabet of {k} symbols needs a code over {k}**{block} = "
                f"{size} tuples, more than the {MAX_BLOCK_ALPHABET} codesim builds at most")
        if block > MAX_BLOCK:
            raise OptionError(f"block={block}: codesim builds at most {MAX_BLOCK_ALPHABET} tuples "
                              f"and blocks of at most {MAX_BLOCK} symbols")
        size = k ** block if block > 1 else k
        require_memory(PREFIX_CODE_BYTES * (size + (k if block > 1 else 0)),
                       f"{a(self.name)} code over {size} {'tuples' if block > 1 else 'symbols'}")
        self.code = self.build_code(q)          # per-symbol code (and the tail code of blocks)
        self.block_code = self.build_code(_tuple_distribution(q, block)) if block > 1 else None
        self._place = k ** np.arange(block - 1, -1, -1, dtype=np.int64)

    def build_code(self, q: np.ndarray) -> PrefixCode:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fingerprint(self) -> str:
        """Lengths define a canonical code; given codewords (SFE) are hashed in full too."""
        main = self.block_code or self.code
        words = "" if main.canonical else ",".join(map(str, main._values))
        return fingerprint(main.lengths, self.code.lengths, block=self.block, codewords=words)

    def _split(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tuple indices of the whole blocks, and the tail symbols."""
        if self.block == 1:
            return x, x[:0]
        whole = x.size - x.size % self.block
        return x[:whole].reshape(-1, self.block) @ self._place, x[whole:]

    def _parts(self, x):
        tuples, tail = self._split(x)
        return ((self.block_code, tuples), (self.code, tail)) if self.block > 1 else ((self.code, x),)

    def encode(self, symbols) -> Encoded:
        x = as_symbols(symbols, self.alphabet_size)
        check_support(x, self.possible, self.q, labels=self.labels)
        parts = self._parts(x)
        seek, code = None, self.code
        packed = compiled.prefix_encode(code, x) if self.block == 1 and compiled.active(x.size, self.name) else None
        if packed is not None:                               # the compiled kernel: the same bytes
            payload, num_bits = packed
        elif self.block == 1 and code._fast and code.max_length > 0 and x.size > SMALL_PACK:
            lanes = x.size >= LANES_MIN and 0 < code.max_length <= LANES_MAX_LENGTH
            payload, num_bits, seek = code.pack(x, seek=lanes)
        elif self.block == 1 and code._fast:                 # a few codewords
            payload, num_bits = pack_codewords(*code.encode_into(x), code.max_length)
        elif all(code._fast for code, _ in parts):
            pieces = [code.encode_into(idx) for code, idx in parts if idx.size]
            values = np.concatenate([v for v, _ in pieces]) if pieces else np.zeros(0, np.uint64)
            lengths = np.concatenate([l for _, l in pieces]) if pieces else np.zeros(0, np.int64)
            payload, num_bits = pack_codewords(values, lengths, max(c.max_length for c, _ in parts))
        else:
            bits = bitarray(endian="big")
            for code, idx in parts:
                bits += code.to_bitarray(idx)
            payload, num_bits = bits.tobytes(), len(bits)
        return Encoded(self.name, int(x.size), num_bits, payload, self.options, self.fingerprint,
                       seek=seek)

    def _usable_seek(self, encoded: Encoded):
        """The message's seek table if it can drive decode_lanes (it is side data: checked)."""
        seek, n = encoded.seek, encoded.num_symbols
        if (seek is None or self.block != 1 or not 0 < self.code.max_length <= LANES_MAX_LENGTH
                or not isinstance(seek, np.ndarray) or seek.dtype.kind not in "iu"
                or seek.shape != (-(-n // SEEK_STRIDE),) or seek[0] != 0
                or np.any(np.diff(seek) <= 0) or seek[-1] >= max(encoded.num_bits, 1)):
            return None
        return seek

    def decode(self, encoded: Encoded) -> np.ndarray:
        self._check_encoded(encoded)
        if self.block == 1 and compiled.active(encoded.num_symbols, self.name):
            out = compiled.prefix_decode(self.code, encoded.payload, encoded.num_bits,
                                         encoded.num_symbols)
            if out is not None:                              # the compiled kernel, from the payload
                return out
        seek = self._usable_seek(encoded)
        if seek is not None:
            return self.code.decode_lanes(encoded.payload, encoded.num_bits, seek, encoded.num_symbols)
        bits = bitarray(endian="big")
        bits.frombytes(encoded.payload)
        del bits[encoded.num_bits:]
        n = encoded.num_symbols
        if self.block == 1:
            out, used = self.code.decode_bits(bits, n, whole=True)
        else:
            tuples, used = self.block_code.decode_bits(bits, n // self.block)
            tail, used_tail = self.code.decode_bits(bits[used:], n % self.block)
            digits = (tuples[:, None] // self._place) % self.alphabet_size
            out, used = np.concatenate([digits.reshape(-1), tail]), used + used_tail
        if used != encoded.num_bits:
            raise DecodeError(f"{encoded.num_bits - used} bits are left over after "
                              f"{n} symbols: the message is damaged")
        return out

    def code_length(self, symbols, counts=None) -> float:
        if counts is not None and self.block == 1:
            return math.inf if np.any(counts[~self.possible]) else float(self.code.total_length(None, counts))
        x = as_symbols(symbols, self.alphabet_size)
        if np.any(~self.possible[x]):
            return math.inf
        return float(sum(code.total_length(idx) for code, idx in self._parts(x)))

    def length_bounds(self, num_symbols: int) -> tuple[float, float]:
        return 0.0, 0.0      # a prefix code's length is exactly the sum of its codeword lengths

    def expected_bits_per_symbol(self, p, n: int | None = None) -> float:
        """E_p[l] per symbol (per block / k for block codes); the same for every n."""
        return self._per_p("mean", p, self._expected_length)

    def _expected_length(self, p) -> float:
        if self.block == 1:
            return self.code.expected_length(p)
        p = checked_pmf(p, "p")
        check_same_length(p, self.q)
        return self.block_code.expected_length(block_distribution(p, self.block)) / self.block

    def bits_variance(self, p, n: int | None = None) -> float:
        """Var_p[l(X)] (per block / k for block codes)."""
        return self._per_p("variance", p, self._length_variance)

    def _length_variance(self, p) -> float:
        if self.block == 1:
            return self.code.length_variance(p)
        p = checked_pmf(p, "p")
        return self.block_code.length_variance(block_distribution(p, self.block)) / self.block

    def cost_distribution(self, p):
        """(P(tuple), l(tuple), k): a codeword's length under p (k-tuples for block codes)."""
        code = self.block_code or self.code
        probs = block_distribution(np.asarray(p, dtype=np.float64), self.block) if self.block > 1 else p
        return np.asarray(probs, dtype=np.float64), code._bits_per_symbol.astype(np.float64), self.block

    def symbol_costs(self, symbols) -> np.ndarray:
        """l(x_i) for each symbol; a block code's tuple length stands at the tuple's first symbol."""
        x = as_symbols(symbols, self.alphabet_size)
        if self.block == 1:
            return self.code._bits_per_symbol[x].astype(np.float64)
        tuples, tail = self._split(x)
        costs = np.zeros(x.size)
        costs[: tuples.size * self.block: self.block] = self.block_code._bits_per_symbol[tuples]
        costs[tuples.size * self.block:] = self.code._bits_per_symbol[tail]
        return costs

    @property
    def lengths(self) -> np.ndarray:
        """Codeword lengths per symbol (of the per-symbol code; -1: no codeword)."""
        return self.code.lengths

    @property
    def codewords(self) -> list:
        """Codewords per symbol (of the per-symbol code)."""
        return self.code.codewords

    def kraft_sum(self) -> Fraction:
        """Kraft sum of the code in use (the block code when ``block > 1``)."""
        return (self.block_code or self.code).kraft_sum()

    def implied_distribution(self) -> np.ndarray:
        """2**-l(x) of the per-symbol code."""
        return self.code.implied_distribution()

    def codebook(self, p=None, limit: int | None = None):
        """The code table: symbol, (p,) q, -log2 q, length, codeword (prints and renders as a
        table); the first ``limit`` symbols only, when given."""
        if limit is not None:
            limit = whole_number(limit, "limit", 0)
        if p is not None:
            p = checked_pmf(p, "p")
            check_same_length(p, self.q)
        return Table(with_labels(self.code.table(self.q, p, limit), self.labels))

    def __str__(self) -> str:
        return codebook_text(self)


def _tuple_distribution(q: np.ndarray, k: int) -> np.ndarray:
    """q^k for a code of k-tuples, refusing a q whose possible tuples underflow to 0 (their
    product below the smallest float: a code for q^k could not describe them)."""
    tuples = block_distribution(q, k)
    possible = int(np.count_nonzero(q))
    if np.count_nonzero(tuples) != possible ** k:
        smallest = float(q[q > 0].min())
        raise OptionError(
            f"block={k}: q has a probability {smallest:.3g}, and a tuple of {k} such symbols has "
            f"probability {smallest:.3g}**{k}, below the smallest float: its codeword cannot be "
            "built. Use a smaller block, or a q without such tiny probabilities")
    return tuples


def block_distribution(q: np.ndarray, k: int) -> np.ndarray:
    """q^k, the distribution of k i.i.d. symbols, indexed in base K (first symbol most significant).

    >>> block_distribution(np.array([0.5, 0.5]), 2).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    out = q
    for _ in range(k - 1):
        out = np.multiply.outer(out, q).reshape(-1)
    return out
