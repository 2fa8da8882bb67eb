"""Robust under abuse: interrupts, resource limits, concurrent writers, crafted messages, and a
fuzzed command line.  Every test that starts processes bounds their memory and time."""


import math

import numpy as np
import pytest

import codesim as cs


P3 = [0.5, 0.25, 0.25]


def test_an_empty_sample_has_no_rate():
    r = cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=0)
    assert r.num_bits == 0 and np.isnan(r.measured_bits_per_symbol) and np.isnan(r.stderr)


def test_sweep_labels_never_collide_and_each_row_reproduces_with_its_seed():
    p = cs.zipf(8, 1.0)
    grid = cs.mixture_grid(p, [0, 0, 0.5, 0.5000001])
    assert list(grid) == ["t=0.0", "t=0.0 (2)", "t=0.5", "t=0.5000001"]
    rows = cs.sweep(p, grid, ["ans", "huffman"], n=2000, seed=7, workers=1)
    assert len(rows) == 8
    for row in rows:
        again = cs.simulate(p, grid[row["q"]], row["coder"], n=2000, seed=row["seed"])
        assert again.num_bits == row["num_bits"]


def test_numpy_scalars_are_numbers():
    assert cs.make_coder("huffman", cs.uniform(4), block=np.int64(2)).block == 2
    assert cs.zipf(4, np.float32(1)).size == 4
    assert cs.mixture([1.0, 0.0], [0.0, 1.0], np.float32(0.5)).tolist() == [0.5, 0.5]
    assert cs.sample([0.5, 0.5], np.int32(3), np.uint8(1)).size == 3


@pytest.mark.parametrize("call, error, message", [
    (lambda: cs.simulate(P3, P3, "ans", n="10"), cs.OptionError, "sample size n must be a non-negative integer, got '10'"),
    (lambda: cs.simulate(P3, P3, "huffman", n=None), cs.OptionError, "sample size n must be a non-negative integer, got None"),
    (lambda: cs.compare(P3, P3, ["ans"], n=[3]), cs.OptionError, "sample size n"),
    (lambda: cs.sweep(P3, [P3], ["ans"], n="many"), cs.OptionError, "sample size n"),
    (lambda: cs.MarkovSource.sticky(2, 0.9).sample("5"), cs.OptionError, "sample size n"),
    (lambda: cs.simulate(P3, P3, ["ans"], n=10), cs.OptionError, "unknown coder \\['ans'\\]"),
    (lambda: cs.compare(P3, P3, 3, n=10), cs.OptionError, "coders must be names, \\(name, options\\) pairs or a dict"),
    (lambda: cs.compare(P3, P3, [("ans", 5)], n=10), cs.OptionError, "a coder is a name or a \\(name, options\\) pair"),
    (lambda: cs.sweep(P3, None, ["ans"], n=10), cs.OptionError, "qs must be a list"),
    (lambda: cs.sweep(P3, "uniform:3", ["ans"], n=10), cs.OptionError, "qs must be a list"),
    (lambda: cs.Encoded.from_bytes("CSIM"), cs.DecodeError, "a saved message is bytes .*, got str"),
    (lambda: cs.Encoded.from_bytes(None), cs.DecodeError, "got NoneType"),
    (lambda: cs.MarkovSource.sticky(True, 0.5), cs.OptionError, "K >= 2"),
    (lambda: cs.MarkovSource.random(3, order=True), cs.OptionError, "order must be a whole number"),
    (lambda: cs.AdaptiveContextModel(True, 1), cs.OptionError, "alphabet_size must be a positive whole number"),
])
def test_an_argument_of_the_wrong_type_is_a_codesim_error_naming_it(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_measure_divergence_takes_every_seed_simulate_takes_and_records_it_alike():
    q = [0.4, 0.3, 0.3]
    for seed, label in ((np.int64(3), 3), ([1, 2], [1, 2]), (np.random.default_rng(0), -1)):
        m = cs.measure_divergence(P3, q, n=500, seed=seed)
        assert m.seed == label == cs.simulate(P3, q, "ans", n=500, seed=seed).seed
    assert cs.measure_divergence(P3, q, n=500, seed=[1, 2]).bits_q == \
        cs.simulate(P3, q, "ans", n=500, seed=[1, 2]).num_bits


@pytest.mark.parametrize("coder", [c for c in cs.available_coders() if c not in ("arithmetic", "range", "ans")])
def test_a_coder_of_one_fixed_q_refuses_one_q_per_position_naming_the_coders_that_take_it(coder):
    # prefix codes and tunstall said only "q must be a 1-D probability vector"
    with pytest.raises(cs.OptionError, match=f"{coder} codes with one fixed q; for one distribution per "
                                             "position use 'arithmetic', 'range' or 'ans'"):
        cs.make_coder(coder, np.full((4, 2), 0.5))


@pytest.mark.parametrize("coder", cs.available_coders())
def test_a_ragged_q_is_a_distribution_error_for_every_coder(coder):
    # tans read q with numpy before validating it: numpy's ValueError
    with pytest.raises(cs.DistributionError, match=r"q\[0\] = \[0.5\] is not a number"):
        cs.make_coder(coder, [[0.5], [0.5, 0.5]])


def test_a_later_q_that_refuses_the_coder_options_gets_an_error_row_and_the_rest_are_kept():
    rows = cs.sweep([0.5, 0.5, 0, 0], {"t=0": [0.5, 0.5, 0, 0], "t=1": [0.25] * 4}, [("tans", {"table_log": 1})],
                    n=100, workers=1)
    assert [r["error"] == "" for r in rows] == [True, False]
    assert "cannot hold" in rows[1]["error"] and math.isnan(rows[1]["measured_bits_per_symbol"])


def test_sweep_refuses_workers_beside_an_executor_instead_of_ignoring_them():
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool, pytest.raises(cs.OptionError, match="one or the other"):
        cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["huffman"], n=10, executor=pool, workers=2)


def test_a_repeated_sweep_on_a_caching_executor_runs_again():
    """An executor that caches by the task's hash (as Dask's get_executor() does) must not hand
    back the first call's rows: every call's tasks carry a token of their own."""
    from concurrent.futures import ThreadPoolExecutor
    import pickle

    class Caching(ThreadPoolExecutor):
        seen = {}

        def submit(self, fn, *args):
            key = pickle.dumps((fn, args))
            if key not in self.seen:
                self.seen[key] = super().submit(fn, *args)
            return self.seen[key]

    with Caching(1) as pool:
        first = cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["huffman"], n=1000, executor=pool)
        second = cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["huffman"], n=1000, executor=pool)
    assert len(Caching.seen) == 2 and first[0]["num_bits"] == second[0]["num_bits"]


def test_a_source_coded_by_constriction_refuses_a_precision_it_would_not_use():
    chain = cs.MarkovSource.sticky(3, 0.8)
    with pytest.raises(cs.OptionError, match="precision=12 would not be used"):
        cs.simulate(chain, chain, "range", n=100, precision=12)
    assert cs.simulate(chain, chain, "arithmetic", n=100, precision=12).n == 100


@pytest.mark.parametrize("call", [
    lambda p, q: cs.simulate(p, q, "ans", n=100),
    lambda p, q: cs.compare(p, q, ["huffman", "ans"], n=100),
    lambda p, q: cs.sweep(p, cs.mixture_grid(p, [0.1, 0.5], q), ["ans"], n=100, workers=1),
    lambda p, q: cs.measure_divergence(p, q, "ans", n=100),
    lambda p, q: cs.simulate(cs.MarkovSource(np.tile(p, (p.size, 1))), q, "ans", n=100),
    lambda p, q: cs.simulate(cs.MarkovSource(np.tile(p, (p.size, 1))),
                             cs.FixedContextModel(np.tile(q, (q.size, 1))), "ans", n=100),
])
def test_a_float32_softmax_is_a_distribution_everywhere(call):
    logits = np.random.default_rng(0).normal(size=50).astype(np.float32)
    p = np.exp(logits) / np.exp(logits).sum()
    assert abs(float(p.astype(np.float64).sum()) - 1) > 1e-12      # off by float32 rounding
    call(p, np.roll(p, 1))


def test_a_sweep_batches_only_small_tasks():
    """240 q's at n = 10^5 with the arithmetic coder were dealt 15 to a batch (about 10 s
    each): Ctrl-C after 5 s kept no row and progress jumped by 15."""
    from codesim.simulation.sweep import BATCH_SECONDS, SweepTask, _batches, task_seconds
    p = cs.uniform(4)

    def tasks(coder, n):
        return [SweepTask(i, str(i), p, p, ((coder, {}),), n, 0, False) for i in range(240)]

    with cs.using_backend("python"):                # the readable coder: 0.2 s a task
        assert all(len(b) == 1 for b in _batches(tasks("arithmetic", 10**5), 2))
    small = _batches(tasks("huffman", 100), 2)
    assert len(small) == 16 and sum(map(len, small)) == 240
    for backend in ("python", "auto"):              # whichever backend runs, its own costs
        with cs.using_backend(backend):
            for coder in ("huffman", "arithmetic"):
                for batch in _batches(tasks(coder, 10**5), 2):
                    assert len(batch) == 1 or sum(task_seconds(t) for t in batch) <= BATCH_SECONDS
