r"""Universal codes, written to be read: LZ77, LZ78 and LZW learn their dictionary from the message.

(LZ77, a sliding window's matches Huffman-coded as deflate codes them, is :class:`LZ77Coder`
below; this docstring describes LZ78 and LZW.)

Neither needs q: q sets only the alphabet, its m possible symbols (a symbol q rules out is
refused, as every codesim coder refuses it; a literal is the symbol's index among the m).  Both
parse the message into phrases, each a phrase seen before extended by one symbol, and pay for
each phrase a pointer into the dictionary of phrases so far.

**LZ78** (Ziv & Lempel, 1978).  Phrase j = 1, 2, ... is the longest earlier phrase w_i (w_0 is
empty) followed by one new symbol s, coded as the pair

* pointer i in 0..j-1: ceil(log2 j) bits, most significant first;
* literal s: ceil(log2 m) bits (none when m = 1).

If the message ends inside a phrase (its last symbols are an earlier phrase w_i, i >= 1), the
last token is the pointer alone, in ceil(log2 j) bits: the decoder knows n, so it knows that
no literal follows.

**LZW** (Welch, 1984).  The dictionary starts with the m symbols (codes 0..m-1); token t
(t = 0, 1, ...) is the code of the longest dictionary entry w that starts the rest of the
message, in ceil(log2 (m + t)) bits, and after it the entry w + (the next symbol) gets code
m + t.  The decoder adds that entry one token late, when it sees the next token's first symbol
(the token may name the very entry being added: then it is w + w's first symbol).

Every bit is a pointer or a literal, and ``phrases(symbols)`` lists them, phrase by phrase:
their bits sum to ``num_bits`` exactly (the ledger).  ``code_length`` is that exact count (the
parse is the code); there is no overhead to add.  What theory says of the rate: on a stationary
ergodic source both tend to its entropy rate, LZ78's redundancy shrinking like O(1 / log n)
(Savari, 1997; Louchard & Szpankowski, 1997); at finite n there is no closed form, so
``expected_bits_per_symbol`` is nan and a simulation's ledger shows the measured redundancy
beside the entropy (rate) it tends to.

>>> from codesim.coders import make_coder
>>> coder = make_coder("lz78", [0.5, 0.5])
>>> enc = coder.encode([0, 1, 0, 0, 1, 0, 1])          # phrases 0 | 1 | 00 | 10 | 1
>>> coder.decode(enc).tolist(), enc.num_bits
([0, 1, 0, 0, 1, 0, 1], 12)
>>> [(p["phrase"], p["pointer"], p["pointer_bits"], p["literal_bits"]) for p in coder.phrases([0, 1, 0, 0, 1, 0, 1])]
[('0', 0, 0, 1), ('1', 0, 1, 1), ('00', 1, 2, 1), ('10', 2, 2, 1), ('1', 2, 3, 0)]
"""

from __future__ import annotations

import math

import numpy as np

from ..container import fingerprint
from ..errors import DecodeError, OptionError
from ..limits import require_memory
from ..tables import Table
from ..validate import as_symbols, checked_pmf, is_whole
from .base import Coder, Encoded, NO_OVERHEAD, check_support, refuse_per_position
from .huffman import length_limited_code_lengths
from .prefix import DyadicIntervals, bits_at, canonical_codewords, pack_codewords
from . import compiled

__all__ = ["LZ77Coder", "LZ78Coder", "LZWCoder", "UniversalCoder", "DICTIONARY_BYTES"]

#: memory of one dictionary entry while coding (a dict item and its key), measured: 150
DICTIONARY_BYTES = 160
#: a message of at most this many symbols keeps its fields for the next call (simulate
#: encodes a message, then asks its code length: one parse serves both)
KEPT_FIELDS = 4096


def _width(count: int) -> int:
    """ceil(log2 count): the bits that name one of ``count`` things (0 for one)."""
    return (count - 1).bit_length()


def _pointer_bits(c: int) -> int:
    """sum_{j=1..c} ceil(log2 j): the least bits c phrases' pointers take (L = ceil(log2 c))."""
    if c == 0:
        return 0
    L = (c - 1).bit_length()
    return c * L - (1 << L) + 1


def _most_symbols(num_bits: int, first: int) -> int:
    """The most symbols ``num_bits`` can hold: c tokens need at least the pointer bits of
    tokens first..first + c - 1, and token j holds at most j symbols (one more than the phrase
    it extends), so n <= c (c + 1) / 2 for the largest affordable c."""
    low, high = 0, num_bits + 2
    while low < high:                                   # the largest c whose pointers fit
        mid = (low + high + 1) // 2
        if _pointer_bits(first + mid - 1) - _pointer_bits(first - 1) <= num_bits:
            low = mid
        else:
            high = mid - 1
    return low * (low + 1) // 2


class _Bits:
    """A reader of a message's bits, most significant first, refusing to read past num_bits:
    each read takes the (at most 9) bytes its bits lie in."""

    def __init__(self, payload: bytes, num_bits: int, name: str):
        self.data, self.pos, self.left, self.name = payload, 0, num_bits, name

    def read(self, width: int, what: str, at: int) -> int:
        if width > self.left:
            raise DecodeError(f"the {self.name} bits ran out reading the {what} of phrase {at}: "
                              "the message is truncated or damaged")
        value = bits_at(self.data, self.pos, width)
        self.pos += width
        self.left -= width
        return value

    def peek(self, width: int) -> int:
        """The next ``width`` bits as a number, without reading them (0s past the payload)."""
        return bits_at(self.data, self.pos, width)

    def read_block(self, width: int, count: int, what: str) -> np.ndarray:
        """``count`` fields of ``width`` bits each, at once, as an int64 array."""
        total = width * count
        if total > self.left:
            raise DecodeError(f"the {self.name} bits ran out reading the {what}: the message "
                              "is truncated or damaged")
        first, skip = self.pos >> 3, self.pos & 7
        bits = np.unpackbits(np.frombuffer(self.data, np.uint8, (skip + total + 7) >> 3, first))
        weights = np.int64(1) << np.arange(width - 1, -1, -1, dtype=np.int64)
        self.pos += total
        self.left -= total
        return bits[skip: skip + total].reshape(count, width).astype(np.int64) @ weights


class UniversalCoder(Coder):
    """What LZ78 and LZW share: q's support as the alphabet, an exact code length, no theory
    at finite n (see the module docstring)."""

    #: the registry family: no finite-n theory of the rate
    universal = True

    def __init__(self, q):
        refuse_per_position(q, self.name)
        q = checked_pmf(q, "q")
        super().__init__(q, {})
        self.possible = q > 0
        self.symbols = np.flatnonzero(self.possible)            # literal index -> symbol
        self.index = np.cumsum(self.possible) - 1               # symbol -> literal index
        self.literal_bits = _width(self.symbols.size)

    def _fingerprint(self) -> str:
        return fingerprint(self.possible.astype(np.uint8), coder=self.name)

    def _message(self, symbols) -> np.ndarray:
        """The message as literal indices 0..m-1 (refusing a symbol q rules out)."""
        x = as_symbols(symbols, self.alphabet_size)
        check_support(x, self.possible, self.q, labels=self.labels)
        require_memory(DICTIONARY_BYTES * x.size, f"the {self.name} dictionary of {x.size} symbols")
        return self.index[x]

    def encode(self, symbols) -> Encoded:
        x = self._message(symbols)
        values, widths = self._fields(x)
        keep = widths > 0
        payload, num_bits = pack_codewords(values[keep], widths[keep], 64) if keep.any() else (b"", 0)
        return Encoded(self.name, int(x.size), num_bits, payload, self.options, self.fingerprint)

    def decode(self, encoded: Encoded) -> np.ndarray:
        self._check_encoded(encoded)
        n = encoded.num_symbols
        if n > (most := self._most_symbols(encoded.num_bits)):
            raise DecodeError(f"the header says {n} symbols, but {encoded.num_bits} bits hold at "
                              f"most {most} in {self.name} phrases: the message is damaged")
        require_memory(DICTIONARY_BYTES * n, f"the {self.name} dictionary of {n} symbols")
        bits = _Bits(encoded.payload, encoded.num_bits, self.name)
        out = self._parse(bits, n)
        if bits.left:
            raise DecodeError(f"{bits.left} bits are left over after {n} symbols: the message "
                              "is damaged")
        return self.symbols[np.array(out, dtype=np.int64)] if out else np.zeros(0, dtype=np.int64)

    _kept_fields = None            # (the last small message's bytes, its fields)

    def _fields(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values and widths of the fields of the message x (literal indices): its parse,
        kept for the last message of at most KEPT_FIELDS symbols."""
        key = x.tobytes() if x.size <= KEPT_FIELDS else None
        kept = self._kept_fields
        if key is not None and kept is not None and kept[0] == key:
            return kept[1]
        fields = self._field_arrays(x)
        if key is not None:
            self._kept_fields = (key, fields)
        return fields

    def _field_arrays(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _as_arrays(self._tokens(x))

    def code_length(self, symbols, counts=None) -> float:
        """The exact bits of the parse: what encode writes."""
        x = as_symbols(symbols, self.alphabet_size)
        if not self.possible[x].all():
            return math.inf
        return float(self._fields(self.index[x])[1].sum())

    def length_bounds(self, num_symbols: int) -> tuple[float, float]:
        return 0.0, 0.0

    def overhead(self, p, n: int):
        return NO_OVERHEAD

    def expected_bits_per_symbol(self, p, n: int | None = None) -> float:
        """nan: no closed form at finite n (the limit on a stationary ergodic source is its
        entropy rate); inf where p gives a symbol that q rules out (it cannot be coded)."""
        return self._per_p("expected", p, lambda p: math.inf if np.any(p[~self.possible] > 0) else math.nan)

    def bits_variance(self, p, n: int | None = None) -> float:
        """nan, as :meth:`expected_bits_per_symbol`."""
        return self.expected_bits_per_symbol(p, n)

    def phrases(self, symbols) -> Table:
        """One row per phrase: the phrase (its symbols), its pointer and the bits of each part;
        ``pointer_bits`` and ``literal_bits`` sum over the rows to ``encode(symbols).num_bits``."""
        x = self._message(symbols)
        return Table(self._rows(x))

    def ledger(self, symbols) -> dict:
        """The message's bits by kind: pointers and literals (their sum is num_bits)."""
        rows = self._rows(self._message(symbols))
        return {"pointer_bits": sum(r["pointer_bits"] for r in rows),
                "literal_bits": sum(r["literal_bits"] for r in rows)}

    def _label(self, phrase) -> str:
        shown = [str(int(self.symbols[i])) for i in phrase]
        return "".join(shown) if all(len(s) == 1 for s in shown) else " ".join(shown)

    def __str__(self) -> str:
        return (f"{self.name} code over {self.symbols.size} possible symbols (literals of "
                f"{self.literal_bits} bits); no codebook: the dictionary grows from the message")


class LZ78Coder(UniversalCoder):
    """LZ78: phrases (pointer to an earlier phrase, new symbol); see the module docstring."""

    name = "lz78"

    def _most_symbols(self, num_bits: int) -> int:
        return _most_symbols(num_bits, 1)    # phrase j's pointer takes ceil(log2 j) bits

    def _walk(self, x: np.ndarray):
        """(pointer, literal or None, phrase length) of each phrase, in order."""
        trie, node, length = {}, 0, 0
        for s in x.tolist():
            child = trie.get((node, s))
            if child is None:
                yield node, s, length + 1
                trie[(node, s)] = len(trie) + 1
                node, length = 0, 0
            else:
                node, length = child, length + 1
        if node:
            yield node, None, length

    def _tokens(self, x: np.ndarray) -> list[tuple[int, int]]:
        tokens, lit = [], self.literal_bits
        for j, (pointer, literal, _) in enumerate(self._walk(x), start=1):
            tokens.append((pointer, _width(j)))
            if literal is not None:
                tokens.append((literal, lit))
        return tokens

    def _rows(self, x: np.ndarray) -> list[dict]:
        rows, pos = [], 0
        for j, (pointer, literal, length) in enumerate(self._walk(x), start=1):
            rows.append({"phrase_index": j, "phrase": self._label(x[pos: pos + length].tolist()),
                         "pointer": pointer, "pointer_bits": _width(j),
                         "literal_bits": self.literal_bits if literal is not None else 0})
            pos += length
        return rows

    def _parse(self, bits: _Bits, n: int) -> list[int]:
        parent, last, length = [0], [0], [0]          # phrase i = phrase parent[i] + last[i]
        out: list[int] = []
        j = 1
        while len(out) < n:
            pointer = bits.read(_width(j), "pointer", j)
            if pointer >= j:
                raise DecodeError(f"phrase {j} points to phrase {pointer}, which is not yet "
                                  "made: the message is damaged")
            need = n - len(out)
            if length[pointer] > need:
                raise DecodeError(f"phrase {j} runs past the {n} symbols of the message: the "
                                  "symbol count or the data are damaged")
            start = len(out)
            out.extend(self._phrase(pointer, parent, last, length))
            if length[pointer] == need:                # the last token: the pointer alone
                break
            literal = bits.read(self.literal_bits, "literal", j)
            if literal >= self.symbols.size:
                raise DecodeError(f"phrase {j} has literal {literal}, but only "
                                  f"{self.symbols.size} symbols are possible: damaged")
            out.append(literal)
            parent.append(pointer)
            last.append(literal)
            length.append(len(out) - start)
            j += 1
        return out

    @staticmethod
    def _phrase(i: int, parent: list, last: list, length: list) -> list[int]:
        word = []
        while i:
            word.append(last[i])
            i = parent[i]
        return word[::-1]


class LZWCoder(UniversalCoder):
    """LZW: codes of dictionary entries that start with the m symbols; see the module docstring."""

    name = "lzw"

    def _most_symbols(self, num_bits: int) -> int:
        return _most_symbols(num_bits, self.symbols.size)    # token t: ceil(log2 (m + t)) bits

    def _walk(self, x: np.ndarray):
        """(code, width, phrase length) of each token, in order."""
        m = self.symbols.size
        table = {}                                         # (code, symbol) -> code
        values = x.tolist()
        if not values:
            return
        code, length, t = values[0], 1, 0
        for s in values[1:]:
            nxt = table.get((code, s))
            if nxt is not None:
                code, length = nxt, length + 1
                continue
            yield code, _width(m + t), length
            table[(code, s)] = m + t
            t += 1
            code, length = s, 1
        yield code, _width(m + t), length

    def _tokens(self, x: np.ndarray) -> list[tuple[int, int]]:
        return [(code, width) for code, width, _ in self._walk(x)]

    def _rows(self, x: np.ndarray) -> list[dict]:
        rows, pos = [], 0
        for t, (code, width, length) in enumerate(self._walk(x)):
            rows.append({"phrase_index": t, "phrase": self._label(x[pos: pos + length].tolist()),
                         "pointer": code, "pointer_bits": width, "literal_bits": 0})
            pos += length
        return rows

    def _parse(self, bits: _Bits, n: int) -> list[int]:
        m = self.symbols.size
        entries: list[tuple[int, ...]] = [(s,) for s in range(m)]
        out: list[int] = []
        previous = None
        t = 0
        while len(out) < n:
            code = bits.read(_width(m + t), "code", t)
            if code < len(entries):
                word = entries[code]
            elif code == len(entries) and previous is not None:   # the entry being made now
                word = previous + previous[:1]
            else:
                raise DecodeError(f"token {t} has code {code}, but the dictionary holds "
                                  f"{len(entries)} entries: the message is damaged")
            if previous is not None:
                entries.append(previous + word[:1])
            if len(out) + len(word) > n:
                raise DecodeError(f"token {t} runs past the {n} symbols of the message: the "
                                  "symbol count or the data are damaged")
            out.extend(word)
            previous = word
            t += 1
        return out


#: LZ77's shortest and longest match; its code lengths are written in LENGTH_FIELD bits, so no
#: codeword is longer than 2**LENGTH_FIELD - 1 bits
MIN_MATCH, MAX_MATCH, LENGTH_FIELD = 3, 258, 4
#: the match lengths' buckets: v = length - MIN_MATCH + 1 in [2**b, 2**(b+1)), b extra bits
LENGTH_BUCKETS = (MAX_MATCH - MIN_MATCH + 1).bit_length()
#: candidate matches tried at a position (the most recent first), as zlib's chain limit
CHAIN = 128


def _bucket(v: int) -> tuple[int, int, int]:
    """(bucket b, extra value, extra bits) of v >= 1: v = 2**b + extra, extra in b bits."""
    b = v.bit_length() - 1
    return b, v - (1 << b), b


class LZ77Coder(UniversalCoder):
    r"""LZ77 with a sliding window (Ziv & Lempel, 1977), its tokens Huffman-coded as deflate's are.

    The message is parsed into literals and matches (length >= 3, the longest within the last
    ``window`` symbols, found through chains of earlier positions with the same next three
    symbols, and taken lazily: not if a longer match starts one symbol later).  Two Huffman
    codes, built for this message's own token counts, code them:

    * the *symbol* code over the m literals and LENGTH_BUCKETS match-length buckets: a match of
      length l is bucket b of v = l - 2 in [2**b, 2**(b+1)) followed by v - 2**b in b bits;
    * the *distance* code over the buckets of the distance d in [2**b, 2**(b+1)), followed by
      d - 2**b in b bits.

    The message starts with both codes' lengths (canonical codes), LENGTH_FIELD = 4 bits for each
    of the m + LENGTH_BUCKETS + distance buckets entries (0: unused).  ``ledger`` splits the bits
    into the header, literals, lengths and distances; they sum to num_bits.

    >>> from codesim.coders import make_coder
    >>> coder = make_coder("lz77", [0.5, 0.5])
    >>> x = [0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1]
    >>> [(r["kind"], r["phrase"]) for r in coder.phrases(x)]
    [('literal', '0'), ('literal', '1'), ('literal', '1'), ('match', '011011011')]
    >>> coder.decode(coder.encode(x)).tolist() == x
    True
    """

    name = "lz77"

    def __init__(self, q, window: int = 1 << 15):
        if not is_whole(window, 1, 1 << 24):
            raise OptionError(f"lz77: window must be a whole number from 1 to 2**24, got {window!r}")
        super().__init__(q)
        self.window = int(window)
        self.options = {"window": self.window} if self.window != 1 << 15 else {}
        self.distance_buckets = self.window.bit_length()

    def _fingerprint(self) -> str:
        return fingerprint(self.possible.astype(np.uint8), coder=self.name, window=self.window)

    # --- the parse ---------------------------------------------------------------------------
    def _parse_tokens(self, x: np.ndarray) -> list[tuple[int, int]]:
        """(length, distance) of each token, (1, 0) for a literal."""
        if compiled.active(x.size, self.name):
            return compiled.lz77_tokens(x, self.window, MIN_MATCH, MAX_MATCH, CHAIN)
        values, n = x.tolist(), x.size
        chains: dict = {}
        tokens: list[tuple[int, int]] = []

        def longest(i: int) -> tuple[int, int]:
            if i + MIN_MATCH > n:
                return 0, 0
            best, where = 0, 0
            for j in reversed(chains.get(tuple(values[i:i + MIN_MATCH]), ())[-CHAIN:]):
                if i - j > self.window:
                    break
                top = min(MAX_MATCH, n - i)
                length = MIN_MATCH
                while length < top and values[j + length] == values[i + length]:
                    length += 1
                if length > best:
                    best, where = length, i - j
                    if length == top:
                        break
            return best, where

        def remember(i: int) -> None:
            if i + MIN_MATCH <= n:
                chains.setdefault(tuple(values[i:i + MIN_MATCH]), []).append(i)

        i = 0
        while i < n:
            length, distance = longest(i)
            if length >= MIN_MATCH and longest(i + 1)[0] <= length:
                tokens.append((length, distance))
                for k in range(i, i + length):
                    remember(k)
                i += length
            else:
                tokens.append((1, 0))
                remember(i)
                i += 1
        return tokens

    def _plan(self, x: np.ndarray):
        """(tokens, symbol code lengths, distance code lengths) of a message."""
        tokens = self._parse_tokens(x)
        m = self.symbols.size
        symbol_counts = np.zeros(m + LENGTH_BUCKETS)
        distance_counts = np.zeros(self.distance_buckets)
        pos = 0
        for length, distance in tokens:
            if distance == 0:
                symbol_counts[x[pos]] += 1
            else:
                symbol_counts[m + _bucket(length - MIN_MATCH + 1)[0]] += 1
                distance_counts[_bucket(distance)[0]] += 1
            pos += length
        return tokens, _code_lengths(symbol_counts), _code_lengths(distance_counts)

    # --- the bits ----------------------------------------------------------------------------
    def _stream(self, x: np.ndarray):
        """(value, width, kind) of every field of the message, in order: the header (each
        code length in LENGTH_FIELD bits), then each token's fields."""
        plan = self._plan(x)
        for length in _header(plan).tolist():
            yield length, LENGTH_FIELD, "header"
        yield from self._token_fields(x, plan)

    def _token_fields(self, x: np.ndarray, plan):
        """(value, width, kind) of each token's fields: a literal's codeword, or a match's
        length codeword and extra bits, then its distance codeword and extra bits."""
        tokens, symbol_lengths, distance_lengths = plan
        symbol_code, distance_code = _canonical(symbol_lengths), _canonical(distance_lengths)
        m, pos = self.symbols.size, 0
        for length, distance in tokens:
            if distance == 0:
                yield (*symbol_code[int(x[pos])], "literal")
            else:
                b, extra, width = _bucket(length - MIN_MATCH + 1)
                yield (*symbol_code[m + b], "length")
                yield extra, width, "length"
                b, extra, width = _bucket(distance)
                yield (*distance_code[b], "distance")
                yield extra, width, "distance"
            pos += length

    def _field_arrays(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The fields of :meth:`_stream` as arrays, the header's all at once."""
        if not x.size:
            return _as_arrays([])
        plan = self._plan(x)
        header = _header(plan)
        values, widths = _as_arrays([(v, w) for v, w, _ in self._token_fields(x, plan)])
        return (np.concatenate((header.astype(np.uint64), values)),
                np.concatenate((np.full(header.size, LENGTH_FIELD, dtype=np.int64), widths)))

    def ledger(self, symbols) -> dict:
        """The message's bits by kind: header, literals, match lengths and distances."""
        x = self._message(symbols)
        out = {"header_bits": 0, "literal_bits": 0, "length_bits": 0, "distance_bits": 0}
        for _, width, kind in (self._stream(x) if x.size else ()):
            out[f"{kind}_bits"] += width
        return out

    def _rows(self, x: np.ndarray) -> list[dict]:
        tokens, _, _ = self._plan(x)
        rows, pos = [], 0
        for j, (length, distance) in enumerate(tokens):
            rows.append({"phrase_index": j, "kind": "literal" if distance == 0 else "match",
                         "phrase": self._label(x[pos: pos + length].tolist()),
                         "length": length, "distance": distance})
            pos += length
        return rows

    def phrases(self, symbols) -> Table:
        """One row per token: a literal or a match (its length and distance)."""
        return Table(self._rows(self._message(symbols)))

    def _parse(self, bits: _Bits, n: int) -> list[int]:
        if n == 0:
            return []                             # an empty message has no header
        m = self.symbols.size
        fields = m + LENGTH_BUCKETS + self.distance_buckets
        lengths = bits.read_block(LENGTH_FIELD, fields, "header's code lengths")
        symbol_lengths = lengths[:m + LENGTH_BUCKETS]
        distance_lengths = lengths[m + LENGTH_BUCKETS:]
        for part in (symbol_lengths, distance_lengths):
            if _kraft(part) > 1:
                raise DecodeError("the lz77 header's code lengths break Kraft's inequality: damaged")
        symbols, distances = _decoder(symbol_lengths), _decoder(distance_lengths)
        out: list[int] = []
        j = 0
        while len(out) < n:
            s = _read_codeword(bits, symbols, j)
            if s < m:
                out.append(s)
            else:
                b = s - m
                length = (1 << b) + bits.read(b, "length", j) + MIN_MATCH - 1
                b = _read_codeword(bits, distances, j)
                distance = (1 << b) + bits.read(b, "distance", j)
                if distance > len(out) or distance > self.window or len(out) + length > n:
                    raise DecodeError(f"token {j} copies {length} symbols from {distance} back, "
                                      f"after {len(out)} of {n}: the message is damaged")
                for _ in range(length):
                    out.append(out[-distance])
            j += 1
        return out

    def _most_symbols(self, num_bits: int) -> int:
        """Every token takes a bit at least and holds at most MAX_MATCH symbols."""
        return max(num_bits, 0) * MAX_MATCH


def _as_arrays(fields: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """(value, width) pairs as an array of values and one of widths."""
    values = np.array([v for v, _ in fields], dtype=np.uint64)
    return values, np.array([w for _, w in fields], dtype=np.int64)


def _header(plan) -> np.ndarray:
    """An LZ77 message's header: the two codes' lengths (0: an entry the message does not use)."""
    _, symbol_lengths, distance_lengths = plan
    return np.maximum(np.concatenate((symbol_lengths, distance_lengths)), 0)


def _code_lengths(counts: np.ndarray) -> np.ndarray:
    """Huffman code lengths of at most 2**LENGTH_FIELD - 1 bits for these counts (0: unused; a
    code of one used entry gets a 1-bit codeword)."""
    lengths = np.zeros(counts.size, dtype=np.int64)
    used = counts > 0
    if used.sum() == 1:
        lengths[used] = 1
    elif used.any():
        lengths = np.maximum(length_limited_code_lengths(counts / counts.sum(),
                                                        (1 << LENGTH_FIELD) - 1), 0)
    return lengths


def _canonical(lengths: np.ndarray) -> dict:
    """entry -> (codeword value, length) of the canonical code with these lengths (0: unused)."""
    used = np.flatnonzero(lengths > 0)          # the unused entries take no part in the order
    kept = lengths[used].tolist()
    return dict(zip(used.tolist(), zip(canonical_codewords(np.array(kept, dtype=np.int64)), kept)))


def _kraft(lengths: np.ndarray) -> float:
    return float(sum(2.0 ** -int(l) for l in lengths.tolist() if l > 0))


def _decoder(lengths: np.ndarray) -> DyadicIntervals:
    """The canonical code of these lengths (0: an entry without a codeword), the same
    codewords as :func:`_canonical`, as intervals: an entry's codeword is found at once."""
    return DyadicIntervals((i, v, l) for i, (v, l) in _canonical(lengths).items())


def _read_codeword(bits: _Bits, code: DyadicIntervals, at: int) -> int:
    """The entry whose codeword comes next: the one whose interval holds the next bits (0s
    past the message's end, which a codeword may not reach)."""
    found = code.codeword_at(bits.peek(code.width))
    if found is None:
        raise DecodeError(f"no codeword of the lz77 codes matches the bits of token {at}: damaged")
    entry, length = found
    bits.read(length, "codeword", at)
    return entry
