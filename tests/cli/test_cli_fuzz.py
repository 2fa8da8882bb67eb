"""The command line, fuzzed: random arguments, files and specs for every subcommand give exit 0, 1
or 2, one line on stderr for 2, never a traceback, and never a half-written file."""

import contextlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import codesim as cs
from codesim.commands import main

DISTRIBUTIONS = ["0.5,0.5", "uniform:3", "zipf:5:1", "english", "python", "0.5,x", "uniform:0",
                 "uniform:99999999999", "1,0", "0.5,0.5,0", "nan,1", "", "dirichlet:4:0.5:1",
                 "geometric:3:2", "zipf:3:inf", "uniform:-1", "p.json", "p.npy", "strings.json",
                 "null.json", "missing.json", "obj.npy", "fake.npy", "nomagic.npy", "cut.npy",
                 "0.25,0.25,0.25,0.25", "zipf:26:1", "english", "uniform:27", "fit-letters:sym.txt",
                 "fit-letters:binary.bin", "fit-bytes:sym.txt:1", "counts:3,0,1", "fit:sym.txt:9:0.5"]
# (no valid huge n: a run of 10**10 symbols is served, in chunks, but takes an hour)
COUNTS = ["1", "10", "500", "0", "-3", "many", "1e9", "999999999999999999999"]
CODERS = ["huffman", "shannon", "sfe", "arithmetic", "rans", "range", "ans", "zip", "fano", "tans",
          "tunstall", "unary", "golomb", "rice", "elias_gamma", "elias_delta", "elias_omega"]
#: the coders' own options, with good and bad values
CODER_OPTIONS = [("--max-length", ["0", "2", "5", "64", "x"]), ("--table-log", ["0", "3", "8", "17"]),
                 ("--bits", ["0", "2", "6", "21"]), ("--m", ["0", "1", "3", "x"]), ("--k", ["-1", "0", "2", "33"])]
VIEW_OUTPUTS = ["v.png", "v.svg", "v.txt", "/no/such/v.png", "sym.txt"]


def _files(folder: Path) -> None:
    """The inputs a fuzzed command may name: good and malformed, in ``folder``."""
    (folder / "p.json").write_text("[0.5, 0.25, 0.25]")
    np.save(folder / "p.npy", np.array([0.5, 0.5]))
    (folder / "strings.json").write_text('["0.5", "0.5"]')
    (folder / "null.json").write_text("[0.5, null]")
    np.save(folder / "obj.npy", np.array([0.5, None], dtype=object), allow_pickle=True)
    (folder / "fake.npy").write_bytes(b"\x93NUMPY this is not an array")
    (folder / "nomagic.npy").write_text("0.5 0.5")
    (folder / "sym.txt").write_text("0 1 2 1 0 2 2 1")
    (folder / "huge.txt").write_text("0 1 99999999999999999999")
    (folder / "words.txt").write_text("zero one two")
    (folder / "binary.bin").write_bytes(bytes(range(256)) * 3)
    (folder / "empty.txt").write_text("")
    np.save(folder / "sym.npy", np.array([0, 1, 2, 0]))
    (folder / "cut.npy").write_bytes((folder / "sym.npy").read_bytes()[:-5])
    np.save(folder / "float.npy", np.array([0.0, 1.0]))
    coder = cs.make_coder("ans", cs.uniform(3))
    good = coder.encode(np.array([0, 1, 2, 1])).to_bytes()
    (folder / "msg.csim").write_bytes(good)
    (folder / "damaged.csim").write_bytes(good[:-3] + bytes([good[-3] ^ 1]) + good[-2:])
    (folder / "short.csim").write_bytes(good[:20])
    (folder / "spec.toml").write_text('[[case]]\nname = "a"\np = "uniform:3"\nq = "0.5,0.25,0.25"\n'
                                      'coders = ["huffman", "ans"]\nn = 200\n'
                                      'checks = ["exact", "bound", "statistical", "overhead"]\n')
    (folder / "badcase.toml").write_text('case = ["a"]\n')
    (folder / "badname.toml").write_text('[[case]]\nname = [1]\np = "uniform:2"\nq = "uniform:2"\ncoders = ["ans"]\n')
    (folder / "badbase.toml").write_text('baseline = 5\n[[case]]\np = "uniform:2"\nq = "uniform:2"\ncoders = ["ans"]\n')
    (folder / "list.json").write_text("[1, 2]")
    (folder / "listbase.toml").write_text('baseline = "list.json"\n[[case]]\np = "uniform:2"\nq = "uniform:2"\n'
                                          'coders = ["ans"]\nchecks = ["baseline"]\n')
    (folder / "latin1.toml").write_bytes('# caf\xe9\n[[case]]\n'.encode("latin-1"))
    (folder / "zero.toml").write_text('[[case]]\np = "uniform:2"\nq = "uniform:2"\ncoders = ["ans"]\nn = 0\n')


PATHS = ["sym.txt", "huge.txt", "words.txt", "binary.bin", "empty.txt", "sym.npy", "float.npy",
         "obj.npy", "fake.npy", "nomagic.npy", "cut.npy", "missing.txt", "msg.csim", "damaged.csim",
         "short.csim", "spec.toml",
         "out.csim", "out.txt", "out.npy", "/no/such/dir/out", ".", "p.json"]
SPECS = ["spec.toml", "badcase.toml", "badname.toml", "badbase.toml", "listbase.toml",
         "latin1.toml", "zero.toml", "missing.toml", "sym.txt", "."]


def _option(draw, flag, values):
    return [flag, draw(st.sampled_from(values))] if draw(st.booleans()) else []


def _coder_option(draw):
    flag, values = draw(st.sampled_from(CODER_OPTIONS))
    return _option(draw, flag, values)


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(["demo", "compare", "codebook", "sweep", "check", "experiment",
                                    "encode", "decode", "view", "text", "nosuch"]))
    argv = [command]
    if command == "demo":
        argv += ["-n", draw(st.sampled_from(COUNTS))]
    elif command in ("compare", "sweep"):
        argv += _option(draw, "--p", DISTRIBUTIONS) + _option(draw, "--q" if command == "compare" else "--toward", DISTRIBUTIONS)
        argv += _option(draw, "--coder", CODERS) + _option(draw, "--coder", CODERS)
        argv += _option(draw, "-n", COUNTS) + _option(draw, "--seed", ["0", "7", "-1", "x"])
        argv += _option(draw, "--precision", ["0", "4", "12", "63", "x"]) + _option(draw, "--block", ["0", "2", "x"])
        argv += _coder_option(draw)
        if command == "sweep":
            argv += ["--workers", draw(st.sampled_from(["1", "1", "0", "100000", "x"]))]
            argv += _option(draw, "--t", ["0,1", "0,0,0.5", "2", "x", "0.5,nan", ""])
            argv += _option(draw, "--csv", ["rows.csv", "/no/such/rows.csv", "."])
            argv += _option(draw, "--json-file", ["rows.json", "sym.txt"])
        argv += draw(st.sampled_from([[], ["--json"], ["--ledger"] if command == "compare" else []]))
    elif command == "codebook":
        argv += _option(draw, "--q", DISTRIBUTIONS) + _option(draw, "--p", DISTRIBUTIONS)
        argv += _option(draw, "--coder", CODERS) + _option(draw, "--block", ["0", "1", "2", "9", "x"])
        argv += _coder_option(draw) + draw(st.sampled_from([[], ["--letters"], ["--bytes"]]))
        argv += _option(draw, "--smooth", ["1", "0", "-1", "nan", "inf", "x"])
    elif command == "view":
        kind = draw(st.sampled_from(["tree", "arithmetic", "states", "wrong-codebook", "typical-set", "nosuch"]))
        argv += [kind] + _option(draw, "--q", DISTRIBUTIONS) + _option(draw, "--p", DISTRIBUTIONS)
        if kind == "tree":
            argv += _option(draw, "--coder", CODERS) + _coder_option(draw)
        elif kind in ("arithmetic", "states"):
            argv += _option(draw, "--message", ["0 1 0", "0 9", "a b", "", "-1"]) + _option(draw, "-n", COUNTS)
            argv += _option(draw, "--coder", ["tans", "rans", "ans"]) if kind == "states" else []
            argv += _option(draw, "--table-log", ["1", "5", "17"]) if kind == "states" else []
        elif kind == "typical-set":
            argv += _option(draw, "--lengths", ["10,100", "0", "x", "1,2,3,4,5,6,7", "100000000"])
            argv += _option(draw, "--sequences", ["10", "0", "1000000"])
        argv += _option(draw, "--out", VIEW_OUTPUTS) + draw(st.sampled_from([[], ["--force"]]))
    elif command == "text":
        argv += [draw(st.sampled_from(["sym.txt", "binary.bin", "empty.txt", "missing.txt", "."]))]
        argv += _option(draw, "--order", ["0", "2", "9", "-1", "x"])
        argv += _option(draw, "--model", ["kt", "laplace", "fixed", "ppm"])
        argv += _option(draw, "--train", ["sym.txt", "missing.txt", "binary.bin"])
        argv += _option(draw, "--alpha", ["0.5", "0", "nan", "1e-9", "x", "2000"])
        argv += draw(st.sampled_from([[], ["--letters"], ["--json"]]))
    elif command == "check":
        argv += [draw(st.sampled_from(SPECS))] + draw(st.sampled_from([[], ["--json"]]))
    elif command == "experiment":
        argv += draw(st.sampled_from([["list"], ["nosuch"], ["wrong_codebook", "-n", "x"],
                                      ["wrong_codebook", "--out", "/proc/no/such"],
                                      ["adaptive", "--seed", "-2"], []]))
    elif command in ("encode", "decode"):
        argv += [draw(st.sampled_from(PATHS)) for _ in range(draw(st.integers(0, 2)))]
        argv += _option(draw, "--q", DISTRIBUTIONS)
        if command == "encode":
            argv += _option(draw, "--coder", CODERS) + _option(draw, "--precision", ["0", "8", "x"])
            argv += _coder_option(draw)
        argv += _option(draw, "--smooth", ["0.5", "-2", "nan", "x"])
        argv += draw(st.sampled_from([[], ["--bytes"], ["--letters"], ["--force"], ["--bytes", "--force"],
                                      ["--letters", "--force"], ["--letters", "--bytes"]]))
    return argv


def _outputs(argv) -> set:
    """The files a command line names as its outputs (which it may rewrite)."""
    named = {argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("--csv", "--json-file")}
    if argv[0] == "view" and "--force" in argv:
        named.update(argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--out")
    if argv[0] in ("encode", "decode") and "--force" in argv:
        positional = [a for i, a in enumerate(argv[1:], 1)
                      if not a.startswith("--") and argv[i - 1] not in ("--q", "--coder", "--precision", "--smooth")]
        named.update(positional[1:2])
    return named


def run_in(folder: Path, argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit:          # argparse: --help (0) or a usage error (2)
                code = exit.code
    finally:
        os.chdir(cwd)
    return code, err.getvalue()


@settings(max_examples=int(os.environ.get("CODESIM_FUZZ_EXAMPLES", 250)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.slow
@given(command_lines())
def test_every_command_line_ends_in_0_1_or_2_with_one_line_of_error_and_no_traceback(argv):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _files(folder)
        before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        code, err = run_in(folder, argv)
        assert code in (0, 1, 2), (argv, code, err)
        assert "Traceback" not in err, (argv, err)
        if code == 2:
            assert len(err.strip().splitlines()) == 1, (argv, err)
        assert not list(folder.glob(".*.tmp")), argv                 # nothing half written
        for name, data in before.items():                           # inputs never damaged
            if name in _outputs(argv):
                continue
            assert (folder / name).read_bytes() == data, (argv, name)
        if code == 0 and argv[0] == "encode":
            cs.Encoded.from_bytes((folder / argv[2]).read_bytes())  # a whole, valid message
