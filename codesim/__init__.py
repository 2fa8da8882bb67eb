"""codesim: measure what cross-entropy costs, in real encoded bits.

H(p, q) = H(p) + D(p||q) is what you pay, in bits per symbol, when the data come from p but
the code was built for q.  codesim builds Huffman, Shannon, arithmetic, rANS, range and ANS
coders for q, encodes samples from p, decodes them back, and sets the measured bits per symbol
beside H(p), H(p, q) and D(p||q).

>>> import codesim as cs
>>> cs.cross_entropy([0.5, 0.25, 0.125, 0.125], [0.25] * 4)
2.0
"""

from .sources.distributions import (
    as_pmf, dirichlet, fit, from_counts, geometric, mixture, normalize, quantize, sample, smooth,
    uniform, zipf,
)
from .errors import (
    CodesimError, DecodeError, DistributionError, OptionError, ResourceLimitError, SpecError,
    SupportError, SymbolError,
)
from .backends import backend, using_backend
from .measures import cross_entropy, entropy, information_content, kl_divergence
from .coders import Coder, Encoded, PrefixCode, available_coders, make_coder
from .simulation import SimulationResult, compare, measure, mixture_grid, simulate, sweep
from .simulation.divergence import DivergenceMeasurement, measure_divergence
from .sources.markov import MarkovSource
from .sources.corpora import english
from .sources.labels import LabelledDistribution, fit_bytes, fit_letters, labelled, letters_of, text_of
from .coders.context import ContextCoder
from .models.context import AdaptiveContextModel, FixedContextModel, fit_context_model
from .models import regret
from .models.mdl import select_order
from . import _moved

_moved.install()

__version__ = "0.1.0"

__all__ = [
    "as_pmf", "dirichlet", "fit", "from_counts", "geometric", "mixture", "normalize", "quantize",
    "sample", "smooth", "uniform", "zipf",
    "CodesimError", "DecodeError", "DistributionError", "OptionError", "ResourceLimitError",
    "SpecError", "SupportError", "SymbolError",
    "cross_entropy", "entropy", "information_content", "kl_divergence",
    "Coder", "Encoded", "PrefixCode", "available_coders", "make_coder",
    "SimulationResult", "compare", "measure", "mixture_grid", "simulate", "sweep",
    "DivergenceMeasurement", "measure_divergence",
    "MarkovSource", "AdaptiveContextModel", "ContextCoder", "FixedContextModel", "fit_context_model",
    "backend", "using_backend", "regret", "select_order",
    "english", "LabelledDistribution", "labelled", "fit_letters", "fit_bytes", "letters_of", "text_of",
]


def __getattr__(name: str):
    """``cs.memory``, ``cs.views``, ...: the modules of the old layout, by their old names."""
    module = _moved.old_module(name)
    if module is None:
        raise AttributeError(f"module 'codesim' has no attribute {name!r}")
    return module
