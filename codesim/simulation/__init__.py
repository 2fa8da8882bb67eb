r"""Measurement: code real samples, decode them back, and set the bits beside the theory.

=====================  ==============================================================
module                 holds
=====================  ==============================================================
``result``             :class:`SimulationResult` and the one constructor of its ledger
``roundtrip``          the checked round trip; coders and theory remembered by model
``chunks``             coding a sample in chunks (memory bounded by one chunk)
``iid``                :func:`measure` and :func:`compare` for i.i.d. sources
``with_memory``        :func:`simulate_source`: a Markov source and a context model
``run``                :func:`simulate`, the entry point for either
``sweep``              :func:`sweep` over a grid of q's, :func:`mixture_grid`
``divergence``         the paired measurement of D(p||q)
``check``              verdicts (exact, bound, statistical, overhead) and spec files
``testing``            pytest helpers
``text``               a text under context models beside zlib, bz2 and lzma
=====================  ==============================================================

Every bit is accounted for: a result's ledger splits ``num_bits`` into sample entropy,
sample divergence, quantisation and coder overhead, exactly (:mod:`.result`).
"""

from .chunks import chunk_seed
from .iid import CHUNK, compare, measure
from .result import LEDGER_TERMS, Measurement, Results, SimulationResult
from .roundtrip import checked_round_trip, coder_for
from .run import simulate
from .sweep import SweepInterrupted, mixture_grid, sweep
from .with_memory import simulate_source

__all__ = ["SimulationResult", "Results", "Measurement", "LEDGER_TERMS", "simulate", "compare", "measure",
           "sweep", "mixture_grid", "SweepInterrupted", "chunk_seed", "CHUNK", "checked_round_trip",
           "coder_for", "simulate_source"]
