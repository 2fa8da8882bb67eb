"""The codesim command: tables, JSON, and one clear line for bad input."""

import json
import subprocess
import sys

import pytest

from codesim.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_json_reports_two_bits_against_theory(capsys):
    code, out, _ = run(capsys, "compare", "--p", "0.5,0.25,0.125,0.125", "--q", "uniform:4",
                       "--coder", "huffman", "-n", "10000", "--seed", "0", "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert (row["measured_bits_per_symbol"], row["entropy"], row["cross_entropy"]) == (2.0, 1.75, 2.0)


def test_compare_table_labels_theory(capsys):
    code, out, _ = run(capsys, "compare", "--p", "zipf:8:1", "--q", "uniform:8", "-n", "2000")
    assert code == 0 and "theory: H(p)" in out and "arithmetic" in out


def test_codebook_prints_kraft_sum_and_expected_length(capsys):
    code, out, _ = run(capsys, "codebook", "--q", "0.5,0.25,0.125,0.125", "--p", "uniform:4")
    assert code == 0 and "Kraft sum: 1 (complete)" in out and "H(p, q) = 2.25" in out


def test_demo_runs_every_coder_on_english_letters(capsys):
    code, out, _ = run(capsys, "demo", "-n", "3000", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["codebook"] for r in rows} == {"english", "python", "uniform:26"}
    uniform_rows = [r for r in rows if r["codebook"] == "uniform:26"]
    assert all(r["cross_entropy"] > r["entropy"] for r in uniform_rows)


@pytest.mark.parametrize("argv, message", [
    (["compare", "--p", "0.5,0.6", "--q", "uniform:2"], "p sums to 1.1, not 1"),
    (["compare", "--p", "0.5,0.5", "--q", "1,0"], "q[1] = 0 but p[1] = 0.5"),
    (["compare", "--p", "uniform:3", "--q", "uniform:4"], "p has 3 entries but q has 4"),
    (["compare", "--p", "zipf:4", "--q", "uniform:4"], "needs 2 parameters (zipf:K:S)"),
    (["compare", "--p", "nonsense", "--q", "uniform:4"], "cannot read 'nonsense'"),
    (["compare", "--p", "missing.json", "--q", "uniform:4"], "no such file 'missing.json'"),
    (["compare", "--p", "uniform:2", "--q", "uniform:2", "--coder", "zip"], "invalid choice: 'zip'"),
    (["compare", "--p", "uniform:2"], "the following arguments are required: --q"),
    (["codebook", "--q", "uniform:256", "--block", "4"], "more than the 1048576"),
    (["sweep", "--p", "uniform:2", "--t", "a,b"], "--t must be a comma list"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_python_dash_m_and_help_explain_every_command():
    out = subprocess.run([sys.executable, "-m", "codesim", "compare", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "example:" in out and "zipf:K:S" in out and "--seed" in out
