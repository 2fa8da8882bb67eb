"""Each teaching view, drawn for a small case, shows what it claims to show."""

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import codesim as cs
from codesim import views
from codesim.commands import main


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("name", ["huffman", "fano", "shannon", "golomb"])
def test_the_trees_leaves_are_the_codewords_and_the_kraft_intervals_tile_by_length(name):
    q, p = cs.zipf(9, 1.2), cs.uniform(9)
    coder = cs.make_coder(name, q)
    fig = views.code_tree(coder, p)
    shown = fig.codesim
    assert shown["leaves"] == dict(enumerate(coder.codewords))
    assert set(coder.codewords) <= set(texts(fig))                  # each leaf shows its codeword
    spans = sorted(shown["kraft_intervals"].values())
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))                  # disjoint
    for s, (start, end) in shown["kraft_intervals"].items():
        assert end - start == 2.0 ** -len(coder.codewords[s])
    assert shown["kraft_sum"] == pytest.approx(float(coder.kraft_sum()))
    assert shown["expected_length"] == pytest.approx(coder.expected_bits_per_symbol(p))


def test_a_tree_too_big_to_read_is_refused():
    with pytest.raises(cs.OptionError, match="100 leaves is too many"):
        views.code_tree(cs.make_coder("huffman", cs.uniform(100)))


def test_the_arithmetic_intervals_multiply_to_the_message_probability_and_hold_the_codeword():
    q = [0.6, 0.3, 0.1]
    coder = cs.make_coder("arithmetic", q, precision=8)
    x = cs.sample(q, 20, 4)
    shown = views.arithmetic_steps(coder, x).codesim
    model = coder.model_pmf
    assert math.prod(shown["widths"]) == pytest.approx(float(np.prod(model[x])), rel=1e-12)
    assert shown["message_probability"] == pytest.approx(float(np.prod(model[x])), rel=1e-12)
    assert sum(shown["bits_per_step"]) == shown["num_bits"] == coder.encode(x).num_bits
    low, high = shown["message_interval"]
    c_low, c_high = shown["codeword_interval"]
    assert shown["codeword_inside"] and low <= c_low < c_high <= high


@pytest.mark.parametrize("name, options", [("tans", {"table_log": 5}), ("rans", {})])
def test_the_ans_state_views_bits_per_step_add_up_to_num_bits(name, options):
    q = [0.6, 0.3, 0.1]
    coder = cs.make_coder(name, q, **options)
    x = cs.sample(q, 60, 5)
    shown = views.state_evolution(coder, x).codesim
    assert len(shown["states"]) == x.size
    assert shown["flush_bits"] + sum(shown["bits_per_step"]) == shown["num_bits"] == coder.encode(x).num_bits
    assert sum(shown["information"]) == pytest.approx(coder.code_length(x))


def test_the_wrong_codebooks_weighted_differences_add_up_to_the_kl_divergence():
    p, q = cs.zipf(10, 1.0), cs.dirichlet(10, 1.0, 3)
    shown = views.wrong_codebook(p, q).codesim
    assert sum(shown["contributions"].values()) == pytest.approx(cs.kl_divergence(p, q), abs=1e-12)
    assert min(shown["contributions"].values()) < 0 < shown["kl_divergence"]    # not term by term
    with pytest.raises(cs.SupportError, match="no code for q describes symbol 1"):
        views.wrong_codebook([0.5, 0.5], [1.0, 0.0])


def test_the_typical_set_concentrates_at_the_entropy_and_the_cross_entropy():
    p, q = cs.zipf(8, 1.0), cs.dirichlet(8, 1.0, 1)
    shown = views.typical_set(p, q, ns=(10, 100, 1000), sequences=1000, seed=2).codesim
    for n, s in shown.items():                       # the mean of 1000 sequences: within 4 sd/sqrt
        assert abs(s["mean_p"] - cs.entropy(p)) < 4 * s["sd_p"] / math.sqrt(1000) + 1e-12
        assert abs(s["mean_q"] - cs.cross_entropy(p, q)) < 4 * s["sd_q"] / math.sqrt(1000) + 1e-12
    assert shown[1000]["sd_p"] < shown[100]["sd_p"] < shown[10]["sd_p"]          # concentrates
    assert shown[1000]["sd_p"] == pytest.approx(shown[10]["sd_p"] / 10, rel=0.2)  # as 1/sqrt(n)


@pytest.mark.parametrize("argv, magic", [
    (["tree", "--q", "english", "--p", "english"], b"\x89PNG"),
    (["arithmetic", "--q", "0.6,0.3,0.1", "--message", "0 1 0 2"], b"\x89PNG"),
    (["states", "--q", "0.6,0.3,0.1", "--coder", "rans", "-n", "30"], b"\x89PNG"),
    (["wrong-codebook", "--p", "english", "--q", "uniform:27"], b"<?xml"),
    (["typical-set", "--p", "zipf:8:1", "--q", "uniform:8", "--lengths", "10,100", "--sequences", "300"], b"<?xml"),
])
def test_codesim_view_writes_the_figure(tmp_path, argv, magic, capsys):
    out = tmp_path / ("view.svg" if magic == b"<?xml" else "view.png")
    assert main(["view", *argv, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert main(["view", *argv, "--out", str(out)]) == 2               # no overwrite without --force
    assert "exists" in capsys.readouterr().err


def test_a_view_writes_pdf_and_a_png_at_the_dpi_asked(tmp_path):
    """Views wrote only .png and .svg, with no --dpi and no -o."""
    argv = ["view", "wrong-codebook", "--p", "english", "--q", "uniform:27"]
    assert main([*argv, "-o", str(tmp_path / "w.pdf")]) == 0
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")
    sizes = {}
    for dpi in (50, 200):
        out = tmp_path / f"w{dpi}.png"
        assert main([*argv, "-o", str(out), "--dpi", str(dpi)]) == 0
        data = out.read_bytes()
        sizes[dpi] = int.from_bytes(data[16:20], "big")           # the PNG's width in pixels
    assert sizes[200] == pytest.approx(4 * sizes[50], rel=0.02)
    assert main([*argv, "-o", str(tmp_path / "w.jpg")]) == 2


def test_notebooks_render_coders_and_results_as_html_tables():
    assert "<table>" in cs.make_coder("huffman", [0.5, 0.5])._repr_html_()
    assert "<table>" in cs.make_coder("ans", [0.5, 0.5])._repr_html_()
    result = cs.simulate([0.5, 0.5], [0.9, 0.1], "huffman", n=100, seed=0)
    html = result._repr_html_()
    assert "<table>" in html and "sample_divergence" in html
    assert "<table>" in cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["huffman"], n=10)._repr_html_()


@pytest.mark.parametrize("coder", ["huffman", "sfe", "golomb", "arithmetic", "ans", "tunstall"])
def test_a_coder_over_many_symbols_prints_and_displays_its_first_rows_without_building_the_rest(coder):
    import tracemalloc
    q = cs.zipf(2**16, 1.0)
    built = cs.make_coder(coder, q, **({"bits": 18} if coder == "tunstall" else {}))
    tracemalloc.start()
    text, html = str(built), built._repr_html_()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # a table of every row took 25-60 MB here (9 GB and a minute for rans at 2**24)
    assert peak < 4 << 20, peak
    more = f"... {built.table_size - 64} more"
    assert more in html and (more in text or coder == "tunstall")


def test_the_wrong_codebook_view_caps_its_bars():
    from codesim.present import views
    with pytest.raises(cs.OptionError, match="at most 256 symbols"):
        views.wrong_codebook(cs.uniform(3000), cs.zipf(3000))


def test_a_report_refuses_an_empty_folder_name():
    from codesim.experiments.report import build_report
    with pytest.raises(cs.OptionError, match="needs a folder"):
        build_report("")


def test_a_view_shows_itself_in_a_notebook_with_no_magic_line():
    """Built without pyplot, a view's figure had no display hook: a cell showed only
    '<Figure size 700x960 with 3 Axes>'.  It now draws its own PNG for Jupyter."""
    p = [0.5, 0.25, 0.25]
    fig = views.code_tree(cs.make_coder("huffman", p), p)
    assert fig._repr_png_().startswith(b"\x89PNG")
    formatters = pytest.importorskip("IPython.core.formatters")
    assert formatters.PNGFormatter()(fig).startswith(b"\x89PNG")


def test_every_view_of_a_code_for_english_shows_its_letters():
    p = cs.english()
    message = cs.letters_of("hello world")
    drawn = {
        "tree": views.code_tree(cs.make_coder("huffman", p), p),
        "arithmetic": views.arithmetic_steps(cs.make_coder("arithmetic", p, precision=10), message),
        "states": views.state_evolution(cs.make_coder("tans", p, table_log=8), message),
        "wrong-codebook": views.wrong_codebook(p, cs.uniform(27)),
    }
    for kind, fig in drawn.items():
        shown = texts(fig) + [t.get_text() for ax in fig.axes for t in ax.get_xticklabels()]
        assert any(t.startswith("h") or "= h " in t for t in shown), kind
        assert any("␣" in t for t in shown), kind


def test_the_arithmetic_view_marks_each_rescaling_with_its_zoom():
    coder = cs.make_coder("arithmetic", cs.english(), precision=10)
    fig = views.arithmetic_steps(coder, cs.letters_of("hello world"))
    steps = [s for s in coder.trace(cs.letters_of("hello world")) if s["symbol"] is not None]
    rescaled = [i for i in range(len(steps) - 1) if steps[i + 1]["interval_before"] != steps[i]["interval_after"]]
    assert [i for i, _ in fig.codesim["rescales"]] == rescaled and rescaled
    assert sum("rescaled" in t for t in texts(fig)) == len(rescaled)
    for i, zoom in fig.codesim["rescales"]:
        (a, b), (c, d) = steps[i]["interval_after"], steps[i + 1]["interval_before"]
        assert zoom == pytest.approx((d - c) / (b - a)) and zoom >= 2


def test_the_typical_set_view_cuts_a_spike_so_that_both_shapes_show():
    fig = views.typical_set(cs.zipf(8, 1), cs.uniform(8), ns=(100,), sequences=500)
    ax = fig.axes[0]
    tallest_p = max(patch.get_height() for patch in ax.patches[:49])
    assert ax.get_ylim()[1] < 2 * tallest_p                      # q's spike does not dwarf p
    assert any(t.get_text() == "\u2191 500" for t in ax.texts)    # and says how tall it is
