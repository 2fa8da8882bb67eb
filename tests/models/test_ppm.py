"""PPM with escape methods A-D: a probability for every symbol, a ledger of escapes and symbols
that sums to its code length, and real bits near PPMd's."""

import numpy as np
import pytest

import codesim as cs
from codesim.models.ppm import METHODS, PPMModel
from codesim.sources.corpora import english_prose


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("exclusion", [True, False])
def test_every_step_is_a_distribution_and_wastes_nothing_with_exclusion(method, exclusion):
    """With exclusion, only an escape that can reach no symbol (every one predicted above) is
    wasted; without it, what the shorter contexts give to symbols already predicted is."""
    x = cs.sample(cs.zipf(6, 1.0), 400, 1)
    walker = PPMModel(6, order=2, method=method, exclusion=exclusion).walker(24)
    for s in x.tolist():
        p, level, _ = walker.probabilities()
        assert np.all(p > 0) and p.sum() <= 1 + 1e-12
        if exclusion and (level < 0).any():   # the escape reaches a symbol: no mass is lost
            assert p.sum() == pytest.approx(1.0, abs=1e-12)
        walker.push(s)


@pytest.mark.parametrize("method", METHODS)
def test_the_ledger_of_escapes_and_symbols_is_the_code_length_and_the_coder_pays_it(method):
    x = cs.sample([0.6, 0.25, 0.1, 0.05], 3000, 2)
    model = PPMModel(4, order=3, method=method)
    ledger = model.ledger(x)
    assert any(k.startswith("escape bits") for k in ledger) and any(k.startswith("symbol bits") for k in ledger)
    coder = cs.ContextCoder("arithmetic", model)
    enc = coder.encode(x)
    assert coder.decode(enc).tolist() == x.tolist()
    ideal = sum(ledger.values())
    assert coder.code_length(x) == pytest.approx(ideal, abs=1e-4 * x.size)      # 24-bit rounding
    below, above = coder.length_bounds(x.size)
    assert coder.code_length(x) - below - 1e-6 <= enc.num_bits <= coder.code_length(x) + above + 1e-6


def test_exclusion_and_method_d_code_text_better_than_method_a_without():
    text = np.frombuffer(english_prose()[:3000].encode(), dtype=np.uint8).astype(np.int64)
    bits = {(m, e): PPMModel(256, 3, m, e).ideal_code_length(text) for m in "AD" for e in (True, False)}
    assert bits[("D", True)] < bits[("D", False)] and bits[("D", True)] < bits[("A", True)]


def test_ppm_is_refused_where_it_cannot_be_coded():
    with pytest.raises(cs.OptionError, match="needs 'arithmetic'"):
        cs.ContextCoder("ans", PPMModel(4, 2))
    with pytest.raises(cs.OptionError, match="escape method"):
        PPMModel(4, 2, method="E")
    with pytest.raises(cs.OptionError, match="from 0 to 16"):
        PPMModel(4, 17)


@pytest.mark.slow
def test_ppm_order_5_on_english_prose_beats_bz2_and_comes_within_0_15_bits_of_ppmd():
    """2*10^4 bytes of the English prose shipped with Python, in one run."""
    import bz2
    pyppmd = pytest.importorskip("pyppmd")
    data = english_prose()[:20_000].encode()
    x = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    coder = cs.ContextCoder("arithmetic", PPMModel(256, 5, "D", exclusion=True))
    enc = coder.encode(x)
    assert coder.decode(enc).tolist() == x.tolist()
    ppm = enc.num_bits / x.size
    ppmd = 8 * len(pyppmd.compress(data, max_order=5, mem_size=16 << 20)) / x.size
    assert ppm < 8 * len(bz2.compress(data, 9)) / x.size
    assert ppm - ppmd <= 0.15, (ppm, ppmd)
