"""The codesim command: tables, JSON, and one clear line for bad input."""

import json
import subprocess
import sys

import pytest

from codesim.commands import main
from tests.helpers import REPOSITORY


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
    assert code == 0 and {r["codebook"] for r in rows} == {"english", "python", "uniform:27"}
    uniform_rows = [r for r in rows if r["codebook"] == "uniform:27"]
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


def test_a_letter_q_rules_out_is_named_by_its_letter(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("a a a")
    code, _, err = run(capsys, "compare", "--p", "english", "--q", f"fit-letters:{tmp_path / 'a.txt'}")
    assert code == 2 and "p[1] = 0.0149113 (symbol 1 is 'b'): no code built for q can describe symbol 1" in err


def test_python_dash_m_and_help_explain_every_command():
    out = subprocess.run([sys.executable, "-m", "codesim", "compare", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "example:" in out and "zipf:K:S" in out and "--seed" in out


def test_distributions_from_json_and_npy_files(tmp_path, capsys):
    import numpy as np
    (tmp_path / "p.json").write_text("[0.5, 0.25, 0.125, 0.125]")
    np.save(tmp_path / "q.npy", np.full(4, 0.25))
    code, out, _ = run(capsys, "compare", "--p", str(tmp_path / "p.json"), "--q", str(tmp_path / "q.npy"),
                       "--coder", "huffman", "-n", "1000", "--json")
    assert code == 0 and json.loads(out)[0]["cross_entropy"] == 2.0


def test_encode_and_decode_a_file_of_bytes_and_a_file_of_symbols(tmp_path, capsys):
    data = tmp_path / "data.bin"
    data.write_bytes(bytes(range(256)) * 3 + b"codesim")
    saved, back = tmp_path / "data.csim", tmp_path / "back.bin"
    assert main(["encode", "--q", "uniform:256", "--coder", "arithmetic", "--bytes", str(data), str(saved)]) == 0
    assert "bits/symbol measured" in capsys.readouterr().out
    assert main(["decode", "--q", "uniform:256", "--bytes", str(saved), str(back)]) == 0
    assert back.read_bytes() == data.read_bytes()

    symbols = tmp_path / "symbols.txt"
    symbols.write_text("0 1 2 3\n3 2 1 0\n")
    saved = tmp_path / "symbols.csim"
    assert main(["encode", "--q", "0.4,0.3,0.2,0.1", "--coder", "huffman", str(symbols), str(saved)]) == 0
    assert main(["decode", "--q", "0.4,0.3,0.2,0.1", str(saved), str(tmp_path / "out.txt")]) == 0
    assert (tmp_path / "out.txt").read_text().split() == symbols.read_text().split()


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[: len(b) // 2], "truncated"),
    (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "payload is damaged"),
    (lambda b: b"not a message", "not a codesim message"),
])
def test_decode_refuses_damaged_files_and_wrong_models_in_one_line(tmp_path, capsys, damage, message):
    data = tmp_path / "d.txt"
    data.write_text("0 1 2 1 0 2 2 1")
    saved = tmp_path / "d.csim"
    assert main(["encode", "--q", "uniform:3", "--coder", "ans", str(data), str(saved)]) == 0
    assert main(["decode", "--q", "0.5,0.25,0.25", str(saved), str(tmp_path / "x.txt")]) == 2
    assert "different model" in capsys.readouterr().err
    saved.write_bytes(damage(saved.read_bytes()))
    assert main(["decode", "--q", "uniform:3", str(saved), str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def _subparsers():
    """Every (sub)command's parser by name, nested ones ("view tree") included."""
    import argparse
    from codesim.commands import build_parser

    def walk(parser, prefix):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield f"{prefix}{name}", sub
                    yield from walk(sub, f"{prefix}{name} ")
    return dict(walk(build_parser(), ""))


def test_every_option_of_every_command_explains_itself_and_shows_its_default():
    import argparse
    for name, sub in _subparsers().items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            assert action.help, (name, action.dest)
            if action.option_strings and not action.required and action.default is not False:
                shown = sub._get_formatter()._get_help_string(action)
                assert shown.count("default:") == 1, (name, action.dest, shown)
        assert "example:" in sub.format_help(), name
        assert "default: None" not in sub.format_help(), name


def test_one_option_vocabulary_n_and_dash_dash_n(capsys):
    for argv in (["compare", "--p", "uniform:2", "--q", "uniform:2", "--n", "100", "--json"],
                 ["compare", "--p", "uniform:2", "--q", "uniform:2", "-n", "100", "--json"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and {r["n"] for r in json.loads(out)} == {100}
    from codesim.commands.experiment import parser
    from codesim.experiments.runner import load_experiment
    assert parser(load_experiment("adaptive")).parse_args(["-n", "50"]).n == 50


def test_experiment_help_lists_the_experiments(capsys):
    with pytest.raises(SystemExit):
        main(["experiment", "--help"])
    out = capsys.readouterr().out
    assert "wrong_codebook" in out and "calibration" in out


def test_the_check_table_fits_100_columns_and_names_its_units(capsys):
    code, out, _ = run(capsys, "check", "experiments/regression.toml")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "bits/symbol" in out and "measured" in out and "theory" in out


def test_codebook_of_english_labels_its_symbols_with_letters(capsys):
    code, out, _ = run(capsys, "codebook", "--q", "english")
    lines = out.splitlines()
    assert code == 0 and "label" in lines[1] and lines[3].split()[:2] == ["0", "a"]


def test_help_of_simulate_lists_the_coders_their_options_and_the_result_fields():
    import codesim
    doc = codesim.simulate.__doc__
    for word in [*codesim.available_coders(), "block", "precision", "adaptive", "ledger",
                 "stderr", "expected_bits_per_symbol", "num_bits"]:
        assert word in doc, word


def test_printing_a_stream_coder_shows_q_beside_the_quantised_model():
    import codesim as cs
    text = str(cs.make_coder("ans", [0.7, 0.2, 0.1], precision=4))
    assert "q~" in text and "0.687500" in text and "0.700000" in text
    assert "cost of quantising: D(q||q~)" in text


def test_the_readme_says_how_to_call_sweep_on_spawn_platforms_and_points_inside_the_repository():
    top = REPOSITORY
    readme = (top / "README.md").read_text()
    assert 'if __name__ == "__main__":' in readme
    assert "../shared" not in readme and (top / "docs" / "ARCHITECTURE.md").exists()


def test_codesim_alone_prints_its_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: codesim" in capsys.readouterr().err


def test_the_readmes_claims_about_sampling_and_json_options_hold():
    """The README said every command takes -n, --seed and --json: codebook, encode and decode
    took none of them. What it lists now is exactly the commands whose --help has them."""
    import contextlib
    import io
    import re
    from codesim.commands import main
    readme = " ".join((REPOSITORY / "README.md").read_text().split())
    sampling = re.search(r"commands that sample \((.*?)\) take", readme).group(1)
    printing = re.search(r"commands that print rows \((.*?)\) take", readme).group(1)
    listed = lambda text: set(re.findall(r"`([a-zA-Z -]+?)`", text))

    def help_of(command: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main(["experiment", "regret", "--help"] if command == "experiment NAME"
                 else [*command.split(), "--help"])
        return out.getvalue()

    views = ["view arithmetic", "view states", "view tree", "view wrong-codebook", "view typical-set"]
    commands = ["demo", "compare", "codebook", "sweep", "check", "experiment NAME", "encode",
                "decode", "text", "report", *views]
    helps = {command: help_of(command) for command in commands}
    assert all("usage: codesim" in text for text in helps.values())
    takes_n_and_seed = {c for c, text in helps.items()
                        if re.search(r"-n [A-Z,.]+, --n", text) and "--seed" in text}
    takes_json = {c for c, text in helps.items() if "--json" in text}
    assert listed(sampling) == takes_n_and_seed
    assert listed(printing) == takes_json
    assert not ({"codebook", "encode", "decode"} & (takes_n_and_seed | takes_json))


def test_compare_shows_progress_on_a_terminal_and_not_with_quiet_or_a_pipe(capsys, monkeypatch):
    """codesim compare -n 10**7 --coder arithmetic was silent for 96 s."""
    import sys
    from codesim.commands import main
    argv = ["compare", "--p", "0.5,0.5", "--q", "0.5,0.5", "-n", "1000", "--coder", "huffman",
            "--coder", "ans"]
    assert main(argv) == 0
    assert "compare [" not in capsys.readouterr().err             # not a terminal: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "compare [" in err and "2/2 coders" in err
    assert main([*argv, "--quiet"]) == 0 and "compare [" not in capsys.readouterr().err


def test_encode_letters_with_english_codes_hello_world_and_decodes_it_back(tmp_path, capsys):
    text = tmp_path / "hello.txt"
    text.write_text("hello world\n")
    saved, back = tmp_path / "hello.csim", tmp_path / "back.txt"
    assert main(["encode", "--letters", "--q", "english", "--coder", "huffman", str(text), str(saved)]) == 0
    out, err = capsys.readouterr()
    assert "11 symbols" in out and err == ""                    # ten letters and a space, nothing lost
    assert main(["decode", "--letters", "--q", "english", str(saved), str(back)]) == 0
    assert back.read_text() == "hello world\n"


def test_encode_letters_says_when_it_reduced_the_text(tmp_path, capsys):
    text = tmp_path / "hello.txt"
    text.write_text("Hello, World!\n")
    assert main(["encode", "--letters", "--q", "english", str(text), str(tmp_path / "h.csim")]) == 0
    assert "reduced to letters and spaces" in capsys.readouterr().err


@pytest.mark.parametrize("argv, says", [
    (["--bytes", "--q", "english"], "--bytes codes 256 symbols, but q has 27"),
    (["--letters", "--q", "uniform:26"], "--letters codes 27 symbols, but q has 26"),
    (["--q", "english"], "for text use --letters"),
])
def test_encode_names_an_alphabet_that_does_not_fit_q(tmp_path, capsys, argv, says):
    text = tmp_path / "hello.txt"
    text.write_text("hello world\n")
    assert main(["encode", *argv, str(text), str(tmp_path / "h.csim")]) == 2
    assert says in capsys.readouterr().err


def test_codebook_labels_its_symbols_and_q_can_be_fitted_to_a_text(tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text("abracadabra")
    assert main(["codebook", "--q", f"fit-letters:{text}:1", "--p", "english"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["0", "a"] in [r[:2] for r in rows] and ["26", "␣"] in [r[:2] for r in rows]
    assert main(["codebook", "--q", "uniform:256", "--bytes"]) == 0
    assert ["33", "!"] in [line.split()[:2] for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("argv, shows", [
    (["experiment", "asymmetry", "--quick"], "experiment asymmetry: done in"),
    (["text", "short.txt", "--order", "1"], "text: order 1 kt"),
])
def test_long_commands_show_progress_on_a_terminal_and_not_with_quiet_or_a_pipe(argv, shows, capsys,
                                                                                monkeypatch, tmp_path):
    import sys
    from codesim.commands import main
    if argv[0] == "experiment":
        argv = [*argv, "--out", str(tmp_path)]
    else:
        (tmp_path / "short.txt").write_text("the quick brown fox jumps over the lazy dog\n" * 20)
        argv = [argv[0], str(tmp_path / "short.txt"), *argv[2:]]
    assert main(argv) == 0
    assert shows not in capsys.readouterr().err                   # not a terminal: nothing
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(argv) == 0
    assert shows in capsys.readouterr().err
    assert main([*argv, "--quiet"]) == 0 and shows not in capsys.readouterr().err


def test_pandas_reads_every_csv_codesim_writes_with_no_options(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    import codesim as cs
    from codesim.commands.sweep import write
    finished, stopped = tmp_path / "sweep.csv", tmp_path / "stopped.csv"
    assert main(["sweep", "--p", "zipf:8:1", "--t", "0,0.5,1", "--coder", "huffman", "--coder", "ans",
                 "-n", "2000", "--workers", "1", "--csv", str(finished)]) == 0
    rows = cs.sweep(cs.zipf(8, 1), [cs.uniform(8), cs.zipf(8, 2)], ["arithmetic"], n=1000, workers=1)
    write(rows[:1], str(stopped), None, "sweep interrupted: 1 of 2 q's finished")   # as Ctrl-C leaves it
    assert main(["experiment", "wrong_codebook", "--quick", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    expected_rows = {finished: 6, stopped: 1, tmp_path / "wrong_codebook.csv": None}
    for path, count in expected_rows.items():
        frame = pd.read_csv(path)
        assert count is None or len(frame) == count, path
        numbers = [c for c in frame.columns if c.startswith(("measured", "ledger."))]
        assert numbers and all(pd.api.types.is_float_dtype(frame[c]) for c in numbers), path
    assert (tmp_path / "stopped.csv.interrupted").read_text().startswith("sweep interrupted")
    assert json.loads(cs.sweep(cs.zipf(8, 1), [cs.uniform(8)], ["huffman"], n=100, workers=1).to_json())[0]["seed"] == [0, 0]


def test_smooth_makes_a_q_fitted_to_a_text_code_the_letters_it_never_saw(tmp_path, capsys):
    (tmp_path / "train.txt").write_text("hello hello\n")                 # no 'w', 'r' or 'd'
    (tmp_path / "msg.txt").write_text("hello world\n")
    saved, back = tmp_path / "msg.csim", tmp_path / "back.txt"
    fitted = ["--q", f"fit-letters:{tmp_path / 'train.txt'}", "--letters"]
    assert main(["encode", *fitted, str(tmp_path / "msg.txt"), str(saved)]) == 2
    assert "no codeword" in capsys.readouterr().err
    assert main(["encode", *fitted, "--smooth", "1", str(tmp_path / "msg.txt"), str(saved)]) == 0
    assert main(["decode", *fitted, "--smooth", "1", str(saved), str(back)]) == 0
    assert back.read_text() == "hello world\n"
    assert main(["decode", *fitted, "--smooth", "0.5", str(saved), str(tmp_path / "b2.txt")]) == 2
    assert "different model" in capsys.readouterr().err                 # the smoothing is part of q
