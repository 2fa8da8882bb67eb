"""Sources with memory: Markov sources' rates against hand-solved chains, context models as
codebooks, and an honest stderr along the chain."""

import math

import numpy as np
import pytest



def test_codesim_text_measures_every_order_and_model_beside_the_compressors(tmp_path, capsys):
    import json
    from codesim.commands import main
    text = tmp_path / "t.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 40)
    assert main(["text", str(text), "--order", "2", "--model", "kt", "--model", "fixed", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["order"], r["model"].split()[0]) for r in rows[:9]] == [
        (0, "kt"), (0, "fixed"), (0, "empirical"), (1, "kt"), (1, "fixed"), (1, "empirical"),
        (2, "kt"), (2, "fixed"), (2, "empirical")]
    assert [r["model"] for r in rows[9:]] == ["lz77", "lz78", "lzw", "zlib", "bz2", "lzma"]
    for fixed, empirical in zip(rows[1:9:3], rows[2:9:3]):     # smoothing costs, never saves
        assert empirical["coder"] == "theory" and empirical["bits"] <= fixed["bits"]
    for r in rows:
        assert set(r) == {"order", "model", "bits", "bits_per_symbol", "ideal_bits", "coder"}
        if r["coder"] == "arithmetic":
            assert r["ideal_bits"] <= r["bits"] <= r["ideal_bits"] + 2 + 1e-6
    kt = [r["bits"] for r in rows if r["model"] == "kt"]
    assert kt[2] < kt[0]                                      # a repetitive text: memory pays
    assert main(["text", str(text), "--letters", "--order", "1"]) == 0
    assert "bits/letter" in capsys.readouterr().out
    assert main(["text", str(tmp_path / "missing.txt")]) == 2


def test_codesim_text_sets_ppm_beside_ppmd_at_each_order(tmp_path, capsys):
    import json
    from codesim.commands import main
    text = tmp_path / "t.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 20)
    assert main(["text", str(text), "--order", "2", "--model", "ppm", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ppm = [r for r in rows if r["model"].startswith("ppm")]
    assert [r["order"] for r in ppm] == [0, 1, 2]
    assert main(["text", str(text), "--order", "2", "--model", "ctw", "--json"]) == 0
    ctw = [r for r in json.loads(capsys.readouterr().out) if r["model"].startswith("ctw")]
    assert [r["model"] for r in ctw] == ["ctw (bits, depth 8)", "ctw (bits, depth 16)"]
    assert all(r["ideal_bits"] <= r["bits"] <= r["ideal_bits"] + 2 + 1e-6 for r in ctw)
    assert all(r["ideal_bits"] <= r["bits"] <= r["ideal_bits"] + 2 + 1e-6 for r in ppm)
    try:
        import pyppmd  # noqa: F401
    except ImportError:
        return
    assert [r["order"] for r in rows if r["coder"] == "pyppmd"] == [2]


def test_the_empirical_conditional_entropy_is_the_texts_own_counts():
    """sum over contexts of n_c H(counts_c / n_c), contexts padded with 0 at the start."""
    from codesim.simulation.text import empirical_conditional_entropy
    x = np.array([0, 1, 1, 0, 1, 1, 0, 1])

    def bits(row):
        c = np.bincount(row)
        c = c[c > 0]
        return float(-(c * np.log2(c / c.sum())).sum())

    before = np.concatenate([[0], x[:-1]])
    want = bits(x[before == 0]) + bits(x[before == 1])
    assert empirical_conditional_entropy(x, 1, 2) == pytest.approx(want)
    assert empirical_conditional_entropy(x, 0, 2) == pytest.approx(bits(x))


def test_an_order_the_models_cannot_hold_is_refused_before_any_coding(tmp_path, capsys):
    import time
    from codesim.commands import main
    text = tmp_path / "t.txt"
    text.write_bytes(bytes(range(256)) * 40)
    start = time.perf_counter()
    assert main(["text", str(text), "--order", "8"]) == 2
    assert "64-bit context number" in capsys.readouterr().err
    assert time.perf_counter() - start < 2


def test_a_text_without_end_is_refused_and_an_empty_one_has_no_rate(tmp_path, capsys):
    from codesim.commands import main
    from codesim.simulation.text import text_costs
    assert main(["text", "/dev/zero"]) == 2
    assert "the most codesim reads" in capsys.readouterr().err
    rows = text_costs(b"", orders=[0], models=["kt"])
    assert all(math.isnan(r["bits_per_symbol"]) for r in rows)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["text", str(empty), "--order", "0"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert "is empty" in summary and "nan" not in summary and "x lzma" not in summary


def test_ctrl_c_during_text_keeps_the_finished_rows(monkeypatch):
    from codesim.simulation import text
    calls = []
    real = text.checked_round_trip

    def interrupt_second(coder, x):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(coder, x)

    monkeypatch.setattr(text, "checked_round_trip", interrupt_second)
    with pytest.raises(text.TextInterrupted) as stop:
        text.text_costs(b"abracadabra" * 20, orders=[0, 1], models=["kt"])
    assert [(r["order"], r["model"]) for r in stop.value.rows] == [(0, "kt")]


def test_the_lzma_row_is_raw_lzma2_without_the_xz_container():
    import lzma
    from codesim.simulation.text import text_costs
    data = b"the quick brown fox jumps over the lazy dog. " * 400
    row = next(r for r in text_costs(data, orders=[0]) if r["model"] == "lzma")
    container = lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)
    assert row["bits"] < 8 * len(container) - 8 * 40          # the .xz headers and checks
