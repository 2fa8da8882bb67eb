"""Distributions as a user types them: counts, and q fitted to a file's counts."""

import numpy as np
import pytest

import codesim as cs
from codesim.commands import main
from codesim.sources.notation import parse_distribution


def test_counts_are_taken_when_the_user_says_so():
    """--p 30,30,40 was refused with advice to call a Python function."""
    assert parse_distribution("counts:30,30,40").tolist() == [0.3, 0.3, 0.4]
    with pytest.raises(cs.DistributionError, match="counts:C,C"):
        parse_distribution("30,30,40")
    for bad, why in (("counts:0,0", "all 0"), ("counts:1.5,2", "whole numbers"), ("counts:a", "cannot read")):
        with pytest.raises(cs.DistributionError, match=why):
            parse_distribution(bad)


def test_q_is_fitted_to_a_files_counts_with_smoothing_for_unseen_symbols(tmp_path):
    path = tmp_path / "message.txt"
    path.write_text("0 1 1 2 2 2 5\n")
    assert parse_distribution(f"fit:{path}").tolist() == pytest.approx([1 / 7, 2 / 7, 3 / 7, 0, 0, 1 / 7])
    smoothed = parse_distribution(f"fit:{path}:8:1")
    assert smoothed.size == 8 and smoothed.min() == pytest.approx(1 / 15)
    assert np.array_equal(smoothed, cs.fit([0, 1, 1, 2, 2, 2, 5], k=8, alpha=1))
    text = tmp_path / "hello.txt"
    text.write_bytes(b"hello world")
    q = parse_distribution(f"fit-bytes:{text}")
    assert q.size == 256 and q[ord("l")] == pytest.approx(3 / 11)
    with pytest.raises(cs.DistributionError, match="fit-bytes:FILE"):
        parse_distribution(f"fit:{text}")
    with pytest.raises(cs.DistributionError, match="cannot hold symbol 5"):
        parse_distribution(f"fit:{path}:3")


def test_the_command_line_codes_a_file_with_q_fitted_to_it(tmp_path, capsys):
    path = tmp_path / "message.txt"
    path.write_text(" ".join(map(str, cs.sample([0.5, 0.3, 0.2], 500, 1).tolist())))
    assert main(["compare", "--p", "counts:50,30,20", "--q", f"fit:{path}:3:0.5", "-n", "2000",
                 "--coder", "ans"]) == 0
    assert "ans" in capsys.readouterr().out
