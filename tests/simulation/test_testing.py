"""The pytest helpers take what a run returns: simulate's result, a compare row, a measurement."""

import pickle

import pytest

import codesim as cs
from codesim.testing import (assert_exact_length, assert_overhead_in_range,
                             assert_statistically_consistent, assert_within_bounds)


def test_the_helpers_take_a_simulate_result_a_compare_row_and_a_measurement():
    """assert_statistically_consistent(cs.simulate(...)) raised AttributeError: it needed
    cs.measure(...), which the README never mentions."""
    p, q = [0.5, 0.25, 0.25], [0.25, 0.5, 0.25]
    runs = [cs.simulate(p, q, "huffman", n=4000, seed=2),
            cs.compare(p, q, ["huffman"], n=4000, seed=2)[0],
            cs.measure(p, q, "huffman", n=4000, seed=2)]
    for run in runs:
        assert_exact_length(run)
        assert_within_bounds(run)
        assert_statistically_consistent(run, false_alarm=1e-3)
        assert_overhead_in_range(run)


def test_a_failing_check_says_what_it_measured_and_what_theory_allows():
    r = cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=4000, seed=1)
    m = r.measurement
    broken = type(m)(m.result, m.code_length + 500, m.bound_below, m.bound_above, m.coder, m.p, m.overhead)
    with pytest.raises(AssertionError, match="ans: measured"):
        assert_within_bounds(broken)


def test_a_result_without_its_run_is_refused_with_the_reason():
    r = pickle.loads(pickle.dumps(cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=1000)))
    with pytest.raises(cs.OptionError, match="holds no p and no coder"):
        assert_statistically_consistent(r)
    source = cs.MarkovSource.sticky(2, 0.9)
    with pytest.raises(cs.OptionError, match="source with memory"):
        assert_within_bounds(cs.simulate(source, source, "arithmetic", n=1000))


def test_a_table_becomes_columns_and_a_data_frame():
    rows = cs.compare([0.5, 0.5], [0.25, 0.75], ["huffman", "ans"], n=1000).to_table()
    columns = rows.to_dict()
    assert columns["coder"] == ["huffman", "ans"]
    assert columns["ledger.sample_entropy"] == [r["ledger.sample_entropy"] for r in rows]
    pandas = pytest.importorskip("pandas")
    frame = rows.to_pandas()
    assert isinstance(frame, pandas.DataFrame) and list(frame["coder"]) == ["huffman", "ans"]
    assert list(cs.compare([0.5, 0.5], [0.25, 0.75], ["ans"], n=100).to_pandas()["coder"]) == ["ans"]


def test_the_codesim_check_fixture_is_installed_for_any_project(codesim_check):
    """pytest finds the fixture through codesim's pytest11 entry point (an installed codesim)."""
    codesim_check(cs.simulate([0.5, 0.25, 0.25], [0.25, 0.5, 0.25], "ans", n=5000, seed=1))
    codesim_check(cs.simulate([0.5, 0.5], [0.5, 0.5], "huffman", n=100), "exact", "bound")
    with pytest.raises(cs.OptionError, match="unknown verdict 'typo'"):
        codesim_check(cs.simulate([0.5, 0.5], [0.5, 0.5], "huffman", n=100), "typo")
