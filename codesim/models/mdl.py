r"""MDL order selection: the Markov order whose code describes the data in the fewest bits.

A model of order k reads each symbol in its context, the k symbols before it (zeros before the
start, as the context models read it).  Two ways of paying for not knowing the parameters:

* **mixture** (exact): the KT mixture in every context, which is what the adaptive context
  coder (``AdaptiveContextModel(K, order=k)``) codes with; its code length is
  :math:`\sum_c -\log_2 P_{KT}(\text{counts in } c)` bits (:func:`codesim.models.regret.kt_code_length`);
* **two-part** (asymptotic): the maximum-likelihood code length plus
  :math:`\tfrac{(K-1) K^k}{2} \log_2 n` bits for the parameters (Rissanen, 1978).

The order with the shortest total code is MDL's choice.  Each extra order multiplies the
parameters by K, and their price, about half log2 n bits each, grows with n more slowly than
the bits a true dependence saves (n times a conditional mutual information): so the choice is
consistent, and the tests show it at work (an order-2 binary source at n = 10^4).

>>> from codesim.sources.markov import MarkovSource
>>> source = MarkovSource([[[0.9, 0.1], [0.3, 0.7]], [[0.5, 0.5], [0.05, 0.95]]])   # order 2
>>> select_order(source.sample(10_000, 1), 2, max_order=4).order
2
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import OptionError
from ..limits import require_memory
from ..sources.markov import context_ids
from ..tables import Table
from ..validate import as_symbols, is_whole, power_fits

__all__ = ["select_order", "order_code_lengths", "OrderSelection", "METHODS"]

METHODS = ("mixture", "two-part")
#: the most contexts a selection counts in (K**max_order)
MAX_CONTEXTS = 1 << 22
_LN2 = math.log(2)
_lgamma = np.vectorize(math.lgamma, otypes=[float])


def _context_counts(x: np.ndarray, order: int, k: int) -> np.ndarray:
    """counts[c, s]: how often symbol s follows context c (K**order rows)."""
    ids = context_ids(x, order, k) * k + x
    return np.bincount(ids, minlength=k ** (order + 1)).reshape(k ** order, k)


def _mixture_bits(counts: np.ndarray) -> float:
    """sum over contexts of -log2 P_KT(counts in the context)."""
    k = counts.shape[1]
    n_c = counts.sum(axis=1)
    used = n_c > 0
    counts, n_c = counts[used], n_c[used]
    nats = (_lgamma(n_c + k / 2).sum() - used.sum() * math.lgamma(k / 2)
            - (_lgamma(counts + 0.5) - math.lgamma(0.5)).sum())
    return float(nats) / _LN2


def _ml_bits(counts: np.ndarray) -> float:
    """sum over contexts of n_c times the empirical entropy in the context."""
    n_c = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(counts > 0, counts * np.log2(counts / np.where(n_c > 0, n_c, 1)), 0.0)
    return float(-terms.sum())


def order_code_lengths(x, k: int, max_order: int = 4, method: str = "mixture") -> Table:
    """One row per order 0..max_order: the total code length of x (bits) by ``method``, and
    its parts (the maximum-likelihood length; the price of the parameters).

    >>> rows = order_code_lengths([0, 1] * 50, 2, max_order=1)
    >>> [row["order"] for row in rows], rows[1]["bits"] < rows[0]["bits"]
    ([0, 1], True)
    """
    if method not in METHODS:
        raise OptionError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not is_whole(k, 2):
        raise OptionError(f"order selection needs an alphabet of K >= 2 symbols, got {k!r}")
    if not is_whole(max_order, 0):
        raise OptionError(f"max_order must be a whole number >= 0, got {max_order!r}")
    k, max_order = int(k), int(max_order)
    if not power_fits(k, max_order + 1, MAX_CONTEXTS):
        raise OptionError(f"order {max_order} over {k} symbols has more than {MAX_CONTEXTS} "
                          "(context, symbol) pairs to count: lower max_order")
    x = as_symbols(x, k)
    require_memory(8 * k ** (max_order + 1) + 16 * x.size, f"counting {x.size} symbols in contexts")
    n = max(x.size, 1)
    rows = []
    for order in range(max_order + 1):
        counts = _context_counts(x, order, k)
        ml = _ml_bits(counts)
        if method == "mixture":
            bits = _mixture_bits(counts)
        else:
            bits = ml + (k - 1) * k ** order / 2 * math.log2(n)
        rows.append({"order": order, "parameters": (k - 1) * k ** order, "bits": bits,
                     "ML bits": ml, "price of the parameters": bits - ml})
    return Table(rows)


@dataclass(frozen=True)
class OrderSelection:
    """MDL's choice: the ``order`` of the shortest total code, and every order's ``rows``."""

    order: int
    method: str
    rows: Table

    def __str__(self) -> str:
        return f"MDL ({self.method}) chooses order {self.order}\n{self.rows}"

    def _repr_html_(self) -> str:
        return f"<p>MDL ({self.method}) chooses order <b>{self.order}</b></p>" + self.rows._repr_html_()


def select_order(x, k: int, max_order: int = 4, method: str = "mixture") -> OrderSelection:
    """The Markov order (0..max_order) whose code for x is shortest (ties: the lower order)."""
    rows = order_code_lengths(x, k, max_order, method)
    best = min(rows, key=lambda row: (row["bits"], row["order"]))
    return OrderSelection(best["order"], method, rows)
