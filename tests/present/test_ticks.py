"""Log axes' tick labels as plain text: the same ticks, the same numbers, no mathtext."""

import pytest

from codesim.present.ticks import plain_label, plain_log_labels

pytest.importorskip("matplotlib")


def _labels(axis):
    return [t.get_text() for t in axis.get_majorticklabels() if t.get_text()]


def test_a_log_and_a_symlog_axis_keep_their_ticks_and_lose_their_mathtext():
    from matplotlib.figure import Figure
    fig = Figure()
    ax = fig.subplots()
    ax.set_xscale("log")
    ax.set_xlim(1, 1e4)
    ax.set_yscale("symlog", linthresh=1e-2)
    ax.set_ylim(-1, 1)
    fig.canvas.draw()
    before = (ax.xaxis.get_majorticklocs().tolist(), _labels(ax.xaxis), _labels(ax.yaxis))
    plain_log_labels(fig)
    fig.canvas.draw()
    assert ax.xaxis.get_majorticklocs().tolist() == before[0]
    assert _labels(ax.xaxis) == [plain_label(t) for t in before[1]]
    assert {"10⁰", "10¹", "10²", "10³", "10⁴"} <= set(_labels(ax.xaxis))
    assert "−10⁰" in _labels(ax.yaxis) and "0" in _labels(ax.yaxis)
    assert not any("$" in t for t in _labels(ax.xaxis) + _labels(ax.yaxis))
