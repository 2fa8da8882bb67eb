"""Robust under abuse: interrupts, resource limits, concurrent writers, crafted messages, and a
fuzzed command line.  Every test that starts processes bounds their memory and time."""

import time
from pathlib import Path

import pytest

import codesim as cs
from codesim.commands import main
from tests.processes import CHILD_TIMEOUT, codesim_child


def _symbol_files(folder, count: int) -> list:
    """``count`` symbol files of 200,000 bytes' symbols each (encoding one takes a while)."""
    paths = [folder / f"in{i}.txt" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_text(" ".join(map(str, cs.sample(cs.uniform(256), 200_000, i).tolist())))
    return paths


P3 = [0.5, 0.25, 0.25]


@pytest.mark.slow
def test_concurrent_encodes_to_one_path_never_leave_a_mixed_file(tmp_path):
    inputs = _symbol_files(tmp_path, 4)
    whole = set()
    for i, path in enumerate(inputs):          # each writer's complete output, alone
        out = tmp_path / f"alone{i}.csim"
        assert main(["encode", "--q", "uniform:256", "--coder", "huffman", str(path), str(out)]) == 0
        whole.add(out.read_bytes())
    for trial in range(6):
        target = tmp_path / "shared.csim"
        procs = [codesim_child("encode", "--q", "uniform:256", "--coder", "huffman", "--force",
                         str(path), str(target), cwd=tmp_path) for path in inputs]
        for proc in procs:
            proc.communicate(timeout=CHILD_TIMEOUT)
            assert proc.returncode == 0
        assert target.read_bytes() in whole, trial
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.slow
def test_encodes_racing_for_one_new_path_without_force_leave_one_winner(tmp_path):
    # encode checked "exists" before its work and renamed after: every racer passed the check,
    # and all but one silently overwrote a file they had not been allowed to
    inputs = _symbol_files(tmp_path, 4)
    target = tmp_path / "new.csim"
    procs = [codesim_child("encode", "--q", "uniform:256", "--coder", "huffman", str(path), str(target),
                     cwd=tmp_path) for path in inputs]
    results = [(proc.communicate(timeout=CHILD_TIMEOUT)[1], proc.returncode) for proc in procs]
    assert sorted(code for _, code in results) == [0, 2, 2, 2], results
    assert all(b"new.csim exists: add --force to overwrite it" in err for err, code in results if code)
    winner = inputs[[code for _, code in results].index(0)]
    assert main(["decode", "--q", "uniform:256", str(target), str(tmp_path / "back.txt")]) == 0
    assert (tmp_path / "back.txt").read_text().split() == winner.read_text().split()
    assert not list(tmp_path.glob(".*.tmp"))


def test_encode_refuses_its_input_as_output_and_an_existing_file_without_force(tmp_path, capsys):
    src = tmp_path / "f"
    src.write_text("0 1 2 1 0")
    assert main(["encode", "--q", "uniform:3", str(src), str(src)]) == 2
    assert "is also the input" in capsys.readouterr().err and src.read_text() == "0 1 2 1 0"
    out = tmp_path / "f.csim"
    out.write_text("precious")
    assert main(["encode", "--q", "uniform:3", str(src), str(out)]) == 2
    assert "exists: add --force" in capsys.readouterr().err and out.read_text() == "precious"
    assert main(["encode", "--q", "uniform:3", "--force", str(src), str(out)]) == 0
    back = tmp_path / "back.txt"
    assert main(["decode", "--q", "uniform:3", str(out), str(back)]) == 0
    assert back.read_text().split() == ["0", "1", "2", "1", "0"]
    assert main(["decode", "--q", "uniform:3", str(out), str(back)]) == 2


@pytest.mark.parametrize("argv", [
    ["sweep", "--p", "uniform:4", "--csv", "/no/such/folder/rows.csv"],
    ["sweep", "--p", "uniform:4", "--json-file", "/no/such/folder/rows.json"],
    ["experiment", "wrong_codebook", "--out", "/proc/no/such"],
    # found by trying: access() says root may write in /proc, and the work ran before the write
    # failed; two outputs at one path had the JSON overwrite the CSV
    pytest.param(["experiment", "wrong_codebook", "--out", "/proc"],
                 marks=pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")),
    ["sweep", "--p", "uniform:4", "--csv", "rows.out", "--json-file", "./rows.out"],
])
def test_a_bad_output_path_fails_before_the_work(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and time.perf_counter() - start < 2
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("text", ["1 2 --1 3", "1 \u00b2 3", "1_000", "+3", "\u0661"])
def test_a_symbol_file_holding_what_is_not_plain_digits_is_named(tmp_path, capsys, text):
    src = tmp_path / "s.txt"
    src.write_text(text, encoding="utf-8")
    assert main(["encode", "--q", "uniform:4", str(src), str(tmp_path / "o.csim")]) == 2
    assert "expected whitespace-separated integers" in capsys.readouterr().err


def test_a_file_without_end_or_over_the_budget_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CODESIM_MEMORY", "100M")
    assert main(["encode", "--q", "uniform:256", "--bytes", "/dev/zero", str(tmp_path / "z.csim")]) == 2
    assert "memory budget" in capsys.readouterr().err
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(4_000_000))
    assert main(["encode", "--q", "uniform:256", "--bytes", str(big), str(tmp_path / "b.csim")]) == 2
    assert "a message of 4000000 bytes" in capsys.readouterr().err
