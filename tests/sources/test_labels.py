"""Symbols with names: a labelled distribution is a distribution, and its labels reach every
table and view of a coder built for it."""

import pickle

import numpy as np
import pytest

import codesim as cs
from codesim.errors import OptionError, SymbolError
from codesim.sources.labels import BYTES, LETTER_LABELS


def test_english_is_a_distribution_over_the_letters_and_the_space():
    p = cs.english()
    assert p.labels == LETTER_LABELS and p.size == 27
    assert abs(float(p.sum()) - 1) < 1e-12
    assert cs.entropy(p) == cs.entropy(np.asarray(p))          # usable wherever a distribution is
    assert max(range(27), key=lambda s: p[s]) == 26            # the space is the commonest symbol


def test_numbers_computed_from_a_labelled_distribution_are_plain_arrays():
    p = cs.labelled([0.5, 0.25, 0.25], "xyz")
    assert type(p * 2) is np.ndarray and type(np.log2(p)) is np.ndarray
    assert p[:2].labels is None                                # a part is not the distribution
    assert cs.labelled(p, "abc").labels == ("a", "b", "c")     # relabelling is explicit


def test_a_labelled_distribution_survives_pickling_with_its_labels():
    p = cs.labelled([0.5, 0.5], ["heads", "tails"])
    back = pickle.loads(pickle.dumps(p))
    assert back.labels == ("heads", "tails") and np.array_equal(back, p)


def test_labels_must_name_each_symbol():
    with pytest.raises(OptionError, match="each of the 2 symbols"):
        cs.labelled([0.5, 0.5], "abc")


def test_letters_and_text_are_inverse_on_text_of_letters_and_single_spaces():
    assert cs.text_of(cs.letters_of("hello world")) == "hello world"
    assert cs.text_of(cs.letters_of("  Hello,  World!\n")) == "hello world"
    with pytest.raises(SymbolError, match="symbol 27 is not a letter"):
        cs.text_of([0, 27])


def test_fitted_distributions_carry_their_alphabet():
    assert cs.fit_letters("abba", alpha=1).labels == LETTER_LABELS
    q = cs.fit_bytes(b"\x00ab\n", alpha=0.5)
    assert q.labels == BYTES and q.labels[10] == "\\n" and q.labels[32] == "␣"


@pytest.mark.parametrize("name", ["huffman", "shannon", "fano", "arithmetic", "ans", "rans", "tans"])
def test_a_coder_built_for_english_shows_its_letters_in_its_codebook(name):
    coder = cs.make_coder(name, cs.english())
    assert coder.labels == LETTER_LABELS
    printed = str(coder).splitlines()
    header = next(line for line in printed if line.startswith("symbol"))
    assert header.split()[:2] == ["symbol", "label"]
    assert any(line.split()[:2] == ["4", "e"] for line in printed)
    assert "<td>e</td>" in coder._repr_html_()


def test_a_labelled_coder_codes_exactly_the_bits_of_the_unlabelled_one():
    x = cs.letters_of("the quick brown fox jumps over the lazy dog")
    for name in ("huffman", "arithmetic", "ans"):
        labelled, plain = cs.make_coder(name, cs.english()), cs.make_coder(name, np.asarray(cs.english()))
        assert labelled.encode(x).payload == plain.encode(x).payload


def test_a_symbol_q_rules_out_is_named_by_its_label():
    p = cs.english()
    no_z = cs.labelled(cs.normalize([0 if label == "z" else v for label, v in zip(p.labels, p)]), p.labels)
    for name in ("huffman", "ans"):
        with pytest.raises(cs.SupportError, match=r"symbol 25 \('z'\) at position 2"):
            cs.make_coder(name, no_z).encode(cs.letters_of("lazy"))
