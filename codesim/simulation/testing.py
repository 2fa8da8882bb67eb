"""Helpers for pytest users: assert that measured code lengths agree with theory.

Each helper fails with a message showing the measured figure, the theory and the bound.

>>> from codesim.simulation import measure
>>> m = measure([0.5, 0.5], [0.25, 0.75], "arithmetic", n=2000, seed=1)
>>> assert_within_bounds(m)
>>> assert_statistically_consistent(m, false_alarm=1e-3)
>>> assert_overhead_in_range(m)
"""

from __future__ import annotations

from .check import DEFAULT_FALSE_ALARM, check_exact, check_overhead, check_statistical

__all__ = ["assert_exact_length", "assert_within_bounds", "assert_statistically_consistent",
           "assert_overhead_in_range"]


def _fail_unless(outcome, context: str) -> None:
    if not outcome.passed:
        raise AssertionError(f"{context}: {outcome.explain()}")


def assert_exact_length(measurement) -> None:
    """A prefix code's num_bits is exactly the sum of its code lengths over the sample."""
    _fail_unless(check_exact(measurement), measurement.result.coder)


def assert_within_bounds(measurement) -> None:
    """num_bits lies within the coder's documented bounds around the sample's code length."""
    r = measurement.result
    low = measurement.code_length - measurement.bound_below
    high = measurement.code_length + measurement.bound_above
    if not low - 1e-6 <= r.num_bits <= high + 1e-6:
        raise AssertionError(
            f"{r.coder}: measured {r.num_bits} bits, theory {measurement.code_length:.6f} bits, "
            f"bound [{low:.6f}, {high:.6f}]")


def assert_statistically_consistent(measurement, false_alarm: float = DEFAULT_FALSE_ALARM) -> None:
    """|num_bits - expected| <= z * sd + allowance, z from the false-alarm rate (the expected
    overhead included; see :func:`codesim.check.check_statistical`)."""
    _fail_unless(check_statistical(measurement, false_alarm), measurement.result.coder)


def assert_overhead_in_range(measurement) -> None:
    """The coder's own bits beyond the information content lie in its tight range."""
    _fail_unless(check_overhead(measurement), measurement.result.coder)
