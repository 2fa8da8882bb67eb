r"""Tunstall's code: variable-to-fixed.  Words of source symbols, each sent as a fixed-length index.

Where a prefix code maps each symbol to a codeword of variable length, Tunstall (1967) maps
variable-length *words* of symbols to indices of a fixed ``bits`` bits.  The dictionary is a
complete tree over q's m possible symbols: start with the m one-symbol words, and while the
dictionary still fits in 2**bits entries, replace its most probable word w (under q) by its m
extensions w0, w1, ..., w(m-1).  The words are the leaves, so every message parses into words
uniquely, greedily from the left.  (Ties: the word found first is extended first.)

**Cost.**  Under p, words have lengths D with mean mu = E_p[D]; n symbols need about n / mu
words, so the rate is bits / mu bits per symbol.  By renewal theory (D is a stopping time),
the number of words N(n) covering n symbols has

.. math::  E[N(n)] \approx \frac{n + (E[D^2] - \mu) / (2\mu)}{\mu}, \qquad
           \mathrm{Var}[N(n)] \approx n \frac{\sigma_D^2}{\mu^3},

(the second term of the mean is the last word's mean overshoot past n; both asymptotic in n).
For p = q the **Tunstall bound** holds: mu >= (bits - log2(1 / q_min)) / H(q), so the rate is
at most H(q) bits / (bits - log2(1 / q_min)) and tends to H(q) as bits grows.  For p != q
the rate tends to H(p, q), from either side: by Wald's identity E_p[D] H(p, q) =
E_p[-log2 q(W)], and every word's -log2 q(w) is about ``bits`` (within log2(1 / q_min)),
because the dictionary is built from the words' probabilities under q, not under p.

**A message that ends inside a word**: its last symbols are a proper prefix of some words; the
encoder completes them with the first possible symbol until a word is reached, and the decoder,
which knows the message's length, drops what was added (and checks that it was that
completion).  So a message and the same message with some of those completion symbols added
at its end share their bits: only the header's count tells them apart.

``code_length`` is exact (words x bits), so num_bits equals it: no overhead.
"""

from __future__ import annotations

import heapq
import math
from functools import cached_property

import numpy as np

from ..validate import checked_pmf, check_same_length, is_whole
from ..errors import DecodeError, OptionError
from ..limits import memory_budget, require_memory
from ..container import fingerprint
from .base import (NO_OVERHEAD, Coder, Encoded, as_symbols, check_support, refuse_per_position)
from . import compiled
from .prefix import pack_codewords
from ..measures import entropy
from ..tables import Table

#: memory of a dictionary while it is built: per symbol of its words, and per word (a tuple
#: in a heap), measured
WORD_SYMBOL_BYTES, WORD_BYTES = 12, 120
#: symbols up to which a word count's mean and variance come from the exact recursion
EXACT_WORDS = 20_000

__all__ = ["TunstallCoder", "tunstall_words", "MAX_BITS"]

#: dictionaries of at most 2**MAX_BITS words
MAX_BITS = 20


def tunstall_words(q, bits: int) -> list[tuple[int, ...]]:
    """Tunstall's dictionary for q with at most 2**bits words (in the order they are indexed:
    sorted as tuples).

    >>> tunstall_words([0.7, 0.3], 2)
    [(0, 0, 0), (0, 0, 1), (0, 1), (1,)]
    """
    q = np.asarray(q, dtype=np.float64)
    support = np.flatnonzero(q > 0).tolist()
    heap = [(-q[s], i, (s,)) for i, s in enumerate(support)]
    heapq.heapify(heap)
    count, serial = len(heap), len(heap)
    symbols = count                             # the words' total length, kept as it grows:
    budget = memory_budget()                    # a skewed q makes it quadratic in 2**bits
    while count + len(support) - 1 <= (1 << bits):
        prob, _, word = heapq.heappop(heap)
        symbols += len(support) * (len(word) + 1) - len(word)
        if WORD_SYMBOL_BYTES * symbols + WORD_BYTES * count > budget:
            require_memory(WORD_SYMBOL_BYTES * symbols + WORD_BYTES * count,
                           f"a Tunstall dictionary of 2**{bits} words whose words already hold "
                           f"{symbols} symbols (q is skewed: its likeliest word keeps growing)")
        for s in support:
            heapq.heappush(heap, (prob * q[s], serial, word + (s,)))
            serial += 1
        count += len(support) - 1
    return sorted(word for _, _, word in heap)


class TunstallCoder(Coder):
    """Tunstall's variable-to-fixed code for q, indices of ``bits`` bits (default: 8, or one
    more than the m possible symbols need, ceil(log2 m) + 1, when that is more).

    >>> from codesim.coders import make_coder
    >>> coder = make_coder("tunstall", [0.7, 0.3], bits=2)
    >>> enc = coder.encode([0, 0, 0, 1, 0])           # words 000 | 1 | 0.. (completed to 000)
    >>> enc.num_bits, coder.decode(enc).tolist()
    (6, [0, 0, 0, 1, 0])
    """

    name = "tunstall"
    bytes_per_symbol = 120          # the pure-Python parser's list of word indices

    def __init__(self, q, bits: int | None = None):
        refuse_per_position(q, "tunstall")
        q = checked_pmf(q, "q")
        if bits is None:
            bits = min(MAX_BITS, max(8, (int(np.count_nonzero(q)) - 1).bit_length() + 1))
        if not is_whole(bits, 1, MAX_BITS):
            raise OptionError(f"tunstall: bits must be an integer from 1 to {MAX_BITS}, got {bits!r}")
        bits = int(bits)
        super().__init__(q, {"bits": bits})
        self.bits = bits
        self.possible = q > 0
        support = int(self.possible.sum())
        if support > 1 << bits:
            raise OptionError(f"tunstall: {support} possible symbols need indices of at least "
                              f"{(support - 1).bit_length()} bits, not {bits}")
        self.lone_symbol = int(np.argmax(self.possible)) if support == 1 else None
        require_memory(64 * (1 << bits) * max(1, bits), f"a Tunstall dictionary of 2**{bits} words")
        self.words = [] if self.lone_symbol is not None else tunstall_words(q, bits)
        lengths = np.array([len(w) for w in self.words], dtype=np.int64)
        self.word_lengths = lengths
        self._flat = np.array([s for w in self.words for s in w], dtype=np.int64)
        self._starts = np.cumsum(lengths) - lengths
        self._trie = self._build_trie()
        #: a last partial word is completed with this symbol (the first child of every node)
        self._completion_symbol = int(np.argmax(self.possible))

    def _build_trie(self) -> dict:
        """Nested dicts: root[s1][s2]... ends in a word's index (an int)."""
        root: dict = {}
        for index, word in enumerate(self.words):
            node = root
            for s in word[:-1]:
                node = node.setdefault(s, {})
            node[word[-1]] = index
        return root

    def _fingerprint(self) -> str:
        return fingerprint(self._flat, self.word_lengths, coder=self.name, **self.options)

    @cached_property
    def _shortest_longest(self) -> tuple[int, int]:
        """The fewest and most symbols a dictionary word holds."""
        return int(self.word_lengths.min()), int(self.word_lengths.max())

    @cached_property
    def _place_values(self) -> np.ndarray:
        """2**(bits - 1), ..., 2, 1: an index's bits, most significant first, times these."""
        return 1 << np.arange(self.bits - 1, -1, -1, dtype=np.int64)

    # --- coding ----------------------------------------------------------------------------
    def parse(self, symbols) -> np.ndarray:
        """The word indices of a (valid) message, greedily from the left; a last partial word
        is completed with the first symbol of each node until it is a word."""
        x = as_symbols(symbols, self.alphabet_size)
        if compiled.active(x.size, self.name):
            return compiled.tunstall_parse(self, x)
        root = self._trie
        node, out = root, []
        for s in x.tolist():
            nxt = node[s]
            if isinstance(nxt, int):
                out.append(nxt)
                node = root
            else:
                node = nxt
        while node is not root:
            nxt = next(iter(node.values()))
            if isinstance(nxt, int):
                out.append(nxt)
                break
            node = nxt
        return np.array(out, dtype=np.int64)

    def encode(self, symbols) -> Encoded:
        x = as_symbols(symbols, self.alphabet_size)
        check_support(x, self.possible, self.q, labels=self.labels)
        if self.lone_symbol is not None or x.size == 0:
            return Encoded(self.name, int(x.size), 0, b"", self.options, self.fingerprint)
        indices = self.parse(x)
        if compiled.active(x.size, self.name):
            payload, num_bits = compiled.tunstall_pack(self, indices)
        else:
            payload, num_bits = pack_codewords(indices.astype(np.uint64),
                                               np.full(indices.size, self.bits), self.bits)
        return Encoded(self.name, int(x.size), num_bits, payload, self.options, self.fingerprint)

    def decode(self, encoded: Encoded) -> np.ndarray:
        self._check_encoded(encoded)
        n = encoded.num_symbols
        if self.lone_symbol is not None or n == 0:
            if encoded.num_bits:
                raise DecodeError(f"{encoded.num_bits} bits for a message that needs none")
            return np.full(n, self.lone_symbol or 0, dtype=np.int64)
        if encoded.num_bits % self.bits:
            raise DecodeError(f"{encoded.num_bits} bits are not a whole number of {self.bits}-bit "
                              "indices: the message is damaged")
        count = encoded.num_bits // self.bits
        shortest, longest = self._shortest_longest
        if not -(-n // longest) <= count <= -(-n // shortest):
            raise DecodeError(f"{count} words of {shortest} to {longest} symbols cannot hold the "
                              f"{n} symbols the header says: the message is damaged")
        require_memory(48 * count * longest, f"decoding {count} Tunstall words")
        raw = np.frombuffer(encoded.payload, dtype=np.uint8)
        bits = np.unpackbits(raw)[: encoded.num_bits].reshape(count, self.bits)
        indices = bits.astype(np.int64) @ self._place_values
        if indices.size and indices.max() >= len(self.words):
            raise DecodeError(f"index {int(indices.max())} is not in the dictionary of "
                              f"{len(self.words)} words: the message is damaged")
        lengths = self.word_lengths[indices]
        total = int(lengths.sum())
        if not total - int(lengths[-1]) < n <= total:
            raise DecodeError(f"the words hold {total} symbols, which does not end in the last "
                              f"word for a message of {n}: the message is damaged")
        last = int(indices[-1])
        kept = n - (total - int(lengths[-1]))
        completion = self._flat[self._starts[last] + kept: self._starts[last] + lengths[-1]]
        if np.any(completion != self._completion_symbol):
            raise DecodeError(f"the last word does not end the way a {n}-symbol message's would "
                              "be completed: the message or its symbol count is damaged")
        offsets = np.repeat(self._starts[indices] - (np.cumsum(lengths) - lengths), lengths)
        return self._flat[offsets + np.arange(total)][:n]

    # --- theory ----------------------------------------------------------------------------
    def code_length(self, symbols, counts=None) -> float:
        x = as_symbols(symbols, self.alphabet_size)
        if np.any(~self.possible[x]):
            return math.inf
        if self.lone_symbol is not None or x.size == 0:
            return 0.0
        return float(self.bits * self.parse(x).size)

    def length_bounds(self, num_symbols: int) -> tuple[float, float]:
        return 0.0, 0.0          # num_bits is exactly bits times the number of words

    def word_moments(self, p) -> tuple[float, float]:
        """(E_p[D], E_p[D^2]) of the length D of a parsed word (inf where p leaves q's support)."""
        return self._per_p("words", p, self._word_moments)

    def _word_moments(self, p) -> tuple[float, float]:
        p = checked_pmf(p, "p")
        check_same_length(p, self.q)
        if np.any(p[~self.possible] > 0):
            return math.inf, math.inf
        if self.lone_symbol is not None:
            return math.inf, math.inf
        logp = np.log(np.where(p > 0, p, 1.0))
        zero = (p == 0)
        word_logp = np.add.reduceat(logp[self._flat], self._starts)
        has_zero = np.add.reduceat(zero[self._flat].astype(np.int64), self._starts) > 0
        prob = np.where(has_zero, 0.0, np.exp(word_logp))
        d = self.word_lengths.astype(np.float64)
        return float(prob @ d), float(prob @ d**2)

    def word_count_moments(self, p, n: int) -> tuple[float, float]:
        r"""(E[N(n)], Var[N(n)]) of the number of words that cover n symbols from p, exactly:
        with f(m) = E[N(m)], g(m) = E[N(m)^2] and f = g = 0 for m <= 0,

        .. math::  f(m) = 1 + \sum_d P(D = d) f(m - d), \qquad
                   g(m) = 1 + \sum_d P(D = d) (2 f(m - d) + g(m - d)),

        for n up to :data:`EXACT_WORDS` (the renewal approximation of the module docstring
        beyond, which the recursion meets to 1e-6 well before).
        """
        table = self._per_p("word counts", p, self._length_distribution)
        if n > EXACT_WORDS:
            return None
        f, g = self._word_count_table(table, n)
        return float(f[n]), float(max(g[n] - f[n] ** 2, 0.0))

    def _length_distribution(self, p) -> dict:
        p = checked_pmf(p, "p")
        logp = np.log(np.where(p > 0, p, 1.0))
        has_zero = np.add.reduceat((p == 0)[self._flat].astype(np.int64), self._starts) > 0
        prob = np.where(has_zero, 0.0, np.exp(np.add.reduceat(logp[self._flat], self._starts)))
        return {"P": np.bincount(self.word_lengths, weights=prob), "f": np.zeros(1), "g": np.zeros(1)}

    @staticmethod
    def _word_count_table(table: dict, n: int):
        """Extend the remembered f, g of one p to m = 0..n (the recursion above)."""
        f, g, prob = table["f"], table["g"], table["P"]
        if f.size <= n:
            top = prob.size - 1                              # the longest word
            d = np.arange(1, top + 1)
            pd = prob[1:]
            f = np.concatenate([np.zeros(top), f, np.zeros(n + 1 - f.size)])
            g = np.concatenate([np.zeros(top), g, np.zeros(n + 1 - g.size)])
            start = top + table["f"].size
            for m in range(start, top + n + 1):
                back_f, back_g = f[m - d], g[m - d]
                f[m] = 1.0 + pd @ back_f
                g[m] = 1.0 + pd @ (2 * back_f + back_g)
            table["f"], table["g"] = f[top:], g[top:]
        return table["f"], table["g"]

    def expected_bits_per_symbol(self, p, n: int | None = None) -> float:
        """bits E[N(n)] / n, exactly up to :data:`EXACT_WORDS` symbols (the renewal
        approximation of the module docstring beyond); bits / E_p[D] without n."""
        mu, second = self.word_moments(p)
        if self.lone_symbol is not None and math.isinf(mu):
            return 0.0 if not np.any(np.asarray(p)[~self.possible] > 0) else math.inf
        if math.isinf(mu):
            return math.inf
        if not n:
            return self.bits / mu
        exact = self.word_count_moments(p, n)
        if exact is not None:
            return self.bits * exact[0] / n
        return self.bits * (n + (second - mu) / (2 * mu)) / mu / n

    def bits_variance(self, p, n: int | None = None) -> float:
        """n times the variance of the rate: bits^2 Var[N(n)] / n exactly up to
        :data:`EXACT_WORDS` symbols, bits^2 Var(D) / E[D]^3 (the renewal CLT) beyond or
        without n."""
        mu, second = self.word_moments(p)
        if math.isinf(mu):
            return 0.0 if self.lone_symbol is not None else math.inf
        exact = self.word_count_moments(p, n) if n else None
        if exact is not None:
            return self.bits**2 * exact[1] / n
        return self.bits**2 * max(second - mu**2, 0.0) / mu**3     # 0 when every word is as long

    def overhead(self, p, n: int):
        return NO_OVERHEAD

    def tunstall_bound(self) -> float:
        """H(q) bits / (bits - log2(1 / q_min)): the most Tunstall's code costs per symbol on
        data from q itself (inf where the dictionary is too small for the bound to say anything)."""
        q = self.q[self.possible]
        room = self.bits - math.log2(1 / float(q.min()))
        return entropy(q) * self.bits / room if room > 0 else math.inf

    def symbol_costs(self, symbols) -> np.ndarray:
        """bits at the first symbol of every word, 0 elsewhere (sums to code_length)."""
        x = as_symbols(symbols, self.alphabet_size)
        costs = np.zeros(x.size)
        if self.lone_symbol is None and x.size:
            lengths = self.word_lengths[self.parse(x)]
            starts = np.cumsum(lengths) - lengths
            costs[starts[starts < x.size]] = self.bits
        return costs

    table_unit = "words"

    @property
    def table_size(self) -> int:
        """Rows of the codebook: one per word of the dictionary."""
        return len(self.words)

    def codebook(self, p=None, limit: int | None = None):
        """The dictionary: index, word, its length, and its probability under q (and p); the
        first ``limit`` words only, when given."""
        if p is not None:
            p = checked_pmf(p, "p")
            check_same_length(p, self.q)
        rows = []
        for index, word in enumerate(self.words[:limit]):
            row = {"index": index, "codeword": format(index, f"0{self.bits}b"),
                   "word": " ".join(map(str, word)), "length": len(word),
                   "q(word)": float(np.prod(self.q[list(word)]))}
            if p is not None:
                row["p(word)"] = float(np.prod(p[list(word)]))
            rows.append(row)
        return Table(rows)
