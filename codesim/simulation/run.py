"""``simulate``: the one entry point for a simulation, of an i.i.d. source or one with memory.

A distribution p goes to :func:`codesim.simulation.iid.measure`; a
:class:`~codesim.sources.markov.MarkovSource` to
:func:`codesim.simulation.with_memory.simulate_source`.
"""

from __future__ import annotations

from concurrent.futures import Executor

from ..errors import OptionError
from ..parallel.executors import check_executor
from ..sources.markov import MarkovSource
from .iid import measure
from .result import SimulationResult
from .with_memory import simulate_source

__all__ = ["simulate"]


def simulate(p, q, coder: str = "huffman", n: int = 100_000, seed: int = 0, *,
             chunk_size: int | None = None, executor: Executor | None = None,
             progress: bool | None = None, **coder_options) -> SimulationResult:
    """Sample n symbols from p, code them with ``coder`` built for q, decode, and measure.

    Parameters
    ----------
    p, q : array_like
        The true distribution and the one the code is built for (same alphabet 0..K-1).  p
        may be a :class:`~codesim.markov.MarkovSource` (a source with memory): q is then a
        context model, a MarkovSource or a plain q, the coder ``arithmetic``, ``range`` or
        ``ans``, and the result's entropy, cross-entropy and KL divergence are rates
        (:func:`codesim.memory.simulate_source`).
    coder : str or Coder
        ``huffman``, ``shannon``, ``sfe``, ``fano`` (prefix codes; option ``block=k``: code
        k-tuples; huffman's ``max_length=L``: length-limited), ``arithmetic`` (options
        ``precision=b`` bits of the quantised model, default 24, and ``adaptive="kt"`` or
        ``"laplace"``: learn q from the symbols as they come), ``rans``, ``range``, ``ans``
        (option ``precision``, up to 32 for rans, 24 for range and ans), ``tans`` (option
        ``table_log``, default 11), ``tunstall`` (variable-to-fixed, option ``bits``), the codes
        for the integers ``unary``, ``golomb`` (option ``m``), ``rice`` (option ``k``),
        ``elias_gamma``, ``elias_delta``, ``elias_omega`` (q sets their alphabet), the
        universal codes ``lz77`` (option ``window``), ``lz78`` and ``lzw`` (q sets their
        alphabet; their ledger is the
        sample's entropy and the measured redundancy, with no finite-n theory), or a coder
        already built (:func:`~codesim.coders.make_coder`).
    n : int
        Symbols to sample, any number: up to ``chunk_size`` (default :data:`CHUNK`, 10**7)
        they are one message; beyond, chunk i of the sample is drawn from
        ``chunk_seed(seed, i)`` = ``[seed, i]`` and coded as a message of its own, so memory
        stays bounded by one chunk.  The result adds the chunks' bits exactly, and their
        overheads (one flush per chunk) in its ledger and theory.
    seed : int, list of int, or numpy Generator
        Where the sample comes from: ``sample(p, n, seed)`` draws the same symbols (for a
        chunked run, ``sample(p, size_i, chunk_seed(seed, i))`` draws chunk i).
    chunk_size : int, optional
        Symbols per message (default :data:`CHUNK`).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Code the chunks there (e.g. a process pool, or a Dask cluster); default: in-process.
    progress : bool, optional
        Draw a progress bar of the chunks on stderr (default: on a terminal).

    Returns
    -------
    SimulationResult
        ``num_bits`` and ``measured_bits_per_symbol`` (measured); ``entropy`` H(p),
        ``cross_entropy`` H(p,q), ``kl_divergence`` D(p||q), ``expected_bits_per_symbol`` (this
        coder's rate under p) and ``stderr`` (theory); ``ideal_bits_per_symbol`` (the sample's
        information content under q, / n); ``ledger`` (the bits split into sample entropy,
        sample divergence, quantisation and coder overhead, summing to num_bits) with
        ``ledger_theory`` per symbol; ``encode_seconds``, ``decode_seconds``.

    Raises SupportError when the sample holds a symbol that q rules out (H(p, q) is infinite).

    Examples
    --------
    >>> r = simulate([0.5, 0.25, 0.125, 0.125], [0.25] * 4, "huffman", n=10_000, seed=0)
    >>> r.measured_bits_per_symbol, r.entropy, r.cross_entropy
    (2.0, 1.75, 2.0)
    """
    check_executor(executor)
    if isinstance(p, MarkovSource):
        if chunk_size is not None or executor is not None:
            raise OptionError("a Markov source is coded as one message, in-process: chunk_size "
                              "and executor apply to i.i.d. sources")
        unknown = sorted(set(coder_options) - {"precision"})
        if unknown:
            raise OptionError(f"a source with memory is coded by a context model, which takes "
                              f"only precision, not {unknown[0]!r}")
        return simulate_source(p, q, coder, n, seed, **coder_options)
    return measure(p, q, coder, n, seed, chunk_size=chunk_size, executor=executor,
                   progress=progress, **coder_options).result
