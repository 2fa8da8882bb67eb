"""Each experiment, run --quick, demonstrates its relation (not merely runs)."""

import json
import math
import re
import sys

import pytest

import codesim as cs
from tests.helpers import quick, run_bounded
from tests.processes import CHILD_TIMEOUT
from codesim.commands import main
from codesim.experiments.runner import list_experiments, load_experiment

EXPERIMENTS = ["wrong_codebook", "decomposition", "minimised_by_truth", "asymmetry",
               "support_mismatch", "block_length", "quantization", "continuous", "classification",
               "adaptive", "real_text", "calibration", "implied_distribution", "skewed", "memory",
               "language_model", "regret", "universal"]


def test_every_experiment_is_listed():
    assert list_experiments() == EXPERIMENTS


def test_wrong_codebook_surcharge_is_the_kl_divergence():
    rows = quick("wrong_codebook").rows
    for r in rows:
        if r["coder"] in ("arithmetic", "range", "ans", "rans"):
            assert abs(r["measured - H(p)"] - r["D(p||q)"]) <= 5 * r["stderr"] + 64 / 5000 + 1e-9
    d = [r["D(p||q)"] for r in rows if r["coder"] == "ans"]
    assert d == sorted(d) and d[0] == 0.0


def test_decomposition_holds_on_random_pairs():
    rows = quick("decomposition").rows
    for r in rows:
        if r["coder"] == "ans":
            assert abs(r["measured - H(p)"] - r["D(p||q)"]) <= 5 * r["stderr"] + r["overhead/n"]
            assert abs(r["paired D estimate"] - r["D(p||q)"] - r["paired quantisation"]) <= (
                4 * r["paired stderr"] + r["paired overhead bound/n"])
        if r["coder"] == "shannon":
            assert r["D(p||q)"] <= r["expected - H(p)"] + 1e-12 < r["D(p||q)"] + 1
        assert abs(r["measured - H(p)"] - r["expected - H(p)"]) <= 5 * r["stderr"] + r["overhead/n"]
    assert any(r["expected - H(p)"] < r["D(p||q)"] for r in rows if r["coder"] == "huffman")


def test_cost_is_minimised_at_the_truth():
    rows = quick("minimised_by_truth").rows
    for coder in ("ans", "arithmetic"):
        mine = [r for r in rows if r["coder"] == coder]
        best = min(mine, key=lambda r: r["measured"])
        assert best["theta"] == 1.0
        assert abs(best["measured"] - best["H(p) (theory)"]) <= 5 * best["stderr"] + 64 / 20_000


def test_asymmetry_measured_both_ways():
    rows = quick("asymmetry").rows
    key = "measured D = measured - own information"
    pq, qp = rows[0], rows[1]
    assert pq["D (theory)"] == pytest.approx(0.2075, abs=1e-4)
    assert qp["D (theory)"] == pytest.approx(0.1887, abs=1e-4)
    for r in rows:
        assert abs(r[key] - r["D (theory)"]) <= 5 * r["stderr of measured D"] + 64 / 100_000
    assert pq[key] > qp[key]


def test_support_mismatch_refuses_then_grows_like_p_log_one_over_eps():
    outcome = quick("support_mismatch")
    refused = [r for r in outcome.rows if r["eps"] == 0.0]
    assert len(refused) == len(cs.available_coders())
    assert all(r["measured"] == math.inf and "symbol 7" in r["refused"] for r in refused)
    for slope in outcome.extra["slopes"].values():
        assert slope == pytest.approx(outcome.extra["p_x"], rel=0.15)


def test_block_codes_stay_inside_the_one_over_k_bound():
    rows = quick("block_length").rows
    for r in rows:
        if r["coder"] == "shannon":
            assert r["H(p,q) (theory)"] <= r["expected (theory)"] < r["H(p,q) + 1/k"]
        assert abs(r["measured"] - r["expected (theory)"]) <= 5 * r["stderr"]
    shannon = [r["expected (theory)"] for r in rows if r["coder"] == "shannon"]
    assert shannon[-1] < shannon[0]


def test_quantization_cost_is_the_divergence_to_the_quantised_model():
    rows = quick("quantization").rows
    for r in rows:
        predicted = r["this sample: ideal under q~ - under q"]
        assert predicted - 1e-9 <= r["measured - sample ideal under q"] <= predicted + r["coder overhead/n (bound)"]
    four = [r for r in rows if r["precision"] == 4][0]
    assert four["D(p||q~) - D(p||q) (theory)"] > 0.1


def test_continuous_bits_plus_log_delta_approach_differential_cross_entropy():
    outcome = quick("continuous")
    last = outcome.rows[-1]
    assert outcome.extra["h_pq"] == pytest.approx(outcome.extra["h_p"] + outcome.extra["d"], abs=1e-12)
    assert abs(last["measured + log2(delta)"] - last["h(p,q) (theory)"]) <= 5 * last["stderr"] + 0.005
    gaps = [abs(r["measured + log2(delta)"] - r["h(p,q) (theory)"]) for r in outcome.rows]
    assert gaps[-1] < gaps[0]


def test_label_code_length_equals_the_cross_entropy_loss_and_falls_with_training():
    rows = quick("classification").rows
    for r in rows:
        assert abs(r["measured arithmetic (bits/example)"] - r["loss (bits/example)"]) <= r["coder overhead bound/n"] + 1e-4
        assert abs(r["measured range (bits/example)"] - r["loss (bits/example)"]) <= 64 / 1000 + 1e-4
    losses = [r["loss (bits/example)"] for r in rows]
    assert losses[0] == pytest.approx(2.0) and losses[-1] < 0.5 * losses[0]
    assert all(a >= b for a, b in zip(losses, losses[1:]))


def test_adaptive_excess_vanishes_while_a_fixed_wrong_code_pays_forever():
    rows = quick("adaptive").rows
    kt = [r for r in rows if r["model"] == "adaptive KT"]
    fixed = [r for r in rows if r["model"] == "fixed wrong q"]
    key = "excess over cost under p"
    assert kt[-1][key] < kt[0][key] / 10
    # The excess is the learning cost plus -n D(p^||p), whose sd is sqrt((K-1)/2) / ln 2 bits.
    for r in kt:
        noise = math.sqrt((8 - 1) / 2) / math.log(2) / r["n"]
        assert abs(r[key] - r["learning cost (theory, exact)"]) <= 5 * noise + 2 / r["n"]
        assert r["Clarke-Barron (theory, asymptotic)"] == pytest.approx(
            r["learning cost (theory, exact)"], rel=0.2 if r["n"] < 1000 else 0.02)
    for r in fixed:
        assert abs(r[key] - r["D(p||q) (theory)"]) <= 5 * r["stderr of excess"] + 2 / r["n"]


@pytest.mark.slow
def test_calibration_counts_false_alarms_near_the_nominal_rate():
    outcome = quick("calibration")
    for r in outcome.rows:
        assert r["overhead verdict failures"] == 0
        assert r["observed / nominal"] <= 2.2, r            # never more alarms than it says
        if r["nominal false-alarm rate"] == 0.05 and r["n"] == 2000:    # 1000 seeds: 50 expected
            assert 0.5 <= r["observed / nominal"], r
    # At n = 200 a coder's flush may not have spread over its range yet: the verdict then
    # uses the worst case and is conservative (the full table, at n = 10**4 and 10**5, is
    # calibrated within [0.5, 2]: see the experiment's default run).


def test_real_text_costs_its_empirical_cross_entropy():
    rows = quick("real_text").rows
    # p is the empirical distribution of exactly the coded sequence, so the stream coders'
    # cost is H(p,q) up to their fixed overhead, and a prefix code (Kraft) costs at least H(p).
    for r in rows:
        if r["coder"] in ("arithmetic", "ans"):
            assert abs(r["measured"] - r["H(p,q) (theory)"]) <= 96 / r["symbols"] + 1e-9
        else:
            assert r["measured"] >= r["H(p) (theory)"] - 1e-9
    other = [r for r in rows if r["data"] != r["codebook"] and r["coder"] == "arithmetic"]
    assert all(r["D(p||q) (theory)"] > 0 for r in other)


def test_codesim_experiment_writes_json_csv_and_a_figure_or_says_it_skipped(tmp_path, capsys):
    assert main(["experiment", "block_length", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    saved = json.loads((tmp_path / "block_length.json").read_text())
    assert (saved["experiment"], saved["quick"], saved["codesim_version"]) == ("block_length", True, cs.__version__)
    assert saved["n"] == load_experiment("block_length").QUICK_N and saved["seed"] == 0
    rows = saved["rows"]
    assert rows and (tmp_path / "block_length.csv").exists()
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for row in rows for key in row)
    assert set(saved["columns"]) == {key for row in rows for key in row}
    assert "H(p,q) (theory)" in saved["columns"].values()
    try:
        import matplotlib  # noqa: F401
        assert (tmp_path / "block_length.png").exists()
    except ImportError:
        assert "figure skipped" in out


def test_drawing_an_experiment_leaves_the_callers_matplotlib_as_it_was(tmp_path):
    """A notebook's inline plots (its backend) and its open figures are its own: an
    experiment's figure is drawn without pyplot, whose backend is chosen once per process."""
    pytest.importorskip("matplotlib")
    code = ("import sys, matplotlib\n"
            "matplotlib.use('svg')\n"
            "from pathlib import Path\n"
            "from codesim.experiments.runner import load_experiment, save_figure\n"
            "module = load_experiment('block_length')\n"
            "outcome = module.run(module.QUICK_N, 0, True)\n"
            f"print(save_figure(module, outcome, Path({str(tmp_path / 'b.png')!r})))\n"
            "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n")
    done = run_bounded([sys.executable, "-c", code], memory=3 << 30, timeout=CHILD_TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "svg False"
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"


def test_experiment_list_and_unknown_name(capsys):
    assert main(["experiment", "list"]) == 0
    assert "wrong_codebook" in capsys.readouterr().out
    assert main(["experiment", "nope"]) == 2
    assert "unknown experiment 'nope'" in capsys.readouterr().err


def test_regret_a_real_kt_coder_pays_its_exact_regret_and_nml_is_the_minimax():
    rows = quick("regret").rows
    for r in rows:
        allowed = r["coder overhead allowed (bits)"]
        assert abs(r["KT regret on 0^n (measured)"] - r["KT regret on 0^n (theory, exact)"]) <= allowed
        assert abs(r["KT regret, Bernoulli samples (measured, mean)"]
                   - r["KT regret, Bernoulli samples (theory, exact, mean)"]) <= allowed
        assert r["NML regret (theory, exact)"] <= r["KT regret on 0^n (theory, exact)"] <= r["NML regret (theory, exact)"] + 0.5
    assert rows[-1]["NML regret (theory, exact)"] > rows[0]["NML regret (theory, exact)"]


def test_universal_codes_learn_slowly_and_models_of_q_pay_their_exact_learning_cost():
    rows = quick("universal").rows
    for source in {r["source"] for r in rows}:
        mine = [r for r in rows if r["source"] == source]
        for coder in ("lz78", "lzw"):
            redundancy = [r["redundancy (measured)"] for r in mine if r["coder"] == coder]
            assert all(v > 0 for v in redundancy) and redundancy == sorted(redundancy, reverse=True)
        top = max(r["n"] for r in mine if r["learning cost (theory, exact)"] is not None)
        kt = next(r for r in mine if r["coder"].startswith("KT") and r["n"] == top)
        assert abs(kt["redundancy (measured)"] - kt["learning cost (theory, exact)"]) <= (
            0.5 * kt["learning cost (theory, exact)"])
        lz = next(r for r in mine if r["coder"] == "lz78" and r["n"] == top)
        assert lz["redundancy (measured)"] > 10 * kt["redundancy (measured)"]
