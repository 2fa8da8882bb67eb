"""The round trip, and what a loop of simulations should not redo.

:func:`checked_round_trip` encodes and decodes a message and refuses a decoder that does not
give it back (an error, never a number).  :func:`coder_for` remembers coders by their model,
:func:`theory_of` remembers H(p), H(p, q), D(p||q) by (p, q): a sweep or a loop of small
simulations builds each coder and each theory once.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

import numpy as np

from ..coders import Coder, make_coder
from ..errors import DecodeError
from ..measures import theory_bits

__all__ = ["checked_round_trip", "coder_for", "theory_of", "information", "CODER_CACHE_SIZE",
           "CACHE_MAX_K"]


_theories: OrderedDict = OrderedDict()


def theory_of(p, q):
    """(H(p), H(p,q), D(p||q)) of validated p and q (remembered for the last few pairs)."""
    key = (p.tobytes(), q.tobytes())
    if key not in _theories:
        _theories[key] = theory_bits(p, q)
        if len(_theories) > CODER_CACHE_SIZE:
            _theories.popitem(last=False)
    return _theories[key]


#: coders remembered by their model (name, q, options), for alphabets up to CACHE_MAX_K
CODER_CACHE_SIZE = 32
CACHE_MAX_K = 1 << 16
_coders: OrderedDict = OrderedDict()


def coder_for(name: str, q: np.ndarray, options: dict) -> Coder:
    """``make_coder(name, q, **options)``, remembered: a loop or sweep of simulations with one
    model builds its coder once (coders hold no per-message state)."""
    if q.size > CACHE_MAX_K or not isinstance(name, str):
        return make_coder(name, q, **options)
    key = (name, q.shape, q.tobytes(), repr(sorted(options.items())))
    coder = _coders.get(key)
    if coder is None:
        coder = make_coder(name, q, **options)
        _coders[key] = coder
        if len(_coders) > CODER_CACHE_SIZE:
            _coders.popitem(last=False)
    else:
        _coders.move_to_end(key)
    return coder


def checked_round_trip(built, x):
    """Encode and decode x; raise DecodeError if the decoder does not give x back."""
    t0 = time.perf_counter()
    enc = built.encode(x)
    t1 = time.perf_counter()
    back = built.decode(enc)
    t2 = time.perf_counter()
    if not np.array_equal(back, x):
        first = int(np.argmax(back != x)) if back.size == x.size else min(back.size, x.size)
        raise DecodeError(f"{built.name}: the decoded message differs from the input at position "
                          f"{first}: the coder is broken (please report this)")
    return enc, t1 - t0, t2 - t1


def information(counts: np.ndarray, *pmfs: np.ndarray) -> list[float]:
    """sum_i -log2 q(x_i) for each q of ``pmfs``, from the symbol counts (inf where a drawn
    symbol has q(x) = 0)."""
    seen = counts > 0
    drawn = counts[seen]
    out = []
    for q in pmfs:
        probabilities = q[seen]
        out.append(float(np.dot(drawn, -np.log2(probabilities))) if probabilities.all() else math.inf)
    return out
