"""Every row of the README's bad-input table, tested: what a user can get wrong, and the answer."""

import re
from pathlib import Path

import numpy as np
import pytest

import codesim as cs
from codesim.commands import main
from codesim.errors import (CodesimError, DecodeError, DistributionError, OptionError, SpecError,
                            SupportError, SymbolError)

U3 = [0.5, 0.25, 0.25]


def api(call, error, message):
    def check():
        with pytest.raises(error, match=message) as info:
            call()
        assert isinstance(info.value, CodesimError)
    return check


def works(call):
    return call


def cli(argv, message):
    def check(capsys):
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    return check


def _spec(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return str(path)


ROWS = {
    "p-not-summing-to-1": api(lambda: cs.entropy([0.5, 0.6]), DistributionError, "p sums to 1.1, not 1"),
    "negative-entry": api(lambda: cs.entropy([1.1, -0.1]), DistributionError, r"p\[1\] = -0.1 is negative"),
    "nan-entry": api(lambda: cs.entropy([0.5, np.nan]), DistributionError, r"p\[1\] = nan is not a finite number"),
    "inf-entry": api(lambda: cs.entropy([np.inf, 0.5]), DistributionError, r"p\[0\] = inf is not a finite number"),
    "empty-distribution": api(lambda: cs.entropy([]), DistributionError, "p is empty"),
    "2-d-distribution": api(lambda: cs.entropy([[0.5, 0.5]]), DistributionError, "must be a 1-D probability vector"),
    "lengths-differ": api(lambda: cs.cross_entropy([0.5, 0.5], U3), DistributionError, "p has 2 entries but q has 3"),
    "symbol-out-of-range": api(lambda: cs.make_coder("huffman", U3).encode([0, 3]), SymbolError,
                               "symbol 3 at position 1 is outside the alphabet 0..2"),
    "negative-symbol": api(lambda: cs.make_coder("ans", U3).encode([-1]), SymbolError,
                           "symbol -1 at position 0 is outside the alphabet"),
    "float-symbols": api(lambda: cs.make_coder("range", U3).encode(np.array([0.0, 1.0])), SymbolError,
                         "symbols must be integers 0..2, got dtype float64"),
    "non-integer-symbols": api(lambda: cs.make_coder("arithmetic", U3).encode(["a"]), SymbolError,
                               "symbols must be integers"),
    "symbol-ruled-out-by-q": api(lambda: cs.simulate([0.5, 0.5], [1.0, 0.0], "huffman", n=100), SupportError,
                                 r"symbol 1 at position \d+ has q\[1\] = 0"),
    "k-equals-1": works(lambda: [cs.make_coder(c, [1.0]).encode([0, 0]).num_bits for c in cs.available_coders()]),
    "k-up-to-2-to-the-20": works(lambda: cs.make_coder("ans", cs.uniform(2 ** 20)).encode([2 ** 20 - 1])),
    "probabilities-down-to-1e-300": works(lambda: cs.make_coder("shannon", [1e-300, 1 - 1e-300]).encode([0])),
    "empty-message": works(lambda: cs.make_coder("huffman", U3).encode([])),
    "negative-sample-size": api(lambda: cs.sample(U3, -1), OptionError, "sample size n must be a non-negative integer"),
    "block-too-large": api(lambda: cs.make_coder("huffman", cs.uniform(256), block=4), OptionError,
                           r"256\*\*4 = 4294967296 tuples"),
    "unknown-coder": api(lambda: cs.make_coder("zip", U3), OptionError, "unknown coder 'zip'; available:"),
    "unknown-option": api(lambda: cs.make_coder("huffman", U3, precision=8), OptionError,
                          "coder 'huffman' has no option 'precision'; its options: block"),
    "precision-too-small": api(lambda: cs.make_coder("ans", cs.uniform(9), precision=3), OptionError,
                               "precision 3 gives 8 slots"),
    "bad-log-base": api(lambda: cs.entropy(U3, base=1), DistributionError, "base must be a positive number other than 1"),
    "unseeded-random": api(lambda: cs.sample(U3, 3, rng=None), OptionError, "rng must be a numpy Generator, a non-negative integer seed or a list of them"),
    "damaged-saved-message": api(lambda: cs.Encoded.from_bytes(b"CSIM\x01junk"), DecodeError, "truncated"),
    "wrong-model-for-message": api(lambda: cs.make_coder("ans", cs.uniform(3)).decode(cs.make_coder("ans", U3).encode([1])),
                                   DecodeError, "different model"),
    "bad-cli-distribution": cli(["compare", "--p", "0.5,x", "--q", "uniform:2"], "cannot read '0.5,x'"),
    "bad-cli-option": cli(["compare", "--p", "uniform:2", "--q", "uniform:2", "-n", "many"], "invalid int value: 'many'"),
    "missing-cli-argument": cli(["codebook"], "the following arguments are required: --q"),
}


@pytest.mark.parametrize("row", list(ROWS))
def test_bad_input_row(row, request):
    check = ROWS[row]
    if check.__code__.co_argcount:
        check(request.getfixturevalue("capsys"))
    else:
        check()


@pytest.mark.parametrize("text, message", [
    ("[[case]]\np = 'uniform:2'\n", "key 'q': missing"),
    ("[[case\n", "not valid TOML"),
])
def test_bad_input_row_malformed_spec_file(tmp_path, capsys, text, message):
    code = main(["check", _spec(tmp_path, text)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "bad.toml" in err


def test_the_readme_table_lists_exactly_the_tested_rows():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("## Bad input", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", table, flags=re.M)
    assert sorted(listed) == sorted([*ROWS, "malformed-spec-file"])
