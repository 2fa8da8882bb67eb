"""Regression checks: clear verdicts, honest statistics, and errors that name the spec's key."""

import json
import textwrap

import numpy as np
import pytest

import codesim as cs
from codesim.simulation.check import check_overhead, check_statistical, count_false_alarms, z_for
from codesim.commands import main
from codesim.simulation import measure
from codesim.simulation.testing import assert_exact_length, assert_statistically_consistent, assert_within_bounds


def write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_shipped_regression_spec_passes(capsys):
    code, out, _ = run(capsys, "check", "experiments/regression.toml")
    assert code == 0 and " 0 failed" in out and "FAIL" not in out


def test_a_wrong_expectation_exits_1_and_says_which_case_and_why(tmp_path, capsys):
    spec = write(tmp_path, """
        baseline = "base.json"
        [[case]]
        name = "good"
        p = "0.5,0.5"
        q = "0.5,0.5"
        coders = ["huffman"]
        n = 100
        checks = ["exact", "baseline"]
        [[case]]
        name = "tampered"
        p = "0.5,0.25,0.25"
        q = "uniform:3"
        coders = ["ans"]
        n = 1000
        checks = ["baseline"]
    """)
    assert run(capsys, "check", spec, "--update-baseline")[0] == 0
    base = json.loads((tmp_path / "base.json").read_text())
    base["tampered"]["ans"] += 1                     # a change that moves a single bit
    (tmp_path / "base.json").write_text(json.dumps(base))
    code, out, _ = run(capsys, "check", spec)
    assert code == 1
    assert "FAIL tampered / ans / baseline" in out and "2 passed, 1 failed" in out


def test_json_output_has_a_verdict_per_check(tmp_path, capsys):
    spec = write(tmp_path, """
        [[case]]
        name = "c"
        p = "zipf:8:1"
        q = "uniform:8"
        coders = ["shannon", "range"]
        n = 500
        checks = ["bound", "statistical"]
    """)
    code, out, _ = run(capsys, "check", spec, "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 4 and {r["verdict"] for r in rows} == {"PASS"}


@pytest.mark.parametrize("body, message", [
    ("[[case]]\nname = 'a'\nq = 'uniform:2'\ncoders = ['huffman']\n", "case 'a', key 'p': missing"),
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = 'uniform:2'\ncoders = ['zip']\n",
     "case 'a', key 'coders': unknown coder 'zip'"),
    ("[[case]]\nname = 'a'\np = '0.5,0.6'\nq = 'uniform:2'\ncoders = ['huffman']\n",
     "case 'a', key 'p': p sums to 1.1"),
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = 'uniform:2'\ncoders = ['ans']\nchecks = ['exact']\n",
     "check 'exact' applies to prefix codes"),
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = 'uniform:2'\ncoders = ['ans']\nn = -1\n",
     "key 'n': must be a positive integer"),
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = 'uniform:2'\ncoders = ['ans']\nchecks = ['vibes']\n",
     "key 'checks': must be a list of exact, bound, statistical, overhead, baseline"),
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = 'uniform:2'\ncoders = [{name = 'ans', colour = 1}]\n",
     "coder 'ans' has no option 'colour'"),
    ("colour = 1\n", "key 'colour': unknown top-level key"),
    # found by fuzzing specs: a case checking nothing passed (exit 0), and these were named 'coders'
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = 'uniform:2'\ncoders = ['ans']\nchecks = []\n",
     "case 'a', key 'checks': is empty: a case that checks nothing would pass"),
    ("[[case]]\nname = 'a'\np = 'uniform:3'\nq = 'uniform:2'\ncoders = ['ans']\n",
     "case 'a', key 'q': has 2 entries but p has 3"),
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = '0,1'\ncoders = ['ans']\n",
     "case 'a', key 'q': q[0] = 0 but p[0] = 0.5: no code built for q can describe symbol 0"),
    ("[[case]]\nname = 'a'\np = 'uniform:2'\nq = 'uniform:2'\ncoders = ['ans']\nn = 10000000000000\n",
     "case 'a', key 'n': 10000000000000 symbols is more than the 10**12 one run codes"),
    ("[[case]\n", "not valid TOML"),
    ("", "the spec needs at least one [[case]]"),
])
def test_a_bad_spec_exits_2_naming_file_case_and_key(tmp_path, capsys, body, message):
    spec = write(tmp_path, body)
    code, _, err = run(capsys, "check", spec)
    assert code == 2 and message in err and "spec.toml" in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_spec_file_is_named(capsys):
    code, _, err = run(capsys, "check", "nowhere.toml")
    assert code == 2 and "nowhere.toml: no such spec file" in err


def test_pytest_helpers_pass_on_truth_and_fail_with_measured_theory_bound():
    m = measure(cs.zipf(8, 1.0), cs.uniform(8), "huffman", n=2000, seed=1)
    assert_exact_length(m)
    assert_within_bounds(m)
    assert_statistically_consistent(m)
    bad = type(m)(m.result, m.code_length + 5, 0.0, 0.0)
    with pytest.raises(AssertionError, match=r"measured \d+ bits, theory .* bound"):
        assert_within_bounds(bad)


@pytest.mark.slow
def test_the_statistical_check_is_honest_a_95_percent_interval_covers_95_percent():
    # One stream-coder case over 1000 seeds: the nominal 95% interval must contain the
    # measurement between 93% and 97% of the time (binomial sd at 1000 seeds: 0.7%).
    p, q = [0.5, 0.3, 0.15, 0.05], [0.4, 0.3, 0.2, 0.1]
    inside = [check_statistical(measure(p, q, "arithmetic", n=2000, seed=s), false_alarm=0.05).passed
              for s in range(1000)]
    coverage = float(np.mean(inside))
    assert 0.93 <= coverage <= 0.97, coverage
    assert z_for(0.05) == pytest.approx(1.959964, abs=1e-6)


@pytest.mark.parametrize("coder", ["huffman", "shannon", "sfe", "range", "ans"])
def test_the_statistical_verdict_fails_an_honest_coder_at_the_nominal_rate(coder):
    # 1000 seeds at n = 10**4: observed / nominal false-alarm rate inside [0.5, 2] at 0.05 and
    # 0.01 (the pure-Python coders' table, n = 10**4 and 10**5: experiments/calibration.py).
    p, q = cs.dirichlet(16, 1.0, 31), cs.smooth(cs.dirichlet(16, 1.0, 32), 0.05)
    built = cs.make_coder(coder, q)
    ms = [measure(p, q, built, n=10_000, seed=s) for s in range(1000)]
    for alpha in (0.05, 0.01):
        rate = np.mean([not check_statistical(m, alpha).passed for m in ms])
        assert 0.5 * alpha <= rate <= 2 * alpha, (alpha, rate)


@pytest.mark.parametrize("coder", [c for c in cs.available_coders()
                                   if cs.coders.registry.spec(c).family != "universal"])
def test_counted_false_alarms_are_the_verdicts_of_each_seeds_own_measurement(coder):
    # the count works out the theory once and codes each seed's sample; its rows must be the
    # verdicts check_statistical and check_overhead give each seed's full measurement
    p, q = cs.dirichlet(16, 1.0, 41), cs.smooth(cs.dirichlet(16, 1.0, 42), 0.05)
    seeds, alphas = range(7, 47), (0.3, 0.05)
    counted = count_false_alarms(p, q, coder, 300, seeds, alphas)
    ms = [measure(p, q, coder, n=300, seed=s) for s in seeds]
    each = [[not check_statistical(m, a).passed for a in alphas] + [not check_overhead(m).passed]
            for m in ms]
    assert counted.tolist() == each
    assert counted[:, 0].any() and not counted[:, 0].all()     # both verdicts occur at 0.3


def test_no_seeds_count_no_false_alarms():
    assert count_false_alarms([0.5, 0.5], [0.5, 0.5], "huffman", 100, []).shape == (0, 3)


def test_a_skewed_cost_at_small_n_is_refused_naming_the_n_it_needs():
    # p = (.98, .02) coded for q = (1 - 1e-6, 1e-6): the rare symbol costs 20 bits.  A normal
    # interval at n = 50 fails 2.5 times as often as it says; the check says what n it needs.
    p, q = [0.98, 0.02], [1 - 1e-6, 1e-6]
    m = measure(p, q, "arithmetic", n=50, seed=0)
    with pytest.raises(cs.OptionError, match=r"needs n > 11\d\d symbols \(Cochran's rule"):
        check_statistical(m)
    assert check_statistical(measure(p, q, "arithmetic", n=5000, seed=0)).passed


def test_a_spec_can_ask_for_the_overhead_verdict_and_a_too_small_n_is_a_bad_spec(tmp_path, capsys):
    spec = write(tmp_path, """
        [[case]]
        name = "tight"
        p = "zipf:8:1"
        q = "uniform:8"
        coders = ["huffman", "arithmetic", "rans", "range", "ans"]
        n = 20000
        checks = ["overhead"]
        [[case]]
        name = "skewed"
        p = "0.98,0.02"
        q = "0.999999,0.000001"
        coders = ["arithmetic"]
        n = 50
        checks = ["statistical"]
    """)
    code, _, err = run(capsys, "check", spec)
    assert code == 2 and "case 'skewed', key 'n'" in err and "Cochran" in err


@pytest.mark.parametrize("name", ["huffman", "shannon", "sfe", "fano"])
@pytest.mark.parametrize("block", [1, 2])
def test_a_bound_row_fails_a_code_one_bit_longer_for_one_symbol_and_passes_the_honest_one(name, block):
    """The bound rows showed theory in the 'measured' column and compared E_p[l] with itself
    (Huffman: H(p) + D(p||2^-l)), so no bug could fail them."""
    from codesim.coders import CLASSES
    from codesim.coders.prefix import PrefixCode
    from codesim.simulation.check import check_bound

    class Planted(CLASSES[name]):
        def build_code(self, q):
            honest = super().build_code(q)
            lengths = honest.lengths.copy()
            lengths[int(np.argmax(q))] += 1                     # the likeliest symbol: +1 bit
            return PrefixCode(lengths)

    p, q = cs.zipf(6, 1.1), cs.mixture(cs.zipf(6, 1.1), cs.uniform(6), 0.3)
    honest = measure(p, q, cs.make_coder(name, q, block=block), 20_000, 1)
    planted = measure(p, q, Planted(q, block=block), 20_000, 1)
    outcome = check_bound(honest, p, q)
    assert outcome.passed and outcome.measured == honest.result.measured_bits_per_symbol
    assert not check_bound(planted, p, q).passed


def test_the_verdicts_go_to_junit_xml_for_ci(tmp_path, capsys):
    from xml.etree import ElementTree
    spec = write(tmp_path, """
        baseline = "base.json"
        [[case]]
        name = "fair"
        p = "0.5,0.25,0.25"
        q = "uniform:3"
        coders = ["huffman", "ans"]
        n = 1000
        checks = ["bound", "baseline"]
    """)
    assert run(capsys, "check", spec, "--update-baseline")[0] == 0
    base = json.loads((tmp_path / "base.json").read_text())
    base["fair"]["ans"] += 1
    (tmp_path / "base.json").write_text(json.dumps(base))
    report = tmp_path / "verdicts.xml"
    assert run(capsys, "check", spec, "--junit-xml", str(report))[0] == 1
    suite = ElementTree.parse(report).getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert (suite.get("tests"), suite.get("failures")) == ("4", "1") and len(cases) == 4
    failed = [c for c in cases if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failed] == [("fair", "ans / baseline")]
    assert "measured" in failed[0].find("failure").get("message")
    code, _, err = run(capsys, "check", spec, "--junit-xml", str(tmp_path / "no" / "such.xml"))
    assert code == 2 and "no" in err


def test_check_runs_every_case_at_the_n_and_seed_asked_leaving_out_the_baselines(tmp_path, capsys):
    spec = write(tmp_path, """
        baseline = "base.json"
        [[case]]
        name = "two"
        p = "0.5,0.5"
        q = "0.5,0.5"
        coders = ["huffman"]
        n = 100
        checks = ["exact", "baseline"]
    """)
    assert run(capsys, "check", spec, "--update-baseline")[0] == 0
    code, out, _ = run(capsys, "check", spec, "-n", "300", "--seed", "5", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["check"] for r in rows] == ["exact"] and rows[0]["measured"] == 300
    code, _, err = run(capsys, "check", spec, "--seed", "5", "--update-baseline")
    assert code == 2 and "without -n and --seed" in err
