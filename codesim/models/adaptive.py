r"""What an adaptive (sequential) model costs on i.i.d. data: exact mean, variance, learning cost.

An adaptive model with a Dirichlet(a, ..., a) prior over its m possible symbols predicts

.. math::  m(x_{i+1} = s \mid x^i) = \frac{n_s(i) + a}{i + m a}

(a = 1: Laplace's rule; a = 1/2: Krichevsky-Trofimov).  The product of its predictions depends
only on the final counts N_s, so the ideal code length of x^n is

.. math::  L_n = \log_2 \frac{\Gamma(n + m a)}{\Gamma(m a)}
                 - \sum_s \log_2 \frac{\Gamma(N_s + a)}{\Gamma(a)} .

Under an i.i.d. p each N_s is Binomial(n, p_s), so E[L_n] is a sum of binomial expectations,
computed here exactly (a sum over the binomial's mass) or, where the mass spreads over more
than a few thousand counts, by the moment expansion of E[f(N)] to fourth order, whose error is
O(1 / (n p_s)^2) bits.  E[L_n] - n H(p) = D(p^n || m) is the learning cost: the cross-entropy
rate of p against the adaptive model is E[L_n] / n.

Asymptotically (Clarke & Barron 1990, 1994), for p > 0 on all m symbols,

.. math::  D(p^n \| m) = \frac{m - 1}{2} \log_2 \frac{n}{2 \pi e}
           + \log_2 \frac{1}{w(p)} + \frac{1}{2} \log_2 \det I(p) + o(1),

which is (m-1)/2 log2(n / 2 pi e) + log2(Gamma(1/2)^m / Gamma(m/2)) for KT (the Jeffreys prior,
the same for every p) and (m-1)/2 log2(n / 2 pi e) - log2((m-1)!) - 1/2 sum_s log2 p_s for Laplace.

The variance is asymptotic: L_n = -log2 p(x^n) + (learning cost), whose random part is
n D(p^ || p) ~ chi^2_{m'-1} / (2 ln 2) (m' symbols with p > 0), so

.. math::  \mathrm{Var}[L_n] \approx n \mathrm{Var}_p[-\log_2 p(X)] + \frac{m' - 1}{2 \ln^2 2}

(the covariance of the two parts is O(1) and left out).
"""

from __future__ import annotations

import math

import numpy as np

from ..sources.markov import projection

__all__ = ["PRIORS", "ADAPTIVE_PRIORS", "FenwickTree", "AdaptiveModel", "expected_code_length", "code_length_variance", "learning_cost_asymptotic",
           "expected_bits_on_source"]

#: prior weight a of each adaptive rule
PRIORS = {"laplace": 1.0, "kt": 0.5}
#: the same rules in whole numbers, as a coder counts: (initial weight, increment); KT's counts
#: doubled (c + 1/2 becomes 2c + 1)
ADAPTIVE_PRIORS = {"laplace": (1, 1), "kt": (1, 2)}

#: above this binomial standard deviation, E[lgamma(N + a)] uses the moment expansion
_EXACT_SIGMA = 300.0

_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def _expected_lgamma(n: int, p: float, a: float) -> float:
    """E[lgamma(N + a)] for N ~ Binomial(n, p), in nats."""
    if p <= 0.0:
        return math.lgamma(a)
    if p >= 1.0:
        return math.lgamma(n + a)
    mean, var = n * p, n * p * (1 - p)
    sigma = math.sqrt(var)
    if sigma <= _EXACT_SIGMA:                       # sum over the binomial's mass
        lo = max(0, int(mean - 14 * sigma - 20))
        hi = min(n, int(mean + 14 * sigma + 20))
        k = np.arange(lo, hi + 1, dtype=np.float64)
        log_pmf = (math.lgamma(n + 1) - _lgamma(k + 1).astype(float) - _lgamma(n - k + 1).astype(float)
                   + k * math.log(p) + (n - k) * math.log1p(-p))
        weight = np.exp(log_pmf - log_pmf.max())
        return float(np.dot(weight, _lgamma(k + a).astype(float)) / weight.sum())
    # E f(N) = f(mu) + f'' k2 / 2 + f''' k3 / 6 + f'''' (k4 + 3 k2^2) / 24, f = lgamma(. + a),
    # with the asymptotic polygamma series (x >= 9e4 here, so the next terms are below 1e-9).
    x = mean + a
    k3 = var * (1 - 2 * p)
    k4 = var * (1 - 6 * p * (1 - p))
    trigamma = 1 / x + 1 / (2 * x**2) + 1 / (6 * x**3)
    tetragamma = -1 / x**2 - 1 / x**3
    pentagamma = 2 / x**3
    return (math.lgamma(x) + trigamma * var / 2 + tetragamma * k3 / 6
            + pentagamma * (k4 + 3 * var**2) / 24)


def expected_code_length(p, possible, n: int, rule: str, seen=None) -> float:
    """E_p[L_n] in bits: the mean ideal code length of n i.i.d. symbols under the adaptive rule.

    ``possible`` marks the model's m symbols (p must be 0 outside them); ``seen`` (optional)
    counts symbols the model has already learned, which join the rule's prior counts.

    >>> round(expected_code_length([0.5, 0.5], [True, True], 1, "kt"), 12)   # -log2(1/2)
    1.0
    """
    p = np.asarray(p, dtype=np.float64)
    on = np.asarray(possible, dtype=bool)
    prior = PRIORS[rule] + (np.zeros(p.size) if seen is None else np.asarray(seen, dtype=np.float64))
    total = float(prior[on].sum())
    nats = math.lgamma(n + total) - math.lgamma(total)
    nats -= sum(_expected_lgamma(n, float(ps), float(a)) - math.lgamma(float(a))
                for ps, a in zip(p[on].tolist(), prior[on].tolist()))
    return nats / math.log(2)


def code_length_variance(p, n: int) -> float:
    """Var_p[L_n] in bits^2 (asymptotic, see the module docstring)."""
    p = np.asarray(p, dtype=np.float64)
    on = p > 0
    cost = -np.log2(p[on])
    mean = float(np.dot(p[on], cost))
    per_symbol = float(np.dot(p[on], (cost - mean) ** 2))
    return n * per_symbol + (int(on.sum()) - 1) / (2 * math.log(2) ** 2)


def learning_cost_asymptotic(p, n: int, rule: str) -> float:
    """Clarke-Barron's D(p^n || m) in bits, for p > 0 on all m symbols of the model.

    >>> round(learning_cost_asymptotic([1 / 8] * 8, 10**5, "kt") / 10**5, 6)
    0.000478
    """
    p = np.asarray(p, dtype=np.float64)
    m = p.size
    cost = (m - 1) / 2 * math.log2(n / (2 * math.pi * math.e))
    if rule == "kt":
        return cost + (m * math.lgamma(0.5) - math.lgamma(m / 2)) / math.log(2)
    return cost - math.lgamma(m) / math.log(2) - 0.5 * float(np.sum(np.log2(p)))


def expected_bits_on_source(source, model, n: int) -> float:
    r"""E[L_n] in bits of an adaptive context ``model`` (order j, rule KT or Laplace) coding n
    symbols of a Markov ``source`` (remembered for the last few (source, model, n): a loop of
    simulations over seeds asks the same one again and again).

    The symbols that follow a context c form an i.i.d. sequence from the source's row for c
    whenever j is at least the source's order, so their cost is the exact i.i.d. expectation
    :func:`expected_code_length` at their number N_c of visits; it is taken at N_c's mean
    n pi(c), interpolated between whole counts, plus Jensen's second-order term
    f''(E N_c) Var(N_c) / 2 with Var(N_c) = n sigma_c^2 from the chain
    (:meth:`~codesim.sources.markov.MarkovSource.visit_variances`).  Exact for order 0 on an
    i.i.d. source (N = n).  Otherwise what is left out is N_c's third-order spread and the
    pull of a context's own symbols on its visit count (a symbol that stays returns to the
    context): on a sticky order-1 chain with zero transitions, 0.015 (KT) and 0.024 (Laplace)
    bits/symbol at n = 20 (about six visits a context), within the stderr of 200 seeds from
    n = 1000.  So an order-1 model on a source of order at most 1 is computed exactly where
    that is cheap (:func:`_order_1_exactly`, up to EXACT_WORK steps of its walk: n = 20 over 3
    symbols, 60 over 2), which leaves nothing out.  The first symbol is read in context 0...0 (the padding) and
    comes from the stationary marginal, not from that context's row: it is counted so; the
    next j - 1 padded positions are not (for j >= 2).  Below the source's order, a context's symbols are not i.i.d. and its row is the
    best order-j projection: an approximation of the same kind.
    """
    key = (source.rows.tobytes(), source.rows.shape, model.order, model.rule, int(n))
    if key not in _expected:
        if len(_expected) >= 32:
            _expected.pop(next(iter(_expected)))
        _expected[key] = _expected_bits_on_source(source, model, n)
    return _expected[key]


_expected: dict = {}


def _expected_bits_on_source(source, model, n: int) -> float:
    """:func:`expected_bits_on_source`, computed."""
    size = source.alphabet_size
    if (model.order == 1 and source.order <= 1 and n <= 1000 and size <= 16
            and size ** 3 * math.comb(n + size + 1, size + 1) <= EXACT_WORK):
        return _order_1_exactly(source, model, n)
    best = projection(source, model.order)
    possible = np.ones(size, dtype=bool)
    first = source.marginal() if model.order and n else None   # x_0, read in context 0...0

    def exact(row, m, seen):
        return expected_code_length(row, possible, m, model.rule, seen) if m > 0 else 0.0

    def cost(row, visits, seen=None, variance=0.0):
        """E[L] of ``visits`` i.i.d. symbols from row (interpolated between whole counts),
        with Jensen's second-order term f''(E N) Var(N) / 2 for a random visit count."""
        whole, share = math.floor(visits), visits - math.floor(visits)
        low = exact(row, whole, seen)
        high = exact(row, whole + 1, seen) if share else 0.0
        mean = (1 - share) * low + share * high
        if variance and whole >= 1:
            curvature = exact(row, whole + 1, seen) - 2 * low + exact(row, whole - 1, seen)
            mean += curvature * variance / 2
        return mean

    spread = source.visit_variances(model.order) if model.order else np.zeros(1)
    total = 0.0
    later = max(n - 1, 0) if first is not None else n
    for c in np.flatnonzero(best.mass > 0).tolist():
        visits = later * float(best.mass[c])
        variance = later * float(spread[c])
        if c == 0 and first is not None:
            # the first symbol comes from the stationary marginal, learned in context 0 first
            total += math.log2(size) + sum(
                float(first[s]) * cost(best.rows[c], visits, np.eye(size)[s], variance)
                for s in np.flatnonzero(first > 0).tolist())
        else:
            total += cost(best.rows[c], visits, None, variance)
    if first is not None and best.mass[0] == 0:           # context 0 never recurs
        total += math.log2(size)
    return total


#: steps of the exact order-1 walk (about K**3 C(n + K + 1, K + 1)) it may take: about 0.1 s
EXACT_WORK = 400_000


def _order_1_exactly(source, model, n: int) -> float:
    """E[L_n] of an adaptive order-1 model on a source of order 0 or 1, exactly: for each
    context c, a walk over (the model's current context, the counts of the symbols seen so far
    in c) carries the probability of every path, and each visit to c adds the expected cost of
    its symbol given those counts.  The first symbol comes from the stationary marginal and is
    read in context 0 (the padding)."""
    size = source.alphabet_size
    a = PRIORS[model.rule]
    rows = source.rows if source.order else np.repeat(source.rows, size, axis=0)
    first = source.marginal()
    total = 0.0
    for c in range(size):
        states = {(0, (0,) * size): 1.0}
        for i in range(n):
            moved: dict = {}
            for (d, counts), w in states.items():
                law = first if i == 0 else rows[d]
                if d == c:
                    seen = sum(counts)
                    total += w * sum(float(law[s]) * -math.log2((counts[s] + a) / (seen + size * a))
                                     for s in range(size) if law[s] > 0)
                for s in range(size):
                    if law[s] > 0:
                        after = counts[:s] + (counts[s] + 1,) + counts[s + 1:] if d == c else counts
                        key = (s, after)
                        moved[key] = moved.get(key, 0.0) + w * float(law[s])
            states = moved
    return total



class FenwickTree:
    """Cumulative frequencies with O(log K) update and prefix sum (Fenwick, 1994).

    It reads as the list of cumulative frequencies cum[0..K], so ``bisect`` finds the symbol
    whose interval holds a target in O(log K) look-ups.

    >>> from bisect import bisect_right
    >>> t = FenwickTree([1, 1, 2])
    >>> t.prefix(2), t.total, bisect_right(t, 2) - 1
    (2, 4, 2)
    >>> t.add(0, 3); t.prefix(1), bisect_right(t, 3) - 1, t[3]
    (4, 0, 7)
    """

    def __init__(self, weights):
        self.size = len(weights)
        self.tree = [0] + [int(w) for w in weights]
        for i in range(1, self.size + 1):                 # O(K) build
            j = i + (i & -i)
            if j <= self.size:
                self.tree[j] += self.tree[i]
        self.weights = [int(w) for w in weights]
        self.total = sum(self.weights)

    def add(self, i: int, delta: int) -> None:
        """weights[i] += delta."""
        self.weights[i] += delta
        self.total += delta
        i += 1
        while i <= self.size:
            self.tree[i] += delta
            i += i & -i

    def prefix(self, i: int) -> int:
        """Sum of weights[0:i]."""
        s = 0
        while i > 0:
            s += self.tree[i]
            i -= i & -i
        return s

    def __len__(self) -> int:
        return self.size + 1

    def __getitem__(self, i: int) -> int:
        """prefix(i): the tree reads as the cumulative list cum[0..K], so ``bisect`` searches it."""
        if not 0 <= i <= self.size:
            raise IndexError(i)
        return self.prefix(i)


class AdaptiveModel:
    r"""An order-0 model that learns q from the message: after c(s) of i symbols were s, the
    next symbol's weight is ``start + step * c(s)`` out of ``m * start + step * i`` (m possible
    symbols).  Laplace: (1, 1), i.e. (c + 1) / (i + m); KT: (1, 2), i.e. (c + 1/2) / (i + m/2).

    ``walker()`` gives the integer weights as a coder reads them (a Fenwick tree it updates
    after each symbol); ``costs(x)`` the exact -log2 of each prediction; the expectation and
    variance of the whole code length under p are :func:`expected_code_length` and
    :func:`code_length_variance`.
    """

    def __init__(self, possible: np.ndarray, rule: str):
        self.possible, self.rule = possible, rule
        self.start, self.step = ADAPTIVE_PRIORS[rule]

    def walker(self) -> FenwickTree:
        """The weights before the first symbol; ``tree.add(s, self.step)`` learns s."""
        return FenwickTree((self.possible * self.start).astype(np.int64).tolist())

    def largest_total(self, n: int) -> int:
        """The total weight after n symbols (the largest the coder meets)."""
        return int(self.possible.sum()) * self.start + self.step * n

    def costs(self, x: np.ndarray) -> np.ndarray:
        """-log2 of each prediction: log2(total_i) - log2(weight of x_i at step i)."""
        weight = self.start + self.step * _occurrences_before(x)
        total = int(self.possible.sum()) * self.start + self.step * np.arange(x.size)
        return np.log2(total) - np.log2(weight)

    def expected_bits(self, p, n: int) -> float:
        """E_p[L_n], exactly."""
        return expected_code_length(p, self.possible, n, self.rule)


def _occurrences_before(x: np.ndarray) -> np.ndarray:
    """For each position i, how often x[i] occurred in x[:i] (vectorised)."""
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    first = np.searchsorted(sorted_x, sorted_x, side="left")
    out = np.empty(x.size, dtype=np.int64)
    out[order] = np.arange(x.size) - first
    return out
