"""Sources with memory: Markov sources' rates against hand-solved chains, context models as
codebooks, and an honest stderr along the chain."""

import math

import numpy as np

import codesim as cs



def h2(a):
    return 0.0 if a in (0, 1) else -a * math.log2(a) - (1 - a) * math.log2(1 - a)


def _coverage(source, model, n, seeds):
    """The fraction of seeds whose 95% interval (measured +/- 1.96 stderr) covers the rate,
    with the reported stderr and with the i.i.d. formula (Var of one cost, no memory)."""
    probs, t, cost, _ = source._window_costs(model)
    mean = source.cross_entropy_rate(model)
    iid_stderr = math.sqrt(float(probs @ np.sum(t * (cost - mean) ** 2, axis=1)) / n)
    hits = np.zeros(2)
    for seed in range(seeds):
        r = cs.simulate(source, model, "arithmetic", n=n, seed=seed)
        miss = abs(r.measured_bits_per_symbol - r.expected_bits_per_symbol)
        hits += [miss <= 1.96 * r.stderr, miss <= 1.96 * iid_stderr]
    return hits / seeds


def test_codesim_text_measures_every_order_and_model_beside_the_compressors(tmp_path, capsys):
    import json
    from codesim.commands import main
    text = tmp_path / "t.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 40)
    assert main(["text", str(text), "--order", "2", "--model", "kt", "--model", "fixed", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["order"], r["model"].split()[0]) for r in rows[:6]] == [
        (0, "kt"), (0, "fixed"), (1, "kt"), (1, "fixed"), (2, "kt"), (2, "fixed")]
    assert [r["model"] for r in rows[6:]] == ["zlib", "bz2", "lzma"]
    for r in rows:
        assert set(r) == {"order", "model", "bits", "bits_per_symbol", "ideal_bits", "coder"}
        if r["coder"] == "arithmetic":
            assert r["ideal_bits"] <= r["bits"] <= r["ideal_bits"] + 2 + 1e-6
    kt = [r["bits"] for r in rows if r["model"] == "kt"]
    assert kt[2] < kt[0]                                      # a repetitive text: memory pays
    assert main(["text", str(text), "--letters", "--order", "1"]) == 0
    assert "bits/letter" in capsys.readouterr().out
    assert main(["text", str(tmp_path / "missing.txt")]) == 2
