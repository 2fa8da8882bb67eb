"""The live widgets, driven headlessly: setting a control's value runs what a click would, and
what they show moves as the theory says."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import codesim as cs
from codesim.coders.arithmetic import ArithmeticCoder
from codesim.present.widgets import HuffmanExplorer, Stepper, WrongCodebook


def test_moving_q_toward_p_lowers_the_measured_bits_toward_the_entropy():
    explorer = WrongCodebook(cs.english(), n=20_000, t=1.0)
    measured = []
    for t in (1.0, 0.75, 0.5, 0.25, 0.0):
        explorer.t.value = t
        r = explorer.result
        measured.append(r.measured_bits_per_symbol)
        assert abs(r.measured_bits_per_symbol - r.cross_entropy) < 5 * r.stderr + 0.002
    assert measured == sorted(measured, reverse=True)
    assert explorer.result.kl_divergence == 0                            # at t = 0, q = p: H(p)
    assert measured[0] - measured[-1] > 0.5                              # the surcharge, D(p||u)


def test_every_move_of_the_slider_is_a_real_encode_and_decode(monkeypatch):
    decodes = []
    real = ArithmeticCoder.decode
    monkeypatch.setattr(ArithmeticCoder, "decode", lambda self, enc: decodes.append(enc.num_bits) or real(self, enc))
    explorer = WrongCodebook([0.5, 0.25, 0.125, 0.125], n=4000, t=0.0)
    for t in (0.2, 0.6, 1.0):
        explorer.t.value = t
    assert len(decodes) == 4 == len(explorer.history)
    assert decodes == [round(measured * 4000) for _, measured, _ in explorer.history]
    assert sum(explorer.result.ledger.values()) == pytest.approx(explorer.result.num_bits)


def test_a_q_that_rules_out_a_symbol_of_p_is_said_not_crashed():
    explorer = WrongCodebook([0.5, 0.5], n=100, t=0.0)
    explorer.other.value = "1, 0"
    explorer.t.value = 1.0
    assert "infinite" in explorer.output.value
    assert explorer.result.kl_divergence == 0.0                          # the last good measurement


def test_the_huffman_explorer_rebuilds_the_code_as_a_weight_moves():
    explorer = HuffmanExplorer([0.4, 0.3, 0.2, 0.1], p=cs.uniform(4))
    assert explorer.coder.lengths.tolist() == [1, 2, 3, 3]
    explorer.sliders[3].value = 0.8                                       # the rarest becomes the commonest
    assert explorer.coder.lengths[3] == 1 and explorer.coder.kraft_sum() == 1
    assert np.allclose(explorer.coder.q, cs.normalize([0.4, 0.3, 0.2, 0.8]))
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_huffman_explorer_shows_the_labels_of_a_labelled_q():
    explorer = HuffmanExplorer(cs.labelled([0.5, 0.3, 0.2], "xyz"))
    assert [s.description for s in explorer.sliders] == ["x", "y", "z"]
    assert "<td>y</td>" in explorer.output.value


@pytest.mark.parametrize("name, options", [("arithmetic", {"precision": 10}), ("rans", {}), ("tans", {"table_log": 8})])
def test_the_stepper_steps_one_symbol_a_click_and_its_bits_add_up_to_the_message(name, options):
    coder = cs.make_coder(name, cs.english(), **options)
    stepper = Stepper(coder, "hello world")
    assert stepper.position == 0
    stepper.step()
    assert stepper.position == 1 and "<td>h</td>" in stepper.output.value
    for _ in range(len(stepper.steps) + 3):
        stepper.step()
    assert stepper.position == len(stepper.steps)
    steps_bits = sum(len(s["bits"]) for s in stepper.steps)
    assert steps_bits + stepper.flush_bits == coder.encode(cs.letters_of("hello world")).num_bits
    assert f"{stepper.num_bits} bits" in stepper.output.value
    if name == "arithmetic":
        assert "rescaled" in stepper.output.value
