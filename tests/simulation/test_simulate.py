"""Simulation: measured against theory, side by side, reproducibly."""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import codesim as cs
from codesim.simulation import compare, mixture_grid, simulate, sweep

from tests.helpers import STREAM

FIELDS = ["coder", "n", "seed", "num_bits", "measured_bits_per_symbol", "entropy", "cross_entropy",
          "kl_divergence", "expected_bits_per_symbol", "ideal_bits_per_symbol", "stderr",
          "encode_seconds", "decode_seconds", "ledger", "ledger_theory", "chunks"]


def test_result_has_exactly_the_documented_fields():
    r = simulate([0.5, 0.5], [0.5, 0.5], "huffman", n=10)
    assert list(r.to_dict()) == FIELDS
    assert "measured" in str(r) and "theory" in str(r)


def test_dyadic_example_measures_two_bits_against_entropy_one_point_seven_five():
    r = simulate([0.5, 0.25, 0.125, 0.125], cs.uniform(4), "huffman", n=10_000, seed=0)
    assert (r.measured_bits_per_symbol, r.entropy, r.cross_entropy) == (2.0, 1.75, 2.0)
    assert r.kl_divergence == 0.25


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("coder", STREAM)
def test_stream_coders_measure_the_cross_entropy_within_a_few_standard_errors(coder, seed):
    rng = np.random.default_rng(seed)
    p, q = cs.dirichlet(12, 1.0, rng), cs.smooth(cs.dirichlet(12, 1.0, rng), 0.05)
    n = 20_000
    r = simulate(p, q, coder, n=n, seed=seed)
    overhead = 64 / n          # the largest stated fixed overhead of a stream coder, per symbol
    assert abs(r.measured_bits_per_symbol - r.cross_entropy) <= 5 * r.stderr + overhead + 1e-5


@pytest.mark.parametrize("coder", ["huffman", "ans"])
def test_same_seed_same_bits(coder):
    a = simulate(cs.zipf(50, 1.0), cs.uniform(50), coder, n=5000, seed=3)
    b = simulate(cs.zipf(50, 1.0), cs.uniform(50), coder, n=5000, seed=3)
    assert a.num_bits == b.num_bits


def test_the_true_distribution_gives_the_lowest_cost_on_the_same_data():
    # Gibbs' inequality in bits: one sample, coded with codebooks q_t moving away from p.
    # Huffman's code is piecewise constant in q, so nearby q can tie with q = p.
    p = cs.zipf(20, 1.2)
    rows = sweep(p, mixture_grid(p, [0.0, 0.1, 0.3, 0.6, 1.0]), ["arithmetic", "huffman"],
                 n=30_000, seed=1, workers=1, same_sample=True)
    arithmetic = [r["measured_bits_per_symbol"] for r in rows if r["coder"] == "arithmetic"]
    huffman = [r["measured_bits_per_symbol"] for r in rows if r["coder"] == "huffman"]
    assert arithmetic[0] < min(arithmetic[1:])
    assert huffman[0] <= min(huffman[1:])


def test_a_ruled_out_symbol_is_an_error_from_simulate_and_an_infinite_row_in_a_sweep():
    with pytest.raises(cs.SupportError):
        simulate([0.5, 0.5], [1.0, 0.0], "arithmetic", n=100)
    rows = sweep([0.5, 0.5], [[1.0, 0.0]], ["arithmetic"], n=100, workers=1)
    assert rows[0]["measured_bits_per_symbol"] == math.inf and "symbol 1" in rows[0]["error"]


def test_compare_codes_one_sample_with_every_coder():
    results = compare(cs.zipf(8, 1), cs.uniform(8), ["huffman", "shannon", "ans"], n=4000, seed=2)
    assert [r.coder for r in results] == ["huffman", "shannon", "ans"]
    assert len({r.ideal_bits_per_symbol for r in results}) == 1    # the same sample


def test_sweep_rows_do_not_depend_on_scheduling_or_executor():
    p = cs.zipf(16, 1.0)
    grid = mixture_grid(p, [0.0, 0.5, 1.0])
    strip = lambda rows: [{k: v for k, v in r.items() if not k.endswith("seconds")} for r in rows]
    one = sweep(p, grid, ["huffman", "ans"], n=3000, seed=9, workers=1)
    two = sweep(p, grid, ["huffman", "ans"], n=3000, seed=9, workers=2)
    with ThreadPoolExecutor(3) as pool:
        threads = sweep(p, grid, ["huffman", "ans"], n=3000, seed=9, executor=pool)
    assert strip(one) == strip(two) == strip(threads)


def test_sweep_rows_write_csv_and_json(tmp_path):
    rows = sweep([0.5, 0.5], [[0.5, 0.5]], ["huffman"], n=10, workers=1)
    assert rows.to_csv(tmp_path / "r.csv").splitlines()[0].startswith("q_index,q,coder")
    assert '"coder": "huffman"' in rows.to_json(tmp_path / "r.json")


def test_bad_coder_name_fails_before_any_work():
    with pytest.raises(cs.OptionError, match="unknown coder 'nope'"):
        sweep([0.5, 0.5], [[0.5, 0.5]], ["nope"], n=10, workers=1)


def test_compare_returns_results_that_show_as_one_table_and_write_csv():
    """cs.compare returned a plain list: no HTML table in a notebook."""
    results = cs.compare([0.5, 0.25, 0.25], cs.uniform(3), ["huffman", "ans"], n=1000, seed=1)
    assert [r.coder for r in results] == ["huffman", "ans"]            # still a list of results
    page = results._repr_html_()
    assert page.count("<tr>") == 3 and "measured_bits_per_symbol" in page
    table = results.to_table()
    assert table.to_csv().splitlines()[0].startswith("coder,n,seed,num_bits")
    assert "ledger.sample_entropy" in table.to_csv().splitlines()[0]
