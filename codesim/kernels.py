r"""Compiled kernels: the coders' inner loops a second time, for numba.

The readable coders (``prefix``, ``tans``, ``rans``, ``constriction_coders``) are the reference
and the documentation; the functions here run the same loops over flat integer arrays, so that
numba compiles them to machine code.  They are written in the subset of Python numba compiles
(int64 throughout: no Python ints, no uint64 mixed with int64; a hot loop's look-ups take
their index as uint64, because numba wraps a signed index below zero round to the array's end,
a select for every look-up), and they are plain Python too:
with ``NUMBA_DISABLE_JIT=1``, or called through ``.py_func``, they run as written, which is how
their logic is tested without a compiler.

Contract, checked by ``tests/coders/test_compiled.py`` over random q, n and seeds:

* an encoder writes the very bytes (and bit count) the readable coder writes;
* a decoder reads every message the readable coder writes, and returns a *status* instead of
  raising: ``(OK, n)`` or ``(code, position)``; the coder turns a bad status into the same
  :class:`~codesim.errors.DecodeError` the readable decoder raises.  A kernel never reads or
  writes outside its arrays (every buffer it reads is padded with 8 zero bytes, every read is
  bounded), so damage ends in a status, never in wrong symbols or a crash.

:func:`kernel` returns the compiled function (compiling on first use, cached on disk); only
:mod:`codesim.backends` decides whether a coder calls it.  Only the kernels in
:data:`CALLED_FROM_PYTHON` are compiled with the wrapper that lets Python call them; the rest
are helpers that other kernels call, and a helper called from Python runs as written.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["kernel", "warm_up", "loaded", "when_compiling", "KERNELS", "CALLED_FROM_PYTHON", "OK",
           "NO_CODEWORD", "RAN_OUT", "LEFT_OVER", "BAD_STATE", "FLUSH_MISMATCH", "INVALID_DATA", "UNREAD",
           "PAD"]

#: statuses a decoding kernel returns, with the position where it stopped
OK, NO_CODEWORD, RAN_OUT, LEFT_OVER, BAD_STATE, FLUSH_MISMATCH, INVALID_DATA, UNREAD = range(8)
#: zero bytes every kernel's input is padded with, so that a bit buffer may read ahead
PAD = 8

RANS_L = 1 << 47
ANS_WORD = 1 << 32


# --- bits ---------------------------------------------------------------------------------
def word_at(data, byte):
    """The 32 bits of the bytes data[byte:byte + 4], most significant first, as an int64."""
    return ((np.int64(data[byte]) << 24) | (np.int64(data[byte + 1]) << 16)
            | (np.int64(data[byte + 2]) << 8) | np.int64(data[byte + 3]))


def put_bits(out, acc, pending, pos, value, k):
    """Append the k <= 32 low bits of value to a bit writer: ``acc`` holds ``pending`` < 32
    bits not yet written, ``pos`` bytes are written; 32 bits leave at a time, most significant
    first.  Returns the writer's new (acc, pending, pos)."""
    acc = (acc << k) | value
    pending += k
    if pending >= 32:
        pending -= 32
        word = acc >> pending
        out[pos] = (word >> 24) & 0xFF
        out[pos + 1] = (word >> 16) & 0xFF
        out[pos + 2] = (word >> 8) & 0xFF
        out[pos + 3] = word & 0xFF
        pos += 4
        acc &= (1 << pending) - 1
    return acc, pending, pos


def put_run(out, acc, pending, pos, bit, count):
    """Append ``count`` copies of ``bit``; returns the writer's new state."""
    while count > 0:
        k = min(count, 32)
        acc, pending, pos = put_bits(out, acc, pending, pos, ((1 << k) - 1) * bit, k)
        count -= k
    return acc, pending, pos


def end_bits(out, acc, pending, pos):
    """Write a bit writer's last pending bits (fewer than 32), zero-padded to whole bytes;
    return the bits written in all."""
    total = 8 * pos + pending
    while pending > 0:
        out[pos] = ((acc << 8) >> pending) & 0xFF
        pos += 1
        pending -= 8
    return total


def pack_codewords_of(symbols, values, lengths, out):
    """Concatenate the codewords ``values[s]`` of ``lengths[s]`` bits (at most 32) of every
    symbol s, most significant bit first, into the bytes ``out``; return the bits written.
    The same bytes as :func:`codesim.coders.prefix.pack_codewords`.  :func:`put_bits`'s steps,
    written out in the loop: called, they cost this loop six times its time (2 to 12 ns)."""
    acc = 0
    pending = 0                       # bits in acc not yet written
    pos = 0
    for i in range(symbols.size):
        s = np.uint64(symbols[i])
        width = lengths[s]
        acc = (acc << width) | values[s]
        pending += width
        if pending >= 32:
            pending -= 32
            word = acc >> pending
            out[pos] = (word >> 24) & 0xFF
            out[pos + 1] = (word >> 16) & 0xFF
            out[pos + 2] = (word >> 8) & 0xFF
            out[pos + 3] = word & 0xFF
            pos += 4
            acc &= (1 << pending) - 1
    return end_bits(out, acc, pending, pos)


# --- prefix codes -------------------------------------------------------------------------
def decode_prefix(data, num_bits, n, pairs, pair_width, table, width, first, count, offset,
                  ordered, max_length, out):
    """Decode n codewords (of at most 32 bits) from the bytes ``data`` (padded with PAD zero
    bytes), refilling a bit buffer 32 bits at a time.

    First the ``pair_width`` bits at the read position index ``pairs``: the one or two codewords
    that lie whole inside them, as ``s1 << 40 | s2 << 16 | two << 12 | l1 << 6 | bits used``
    (0 where the first codeword is longer, or a gap of an incomplete code).  Where that gives
    nothing, the ``width`` bits index ``table``: ``symbol << 5 | length`` of the codeword that
    starts there, 0 where none of at most ``width`` bits does.  Longer codewords of a canonical
    code (``max_length`` > width) are found by length, as canonical decoding does: the codewords
    of length l are the consecutive values first[l] ... first[l] + count[l] - 1, the symbols
    ``ordered[offset[l]:]``.  ``out`` holds n + 1 symbols (a pair's second symbol is written
    whether or not it is one).  Returns (status, symbols decoded)."""
    buf = 0
    have = 0                        # bits in buf not yet used (its low bits)
    byte = 0
    last = data.size - 4            # the last whole word of the padded input
    mask = (1 << width) - 1
    pair_mask = (1 << pair_width) - 1
    i = 0
    while i < n:
        if have < 32:
            if byte > last:
                return RAN_OUT, i
            buf = ((buf & 0x7FFFFFFF) << 32) | word_at(data, byte)   # the < 32 bits left, and 32 more
            byte += 4
            have += 32
        both = pairs[(buf >> (have - pair_width)) & pair_mask]
        if both and i + 1 < n:          # no branch on one or two: out has room for one more
            out[i] = both >> 40
            out[i + 1] = (both >> 16) & 0xFFFFFF
            have -= both & 63
            i += 1 + ((both >> 12) & 1)
            continue
        entry = np.int64(table[(buf >> (have - width)) & mask])
        length = entry & 31
        if length:
            out[i] = entry >> 5
        else:
            symbol = -1
            if max_length > width:
                window = (buf >> (have - max_length)) & ((1 << max_length) - 1)
                for length in range(width + 1, max_length + 1):
                    rank = (window >> (max_length - length)) - first[length]
                    if 0 <= rank < count[length]:
                        symbol = ordered[offset[length] + rank]
                        break
            if symbol < 0:
                return NO_CODEWORD, i
            out[i] = symbol
        have -= length
        i += 1
    used = 8 * byte - have
    if used > num_bits:
        return RAN_OUT, n
    if used != num_bits:
        return LEFT_OVER, n
    return OK, n


# --- tANS ---------------------------------------------------------------------------------
def tans_encode(x, nb_deltas, starts, enc_states, table_log, out):
    """The readable tANS encoder's steps, backwards over x, with its bits written backwards
    from the end of ``out`` (each step's bits go in front of the ones before), the flushed
    final state in front of all; then the stream is moved to the front of ``out``.  Returns
    the bits written: the same bytes as the readable coder's, in ``out[:ceil(bits / 8)]``.

    A step writes nb = m or m - 1 bits of the state X in [L, 2L), m = table_log + 1 -
    bitlength(f): m - 1 where X < f 2**m.  As FSE computes it, without a branch, nb =
    (X + nb_deltas[s]) >> 16 with nb_deltas[s] = m 2**16 - f 2**m (X - f 2**m lies in
    (-2**16, 2**16) for table_log <= 16); then X becomes enc_states[starts[s] + (X >> nb)],
    starts[s] = the symbol's first entry - f."""
    size = 1 << table_log
    state = size
    acc = 0                               # bits not yet written: the stream's earliest on top
    filled = 0
    end = out.size - 1                    # words go before this byte; the last byte stays 0
    total = 0
    for i in range(x.size - 1, -1, -1):
        s = np.uint64(x[i])
        nb = (state + nb_deltas[s]) >> 16
        acc |= (state & ((1 << nb) - 1)) << filled
        filled += nb
        total += nb
        if filled >= 32:
            end -= 4
            out[end] = (acc >> 24) & 0xFF
            out[end + 1] = (acc >> 16) & 0xFF
            out[end + 2] = (acc >> 8) & 0xFF
            out[end + 3] = acc & 0xFF
            acc >>= 32
            filled -= 32
        state = enc_states[np.uint64(starts[s] + (state >> nb))]
    acc |= (state - size) << filled               # the flushed final state comes first
    filled += table_log
    total += table_log
    while filled > 0:                             # the head, in whole words of its own
        end -= 4
        out[end] = (acc >> 24) & 0xFF
        out[end + 1] = (acc >> 16) & 0xFF
        out[end + 2] = (acc >> 8) & 0xFF
        out[end + 3] = acc & 0xFF
        acc >>= 32
        filled -= 32
    skip = -filled                                # zero bits in front of the stream
    start = end + (skip >> 3)
    shift = skip & 7
    for i in range((total + 7) >> 3):             # to the front, shifted to a byte boundary
        out[i] = ((out[start + i] << shift) | (out[start + i + 1] >> (8 - shift))) & 0xFF
    return total


def tans_decode(data, num_bits, n, table_log, entries, out):
    """The readable tANS decoder, its bits read through a buffer refilled 32 bits at a time;
    returns (status, symbols decoded).  State X's entry packs its symbol (bits 0-23), the bits
    nb it reads (24-31) and the next state's base (32 up): one load a step."""
    if num_bits < table_log:
        return RAN_OUT, 0
    last = data.size - 4
    buf = word_at(data, 0)
    byte = 4
    have = 32 - table_log
    state = (buf >> have) & ((1 << table_log) - 1)
    for i in range(n):
        if have < 32:
            if byte > last:
                return RAN_OUT, i
            buf = ((buf & 0x7FFFFFFF) << 32) | word_at(data, byte)   # the < 32 bits left, and 32 more
            byte += 4
            have += 32
        entry = entries[np.uint64(state)]
        out[i] = entry & 0xFFFFFF
        nb = (entry >> 24) & 0xFF
        have -= nb
        state = (entry >> 32) + ((buf >> have) & ((1 << nb) - 1))
    used = 8 * byte - have
    if used > num_bits:
        return RAN_OUT, n
    if state != 0 or used != num_bits:
        return BAD_STATE, n
    return OK, n


# --- rANS ---------------------------------------------------------------------------------
def mul_high(a, b):
    """The top 64 bits of the 128-bit product of a >= 0 and b, b an int64 read as unsigned
    (its bits, 0 to 2**64 - 1).  Plain Python here; numba compiles it to x86's one ``mul``,
    which gives all 128 bits (see :func:`_compile_intrinsics`)."""
    return np.int64((int(a) * (int(b) & 0xFFFFFFFFFFFFFFFF)) >> 64)


def rans_encode(x, freqs, cums, reciprocal, tail, scale, precision, out):
    """The readable rANS encoder (byte-wise, state in [2**47, 2**55)), writing ``out`` from its
    end backwards; returns where the message starts (``out[start:]``, in decoding order).

    The same integers by a shorter chain of dependent steps.  With m bytes pushed out
    (x' = x >> 8m) the readable step is C(s, x') = x' + c(s) + (x' // f)(M - f), and
    x' // f = (x // f) >> 8m (floor division nests), so the quotient is taken from x itself,
    while m is still being counted, and with no division: x // f is the top half of one
    128-bit product, shifted, (x r) >> (64 + t) (the reciprocal r and shift t of
    ``codesim.coders.compiled.reciprocals``), and (x // f) >> 8m shifts it by t + 8m.  A symbol
    with f = 1, whose reciprocal 2**64 does not fit, has r = 0 and ``scale`` M instead of 1:
    C(s, x') = x' M + c(s).  The symbol and the write position are uint64 indices (see the
    module's docstring): the six look-ups a symbol took a fifth of the loop's time."""
    state = RANS_L
    bound = (RANS_L >> precision) << 8
    total = np.int64(1) << precision
    k = np.uint64(out.size)
    one, two, three, four = np.uint64(1), np.uint64(2), np.uint64(3), np.uint64(4)
    for i in range(x.size - 1, -1, -1):
        s = np.uint64(x[i])
        f = freqs[s]
        x_max = bound * f                  # push bytes out while state >= x_max: 0 to
        moves = ((np.int64(state >= x_max) + np.int64((state >> 8) >= x_max))   # ceil(precision / 8)
                 + (np.int64((state >> 16) >= x_max) + np.int64((state >> 24) >= x_max)))
        out[k - one] = state & 0xFF        # of them, at most 4; without a branch: all four
        out[k - two] = (state >> 8) & 0xFF     # written, `moves` kept (the next symbol's
        out[k - three] = (state >> 16) & 0xFF  # bytes overwrite the rest)
        out[k - four] = (state >> 24) & 0xFF
        k -= np.uint64(moves)
        shift = 8 * moves
        state = ((state >> shift) * scale[s] + cums[s]
                 + (mul_high(state, reciprocal[s]) >> (tail[s] + shift)) * (total - f))
    start = np.int64(k)
    for _ in range(7):
        start -= 1
        out[start] = state & 0xFF
        state >>= 8
    return start


def symbol_of_slot(slot, guide, guide_shift, cums):
    """The symbol s with cums[s] <= slot < cums[s + 1]: a guide table of the top bits, then a
    step forward (Chen's guide table, as :mod:`codesim.sources.distributions` samples)."""
    s = guide[slot >> guide_shift]
    while cums[s + 1] <= slot:
        s += 1
    return s


def symbol_at(slot, guide, guide_shift, whole, freqs, cums):
    """(s, f(s), c(s)) for a slot: where the slot's guide bucket holds one symbol alone,
    ``whole`` holds its f << 32 | c (-1 elsewhere), so that one load gives all a decoding step
    needs; elsewhere the guide's symbol and a step forward (:func:`symbol_of_slot`)."""
    bucket = slot >> guide_shift
    entry = whole[bucket]
    if entry >= 0:
        return guide[bucket], entry >> 32, entry & 0xFFFFFFFF
    s = symbol_of_slot(slot, guide, guide_shift, cums)
    return s, freqs[s], cums[s]


def rans_decode(data, size, n, freqs, cums, precision, guide, guide_shift, whole, out):
    """The readable rANS decoder over ``size`` bytes; returns (status, symbols decoded).

    ``whole``: see :func:`symbol_at`."""
    if size < 7:
        return RAN_OUT, 0
    state = 0
    for j in range(7):
        state = (state << 8) | np.int64(data[j])
    if not RANS_L <= state < RANS_L << 8:
        return BAD_STATE, 0
    pos = 7
    mask = (1 << precision) - 1
    for i in range(n):
        slot = state & mask
        s, f, c = symbol_at(slot, guide, guide_shift, whole, freqs, cums)
        state = f * (state >> precision) + slot - c
        while state < RANS_L:
            if pos >= size:
                return RAN_OUT, i
            state = (state << 8) | np.int64(data[pos])
            pos += 1
        out[i] = s
    if state != RANS_L or pos != size:
        return BAD_STATE, n
    return OK, n


# --- constriction's ANS words ---------------------------------------------------------------
def ans_decode(words, n, freqs, cums, guide, guide_shift, whole, out):
    """Decode n symbols from the 32-bit words constriction's ``AnsCoder`` writes (precision 24,
    a 64-bit head, the head's two words last, the stack's bulk popped from its end), started at
    head 2**32: after the last symbol the head must be back at 2**32 and every word read.
    The head fills all 64 bits: uint64 arithmetic throughout (the quantile and the symbol
    as int64); ``whole``: see :func:`symbol_at`.  Returns (status, symbols decoded)."""
    top = words.size
    if top < 2:
        return RAN_OUT, 0
    low = np.uint64(ANS_WORD)
    head = (np.uint64(words[top - 1]) << np.uint64(32)) | np.uint64(words[top - 2])
    if head < low:
        return BAD_STATE, 0
    pos = top - 2
    for i in range(n):
        quantile = np.int64(head & np.uint64(0xFFFFFF))
        s, f, c = symbol_at(quantile, guide, guide_shift, whole, freqs, cums)
        head = (head >> np.uint64(24)) * np.uint64(f) + np.uint64(quantile - c)
        if head < low:
            if pos == 0:
                return RAN_OUT, i
            pos -= 1
            head = (head << np.uint64(32)) | np.uint64(words[pos])
        out[i] = s
    if head != low or pos != 0:
        return BAD_STATE, n
    return OK, n


# --- constriction's range coder --------------------------------------------------------------
#: constriction's RangeEncoder and RangeDecoder (a queue): 32-bit words, a 64-bit state
#: (lower, range), precision 24; uint64 throughout, wrapping as Rust's wrapping_add does
U24, U32 = np.uint64(24), np.uint64(32)
WORD_MASK = np.uint64(0xFFFFFFFF)
STATE_MAX = np.uint64(0xFFFFFFFFFFFFFFFF)
RANGE_FLOOR = np.uint64(1 << 32)            # range below this: one word moves
RANGE_QUANTILES = np.uint64(1 << 24)
EXHAUSTED_SPREAD = np.uint64((1 << 33) - 1)  # constriction's maybe_exhausted bound on point - lower


def wrapping_add(a, b):
    """a + b mod 2**64, of two uint64s (Rust's wrapping_add).  Plain Python here, with
    Python's integers (numpy would warn of the overflow); numba compiles it to one add."""
    return np.uint64((int(a) + int(b)) & 0xFFFFFFFFFFFFFFFF)


def wrapping_sub(a, b):
    """a - b mod 2**64, of two uint64s (Rust's wrapping_sub), as :func:`wrapping_add`."""
    return np.uint64((int(a) - int(b)) & 0xFFFFFFFFFFFFFFFF)


def release_held(out, k, first, held, carry):
    """Write the ``held`` words of a decided carry at out[k]: the first held word (+ 1 where
    the carry came) and the all-ones words after it (zeros where it came); returns the new k."""
    out[k] = (first + np.uint64(carry)) & WORD_MASK
    for j in range(1, held):
        out[k + j] = np.uint64(0) if carry else WORD_MASK
    return k + held


def range_encode(x, freqs, cums, out):
    """constriction's RangeEncoder over x, sealed: its very words in ``out``; returns how
    many, or -1 for a symbol outside 0..freqs.size - 1.  A word whose carry is still open
    (lower + range wrapped past 2**64) is held back, with the all-ones words after it, until a
    later step decides the carry (:func:`release_held`); the seal writes the point
    lower + 2**32 - 1 (and a zero word where the range's upper end has the same top word)."""
    lower = np.uint64(0)
    rng = STATE_MAX
    held = 0                                   # words held back (an open carry), 0: none
    first = np.uint64(0)                       # the first of them
    k = 0
    for i in range(x.size):
        s = x[i]
        if s < 0 or s >= freqs.size:
            return -1
        scale = rng >> U24
        rng = scale * np.uint64(freqs[s])
        new_lower = wrapping_add(lower, scale * np.uint64(cums[s]))
        if held and wrapping_add(new_lower, rng) > new_lower:       # the carry is decided
            k = release_held(out, k, first, held, new_lower < lower)
            held = 0
        lower = new_lower
        if rng < RANGE_FLOOR:
            rng <<= U32
            word = lower >> U32
            lower <<= U32
            if held:
                held += 1
            elif wrapping_add(lower, rng) > lower:
                out[k] = word
                k += 1
            else:
                held, first = 1, word
    if rng == STATE_MAX:                       # nothing coded: no words
        return k
    point = wrapping_add(lower, WORD_MASK)
    if held:
        k = release_held(out, k, first, held, point < lower)
    out[k] = point >> U32
    k += 1
    if wrapping_add(lower, rng) >> U32 == point >> U32:
        out[k] = 0
        k += 1
    return k


def range_decode(words, n, freqs, cums, guide, guide_shift, whole, out):
    """constriction's RangeDecoder: n symbols from ``words`` (past their end it reads zeros, as
    constriction does).  Returns (status, symbols decoded): INVALID_DATA where a quantile
    falls outside 0..2**24 - 1 (constriction's InvalidData), UNREAD where words are left or
    the point lies beyond what the encoder's seal leaves (not ``maybe_exhausted``)."""
    size = words.size
    point = np.uint64(0)
    read = 0
    while read < 2 and read < size:
        point = (point << U32) | np.uint64(words[read])
        read += 1
    if read == 1:
        point <<= U32
    lower = np.uint64(0)
    rng = STATE_MAX
    for i in range(n):
        scale = rng >> U24
        quantile = wrapping_sub(point, lower) // scale
        if quantile >= RANGE_QUANTILES:
            return INVALID_DATA, i
        s, f, c = symbol_at(np.int64(quantile), guide, guide_shift, whole, freqs, cums)
        lower = wrapping_add(lower, scale * np.uint64(c))
        rng = scale * np.uint64(f)
        if rng < RANGE_FLOOR:
            lower <<= U32
            rng <<= U32
            point <<= U32
            if read < size:
                point |= np.uint64(words[read])
                read += 1
        out[i] = s
    if read != size or not (rng == STATE_MAX or wrapping_sub(point, lower) < EXHAUSTED_SPREAD):
        return UNREAD, n
    return OK, n


# --- Tunstall's parse -------------------------------------------------------------------------
def tunstall_parse(x, children, first, out):
    """The readable parse (:meth:`codesim.coders.tunstall.TunstallCoder.parse`): the message's
    words, greedily from the left, from the dictionary's trie as a table: ``children[node, s]``
    is the next node (> 0), or -(index + 1) where s ends the word ``index``; ``first[node]`` is
    the node's first child, which completes a last partial word.  Returns the words written
    to ``out`` (room for x.size + 1)."""
    node = 0
    count = 0
    for i in range(x.size):
        step = children[node, x[i]]
        if step < 0:
            out[count] = -step - 1
            count += 1
            node = 0
        else:
            node = step
    while node != 0:
        step = first[node]
        if step < 0:
            out[count] = -step - 1
            count += 1
            break
        node = step
    return count


# --- the arithmetic coder ---------------------------------------------------------------------
ARITH_BITS = 48
ARITH_MASK = (1 << ARITH_BITS) - 1
ARITH_QUARTER = 1 << (ARITH_BITS - 2)


def bit_length(v):
    """int.bit_length of v >= 0, by halving: shifts of 32, 16, ..., 1 (numba unrolls the loop)."""
    n = 0
    shift = 32
    while shift:
        if v >= np.int64(1) << shift:
            v >>= shift
            n += shift
        shift >>= 1
    return n + v


def scaled(width, c, precision):
    """floor(width * c / 2**precision) for width <= 2**48 and c <= 2**precision <= 2**32,
    exactly in int64: width = a 2**24 + b, so width c = (a c) 2**24 + b c, both parts < 2**57."""
    a = (width >> 24) * c
    b = (width & 0xFFFFFF) * c
    if precision <= 24:
        return (a << (24 - precision)) + (b >> precision)
    return (a + (b >> 24)) >> (precision - 24)


def arith_narrow(low, high, c_low, c_high, precision):
    """[low, high] narrowed to the share [c_low, c_high) of 2**precision (the readable coder's
    two floors)."""
    width = high - low + 1
    return low + scaled(width, c_low, precision), low + scaled(width, c_high, precision) - 1


def arith_put_settled(out, acc, waiting, pos, low, high, pending):
    """The encoder's renormalisation after a symbol: write the settled top bits of [low, high]
    at once (the first, then ``pending`` opposite bits, then the rest) and count underflow as
    pending bits.  Returns (acc, waiting, pos, low, high, pending)."""
    settled = ARITH_BITS - bit_length(low ^ high)
    if settled:
        top = low >> (ARITH_BITS - settled)
        rest = settled
        if pending:
            first = top >> (settled - 1)
            acc, waiting, pos = put_bits(out, acc, waiting, pos, first, 1)
            acc, waiting, pos = put_run(out, acc, waiting, pos, 1 - first, pending)
            pending = 0
            rest = settled - 1
            top &= (1 << rest) - 1
        if rest > 24:
            acc, waiting, pos = put_bits(out, acc, waiting, pos, top >> 24, rest - 24)
            acc, waiting, pos = put_bits(out, acc, waiting, pos, top & 0xFFFFFF, 24)
        elif rest:
            acc, waiting, pos = put_bits(out, acc, waiting, pos, top, rest)
        low = (low << settled) & ARITH_MASK
        high = ((high << settled) & ARITH_MASK) | ((1 << settled) - 1)
    while low >= ARITH_QUARTER and high < 3 * ARITH_QUARTER:
        pending += 1
        low = (low - ARITH_QUARTER) << 1
        high = ((high - ARITH_QUARTER) << 1) | 1
    return acc, waiting, pos, low, high, pending


def arith_flush(out, acc, waiting, pos, low, pending):
    """The flush (a point of the final interval: a first bit, then pending + 1 opposite
    bits); returns the bits written in all."""
    bit = 0 if low < ARITH_QUARTER else 1
    acc, waiting, pos = put_bits(out, acc, waiting, pos, bit, 1)
    acc, waiting, pos = put_run(out, acc, waiting, pos, 1 - bit, pending + 1)
    return end_bits(out, acc, waiting, pos)


def arithmetic_encode(x, cums, precision, out):
    """The readable arithmetic coder (:func:`codesim.coders.arithmetic.encode_intervals` and
    its flush) for a fixed model: the interval [low, high] of 48-bit integers narrowed to each
    symbol's share, its settled top bits written at once, underflow counted as pending bits.
    Returns the bits written to ``out``."""
    acc, waiting, pos = 0, 0, 0             # the bit writer
    low = 0
    high = ARITH_MASK
    pending = 0
    for i in range(x.size):
        s = x[i]
        low, high = arith_narrow(low, high, cums[s], cums[s + 1], precision)
        acc, waiting, pos, low, high, pending = arith_put_settled(out, acc, waiting, pos, low,
                                                                  high, pending)
    return arith_flush(out, acc, waiting, pos, low, pending)


def bits_at(data, pos, k):
    """The k <= 48 bits of ``data`` from bit ``pos``, most significant first (7 bytes read)."""
    byte = pos >> 3
    v = 0
    for j in range(7):
        v = (v << 8) | np.int64(data[byte + j])
    return (v >> (56 - (pos & 7) - k)) & ((1 << k) - 1)


def scaled_target(d, width, precision):
    """floor((d 2**precision - 1) / width) for 1 <= d <= width <= 2**48, exactly in int64: long
    division of d 2**precision by width, 14 bits of the quotient a step (the remainder stays
    below width, so remainder << 14 < 2**62)."""
    q = 0
    r = d
    left = precision
    while left > 0:
        k = min(left, 14)
        r <<= k
        step = r // width
        r -= step * width
        q = (q << k) | step
        left -= k
    return q if r >= 1 else q - 1


def mul_divmod(w, c, m):
    """(floor(w c / m), w c mod m) for w, m <= 2**48 and c < 2**52, exactly in int64: c enters
    13 bits at a time (Horner), the remainder staying below m (every step < 2**62)."""
    q = 0
    r = 0
    for shift in (39, 26, 13, 0):
        x = (r << 13) + w * ((c >> shift) & 0x1FFF)
        q = (q << 13) + x // m
        r = x % m
    return q, r


def arith_narrow_total(low, high, c_low, c_high, total):
    """:func:`arith_narrow` for a share [c_low, c_high) of any total <= 2**46."""
    width = high - low + 1
    return (low + mul_divmod(width, c_low, total)[0],
            low + mul_divmod(width, c_high, total)[0] - 1)


def arith_target_total(code, low, high, total):
    """:func:`arith_target` for any total <= 2**46: floor(((code - low + 1) total - 1) / width);
    -1 where the code has left the interval."""
    width = high - low + 1
    d = code - low + 1
    if d < 1 or d > width:
        return -1
    q, r = mul_divmod(d, total, width)
    target = q if r >= 1 else q - 1
    return target if 0 <= target < total else -1


def arith_target(code, low, high, precision):
    """The decoder's slot of 2**precision that ``code`` points at in [low, high]; -1 where the
    code has left the interval (damage)."""
    width = high - low + 1
    d = code - low + 1
    if d < 1 or d > width:
        return -1
    target = scaled_target(d, width, precision)
    return target if 0 <= target < (1 << precision) else -1


def arith_read_settled(data, limit, pos, low, high, code, pending):
    """The decoder's renormalisation, mirroring :func:`arith_put_settled`: shift the settled
    bits out and as many new bits of ``data`` into ``code``.  Returns (pos, low, high, code,
    pending), pos -1 where a read would pass ``limit`` bits."""
    settled = ARITH_BITS - bit_length(low ^ high)
    if settled:
        if pos + settled > limit:
            return -1, low, high, code, pending
        low = (low << settled) & ARITH_MASK
        high = ((high << settled) & ARITH_MASK) | ((1 << settled) - 1)
        code = ((code << settled) & ARITH_MASK) | bits_at(data, pos, settled)
        pos += settled
        pending = 0
    while low >= ARITH_QUARTER and high < 3 * ARITH_QUARTER:
        if pos + 1 > limit:
            return -1, low, high, code, pending
        low = (low - ARITH_QUARTER) << 1
        high = ((high - ARITH_QUARTER) << 1) | 1
        code = ((code - ARITH_QUARTER) << 1) | bits_at(data, pos, 1)
        pos += 1
        pending += 1
    return pos, low, high, code, pending


def arith_decode_end(data, num_bits, n, pos, low, pending):
    """The status of a decoder that read n symbols up to bit ``pos``: LEFT_OVER where those
    are not the message's bits, FLUSH_MISMATCH where its last bits are not the flush of the
    final state (low, pending), else OK."""
    if pos - ARITH_BITS + 2 != num_bits:
        return LEFT_OVER
    if n:
        bit = 0 if low < ARITH_QUARTER else 1
        start = num_bits - pending - 2
        if start < 0:
            return FLUSH_MISMATCH
        for j in range(pending + 2):
            want = bit if j == 0 else 1 - bit
            if bits_at(data, start + j, 1) != want:
                return FLUSH_MISMATCH
    return OK


def arithmetic_decode(data, num_bits, limit, n, cums, precision, guide, guide_shift, out):
    """The readable decoder (:func:`codesim.coders.arithmetic.decode_intervals`) for a fixed
    model; ``data`` is the payload with the bits past num_bits cleared, then zero bytes up to
    ``limit`` bits and 7 more.  Returns (status, symbols decoded): BAD_STATE where the code
    leaves the interval, RAN_OUT past ``limit``, LEFT_OVER where the bits read are not the
    message's, FLUSH_MISMATCH where its last bits are not the flush of the final state."""
    low = 0
    high = ARITH_MASK
    code = bits_at(data, 0, ARITH_BITS)
    pos = ARITH_BITS
    pending = 0
    for i in range(n):
        target = arith_target(code, low, high, precision)
        if target < 0:
            return BAD_STATE, i
        s = symbol_of_slot(target, guide, guide_shift, cums)
        out[i] = s
        low, high = arith_narrow(low, high, cums[s], cums[s + 1], precision)
        pos, low, high, code, pending = arith_read_settled(data, limit, pos, low, high, code,
                                                           pending)
        if pos < 0:
            return RAN_OUT, i
    return arith_decode_end(data, num_bits, n, pos, low, pending), n


# --- theory ------------------------------------------------------------------------------------
def chain_step(pi, nxt, weights, moved, row_sum):
    """One step of a chain of tANS states: ``moved`` = sum over coded symbols of the mass
    ``pi * weight`` carried to ``nxt[row]``, summed in the order ``np.bincount`` sums it (each
    row on its own, then added), so that both backends give the same floats."""
    moved[:] = 0.0
    for row in range(nxt.shape[0]):
        w = weights[row]
        if w > 0:
            row_sum[:] = 0.0
            for x in range(pi.size):
                row_sum[nxt[row, x]] += pi[x] * w
            for x in range(pi.size):
                moved[x] += row_sum[x]


# --- context tree weighting ------------------------------------------------------------------
LOG_HALF = math.log(0.5)


def hash_slot(keys, key):
    """The slot of ``key`` in the open-addressed table ``keys`` (-1: empty), or of the empty
    slot where it would go (linear probing; the table is kept at most half full)."""
    mask = keys.size - 1
    a = (key ^ (key >> 32)) & 0xFFFFFFFF    # Knuth's multiplicative hash a 2654435761 mod 2**32,
    h = ((a & 0xFFFF) * 2654435761 + ((((a >> 16) * 2654435761) & 0xFFFF) << 16)) & 0xFFFFFFFF
    slot = (h ^ (h >> 16)) & mask           # in two 16-bit halves of a: no int64 overflows
    while keys[slot] != -1 and keys[slot] != key:
        slot = (slot + 1) & mask
    return slot


def ctw_rehash(old_keys, old_counts, old_logs, keys, counts, logs):
    """Move every node of the old table into the new (larger, empty) one."""
    for old in range(old_keys.size):
        if old_keys[old] != -1:
            slot = hash_slot(keys, old_keys[old])
            keys[slot] = old_keys[old]
            counts[slot, 0], counts[slot, 1] = old_counts[old, 0], old_counts[old, 1]
            logs[slot, 0], logs[slot, 1] = old_logs[old, 0], old_logs[old, 1]


def ctw_root(keys, counts, logs, depth, context, bit, commit):
    """The root's log P_w (nats) after ``bit`` in ``context``: the walk of
    :meth:`codesim.models.ctw._CTWWalker._updated_root`, step for step and float for float, over
    nodes kept in a hash table (node (d, suffix) is key suffix << 6 | d; ``counts`` holds its
    (a, b), ``logs`` its (log P_e, log P_w)).  With ``commit`` the walk is stored (the table must
    have room for depth + 1 new nodes).  Returns the root's log P_w and the nodes added."""
    below = 0.0
    added = 0
    for d in range(depth, -1, -1):
        suffix = context & ((1 << d) - 1)
        slot = hash_slot(keys, (suffix << 6) | d)
        a, b, log_pe = 0, 0, 0.0
        if keys[slot] != -1:
            a, b, log_pe = counts[slot, 0], counts[slot, 1], logs[slot, 0]
        count = b if bit else a
        log_pe += math.log((count + 0.5) / (a + b + 1.0))
        if d == depth:
            log_pw = log_pe
        else:
            child_bit = (context >> d) & 1
            other = hash_slot(keys, ((suffix | ((1 - child_bit) << d)) << 6) | (d + 1))
            children = below + (logs[other, 1] if keys[other] != -1 else 0.0)
            top = max(log_pe, children)
            log_pw = LOG_HALF + top + math.log(math.exp(log_pe - top) + math.exp(children - top))
        if commit:
            if keys[slot] == -1:
                keys[slot] = (suffix << 6) | d
                added += 1
            counts[slot, 0] = a + (bit == 0)
            counts[slot, 1] = b + (bit == 1)
            logs[slot, 0] = log_pe
            logs[slot, 1] = log_pw
        below = log_pw
    return below, added


def ctw_one(keys, counts, logs, depth, context, log_pw, total):
    """The walker's table: the probability that the next bit is 1, P_w(x 1) / P_w(x) with
    log P_w(x) = ``log_pw``, as a frequency of ``total``, rounded and kept in [1, total - 1]."""
    root, _ = ctw_root(keys, counts, logs, depth, context, 1, False)
    return min(max(round(math.exp(root - log_pw) * total), 1), total - 1)


def ctw_walk(x, start, stop, depth, precision, keys, counts, logs, context, log_pw, ones):
    """The bits x[start:stop] through the context tree: ``ones[i]`` is bit i's :func:`ctw_one`,
    then the tree learns the bit.  The table must have room for stop - start new paths.
    Returns the walk's (context, log_pw, nodes added)."""
    total = 1 << precision
    mask = (1 << depth) - 1
    added = 0
    for i in range(start, stop):
        ones[i] = ctw_one(keys, counts, logs, depth, context, log_pw, total)
        log_pw, new = ctw_root(keys, counts, logs, depth, context, x[i], True)
        added += new
        context = ((context << 1) | x[i]) & mask
    return context, log_pw, added


def ctw_arithmetic_decode(data, limit, start, stop, depth, precision, keys, counts, logs, context,
                          log_pw, pos, low, high, code, pending, out):
    """Bits start..stop - 1 of an arithmetic-coded message whose model is the context tree:
    the readable decoder driven by the walker (each bit's :func:`ctw_one`, then the tree
    learns it), resumable: the walk's state (context, log_pw) and the decoder's (pos, low,
    high, code, pending) go in and come out.  The table must have room for stop - start new
    paths.  Returns (status, bits decoded, context, log_pw, nodes added, pos, low, high,
    code, pending)."""
    total = 1 << precision
    mask = (1 << depth) - 1
    added = 0
    for i in range(start, stop):
        target = arith_target(code, low, high, precision)
        if target < 0:
            return BAD_STATE, i, context, log_pw, added, pos, low, high, code, pending
        one = ctw_one(keys, counts, logs, depth, context, log_pw, total)
        bit = 1 if target >= total - one else 0
        out[i] = bit
        if bit:
            low, high = arith_narrow(low, high, total - one, total, precision)
        else:
            low, high = arith_narrow(low, high, 0, total - one, precision)
        pos, low, high, code, pending = arith_read_settled(data, limit, pos, low, high, code,
                                                           pending)
        if pos < 0:
            return RAN_OUT, i, context, log_pw, added, pos, low, high, code, pending
        log_pw, new = ctw_root(keys, counts, logs, depth, context, bit, True)
        added += new
        context = ((context << 1) | bit) & mask
    return OK, stop, context, log_pw, added, pos, low, high, code, pending


# --- counts per context ------------------------------------------------------------------------
def counts_row(keys, rows, context):
    """The row of counts of ``context`` (-1: none yet) and its slot in the hash table."""
    slot = hash_slot(keys, context)
    return (rows[slot] if keys[slot] != -1 else -1), slot


def counts_learn(keys, rows, counts, sums, used, context, slot, row, s):
    """Count s in ``context``'s row (a new row where it has none); returns the rows used."""
    if row < 0:
        row = used
        used += 1
        keys[slot] = context
        rows[slot] = row
    counts[row, s] += 1
    sums[row] += 1
    return used


def counts_next(context, s, k, below):
    """The next context: (context k + s) mod k**order, with ``below`` = k**(order - 1) (0 for
    order 0), computed as (context mod below) k + s, which no int64 overflows."""
    return (context % below) * k + s if below else 0


def counts_rehash(old_keys, old_rows, keys, rows):
    """Move every context of the old hash table into the new (larger, empty) one."""
    for old in range(old_keys.size):
        if old_keys[old] != -1:
            slot = hash_slot(keys, old_keys[old])
            keys[slot] = old_keys[old]
            rows[slot] = old_rows[old]


def counts_walk(x, start, stop, k, u, d, below, learn, keys, rows, counts, sums, used, context,
                lows, highs, totals):
    """Symbols x[start:stop] through counts per context with frequencies d c(s) + u (the
    readable walker's integers): each one's share [lows[i], highs[i]) of totals[i], then (with
    ``learn``) the count.  The tables must have room for stop - start new rows.  Returns the
    walk's (rows used, context)."""
    for i in range(start, stop):
        s = x[i]
        row, slot = counts_row(keys, rows, context)
        c_low = u * s
        width = u
        total = u * k
        if row >= 0:
            for a in range(s):
                c_low += d * counts[row, a]
            width += d * counts[row, s]
            total += d * sums[row]
        lows[i] = c_low
        highs[i] = c_low + width
        totals[i] = total
        if learn:
            used = counts_learn(keys, rows, counts, sums, used, context, slot, row, s)
        context = counts_next(context, s, k, below)
    return used, context


def arithmetic_encode_intervals(lows, highs, totals, out):
    """The readable arithmetic coder (:func:`codesim.coders.arithmetic.encode_intervals` and
    its flush) for symbols given as shares [lows[i], highs[i]) of totals[i] <= 2**46; returns
    the bits written to ``out``."""
    acc, waiting, pos = 0, 0, 0
    low = 0
    high = ARITH_MASK
    pending = 0
    for i in range(lows.size):
        low, high = arith_narrow_total(low, high, lows[i], highs[i], totals[i])
        acc, waiting, pos, low, high, pending = arith_put_settled(out, acc, waiting, pos, low,
                                                                  high, pending)
    return arith_flush(out, acc, waiting, pos, low, pending)


def counts_arithmetic_decode(data, limit, start, stop, k, u, d, below, learn, keys, rows, counts,
                             sums, used, context, pos, low, high, code, pending, out):
    """Symbols start..stop - 1 of an arithmetic-coded message whose model is counts per
    context (:func:`counts_walk`'s): the readable decoder, the symbol found by its share,
    resumable like :func:`ctw_arithmetic_decode`.  Returns (status, symbols decoded, rows used,
    context, pos, low, high, code, pending)."""
    for i in range(start, stop):
        row, slot = counts_row(keys, rows, context)
        total = u * k if row < 0 else u * k + d * sums[row]
        target = arith_target_total(code, low, high, total)
        if target < 0:
            return BAD_STATE, i, used, context, pos, low, high, code, pending
        s = 0
        c_low = 0
        c_high = u if row < 0 else u + d * counts[row, 0]
        while c_high <= target:
            s += 1
            c_low = c_high
            c_high += u if row < 0 else u + d * counts[row, s]
        out[i] = s
        low, high = arith_narrow_total(low, high, c_low, c_high, total)
        pos, low, high, code, pending = arith_read_settled(data, limit, pos, low, high, code,
                                                           pending)
        if pos < 0:
            return RAN_OUT, i, used, context, pos, low, high, code, pending
        if learn:
            used = counts_learn(keys, rows, counts, sums, used, context, slot, row, s)
        context = counts_next(context, s, k, below)
    return OK, stop, used, context, pos, low, high, code, pending


# --- LZ77's parse ----------------------------------------------------------------------------
def lz77_longest(values, keys, head, previous, i, window, min_match, max_match, chain):
    """The readable parse's ``longest(i)``: (length, distance) of the longest match at i among
    the ``chain`` most recent earlier positions with the same first ``min_match`` symbols
    (``keys``: one number per such run), the first found of that length; (0, 0) for none."""
    n = values.size
    if i + min_match > n:
        return 0, 0
    best, where, tried = 0, 0, 0
    top = min(max_match, n - i)
    j = head[keys[i]]
    while j >= 0 and tried < chain:
        if i - j > window:
            break
        length = min_match
        while length < top and values[j + length] == values[i + length]:
            length += 1
        if length > best:
            best, where = length, i - j
            if length == top:
                break
        j = previous[j]
        tried += 1
    return best, where


def lz77_parse(values, keys, head, previous, window, min_match, max_match, chain, lengths, distances):
    """The readable LZ77 parse (:meth:`codesim.coders.universal.LZ77Coder._parse_tokens`):
    a match where one is found and none longer starts one symbol later, else a literal;
    each position joins its key's chain (``head``: the latest, one entry a key, ``previous``:
    the one before, one a position; both given full of -1, none yet) once the parse has passed
    it.  Writes (length, distance), (1, 0) for a literal, and returns the number of tokens."""
    n = values.size
    t, i = 0, 0
    while i < n:
        length, distance = lz77_longest(values, keys, head, previous, i, window, min_match,
                                        max_match, chain)
        if length >= min_match and lz77_longest(values, keys, head, previous, i + 1, window,
                                                min_match, max_match, chain)[0] <= length:
            step = length
        else:
            length, distance, step = 1, 0, 1
        for k in range(i, min(i + step, n - min_match + 1)):     # remember the passed positions
            previous[k] = head[keys[k]]
            head[keys[k]] = k
        lengths[t], distances[t] = length, distance
        t += 1
        i += step
    return t


# --- sampling -------------------------------------------------------------------------------
def lookup_counted(u, cdf, guide, m, out, counts):
    """The first symbol x with cdf[x] > u for every uniform draw u (exactly
    ``np.searchsorted(cdf, u, side="right")``, by the guide table of
    :class:`codesim.sources.distributions._GuideTable`), written to ``out`` and counted."""
    for i in range(u.size):
        x = np.uint64(guide[np.uint64(u[i] * m)])
        while cdf[x] <= u[i]:
            x += np.uint64(1)
        out[i] = x
        counts[x] += 1


#: every kernel, by name; helpers first (a kernel calls the compiled helper)
KERNELS = ("word_at", "symbol_of_slot", "symbol_at", "bit_length", "scaled", "put_bits", "put_run",
           "end_bits", "release_held", "bits_at", "scaled_target", "arith_narrow",
           "arith_put_settled", "arith_flush", "arith_target", "arith_read_settled",
           "arith_decode_end", "arithmetic_encode", "arithmetic_decode", "pack_codewords_of",
           "decode_prefix", "tans_encode", "tans_decode", "rans_encode", "rans_decode",
           "ans_decode", "range_encode", "range_decode", "tunstall_parse", "lookup_counted",
           "chain_step", "hash_slot", "ctw_rehash", "ctw_root", "ctw_one", "ctw_walk",
           "ctw_arithmetic_decode", "mul_divmod", "arith_narrow_total", "arith_target_total",
           "counts_row", "counts_learn", "counts_next", "counts_rehash", "counts_walk",
           "arithmetic_encode_intervals", "counts_arithmetic_decode", "lz77_longest", "lz77_parse")

#: the kernels Python calls (through :func:`kernel`); every other kernel is a helper that only
#: kernels call, compiled without the wrapper that converts Python objects (see _widening_jit)
CALLED_FROM_PYTHON = ("bits_at", "arith_decode_end", "arithmetic_encode", "arithmetic_decode",
                      "pack_codewords_of", "decode_prefix", "tans_encode", "tans_decode",
                      "rans_encode", "rans_decode", "ans_decode", "range_encode", "range_decode",
                      "tunstall_parse", "lookup_counted", "chain_step", "ctw_rehash", "ctw_root",
                      "ctw_walk", "ctw_arithmetic_decode", "counts_rehash", "counts_walk",
                      "arithmetic_encode_intervals", "counts_arithmetic_decode", "lz77_parse")

#: the steps compiled once each and inlined by LLVM into the kernels that call them (as calls,
#: the arithmetic coder's steps and its bit writer cost it a third more time; inlined by numba,
#: which types and lowers a step again in each kernel, every kernel compiled 13% slower)
INLINED = ("arith_narrow", "arith_put_settled", "arith_target", "arith_read_settled", "put_bits",
           "arith_narrow_total", "arith_target_total")

_compiled: dict = {}
#: what :func:`when_compiling` was given
_when_compiling: list = []


def loaded() -> bool:
    """Whether this process (or the process it was forked from) has loaded the kernels."""
    return bool(_compiled)


def warm_up() -> None:
    """Load numba and its compiler now, in this process (about 0.7 s, once): a pool's workers,
    forked after, inherit it instead of each paying it again."""
    kernel("bits_at")(np.zeros(8, dtype=np.uint8), 0, 1)


def when_compiling(callback) -> None:
    """Have ``callback(cache_directory)`` called once in this process, as it begins to compile
    its first kernel rather than load it from numba's cache on disk (a cold cache): the hook
    by which :mod:`codesim.parallel.compile_ahead`, a layer above, starts compiling the rest."""
    _when_compiling.append(callback)


def kernel(name: str):
    """The compiled kernel ``name`` (numba's ``njit``, cached on disk), one of
    :data:`CALLED_FROM_PYTHON`; the first call makes every kernel a module global compiled on
    first use, so that a kernel calls its helpers compiled too."""
    if name not in CALLED_FROM_PYTHON:
        raise ValueError(f"{name!r} is not a kernel Python calls; those are {CALLED_FROM_PYTHON}")
    if not _compiled:
        import numba                      # the fast extra, loaded on first use only
        _listen_for_the_first_compile()
        _compile_intrinsics()
        jit = _widening_jit()
        for each in KERNELS:
            _compiled[each] = jit(globals()[each], inlined=each in INLINED,
                                  called_from_python=each in CALLED_FROM_PYTHON)
            globals()[each] = _compiled[each]
    return _compiled[name]


def _listen_for_the_first_compile() -> None:
    """Call :func:`when_compiling`'s callbacks as numba begins to compile the first kernel (or a
    numba function a kernel calls) of this process: numba's compile event, which a load from
    the cache does not send."""
    from numba.core import event

    class FirstCompile(event.Listener):
        heard = False

        def on_start(self, ev):
            dispatcher = ev.data["dispatcher"]
            if not self.heard and getattr(dispatcher.py_func, "__module__", None) == __name__:
                for callback in _when_compiling:     # one that raises is heard again next time
                    callback(dispatcher.stats.cache_path)
                self.heard = True

        def on_end(self, ev):
            pass

    event.register("numba:compile", FirstCompile())


def _widening_jit():
    """numba's njit (cached, without the GIL) for a kernel, whose calls from other kernels are
    typed with their literal types widened (Literal[int](0) as int64): type inference passes
    a kernel's constants, and its loop variables' first guesses, as literal types, and numba
    compiled the called kernel again for each (14 variants, an eighth of a cold compile).

    Compiled without what no kernel uses, which numba otherwise lowers for every function:
    reference counting (a kernel allocates nothing; it writes into the arrays it is given),
    the C-callable wrapper (for ``cfunc``), and, for a helper, the Python wrapper: together a
    sixth of a cold compile.  A helper called from Python (its compiled form has no way in
    from Python) runs as written, the way ``NUMBA_DISABLE_JIT=1`` runs every kernel.  An
    :data:`INLINED` step is marked for LLVM to inline (numba's ``forceinline``: its IR is
    linked into each caller and inlined there, where numba's own inlining would type it again
    in each caller)."""
    import numba
    from numba.core import types
    from numba.core.registry import CPUDispatcher

    class Widening(CPUDispatcher):
        def get_call_template(self, args, kws):
            return super().get_call_template(tuple(types.unliteral(a) for a in args), kws)

    class Helper(Widening):
        def __call__(self, *args, **kws):
            return self.py_func(*args, **kws)

    def jit(function, inlined: bool, called_from_python: bool):
        if numba.config.DISABLE_JIT:
            return function
        options = {"nopython": True, "nogil": True, "forceinline": inlined, "_nrt": False,
                   "no_cfunc_wrapper": True, "no_cpython_wrapper": not called_from_python}
        dispatcher = (Widening if called_from_python else Helper)(py_func=function, locals={},
                                                                  targetoptions=options)
        dispatcher.enable_caching()
        return dispatcher
    return jit


def _compile_intrinsics() -> None:
    """Teach numba :func:`mul_high` (both operands widened to 128 bits, multiplied, the top
    half kept: LLVM's ``mul i128`` of two widened words is x86's one ``mul``) and the
    wrapping uint64 arithmetic of :func:`wrapping_add` and :func:`wrapping_sub` (numba's own
    uint64 add and subtract, which wrap)."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic, overload

    @intrinsic
    def wide_mul_high(typingctx, a, b):
        def codegen(context, builder, signature, args):
            wide = ir.IntType(128)
            a, b = (builder.zext(v, wide) for v in args)
            top = builder.lshr(builder.mul(a, b), ir.Constant(wide, 64))
            return builder.trunc(top, ir.IntType(64))
        return types.int64(types.int64, types.int64), codegen

    bare = {"_nrt": False, "no_cfunc_wrapper": True, "no_cpython_wrapper": True}

    @overload(mul_high, jit_options=bare)
    def compiled_mul_high(a, b):
        return lambda a, b: wide_mul_high(np.int64(a), np.int64(b))

    @overload(wrapping_add, jit_options=bare)
    def compiled_wrapping_add(a, b):
        return lambda a, b: np.uint64(a) + np.uint64(b)

    @overload(wrapping_sub, jit_options=bare)
    def compiled_wrapping_sub(a, b):
        return lambda a, b: np.uint64(a) - np.uint64(b)
