"""Every row of the README's bad-input table, tested: what a user can get wrong, and the answer."""

import re

import numpy as np
import pytest

import codesim as cs
from tests.helpers import REPOSITORY
from codesim.commands import main
from codesim.models.ctw import CTWModel
from codesim.errors import (CodesimError, DecodeError, DistributionError, OptionError,
                            SupportError, SymbolError)

U3 = [0.5, 0.25, 0.25]


def api(call, error, message):
    def check():
        with pytest.raises(error, match=message) as info:
            call()
        assert isinstance(info.value, CodesimError)
    return check


def works(call):
    """A row that is served, not refused: the call returns (and a row that returns a truth
    value, such as a claim about the output, returns True)."""
    def check():
        result = call()
        assert not isinstance(result, (bool, np.bool_)) or result
    return check


def cli(argv, message, files=None):
    """A command line (run in a fresh folder holding ``files``) that exits 2 with one line."""
    def check(request):
        capsys = request.getfixturevalue("capsys")
        if files:
            folder = request.getfixturevalue("tmp_path")
            request.getfixturevalue("monkeypatch").chdir(folder)
            for name, data in files.items():
                (folder / name).write_bytes(data)
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
        if files:                                       # inputs untouched, nothing half written
            assert all((folder / name).read_bytes() == data for name, data in files.items())
            assert not list(folder.glob(".*.tmp"))
    return check


def _softmax32():
    z = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    return np.exp(z) / np.exp(z).sum()


def _lying_header():
    coder = cs.make_coder("range", cs.zipf(8, 1.0))
    enc = coder.encode(cs.sample(cs.zipf(8, 1.0), 1000, 1))
    coder.decode(cs.Encoded(enc.coder, 10**9, enc.num_bits, enc.payload, enc.options,
                            enc.model_fingerprint))


def _skewed_check():
    from codesim.simulation.check import check_statistical
    check_statistical(cs.measure([0.98, 0.02], [1 - 1e-6, 1e-6], "arithmetic", n=50))


def _npy(array) -> bytes:
    import io
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


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
    "length-limit-too-short": api(lambda: cs.make_coder("huffman", cs.uniform(9), max_length=3), OptionError,
                                  r"9 possible symbols need codewords of at least ceil\(log2 9\) = 4 bits"),
    "tans-table-too-small": api(lambda: cs.make_coder("tans", cs.uniform(9), table_log=3), OptionError,
                                r"a table of 2\*\*3 = 8 states cannot hold 9 possible symbols"),
    "tunstall-indices-too-short": api(lambda: cs.make_coder("tunstall", cs.uniform(9), bits=3), OptionError,
                                      "9 possible symbols need indices of at least 4 bits, not 3"),
    "integer-code-too-large": api(lambda: cs.make_coder("unary", cs.uniform(20000)), OptionError,
                                  "unary over 20000 symbols has codewords of up to 20000 bits"),
    "markov-row-not-summing-to-1": api(lambda: cs.MarkovSource([[0.5, 0.6], [0.5, 0.5]]), DistributionError,
                                       r"transitions\[0\] sums to 1.1"),
    "markov-no-unique-stationary-law": api(lambda: cs.MarkovSource([[1.0, 0.0], [0.0, 1.0]]).stationary(),
                                           DistributionError, "no unique stationary distribution"),
    "adaptive-context-model-on-ans": api(lambda: cs.ContextCoder("ans", cs.AdaptiveContextModel(3, 1)),
                                         OptionError, "ans codes fixed context models"),
    "bad-log-base": api(lambda: cs.entropy(U3, base=1), DistributionError, "base must be a positive number other than 1"),
    "unseeded-random": api(lambda: cs.sample(U3, 3, rng=None), OptionError, "rng must be a numpy Generator, a non-negative integer seed or a list of them"),
    "damaged-saved-message": api(lambda: cs.Encoded.from_bytes(b"CSIM\x01junk"), DecodeError, "truncated"),
    "wrong-model-for-message": api(lambda: cs.make_coder("ans", cs.uniform(3)).decode(cs.make_coder("ans", U3).encode([1])),
                                   DecodeError, "different model"),
    "bad-cli-distribution": cli(["compare", "--p", "0.5,x", "--q", "uniform:2"], "cannot read '0.5,x'"),
    "bad-cli-option": cli(["compare", "--p", "uniform:2", "--q", "uniform:2", "-n", "many"], "invalid int value: 'many'"),
    "missing-cli-argument": cli(["codebook"], "the following arguments are required: --q"),
    "string-probability": api(lambda: cs.entropy(["0.5", "0.5"]), DistributionError,
                              r"p\[0\] = '0.5' is not a number \(str\)"),
    "boolean-probability": api(lambda: cs.entropy([True, False]), DistributionError,
                               r"p\[0\] = True is not a number \(bool\)"),
    "null-probability": api(lambda: cs.entropy([0.5, None]), DistributionError,
                            r"p\[1\] = None is not a number"),
    "float32-softmax": works(lambda: cs.entropy(_softmax32())),
    "float64-off-by-1e-10": api(lambda: cs.entropy([0.5, 0.5, 1e-10]), DistributionError,
                                r"p sums to 1.0000000001, not 1 \(off by 1e-10"),
    "numpy-scalar-options": works(lambda: cs.make_coder("huffman", cs.zipf(4, np.float32(1)), block=np.int64(2))),
    "over-the-memory-budget": api(lambda: cs.sample([0.5, 0.5], 10**12), cs.ResourceLimitError,
                                  "a sample of 1000000000000 symbols needs about"),
    "prefix-code-too-large": api(lambda: cs.make_coder("huffman", cs.uniform(2**24)), cs.ResourceLimitError,
                                 "a huffman code over 16777216 symbols needs about 8 GiB"),
    "k-equals-2-to-the-24": works(lambda: cs.make_coder("ans", cs.uniform(2**24)).encode([2**24 - 1])),
    "too-many-workers": api(lambda: cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["ans"], n=10, workers=100_000),
                            OptionError, "workers must be an integer from 1 to"),
    "header-claims-more-symbols": api(_lying_header, DecodeError, r"the header says 1000000000 symbols, but \d+ bits hold at most"),
    "paired-d-with-a-prefix-code": api(lambda: cs.measure_divergence([0.5, 0.5], [0.25, 0.75], "huffman", n=100),
                                       OptionError, "huffman pays whole-bit codeword lengths"),
    "printing-a-huge-model": works(lambda: "... 1048512 more symbols" in str(cs.make_coder("rans", cs.uniform(2**20)))),
    "ctw-in-simulate": api(lambda: cs.simulate(cs.MarkovSource.sticky(2, 0.9), CTWModel(3), "arithmetic", n=100),
                           OptionError,
                           "a ctw model's expected rate has no closed form, only a bound"),
    "skewed-cost-small-n": api(_skewed_check, OptionError, r"needs n > 11\d\d symbols \(Cochran's rule"),
    "empty-sample": works(lambda: np.isnan(cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=0).measured_bits_per_symbol)),
    "cli-binary-without-bytes": cli(["encode", "--q", "uniform:256", "b.bin", "b.csim"],
                                    "b.bin is not UTF-8 text: to code its raw bytes, add --bytes",
                                    {"b.bin": bytes(range(256))}),
    "cli-huge-symbol": cli(["encode", "--q", "uniform:4", "s.txt", "s.csim"],
                           "symbol 99999999999999999999 is far outside any alphabet",
                           {"s.txt": b"0 1 99999999999999999999"}),
    "cli-object-npy": cli(["encode", "--q", "uniform:4", "s.npy", "s.csim"],
                          "s.npy holds pickled Python objects, which codesim never loads",
                          {"s.npy": _npy(np.array([0, None], dtype=object))}),
    "cli-not-really-npy": cli(["compare", "--p", "p.npy", "--q", "uniform:2"],
                              "p: p.npy is not a .npy file (it lacks numpy's header)",
                              {"p.npy": b"0.5 0.5"}),
    "cli-truncated-npy": cli(["encode", "--q", "uniform:4", "s.npy", "s.csim"],
                             "s.npy: a damaged .npy file",
                             {"s.npy": _npy(np.arange(100))[:150]}),
    "cli-output-is-input": cli(["encode", "--q", "uniform:4", "s.txt", "s.txt"],
                               "s.txt is also the input", {"s.txt": b"0 1 2"}),
    "cli-output-exists": cli(["encode", "--q", "uniform:4", "s.txt", "s.csim"],
                             "s.csim exists: add --force to overwrite it",
                             {"s.txt": b"0 1 2", "s.csim": b"keep me"}),
    "cli-zero-n": cli(["compare", "--p", "uniform:2", "--q", "uniform:2", "-n", "0"],
                      "must be an integer of at least 1, got 0"),
    "cli-zero-precision": cli(["compare", "--p", "uniform:2", "--q", "uniform:2", "--precision", "0"],
                              "must be an integer from 1 to 62, got 0"),
    "cli-bad-output-folder": cli(["sweep", "--p", "uniform:4", "--csv", "/no/such/rows.csv"],
                                 "cannot write /no/such/rows.csv: no folder /no/such"),
    "spec-case-not-a-table": cli(["check", "s.toml"], "each case is a table", {"s.toml": b'case = ["a"]\n'}),
    "spec-checks-nothing": cli(["check", "s.toml"], "key 'checks': is empty: a case that checks nothing would pass",
                               {"s.toml": b'[[case]]\np = "uniform:2"\nq = "uniform:2"\ncoders = ["ans"]\nchecks = []\n'}),
    "spec-not-utf8": cli(["check", "s.toml"], "not UTF-8 text", {"s.toml": "# caf\xe9\n".encode("latin-1")}),
    "baseline-not-an-object": cli(["check", "s.toml"], "a baseline is a JSON object",
                                  {"s.toml": b'baseline = "b.json"\n[[case]]\np = "uniform:2"\n'
                                             b'q = "uniform:2"\ncoders = ["ans"]\nchecks = ["baseline"]\n',
                                   "b.json": b"[1, 2]"}),
}


@pytest.mark.parametrize("row", list(ROWS))
def test_bad_input_row(row, request):
    check = ROWS[row]
    if check.__code__.co_argcount:
        check(request)
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
    readme = (REPOSITORY / "README.md").read_text()
    table = readme.split("## Bad input", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", table, flags=re.M)
    assert sorted(listed) == sorted([*ROWS, "malformed-spec-file"])
