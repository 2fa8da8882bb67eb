r"""Sources with memory: order-k Markov sources, their entropy and cross-entropy rates.

An order-k Markov source over K symbols draws each symbol from a distribution that depends on
the k symbols before it: ``transitions[c1, ..., ck]`` is a distribution over the next symbol
(order 0 is an i.i.d. p).  Its *context* (the last k symbols, oldest first, read as a base-K
number) is itself a Markov chain; with its stationary distribution pi,

.. math::  \bar H = \sum_c \pi(c) H(T(c, \cdot))                       \quad\text{(entropy rate)}

.. math::  \bar H(T, Q) = \sum_w \pi_m(w) \sum_s T(w, s) \log_2 \frac{1}{Q(w, s)}
           \quad\text{(cross-entropy rate)}

where w runs over windows of m = max(k, j) symbols and Q is a model of order j (another source,
or a plain q for j = 0), each reading the last k or j symbols of w.  Coding a long sample from
T with a code for Q costs the cross-entropy rate per symbol; the KL rate
:math:`\bar H(T, Q) - \bar H` is the surcharge, as D(p||q) is for i.i.d. sources.

:meth:`MarkovSource.sample` starts in the stationary distribution: the first k symbols are a
context drawn from pi, the others follow the transitions, so the whole sample is stationary.
Along such a sample the cost -log2 Q of each symbol is an additive functional of the window
chain, whose variance over n symbols is n sigma^2 with (Poisson equation, h = (I - P + Pi)^-1 (g - mu))

.. math::  \sigma^2 = E_\pi\big[(f(w, s) - \mu + h(w') - h(w))^2\big],

not the i.i.d. Var[f]: a sticky chain's costs come in runs (``cost_moments``).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from bisect import bisect_right
from numbers import Real

import numpy as np

from ..errors import DistributionError, OptionError
from ..limits import require_memory, require_symbols
from ..validate import (_as_float_array, as_rng as _rng, checked_pmf, checked_pmf_rows, is_number,
                        is_whole, power_fits, sample_size, whole_number)

__all__ = ["MarkovSource", "MAX_WINDOWS", "context_ids", "projection", "start_excess", "sample_entropy"]

#: windows (K^(m+1) cells) a rate or a variance is computed over, at most
MAX_WINDOWS = 1 << 22
#: the longest order a chain may have (its rows are an array of order + 1 axes)
MAX_ORDER = 62
#: exact dense linear algebra up to this many contexts (4096: about 1 s and 0.4 GB); beyond,
#: iteration on the lazy chain (I + P) / 2, which converges for periodic chains too, to
#: ITERATION_TOLERANCE, refusing the chain when ITERATION_WORK is spent first
DENSE_CONTEXTS = 4096
#: an iteration stops when a step changes its iterate by less than this (L1 for a law, max
#: for a series); the error left is about this times the chain's mixing time
ITERATION_TOLERANCE = 1e-14
#: entries an iteration may touch (steps times transitions) before it gives up
ITERATION_WORK = 4 * 10**9


def _rows(transitions) -> tuple[np.ndarray, int, int]:
    """Validate transitions of shape (K,)*k + (K,): (rows (K^k, K), k, K)."""
    try:
        np.asarray(transitions, dtype=np.float64)
    except (ValueError, TypeError) as err:
        raise DistributionError(f"transitions must be numbers in an array of shape (K,)*k + (K,) "
                                f"({err})") from None
    arr = _as_float_array(transitions, "transitions")       # strings and booleans refused by name
    if arr.ndim == 0 or arr.size == 0:
        raise DistributionError("transitions must be an array of shape (K,)*k + (K,)")
    k, size = arr.ndim - 1, arr.shape[-1]
    if any(d != size for d in arr.shape):
        raise DistributionError(f"transitions must have shape (K,)*k + (K,): every axis of "
                                f"length K, got shape {arr.shape}")
    if k == 0:
        given = transitions if isinstance(transitions, np.ndarray) else arr
        return checked_pmf(given, "transitions")[None, :], 0, size
    require_memory(8 * arr.size, f"transitions over {size ** k} contexts")
    given = np.asarray(transitions) if isinstance(transitions, np.ndarray) else arr
    flat = given.reshape(-1, size)                          # in its own dtype: float32 rows too
    try:
        rows = checked_pmf_rows(flat, "transitions")
    except DistributionError as err:
        message = str(err)
        if message.startswith("transitions["):            # name the context, not the row number
            label = message[len("transitions["): message.index("]")].split(", ")
            context = [int(c) for c in np.unravel_index(int(label[0]), arr.shape[:-1])]
            message = ("transitions[" + ", ".join(map(str, context + label[1:]))
                       + message[message.index("]"):])
        raise DistributionError(message) from None
    return rows, k, size


def _window_chain(rows: np.ndarray) -> np.ndarray:
    """The dense transition matrix of a chain over windows of symbols: window w (a base-K
    number, oldest symbol first) moves to (w K mod W) + s with probability rows[w, s]."""
    windows, k = rows.shape
    matrix = np.zeros((windows, windows))
    np.add.at(matrix, (np.repeat(np.arange(windows), k),
                       ((np.arange(windows)[:, None] * k) % windows + np.arange(k)).reshape(-1)),
              rows.reshape(-1))
    return matrix


def _iterate(step, x, size_of, work_per_step: int, what: str, difference: bool = True):
    """x <- step(x) until a step changes x by less than ITERATION_TOLERANCE (``size_of`` the
    change, or of x itself when ``difference`` is False); refused, never returned unconverged,
    when ITERATION_WORK entries are touched first."""
    steps = max(ITERATION_WORK // max(work_per_step, 1), 1)
    for _ in range(steps):
        new = step(x)
        if size_of(new - x if difference else new) < ITERATION_TOLERANCE:
            return new
        x = new
    raise DistributionError(
        f"{what} did not converge to {ITERATION_TOLERANCE:g} in {steps} steps: the chain mixes "
        f"too slowly to iterate (codesim solves up to {DENSE_CONTEXTS} contexts exactly)")


class MarkovSource:
    """An order-k Markov source over K symbols (see the module docstring).

    Examples
    --------
    >>> chain = MarkovSource([[0.9, 0.1], [0.2, 0.8]])          # order 1, two states
    >>> chain.order, chain.alphabet_size, chain.stationary().round(4).tolist()
    (1, 2, [0.6667, 0.3333])
    >>> round(chain.entropy_rate(), 4)                           # (2/3) h(0.1) + (1/3) h(0.2)
    0.5533
    >>> round(chain.cross_entropy_rate([0.5, 0.5]), 4)           # any i.i.d. code: 1 bit here
    1.0
    >>> round(chain.kl_rate(chain.marginal()), 4)                # what ignoring memory costs
    0.365
    """

    def __init__(self, transitions):
        self.rows, self.order, self.alphabet_size = _rows(transitions)
        self.contexts = self.rows.shape[0]
        self._pi = None

    # --- families ------------------------------------------------------------------------
    @classmethod
    def sticky(cls, k: int, stay: float) -> "MarkovSource":
        """Order 1: repeat the last symbol with probability ``stay``, else any other uniformly.

        >>> MarkovSource.sticky(3, 0.8).rows[0].round(6).tolist()
        [0.8, 0.1, 0.1]
        """
        if not is_whole(k, 2):
            raise OptionError(f"a sticky chain needs K >= 2 symbols, got {k!r}")
        if not isinstance(stay, Real) or not 0 <= stay < 1:
            raise OptionError(f"stay must be a probability in [0, 1), got {stay!r}")
        require_memory(8 * k * k, f"transitions over {k} contexts")
        rows = np.full((k, k), (1 - stay) / (k - 1))
        np.fill_diagonal(rows, stay)
        return cls(rows)

    @classmethod
    def random(cls, k: int, order: int = 1, alpha: float = 1.0, seed=0) -> "MarkovSource":
        """Each context's row drawn from Dirichlet(alpha) with a seeded Generator: small alpha
        gives nearly deterministic rows (strong memory), large alpha nearly uniform ones."""
        if not is_whole(k, 1):
            raise OptionError(f"a chain needs a whole number K >= 1 of symbols, got {k!r}")
        if not is_whole(order, 0, MAX_ORDER) or not power_fits(k, order + 1, MAX_WINDOWS):
            raise OptionError(f"order must be a whole number with K**(order + 1) <= {MAX_WINDOWS} "
                              f"(and order <= {MAX_ORDER}), got order {order!r} over K = {k}")
        if not is_number(alpha) or not 0 < alpha < math.inf:
            raise OptionError(f"alpha must be a positive finite number, got {alpha!r}")
        require_memory(8 * k ** (order + 1), f"a chain over {k ** order} contexts")
        rows = _rng(seed).dirichlet(np.full(k, float(alpha)), size=k ** order)
        rows = np.maximum(rows, 1e-12)
        rows /= rows.sum(axis=1, keepdims=True)
        return cls(rows.reshape((k,) * order + (k,)))

    # --- the context chain -----------------------------------------------------------------
    def visit_variances(self, order: int) -> np.ndarray:
        """sigma^2 of each window of ``order`` symbols: n sigma^2 is the asymptotic variance of
        the number of times n symbols pass through it.  With the window chain's transitions P
        (the best order-``order`` projection of the source, exact from the source's own order
        up), stationary law pi and Z = (I - P + 1 pi^T)^-1, sigma_c^2 = pi_c (2 Z_cc - 1 - pi_c).
        """
        best = projection(self, order)
        size = best.rows.shape[0]
        if size > DENSE_CONTEXTS:
            raise OptionError(f"visit variances over {size} windows need a dense solve larger "
                              f"than the {DENSE_CONTEXTS} codesim makes")
        require_memory(24 * size * size, f"the visit variances of {size} windows")
        matrix = _window_chain(best.rows)
        pi = best.mass
        z = np.linalg.inv(np.eye(size) - matrix + np.outer(np.ones(size), pi))
        return np.maximum(pi * (2 * np.diag(z) - 1 - pi), 0.0)

    def _successor(self, contexts: np.ndarray, symbols: np.ndarray) -> np.ndarray:
        return (contexts * self.alphabet_size) % self.contexts + symbols

    def stationary(self) -> np.ndarray:
        """pi over the K^k contexts (index: the context read as a base-K number, oldest first).

        Raises DistributionError when the chain has no unique stationary distribution (two
        closed classes of contexts that never reach each other)."""
        if self._pi is None:
            self._pi = self._solve_stationary()
        return self._pi

    def _solve_stationary(self) -> np.ndarray:
        if self.order == 0:
            return np.ones(1)
        size = self.contexts
        c = np.repeat(np.arange(size), self.alphabet_size)
        s = np.tile(np.arange(self.alphabet_size), size)
        weight = self.rows.reshape(-1)
        on = weight > 0
        src, dst, w = c[on], self._successor(c[on], s[on]), weight[on]
        if size <= DENSE_CONTEXTS:
            require_memory(24 * size * size, f"the stationary law of {size} contexts")
            matrix = _window_chain(self.rows)
            system = matrix.T - np.eye(size)
            system[-1] = 1.0
            rhs = np.zeros(size)
            rhs[-1] = 1.0
            try:
                pi = np.linalg.solve(system, rhs)
            except np.linalg.LinAlgError:
                pi = None
        else:
            pi = _iterate(lambda pi: (pi + np.bincount(dst, weights=pi[src] * w, minlength=size)) / 2,
                          np.full(size, 1.0 / size), lambda d: np.abs(d).sum(), w.size,
                          f"the stationary law of {size} contexts")
        if pi is not None:
            pi = np.where(np.abs(pi) < 1e-15, 0.0, pi)
        self._check_unique(src, dst, pi)
        return pi / pi.sum()

    def _check_unique(self, src, dst, pi) -> None:
        """Every context must reach one recurrent context r: then there is one closed class."""
        size = self.contexts
        root = int(np.argmax(pi)) if pi is not None and np.all(pi >= -1e-12) else 0
        reached = np.zeros(size, dtype=bool)
        reached[root] = True
        while True:                                      # contexts that can reach root
            grow = reached[dst] & ~reached[src]
            if not grow.any():
                break
            reached[src[grow]] = True
        forward = np.zeros(size, dtype=bool)             # contexts root reaches: its class
        forward[root] = True
        while True:
            grow = forward[src] & ~forward[dst]
            if not grow.any():
                break
            forward[dst[grow]] = True
        closed = forward & reached
        if not reached.all() or pi is None or not np.all(pi >= -1e-12) or not np.isfinite(pi).all() \
                or (forward & ~closed).any():
            lost = int(np.argmin(reached)) if not reached.all() else int(np.argmax(forward & ~closed))
            raise DistributionError(
                f"the chain has no unique stationary distribution: context "
                f"{self._context_name(lost)} never reaches context {self._context_name(root)} "
                "(two closed classes of contexts)")

    def _context_name(self, index: int) -> str:
        if self.order == 0:
            return "()"
        return "(" + ", ".join(map(str, np.unravel_index(index, (self.alphabet_size,) * self.order))) + ")"

    def marginal(self) -> np.ndarray:
        """The stationary distribution of one symbol."""
        return self.stationary() @ self.rows

    def entropy_rate(self) -> float:
        """sum_c pi(c) H(T(c, .)) bits per symbol."""
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.sum(np.where(self.rows > 0, self.rows * np.log2(self.rows), 0.0), axis=1)
        return float(self.stationary() @ h)

    # --- rates against a model -------------------------------------------------------------
    def _model_rows(self, model) -> tuple[np.ndarray, int]:
        if isinstance(model, MarkovSource):
            if model.alphabet_size != self.alphabet_size:
                raise DistributionError(f"the model has {model.alphabet_size} symbols, the source "
                                        f"{self.alphabet_size}")
            return model.rows, model.order
        if hasattr(model, "order"):                            # a context model, or its rows
            rows = getattr(model, "rows", None)
            if rows is None:
                raise OptionError(f"the {getattr(model, 'kind', '')} context model learns as "
                                  "it codes and has no fixed rows: its rate depends on n (simulate "
                                  "the source with it)")
            if np.shape(rows)[-1] != self.alphabet_size:
                raise DistributionError(f"the model has {np.shape(rows)[-1]} symbols, the source "
                                        f"{self.alphabet_size}")
            return np.asarray(rows), int(model.order)
        q = checked_pmf(model, "q")
        if q.size != self.alphabet_size:
            raise DistributionError(f"q has {q.size} entries but the source has "
                                    f"{self.alphabet_size} symbols")
        return q[None, :], 0

    def windows(self, m: int) -> np.ndarray:
        """The stationary distribution of m consecutive symbols (index: base K, oldest first)."""
        size = self.alphabet_size
        m = whole_number(m, "a window's length m", 0)
        if not power_fits(size, m + 1, MAX_WINDOWS):
            raise OptionError(f"windows of {m} symbols over {size} letters have more than the "
                              f"{MAX_WINDOWS} cells codesim computes")
        if m < self.order:
            full = self.windows(self.order).reshape(size ** (self.order - m), size ** m)
            return full.sum(axis=0)
        require_memory(8 * size ** (m + 1), f"windows of {m} symbols over {size} letters")
        probs = self.stationary()
        for _ in range(m - self.order):
            last = np.arange(probs.size) % self.contexts if self.order else np.zeros(probs.size, int)
            probs = (probs[:, None] * self.rows[last]).reshape(-1)
        return probs

    def _window_costs(self, model):
        """(window probs, T rows per window, model cost rows per window, m)."""
        q_rows, j = self._model_rows(model)
        m = max(self.order, j)
        size = self.alphabet_size
        if size ** (m + 1) > MAX_WINDOWS:
            raise OptionError(f"a rate over windows of {m} symbols needs {size ** (m + 1)} cells, "
                              f"more than the {MAX_WINDOWS} codesim computes")
        probs = self.windows(m)
        index = np.arange(size ** m)
        t = self.rows[index % self.contexts] if self.order else np.broadcast_to(self.rows[0], (index.size, size))
        q = q_rows[index % (size ** j)] if j else np.broadcast_to(q_rows[0], (index.size, size))
        with np.errstate(divide="ignore"):
            cost = np.where(t > 0, -np.log2(np.where(q > 0, q, 1.0)), 0.0)
            cost = np.where((t > 0) & (q == 0), np.inf, cost)
        return probs, t, cost, m

    def cross_entropy_rate(self, model) -> float:
        """Bits per symbol of a code for ``model`` (a MarkovSource of any order, a fixed context
        model, or a plain q) on this source."""
        probs, t, cost, _ = self._window_costs(model)
        with np.errstate(invalid="ignore"):
            per_window = np.sum(np.where(t > 0, t * cost, 0.0), axis=1)
        on = probs > 0
        return float(probs[on] @ per_window[on])

    def kl_rate(self, model) -> float:
        """cross_entropy_rate(model) - entropy_rate(): the surcharge of the wrong model."""
        return self.cross_entropy_rate(model) - self.entropy_rate()

    def cost_moments(self, model) -> tuple[float, float]:
        """(mean, sigma^2) of the per-symbol cost -log2 model along the chain: the mean is the
        cross-entropy rate and n sigma^2 the asymptotic variance of the cost of n symbols."""
        probs, t, cost, m = self._window_costs(model)
        mean = self.cross_entropy_rate(model)
        if not math.isfinite(mean):
            return math.inf, math.inf
        size = self.alphabet_size
        windows = probs.size
        g = np.sum(np.where(t > 0, t * cost, 0.0), axis=1) - mean
        succ = (np.arange(windows)[:, None] * size) % windows + np.arange(size)[None, :]
        if m == 0:                                              # i.i.d.: no memory
            h = np.zeros(1)
            succ = np.zeros((1, size), dtype=int)
        elif windows <= DENSE_CONTEXTS:
            require_memory(24 * windows * windows, f"the chain variance over {windows} windows")
            matrix = _window_chain(t)
            h = np.linalg.solve(np.eye(windows) - matrix + probs[None, :], g)
        else:
            # h solves (I - P) h = g; with the lazy chain L = (I + P) / 2 that is
            # (I - L) h = g / 2, so h = sum_t L^t g / 2, a series that converges even for a
            # periodic chain (where sum_t P^t g oscillates forever)
            state = [np.zeros(windows), g / 2]

            def step(_):
                h, term = state
                h += term
                state[1] = (term + np.sum(t * term[succ], axis=1)) / 2
                return h

            def change(_):
                return np.abs(state[1]).max()

            h = _iterate(step, state[0], change, t.size, f"the chain variance over {windows} windows",
                         difference=False)
        martingale = cost - mean + h[succ] - h[:, None]
        with np.errstate(invalid="ignore"):
            sq = np.sum(np.where(t > 0, t * martingale**2, 0.0), axis=1)
        return mean, float(probs @ sq)

    # --- sampling --------------------------------------------------------------------------
    def sample(self, n: int, seed=0) -> np.ndarray:
        """n symbols from the stationary start (seeded): the first k are a context drawn from
        pi, the rest follow the transitions.

        >>> MarkovSource.sticky(2, 0.99).sample(12, seed=1).tolist()
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        """
        n = sample_size(n)
        require_symbols(n)
        require_memory(16 * n, f"a sample of {n} symbols")
        rng = _rng(seed)
        size, k = self.alphabet_size, self.order
        if k == 0:
            return rng.choice(size, size=n, p=self.rows[0]).astype(np.int64)
        out = np.empty(n, dtype=np.int64)
        start = int(rng.choice(self.contexts, p=self.stationary()))
        head = np.array(np.unravel_index(start, (size,) * k), dtype=np.int64)[:n]
        out[: head.size] = head
        if n <= k:
            return out
        cum = np.cumsum(self.rows, axis=1)
        cum[:, -1] = 1.0
        cums = cum.tolist()                   # Python lists: bisect is far quicker per step
        u = rng.random(n - k).tolist()
        context, modulus, symbols = start, self.contexts, [0] * (n - k)
        # one step a symbol: the cumulative row of the context, searched for u (the first
        # entry above u, as searchsorted(side="right"))
        for i, v in enumerate(u):
            s = bisect_right(cums[context], v)
            symbols[i] = s
            context = (context * size) % modulus + s
        out[k:] = symbols
        return out

    def __repr__(self) -> str:
        return f"MarkovSource(order={self.order}, K={self.alphabet_size})"


def context_ids(x: np.ndarray, order: int, alphabet_size: int) -> np.ndarray:
    """The context of every position: the ``order`` symbols before it (0 before the start),
    read as a base-K number, oldest first.

    >>> context_ids(np.array([1, 2, 0, 1]), 2, 3).tolist()      # (0,0) (0,1) (1,2) (2,0)
    [0, 1, 5, 6]
    """
    out = np.zeros(x.size, dtype=np.int64)
    for d in range(1, order + 1):                       # x_{i-d} weighs K^(d-1)
        if d <= x.size:
            out[d:] += x[:-d].astype(np.int64) * alphabet_size ** (d - 1)
    return out


def projection(source: MarkovSource, order: int) -> SimpleNamespace:
    """The best model of ``order`` for the source: P(X_t | the last ``order`` symbols) in
    stationarity (rows with no mass: uniform)."""
    size = source.alphabet_size
    joint = source.windows(order + 1).reshape(size ** order, size)
    mass = joint.sum(axis=1, keepdims=True)
    rows = np.where(mass > 0, joint / np.where(mass > 0, mass, 1), 1.0 / size)
    return SimpleNamespace(rows=rows, order=order, mass=mass[:, 0])


def start_excess(source: MarkovSource, model) -> float:
    """E[sum over the first j positions of their cost] - j * rate: the model reads a context
    padded with 0 there, not the symbols before the stationary sample began (bits)."""
    j, size = model.order, source.alphabet_size
    if j == 0:
        return 0.0
    rate = source.cross_entropy_rate(model)
    excess = 0.0
    for i in range(min(j, 12)):
        probs = source.windows(i + 1)                      # (x_0, ..., x_i), oldest first
        index = np.arange(probs.size)
        symbol, past = index % size, index // size         # past: x_0..x_{i-1} in base K
        with np.errstate(divide="ignore"):
            cost = -np.log2(model.rows[past, symbol])      # context (0, ..., 0, x_0..x_{i-1})
        on = probs > 0
        excess += float(probs[on] @ cost[on]) - rate
    return excess


def sample_entropy(source: MarkovSource, x: np.ndarray) -> float:
    """sum_i -log2 P(x_i | x_<i) under the source; the first k symbols at their stationary
    probability."""
    k, size = source.order, source.alphabet_size
    if k == 0:
        return float(-np.log2(source.rows[0][x]).sum())
    head = min(k, x.size)
    start = source.windows(head)[int(np.ravel_multi_index(x[:head], (size,) * head))] if head else 1.0
    rest = source.rows[context_ids(x, k, size)[k:], x[k:]]
    return float(-math.log2(start) - np.log2(rest).sum())
