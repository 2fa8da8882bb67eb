"""codesim's pytest plugin: the ``codesim_check`` fixture (installed with codesim, through the
``pytest11`` entry point, so any project's tests can ask for it by name).

``codesim_check(run, *verdicts, false_alarm=1e-3)`` checks a run (a result of
``codesim.simulate``, a row of ``codesim.compare``, or ``codesim.measure``) with the named
verdicts, default ``bound``, ``statistical`` and ``overhead``, and fails the test with what was
measured, what theory allows and why::

    def test_my_coder_costs_what_theory_says(codesim_check):
        codesim_check(cs.simulate(p, q, "ans", n=10**5), "statistical", "overhead")
"""

from __future__ import annotations

import pytest

from ..errors import OptionError
from .check import DEFAULT_FALSE_ALARM
from .testing import (assert_exact_length, assert_overhead_in_range,
                      assert_statistically_consistent, assert_within_bounds)

__all__ = ["codesim_check", "VERDICTS"]

#: the verdicts the fixture applies, by the names a spec file uses
VERDICTS = {
    "exact": lambda run, false_alarm: assert_exact_length(run),
    "bound": lambda run, false_alarm: assert_within_bounds(run),
    "statistical": lambda run, false_alarm: assert_statistically_consistent(run, false_alarm),
    "overhead": lambda run, false_alarm: assert_overhead_in_range(run),
}


@pytest.fixture
def codesim_check():
    """Check a run against theory with the named verdicts (see the module docstring)."""
    def check(run, *verdicts, false_alarm: float = DEFAULT_FALSE_ALARM) -> None:
        for name in verdicts or ("bound", "statistical", "overhead"):
            if name not in VERDICTS:
                raise OptionError(f"unknown verdict {name!r}; codesim_check knows "
                                  f"{', '.join(VERDICTS)}")
            VERDICTS[name](run, false_alarm)
    return check
