"""Helpers for pytest users: assert that measured code lengths agree with theory.

Each helper fails with a message showing the measured figure, the theory and the bound.  It
takes what a run returns: ``codesim.simulate(...)``, a row of ``codesim.compare(...)``, or
``codesim.measure(...)``.

>>> import codesim as cs
>>> r = cs.simulate([0.5, 0.5], [0.25, 0.75], "arithmetic", n=2000, seed=1)
>>> assert_within_bounds(r)
>>> assert_statistically_consistent(r, false_alarm=1e-3)
>>> assert_overhead_in_range(cs.compare([0.5, 0.5], [0.25, 0.75], ["ans"], n=2000)[0])
"""

from __future__ import annotations

from ..errors import OptionError
from .check import DEFAULT_FALSE_ALARM, check_exact, check_overhead, check_statistical

__all__ = ["measurement_of", "assert_exact_length", "assert_within_bounds",
           "assert_statistically_consistent", "assert_overhead_in_range"]


def measurement_of(run):
    """The :class:`~codesim.simulation.result.Measurement` behind a run: a measurement itself,
    or a result of ``simulate`` or ``compare`` of this session."""
    if hasattr(run, "result") and hasattr(run, "code_length"):
        return run
    found = getattr(run, "measurement", None)
    if found is None:
        raise OptionError(f"a check needs a run of this session (codesim.simulate, compare or "
                          f"measure on an i.i.d. p), got {type(run).__name__}: a result read back "
                          "from a file, or of a source with memory, holds no p and no coder to "
                          "check against")
    return found


def _fail_unless(outcome, context: str) -> None:
    if not outcome.passed:
        raise AssertionError(f"{context}: {outcome.explain()}")


def assert_exact_length(run) -> None:
    """A prefix code's num_bits is exactly the sum of its code lengths over the sample."""
    measurement = measurement_of(run)
    _fail_unless(check_exact(measurement), measurement.result.coder)


def assert_within_bounds(run) -> None:
    """num_bits lies within the coder's documented bounds around the sample's code length."""
    measurement = measurement_of(run)
    r = measurement.result
    low = measurement.code_length - measurement.bound_below
    high = measurement.code_length + measurement.bound_above
    if not low - 1e-6 <= r.num_bits <= high + 1e-6:
        raise AssertionError(
            f"{r.coder}: measured {r.num_bits} bits, theory {measurement.code_length:.6f} bits, "
            f"bound [{low:.6f}, {high:.6f}]")


def assert_statistically_consistent(run, false_alarm: float = DEFAULT_FALSE_ALARM) -> None:
    """|num_bits - expected| <= z * sd + allowance, z from the false-alarm rate (the expected
    overhead included; see :func:`codesim.check.check_statistical`)."""
    measurement = measurement_of(run)
    _fail_unless(check_statistical(measurement, false_alarm), measurement.result.coder)


def assert_overhead_in_range(run) -> None:
    """The coder's own bits beyond the information content lie in its tight range."""
    measurement = measurement_of(run)
    _fail_unless(check_overhead(measurement), measurement.result.coder)
