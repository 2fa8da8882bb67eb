r"""One result type, and the one constructor of its ledger.

A :class:`SimulationResult` is one coder on one sample: measured bits beside the theory.  Its
**ledger** accounts for every bit of ``num_bits``, exactly, on this very sample::

    sample_entropy      sum -log2 p(x_i)                  theory n H(p)
    sample_divergence   sum log2 p(x_i) / q(x_i)          theory n D(p||q)
    quantisation        sum log2 q(x_i) / q~(x_i)         theory n (D(p||q~) - D(p||q))
    coder_overhead      num_bits - sum -log2 q~(x_i)      theory: the coder's mean overhead

A universal code (LZ78, LZW: no q, no model, no finite-n theory of its rate) has a ledger of
two terms instead::

    sample_entropy      sum -log2 p(x_i)                  theory n H(p) (or the entropy rate)
    redundancy          num_bits - sample_entropy         theory: none at finite n; tends to 0

:func:`measured_result` is the only place a ledger is built: i.i.d. simulations
(:mod:`codesim.simulation.iid`) and sources with memory
(:mod:`codesim.simulation.with_memory`) both hand it the four sums they measured and the
theory they computed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ..tables import Table
from ..validate import seed_label
import html

__all__ = ["SimulationResult", "Results", "Measurement", "LEDGER_TERMS", "UNIVERSAL_LEDGER_TERMS",
           "measured_result", "EXPECTED_NOTE"]


LEDGER_TERMS = ("sample_entropy", "sample_divergence", "quantisation", "coder_overhead")
#: the ledger of a universal code (no model of q)
UNIVERSAL_LEDGER_TERMS = ("sample_entropy", "redundancy")


@dataclass(frozen=True)
class SimulationResult:
    """One coder on one sample: measured cost beside theory (bits per symbol unless named).

    For an adaptive model, ``cross_entropy`` and ``kl_divergence`` describe the model the coder
    really used, its sequential predictions: E_p[L_n] / n and the learning cost E_p[L_n] / n - H(p).
    An empty sample has no rate: its per-symbol figures are nan.
    """

    coder: str
    n: int
    seed: object                        # the seed of the sample: an int or a list of ints
    num_bits: int                       # measured: exact length of the encoded message
    measured_bits_per_symbol: float     # measured: num_bits / n
    entropy: float                      # theory: H(p)
    cross_entropy: float                # theory: H(p, q)
    kl_divergence: float                # theory: D(p || q)
    expected_bits_per_symbol: float     # theory: E_p[num_bits] / n: the code length and the
                                        # coder's mean overhead (the ledger's theory total)
    ideal_bits_per_symbol: float        # the sample's information content under q, / n
    stderr: float                       # sqrt(Var_p[num_bits]) / n
    encode_seconds: float
    decode_seconds: float
    ledger: dict = field(default_factory=dict)          # measured, bits, sums to num_bits
    ledger_theory: dict = field(default_factory=dict)   # theory, bits per symbol
    chunks: int = 1                     # messages the sample was coded as (see CHUNK)

    def to_dict(self, flat: bool = False) -> dict:
        """The fields as a plain dict (JSON-ready; inf stays float('inf')).

        ``flat=True`` spreads the ledger into columns ``ledger.TERM`` and ``theory.TERM`` (CSV).
        """
        d = asdict(self)
        if flat:
            ledger, theory = d.pop("ledger"), d.pop("ledger_theory")
            d.update({f"ledger.{k}": v for k, v in ledger.items()})
            d.update({f"theory.{k}": v for k, v in theory.items()})
        return d

    @property
    def excess_over_entropy(self) -> float:
        """measured - H(p): the surcharge actually paid."""
        return self.measured_bits_per_symbol - self.entropy

    def ledger_table(self) -> Table:
        """The ledger as a table: each term in bits, per symbol, and its theory per symbol."""
        size = self.n or math.nan
        rows = [{"term": k, "bits (measured)": v, "bits/symbol (measured)": v / size,
                 "bits/symbol (theory)": self.ledger_theory.get(k)} for k, v in self.ledger.items()]
        rows.append({"term": "num_bits", "bits (measured)": float(sum(self.ledger.values())),
                     "bits/symbol (measured)": self.measured_bits_per_symbol,
                     "bits/symbol (theory)": sum(self.ledger_theory.values())})
        return Table(rows)

    def attach(self, measurement) -> None:
        """Keep the measurement this result came from (its code length, bounds, coder and p),
        so that the checks and the pytest helpers take the result itself; it is not a field:
        a saved or loaded result has none."""
        object.__setattr__(self, "_measurement", measurement)

    def __getstate__(self) -> dict:
        """Pickled (to a worker, a cache, a file) without its measurement: the fields alone."""
        state = dict(self.__dict__)
        state.pop("_measurement", None)
        return state

    @property
    def measurement(self):
        """The :class:`Measurement` of this run, or None (a result read back from a file, or
        of a source with memory)."""
        return getattr(self, "_measurement", None)

    @property
    def universal(self) -> bool:
        """Whether the coder is a universal code (its ledger: the entropy and the redundancy)."""
        return "redundancy" in self.ledger

    def __str__(self) -> str:
        if self.universal:
            return (f"{self.coder}: measured {self.measured_bits_per_symbol:.6f} bits/symbol "
                    f"({self.num_bits} bits for {self.n} symbols, seed {self.seed})\n"
                    f"  theory: H(p) = {self.entropy:.6f}, the limit of a universal code (it ignores q)\n"
                    f"  measured redundancy {self.ledger['redundancy'] / (self.n or math.nan):.6f} "
                    f"bits/symbol above the sample's own information (no finite-n theory)")
        return (f"{self.coder}: measured {self.measured_bits_per_symbol:.6f} bits/symbol "
                f"({self.num_bits} bits for {self.n} symbols, seed {self.seed})\n"
                f"  theory: H(p) = {self.entropy:.6f}, H(p,q) = {self.cross_entropy:.6f}, "
                f"D(p||q) = {self.kl_divergence:.6f}\n"
                f"  this coder's expected rate {self.expected_bits_per_symbol:.6f} "
                f"+/- {self.stderr:.6f} (stderr); sample ideal {self.ideal_bits_per_symbol:.6f}")

    def _repr_html_(self) -> str:
        """In a notebook: the result's first line, and its ledger as an HTML table."""
        head = html.escape(str(self).splitlines()[0])
        theory = html.escape(" ".join(str(self).splitlines()[1:]))
        return (f"<p><b>{head}</b><br>{theory}</p>" + self.ledger_table()._repr_html_())


@dataclass(frozen=True)
class Measurement:
    """A result together with what a check needs: the sample's code length and its bounds."""

    result: SimulationResult
    code_length: float          # this coder's theoretical length of this very sample, bits
    bound_below: float          # code_length - bound_below <= num_bits
    bound_above: float          # num_bits <= code_length + bound_above
    coder: object = None        # the coder that was built and measured
    p: object = None            # the true distribution the sample came from
    overhead: object = None     # the coder's Overhead model for this p and n


#: what sets each coder's expected rate apart from H(p, q): the footer of every table that
#: shows the two side by side
EXPECTED_NOTE = (
    "'expected' is each coder's own rate under p (theory). The stream coders (arithmetic, rANS, "
    "tANS, range, ANS) pay -log2 q~(x) a symbol: H(p,q), plus a flush of a few bits a message. "
    "The prefix codes pay whole-bit codeword lengths l(x), so their rate is E_p[l], not H(p,q): "
    "Shannon's l(x) = ceil(-log2 q(x)) gives between H(p,q) and H(p,q) + 1; Shannon-Fano-Elias's, "
    "one bit longer, between H(p,q) + 1 and H(p,q) + 2; Huffman's lengths are the best for q "
    "itself (within 1 bit of H(q)), which bounds nothing under p. measured - H(p) is the price "
    "of the codebook: D(p||q), plus that rounding.")


class Results(list):
    """Several results (what :func:`~codesim.compare` returns): a list of
    :class:`SimulationResult` that shows as one table in a notebook and becomes a
    :class:`~codesim.tables.Table` (CSV, JSON) with :meth:`to_table`."""

    #: the columns a notebook shows: measured beside theory
    COLUMNS = ("coder", "n", "measured_bits_per_symbol", "expected_bits_per_symbol", "stderr",
               "entropy", "cross_entropy", "kl_divergence")

    def to_table(self) -> Table:
        """One flat row per result (the ledger as ``ledger.TERM`` and ``theory.TERM``)."""
        return Table(r.to_dict(flat=True) for r in self)

    def to_pandas(self):
        """The :meth:`to_table` rows as a pandas DataFrame (pandas loaded on first use)."""
        return self.to_table().to_pandas()

    def _repr_html_(self) -> str:
        shown = Table({c: getattr(r, c) for c in self.COLUMNS} for r in self)
        return ("<p>measured: real encoded bits per symbol; expected, stderr, H(p), H(p,q), "
                "D(p||q): theory</p>" + shown._repr_html_())


def measured_result(coder: str, n: int, seed, num_bits: int, code_length: float, nominal: float,
                    sample_entropy: float, *, entropy: float, cross_entropy: float,
                    kl_divergence: float, expected: float, quantisation: float,
                    overhead_mean: float, stderr: float, encode_seconds: float,
                    decode_seconds: float, chunks: int = 1, universal: bool = False) -> SimulationResult:
    """The result of coding n symbols into ``num_bits``, with its ledger.

    Measured on the sample: ``code_length`` (sum -log2 q~(x_i), the model really used),
    ``nominal`` (sum -log2 q(x_i)) and ``sample_entropy`` (sum -log2 p(x_i)); the ledger is

        num_bits = sample_entropy + (nominal - sample_entropy) + (code_length - nominal)
                   + (num_bits - code_length),

    and its theory per symbol is H(p), D(p||q), ``quantisation`` and the coder's mean overhead
    ``overhead_mean`` / n; ``stderr`` is the standard error of the measured rate (theory).
    """
    per = (lambda v: v / n) if n else (lambda v: math.nan)
    if universal:                       # no model: the entropy, and the measured redundancy
        return SimulationResult(
            coder=coder, n=int(n), seed=seed_label(seed), num_bits=int(num_bits),
            measured_bits_per_symbol=per(num_bits), entropy=entropy, cross_entropy=math.nan,
            kl_divergence=math.nan, expected_bits_per_symbol=math.nan,
            ideal_bits_per_symbol=math.nan, stderr=math.nan,
            encode_seconds=encode_seconds, decode_seconds=decode_seconds,
            ledger=dict(zip(UNIVERSAL_LEDGER_TERMS, (sample_entropy, num_bits - sample_entropy))),
            ledger_theory={"sample_entropy": entropy, "redundancy": math.nan}, chunks=chunks)
    ledger = {"sample_entropy": sample_entropy, "sample_divergence": nominal - sample_entropy,
              "quantisation": code_length - nominal, "coder_overhead": num_bits - code_length}
    return SimulationResult(
        coder=coder, n=int(n), seed=seed_label(seed),
        num_bits=int(num_bits), measured_bits_per_symbol=per(num_bits),
        entropy=entropy, cross_entropy=cross_entropy, kl_divergence=kl_divergence,
        expected_bits_per_symbol=expected, ideal_bits_per_symbol=per(nominal),
        stderr=stderr,
        encode_seconds=encode_seconds, decode_seconds=decode_seconds, ledger=ledger,
        ledger_theory={"sample_entropy": entropy, "sample_divergence": kl_divergence,
                       "quantisation": quantisation, "coder_overhead": per(overhead_mean)},
        chunks=chunks)
