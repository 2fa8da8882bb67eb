"""The compiled kernels are a second implementation of the same coders: the same bytes, the
same bit counts, the same symbols, the same refusals of a damaged message, as the readable ones.

Each property is checked across the two backends (``CODESIM_BACKEND=python`` and ``numba``, in
one process with ``using_backend``), and the kernels' logic is checked as plain Python too (their
``py_func``, what ``NUMBA_DISABLE_JIT=1`` runs), so it is tested where numba is absent.
"""

import os
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import codesim as cs
from codesim import kernels
from codesim.backends import numba_installed, using_backend
from codesim.coders import compiled, make_coder
from codesim.sources.distributions import SMALL_SAMPLE, sample_counted

from tests.helpers import coder_or_refusal, random_q, run_bounded
from tests.processes import CHILD_TIMEOUT

needs_numba = pytest.mark.skipif(not numba_installed(), reason="numba (the fast extra) is not installed")

#: the coders with a compiled path: prefix codes (block 1), integer codes, tANS, rANS, ANS,
#: the range coder, the arithmetic coder with a fixed model, and the parses of Tunstall and LZ77
COMPILED = ["huffman", "shannon", "sfe", "fano", "unary", "golomb", "rice", "elias_gamma",
            "elias_delta", "elias_omega", "tans", "rans", "ans", "range", "arithmetic", "tunstall",
            "lz77"]


def outcome(coder, encoded):
    """What decoding gives: the symbols, or the DecodeError (by type) it raises."""
    try:
        return coder.decode(encoded).tolist()
    except cs.DecodeError:
        return "DecodeError"


def on(backend, fn, *args):
    with using_backend(backend):
        return fn(*args)


def assert_same_bytes(coder, x):
    """The kernel writes the readable coder's bytes and bit count for x, and reads them back."""
    readable, fast = on("python", coder.encode, x), on("numba", coder.encode, x)
    assert (fast.payload, fast.num_bits) == (readable.payload, readable.num_bits)
    assert on("numba", coder.decode, readable).tolist() == x.tolist()


# --- one switch ----------------------------------------------------------------------------
def test_import_codesim_does_not_import_numba():
    code = "import codesim, sys; assert 'numba' not in sys.modules, 'numba imported'"
    done = run_bounded([sys.executable, "-c", code], memory=2 << 30, timeout=CHILD_TIMEOUT)
    assert done.returncode == 0, done.stderr


@needs_numba
def test_auto_loads_numba_only_for_a_message_worth_it():
    """A message the readable path codes in a fraction of AUTO_MIN_SECONDS (a file of 200,000
    symbols through Huffman: milliseconds) does not pay numba's start (0.7 s and more); an
    arithmetic message of AUTO_MIN_SECONDS' readable work does, and then any message takes
    the kernels."""
    code = ("import sys, codesim as cs\n"
            "from codesim.coders import registry\n"
            "q = [0.5, 0.3, 0.2]\n"
            "coder = cs.make_coder('huffman', q)\n"
            "coder.decode(coder.encode(cs.sample(q, 200_000, 1)))\n"
            "small = 'numba' in sys.modules\n"
            "n = round(cs.backends.AUTO_MIN_SECONDS / registry.spec('arithmetic').seconds_per_symbol)\n"
            "coder = cs.make_coder('arithmetic', q)\n"
            "coder.decode(coder.encode(cs.sample(q, n, 1)))\n"
            "print(small, 'numba' in sys.modules, cs.backends.compiled(10))")
    done = run_bounded([sys.executable, "-c", code], memory=2 << 30, timeout=CHILD_TIMEOUT,
                       env={**os.environ, "CODESIM_BACKEND": "auto"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True"]


def test_the_switch_names_the_backend_and_refuses_an_unknown_one(monkeypatch):
    monkeypatch.setenv("CODESIM_BACKEND", "python")
    assert cs.backend() == "python"
    monkeypatch.setenv("CODESIM_BACKEND", "auto")
    assert cs.backend() == ("numba" if numba_installed() else "python")
    monkeypatch.setenv("CODESIM_BACKEND", "fortran")
    with pytest.raises(cs.OptionError, match="CODESIM_BACKEND must be one of auto, numba, python"):
        cs.backend()
    with pytest.raises(cs.OptionError, match="backend must be one of"):
        with using_backend("fortran"):
            pass


def test_using_backend_holds_in_its_own_thread_only(monkeypatch):
    """Two threads, each in its own using_backend, the second entering after the first: each
    sees its own backend, and the first to leave does not end the other's."""
    import threading
    monkeypatch.setenv("CODESIM_BACKEND", "python")
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with using_backend("python"):
            first_in.set()
            second_in.wait(10)
            seen["first"] = cs.backend()
        first_out.set()

    def second():
        first_in.wait(10)
        with using_backend("numba" if numba_installed() else "auto"):
            second_in.set()
            first_out.wait(10)
            seen["second"] = cs.backend()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"first": "python", "second": "numba" if numba_installed() else "python"}


def test_asking_for_numba_without_it_says_how_to_install_it(monkeypatch):
    import codesim.backends as backends
    monkeypatch.setattr(backends, "numba_installed", lambda: False)
    monkeypatch.setenv("CODESIM_BACKEND", "numba")
    with pytest.raises(cs.OptionError, match=r'pip install "codesim\[fast\]"'):
        cs.backend()
    monkeypatch.setenv("CODESIM_BACKEND", "auto")
    assert cs.backend() == "python"


def test_every_kernel_the_package_calls_from_python_is_compiled_to_be_called_from_python():
    """A kernel compiled without its Python wrapper cannot be entered from Python: every name
    the package passes to kernel() is one of CALLED_FROM_PYTHON, which kernel() enforces."""
    import re
    from pathlib import Path
    package = Path(cs.__file__).parent
    called = {name for path in package.rglob("*.py")
              for name in re.findall(r'kernel\(\s*"(\w+)"', path.read_text())}
    assert called and called <= set(kernels.CALLED_FROM_PYTHON)
    assert set(kernels.CALLED_FROM_PYTHON) <= set(kernels.KERNELS)
    with pytest.raises(ValueError, match="'bit_length' is not a kernel Python calls"):
        kernels.kernel("bit_length")


@needs_numba
def test_a_helper_called_from_python_runs_as_written():
    import numba
    kernels.warm_up()
    helper = kernels.bit_length                # after warm_up, numba's dispatcher for the helper
    assert hasattr(helper, "py_func") != numba.config.DISABLE_JIT
    assert [helper(v) for v in (0, 1, 5, 2**47)] == [int(v).bit_length() for v in (0, 1, 5, 2**47)]


# --- the same bytes -------------------------------------------------------------------------
@needs_numba
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_q(st.integers(2, 300)), st.integers(0, 3000), st.sampled_from(COMPILED))
def test_a_kernel_writes_the_readable_coders_bytes_and_reads_them_back(q_rng, n, name):
    q, rng = q_rng
    coder = coder_or_refusal(name, q)
    if coder is None:
        return
    x = rng.choice(q.size, size=n, p=q)
    assert_same_bytes(coder, x)
    assert on("python", coder.decode, on("numba", coder.encode, x)).tolist() == x.tolist()


@needs_numba
@pytest.mark.parametrize("name", ["huffman", "tans", "rans", "ans", "arithmetic"])
@pytest.mark.parametrize("k", [2, 5, 256, 1000])
def test_a_million_symbols_give_the_same_bytes_on_both_backends(name, k):
    q = cs.zipf(k, 1.1)
    x = cs.sample(q, 10**6 if k in (5, 256) else 50_000, k)
    coder = make_coder(name, q)
    readable, fast = on("python", coder.encode, x), on("numba", coder.encode, x)
    assert fast.payload == readable.payload and fast.num_bits == readable.num_bits
    assert np.array_equal(on("numba", coder.decode, readable), x)


@needs_numba
@pytest.mark.parametrize("precision", [12, 24, 25, 31, 32])
def test_rans_compiled_quotient_is_exact_for_the_rarest_symbols(precision):
    """A symbol of f = 1 has no 64-bit reciprocal (2**64): the kernel codes it on its own; and
    above precision 24 it moves 4 bytes out, not 3.  So a message full of the rarest symbols
    gives the same bytes at every precision."""
    q = np.array([1.0, 1e-12, 3e-12, 1e-9, 1e-6])
    q /= q.sum()
    coder = make_coder("rans", q, precision=precision)
    assert coder.freqs[1] == 1
    x = np.random.default_rng(precision).choice(5, size=20_000, p=[0.2, 0.4, 0.2, 0.1, 0.1])
    readable, fast = on("python", coder.encode, x), on("numba", coder.encode, x)
    assert fast.payload == readable.payload
    assert on("numba", coder.decode, fast).tolist() == x.tolist()


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 2**32), st.integers(0, 2**55 - 1), st.integers(0, 2**32))
def test_a_reciprocal_divides_exactly_below_2_to_the_55(f, x, near):
    """x // f = (x r >> 64) >> t for every x < 2**55 (Granlund and Montgomery's theorem): on
    random x, and on the multiples of f and their neighbours, where a rounding would show."""
    r, t = (int(v[0]) for v in compiled.reciprocals(np.array([f])))
    r %= 2**64                                        # the int64 read as unsigned
    at_multiple = min(2**55 - 1, (near % (2**55 // f)) * f)
    for y in (x, at_multiple, max(at_multiple - 1, 0), min(at_multiple + 1, 2**55 - 1), 2**55 - 1):
        assert (y * r >> 64) >> t == y // f
    assert plain("mul_high")(np.int64(x), np.int64(r - 2**64 if r >= 2**63 else r)) == x * r >> 64


@needs_numba
@pytest.mark.parametrize("bad", [3, -1])
def test_the_compiled_range_coder_names_a_symbol_outside_the_alphabet_as_constriction_does(bad):
    """An int32 message over a full support goes to the encoder unchecked (constriction
    refuses it itself): the kernel refuses it too, and the coder names the symbol."""
    coder = make_coder("range", [0.5, 0.3, 0.2])
    x = np.array([0, 1, 2] * 20_000 + [bad], dtype=np.int32)
    for backend in ("python", "numba"):
        with pytest.raises(cs.SymbolError, match=f"symbol {bad} at position 60000 is outside"):
            on(backend, coder.encode, x)


@needs_numba
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_compiled_range_coder_holds_back_an_open_carry_as_constriction_does(seed):
    """Many rare symbols leave lower + range past 2**64 for several words in a row: the words
    held back until the carry is decided, then written, are constriction's very words."""
    rng = np.random.default_rng(seed)
    q = rng.dirichlet(np.full(60_000, 0.05))
    coder = make_coder("range", q)
    x = rng.choice(q.size, size=20_000, p=q if seed else np.full(q.size, 1 / q.size))
    x = x[coder.possible[x]].astype(np.int32)
    readable, fast = on("python", coder.encode, x), on("numba", coder.encode, x)
    assert fast.payload == readable.payload
    assert on("numba", coder.decode, readable).tolist() == x.tolist()


@needs_numba
@pytest.mark.parametrize("lengths", [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 20],
                                     list(range(1, 32)) + [31]])
def test_a_canonical_code_longer_than_its_table_decodes_by_length(lengths):
    code = cs.PrefixCode(lengths)
    x = np.random.default_rng(0).integers(0, len(lengths), 5000)
    payload, num_bits = compiled.prefix_encode(code, x)
    assert compiled.prefix_decode(code, payload, num_bits, x.size).tolist() == x.tolist()
    assert num_bits == code.total_length(x)


@needs_numba
@pytest.mark.parametrize("precision", [1, 8, 24, 25, 32])
def test_the_compiled_arithmetic_coder_is_exact_at_every_precision(precision):
    """Its products width * c reach 2**80: they are split so that int64 holds them exactly."""
    q = np.array([0.5, 0.3, 0.2]) if precision > 1 else np.array([0.5, 0.5])
    coder = make_coder("arithmetic", q, precision=precision)
    x = cs.sample(q, 20_000, precision)
    assert_same_bytes(coder, x)


@needs_numba
def test_an_adaptive_or_per_position_arithmetic_coder_keeps_its_readable_path():
    x = cs.sample([0.6, 0.4], 500, 1)
    for coder in (make_coder("arithmetic", [0.6, 0.4], adaptive="kt"),
                  make_coder("arithmetic", np.tile([0.6, 0.4], (500, 1)))):
        readable, fast = on("python", coder.encode, x), on("numba", coder.encode, x)
        assert fast.payload == readable.payload
        assert on("numba", coder.decode, fast).tolist() == x.tolist()


@needs_numba
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 8), st.integers(0, 2000), st.integers(1, 40), st.sampled_from([1, 5, 64, 1 << 15]),
       st.integers(0, 2**32 - 1))
def test_the_compiled_lz77_parse_finds_the_readable_parses_tokens(k, n, period, window, seed):
    """The same literals and matches (length and distance), on messages that repeat themselves
    (a period, with some symbols changed) as well as on noise."""
    rng = np.random.default_rng(seed)
    x = np.resize(rng.integers(0, k, period), n)
    changed = rng.random(n) < 0.05
    x[changed] = rng.integers(0, k, int(changed.sum()))
    coder = make_coder("lz77", cs.uniform(k), window=window)
    tokens = on("python", coder._parse_tokens, x)
    assert on("numba", coder._parse_tokens, x) == tokens
    assert plain_lz77_tokens(x, window) == tokens
    assert on("numba", coder.encode, x).payload == on("python", coder.encode, x).payload


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([2, 7, 2**20, 2**21 - 1, 2**21, 2**40]), st.integers(3, 300),
       st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_lz77_runs_are_ranked_as_their_rows_are(base, n, length, seed):
    """A run of symbols as one number in base max + 1 (where it fits in an int64) has the
    rank of the run's row among the distinct rows: the keys the parse's chains are made of."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, min(base, 5), n) * (base // min(base, 5))
    values[rng.integers(0, n)] = base - 1
    rows = np.stack([values[k:n - length + 1 + k] for k in range(length)], axis=1)
    distinct, ranks = np.unique(rows, axis=0, return_inverse=True)
    keys = np.zeros(n, dtype=np.int64)
    assert compiled._rank_runs(values, length, keys) == len(distinct)
    assert keys[:n - length + 1].tolist() == ranks.ravel().tolist()


def plain_lz77_tokens(x, window):
    """The parse kernel as plain Python (what NUMBA_DISABLE_JIT=1 runs), on the tables the
    compiled path gives it."""
    from codesim.coders.universal import CHAIN, MAX_MATCH, MIN_MATCH
    n = x.size
    keys = np.zeros(n, dtype=np.int64)
    runs = [tuple(x[i:i + MIN_MATCH]) for i in range(n - MIN_MATCH + 1)]
    ranks = {run: r for r, run in enumerate(sorted(set(runs)))}
    keys[:len(runs)] = [ranks[run] for run in runs]
    lengths, distances = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    head, previous = np.full(max(len(ranks), 1), -1), np.full(n, -1)
    t = plain("lz77_parse")(x.astype(np.int64), keys, head, previous, window, MIN_MATCH,
                            MAX_MATCH, CHAIN, lengths, distances)
    return list(zip(lengths[:t].tolist(), distances[:t].tolist()))


@needs_numba
@pytest.mark.parametrize("depth, n", [(0, 3000), (2, 3000), (8, 3000), (24, 3000), (12, 1), (40, 200)])
def test_the_compiled_context_tree_gives_the_same_floats_bytes_and_bits(depth, n):
    # depth 24 on 3000 bits grows the compiled table from 1024 slots to 2**17: the decoder's
    # compiled loop resumes after each growth
    from codesim.models.ctw import CTWModel
    x = cs.sample([0.85, 0.15], n, depth)
    model = CTWModel(depth)
    coder = cs.ContextCoder("arithmetic", model)

    def run():
        encoded = coder.encode(x)
        return (model.costs(x, 24).tolist(), model.ideal_code_length(x), encoded.payload,
                encoded.num_bits, coder.decode(encoded).tolist())
    readable, fast = on("python", run), on("numba", run)
    assert fast == readable and readable[-1] == x.tolist()


@needs_numba
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 16), st.integers(1, 300), st.integers(0, 2**32 - 1),
       st.sampled_from(["flip", "cut", "count", "zero"]))
def test_a_damaged_context_tree_message_ends_the_same_way_on_both_backends(depth, n, where, damage):
    from codesim.models.ctw import CTWModel
    coder = cs.ContextCoder("arithmetic", CTWModel(depth))
    bad = damaged(on("python", coder.encode, cs.sample([0.7, 0.3], n, where)), where, damage)
    assert on("numba", outcome, coder, bad) == on("python", outcome, coder, bad)


def damaged(enc, where: int, damage: str):
    """A context-coded message with one byte flipped or zeroed, cut short, or a symbol count
    that is off by up to 5."""
    payload = bytearray(enc.payload)
    if damage == "flip":
        payload[where % len(payload)] ^= 1 << (where % 8)
    elif damage == "cut":
        payload = payload[: where % len(payload)]
    elif damage == "zero":
        payload[where % len(payload)] = 0
    n = enc.num_symbols
    count = max(n + (where % 11) - 5, 0) if damage == "count" else n
    return replace(enc, payload=bytes(payload), num_bits=min(enc.num_bits, 8 * len(payload)),
                   num_symbols=count)


def counts_model(kind: str, k: int, order: int):
    """A model of counts per context: fitted on a skewed text (add-1/3), or learning (KT)."""
    if kind == "fitted":
        return cs.fit_context_model(np.random.default_rng(k).zipf(1.4, 3000) % k, order, k,
                                    alpha=1 / 3)
    return cs.AdaptiveContextModel(k, order, "kt")


@needs_numba
@pytest.mark.parametrize("kind", ["fitted", "adaptive"])
@pytest.mark.parametrize("k, order, n", [(2, 0, 3000), (3, 2, 3000), (256, 1, 3000), (256, 3, 5),
                                         (40, 11, 2000)])
def test_compiled_counts_per_context_give_the_same_bytes_costs_and_symbols(kind, k, order, n):
    # order 11 over 40 symbols: contexts past 2**63 / 40, whose next one the kernel computes
    # without overflow; a learning model's tables double from 64 rows several times on the way
    x = (np.random.default_rng(n).zipf(1.3, n) % k).astype(np.int64)

    def run():
        coder = cs.ContextCoder("arithmetic", counts_model(kind, k, order))
        encoded = coder.encode(x)
        return (encoded.payload, encoded.num_bits, coder.costs(x).tolist(),
                coder.decode(encoded).tolist())
    readable, fast = on("python", run), on("numba", run)
    assert fast == readable and readable[-1] == x.tolist()


@needs_numba
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["fitted", "adaptive"]), st.integers(2, 30), st.integers(0, 3),
       st.integers(1, 300), st.integers(0, 2**32 - 1),
       st.sampled_from(["flip", "cut", "count", "zero"]))
def test_a_damaged_counts_message_ends_the_same_way_on_both_backends(kind, k, order, n, where,
                                                                    damage):
    coder = cs.ContextCoder("arithmetic", counts_model(kind, k, order))
    bad = damaged(on("python", coder.encode, np.random.default_rng(where).integers(0, k, n)),
                  where, damage)
    assert on("numba", outcome, coder, bad) == on("python", outcome, coder, bad)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 2**48), st.integers(1, 2**46), st.integers(0, 2**46), st.integers(0, 2**48))
def test_the_kernels_divide_any_total_exactly(w, total, c, d):
    # floor(w c / total) and the decoder's floor((d total - 1) / w), as Python's big integers give them
    c = min(c, total)
    assert plain("mul_divmod")(w, c, total) == divmod(w * c, total)
    high = 2**48 - 1
    low = high - w + 1
    code = low + min(d, w + 1) - 1
    want = ((code - low + 1) * total - 1) // w
    got = plain("arith_target_total")(code, low, high, total)
    assert got == (want if 0 < code - low + 1 <= w and 0 <= want < total else -1)


@needs_numba
def test_the_compiled_chain_of_tans_states_gives_the_same_theory():
    p = cs.zipf(40, 1.1)
    theory = lambda: (make_coder("tans", p).overhead(p, 5000), make_coder("tans", p)._drift(p, 5000))  # noqa: E731
    assert on("numba", theory) == on("python", theory)


# --- the same refusals ----------------------------------------------------------------------
@needs_numba
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_q(st.integers(2, 60)), st.integers(1, 400), st.sampled_from(COMPILED),
       st.integers(0, 2**32 - 1), st.sampled_from(["flip", "cut", "count", "zero"]))
def test_a_damaged_message_ends_the_same_way_on_both_backends(q_rng, n, name, where, damage):
    """A damaged message gives a DecodeError on both, or the very same symbols on both (a
    prefix code can re-parse a flipped stretch): never other symbols, never a crash."""
    q, rng = q_rng
    coder = coder_or_refusal(name, q)
    if coder is None:
        return
    enc = on("python", coder.encode, rng.choice(q.size, size=n, p=q))
    payload = bytearray(enc.payload)
    if damage == "flip" and payload:
        payload[where % len(payload)] ^= 1 << (where % 8)
    elif damage == "cut" and payload:
        payload = payload[: where % len(payload)]
    elif damage == "zero" and payload:
        payload[where % len(payload)] = 0
    num_bits = min(enc.num_bits, 8 * len(payload))
    if name in ("rans", "ans"):
        num_bits = 8 * len(payload)
    count = n + (where % 11) - 5 if damage == "count" else n
    bad = replace(enc, payload=bytes(payload), num_bits=num_bits, num_symbols=max(count, 0))
    assert on("numba", outcome, coder, bad) == on("python", outcome, coder, bad)


@needs_numba
@pytest.mark.parametrize("name", ["huffman", "tans", "rans", "ans", "arithmetic"])
def test_a_header_that_claims_too_many_symbols_is_refused_before_decoding(name):
    coder = make_coder(name, [0.5, 0.3, 0.2])
    enc = coder.encode(cs.sample([0.5, 0.3, 0.2], 100, 1))
    with using_backend("numba"), pytest.raises(cs.DecodeError):
        coder.decode(replace(enc, num_symbols=10**12))


# --- sampling ----------------------------------------------------------------------------------
@needs_numba
@pytest.mark.parametrize("k, n", [(3, SMALL_SAMPLE + 1), (5000, 3001), (256, 10**6 + 3), (5000, 70_000)])
def test_the_fused_draw_and_count_gives_the_same_samples(k, n):
    p = cs.zipf(k, 1.0)
    x_py, counts_py = on("python", sample_counted, p, n, 7)
    x_nb, counts_nb = on("numba", sample_counted, p, n, 7)
    assert np.array_equal(x_py, x_nb) and np.array_equal(counts_py, counts_nb)
    assert on("numba", sample_counted, p, n, 7, np.int64, False)[1] is None


# --- the kernels' logic, as plain Python -------------------------------------------------------
def plain(name):
    """The kernel as written (what NUMBA_DISABLE_JIT=1 runs), compiled or not."""
    fn = getattr(kernels, name)
    return getattr(fn, "py_func", fn)


@pytest.mark.parametrize("q", [[0.5, 0.3, 0.2], [0.9, 0.05, 0.05, 0.0], cs.zipf(40, 1.2)])
def test_the_kernels_as_plain_python_agree_with_the_readable_coders(q):
    q = np.asarray(q, dtype=float)
    x = cs.sample(q, 400, 3)
    with using_backend("python"):
        huffman, tans, rans = (make_coder(c, q) for c in ("huffman", "tans", "rans"))
        encoded = {c.name: c.encode(x) for c in (huffman, tans, rans)}
    code = huffman.code
    values, lengths = compiled._encode_tables(code)
    out = np.zeros(x.size * code.max_length // 8 + kernels.PAD, dtype=np.uint8)
    bits = plain("pack_codewords_of")(x, values, lengths, out)
    assert bits == encoded["huffman"].num_bits
    assert out[: (bits + 7) // 8].tobytes() == encoded["huffman"].payload
    tables = compiled._decode_tables(code)
    symbols = np.empty(x.size + 1, dtype=np.int64)
    data = np.frombuffer(encoded["huffman"].payload + bytes(kernels.PAD), dtype=np.uint8)
    assert plain("decode_prefix")(data, bits, x.size, *tables, code.max_length,
                                  symbols) == (kernels.OK, x.size)
    assert symbols[:-1].tolist() == x.tolist()
    symbols = symbols[:-1]
    freqs, cums, guide, division = compiled._rans_tables(rans)
    out = np.empty(x.size * 3 + 16, dtype=np.uint8)
    start = plain("rans_encode")(x, freqs, cums, *division, rans.precision, out)
    assert out[start:].tobytes() == encoded["rans"].payload
    data = np.frombuffer(encoded["rans"].payload + bytes(kernels.PAD), dtype=np.uint8)
    assert plain("rans_decode")(data, data.size - kernels.PAD, x.size, freqs, cums, rans.precision,
                                *guide, symbols) == (kernels.OK, x.size)
    assert symbols.tolist() == x.tolist()
    ans = make_coder("ans", q)
    words = np.frombuffer(ans.encode(x).payload, dtype="<u4")
    indices = np.empty(x.size, dtype=np.int32)
    assert plain("ans_decode")(words, x.size, *compiled._constriction_tables(ans),
                               indices) == (kernels.OK, x.size)
    assert np.flatnonzero(ans.possible)[indices].tolist() == x.tolist()
    ranged = make_coder("range", q)
    with using_backend("python"):
        words = np.frombuffer(ranged.encode(x).payload, dtype="<u4")
    tables = compiled._constriction_tables(ranged)
    out = np.empty(x.size + 4, dtype=np.uint32)
    with np.errstate(over="ignore"):                       # uint64 wraps, as in Rust and numba
        assert out[: plain("range_encode")(indices, *tables[:2], out)].tolist() == words.tolist()
        assert plain("range_decode")(words, x.size, *tables, symbols) == (kernels.OK, x.size)
    assert symbols.tolist() == indices.tolist()
    enc = encoded["tans"]
    out = np.empty(((x.size + 1) * tans.table_log >> 3) + 16, dtype=np.uint8)
    out[-1] = 0
    bits = plain("tans_encode")(x, *compiled._tans_encode_tables(tans), tans.table_log, out)
    assert (out[: (bits + 7) // 8].tobytes(), bits) == (enc.payload, enc.num_bits)
    data = np.frombuffer(enc.payload + bytes(kernels.PAD), dtype=np.uint8)
    assert plain("tans_decode")(data, enc.num_bits, x.size, tans.table_log,
                                compiled._tans_decode_table(tans), symbols) == (kernels.OK, x.size)
    assert symbols.tolist() == x.tolist()


def test_the_context_tree_kernels_as_plain_python_agree_with_the_readable_walk_and_coder():
    from codesim.models.ctw import CTWModel
    depth, precision, n = 6, 24, 300
    x = cs.sample([0.8, 0.2], n, 5)
    with using_backend("python"):
        ones_readable = CTWModel(depth).walker(precision).walk(x)
        enc = cs.ContextCoder("arithmetic", CTWModel(depth)).encode(x)

    def empty_tree():                  # room for n paths of depth + 1 nodes, at most half full
        return (np.full(8192, -1, dtype=np.int64), np.zeros((8192, 2), dtype=np.int64),
                np.zeros((8192, 2)))
    ones = np.empty(n, dtype=np.int64)
    plain("ctw_walk")(x, 0, n, depth, precision, *empty_tree(), 0, 0.0, ones)
    assert ones.tolist() == ones_readable.tolist()
    total = 1 << precision
    out = np.zeros(n * (precision + 2) // 8 + 32, dtype=np.uint8)
    bits = plain("arithmetic_encode_intervals")(np.where(x == 1, total - ones, 0),
                                                np.where(x == 1, total, total - ones),
                                                np.full(n, total), out)
    assert (bits, out[: (bits + 7) // 8].tobytes()) == (enc.num_bits, enc.payload)
    data, limit = compiled._arithmetic_data(enc.payload, enc.num_bits)
    symbols = np.empty(n, dtype=np.int64)
    code = plain("bits_at")(data, 0, kernels.ARITH_BITS)
    status, done, _, _, _, pos, low, _, _, pending = plain("ctw_arithmetic_decode")(
        data, limit, 0, n, depth, precision, *empty_tree(), 0, 0.0, kernels.ARITH_BITS, 0,
        kernels.ARITH_MASK, code, 0, symbols)
    assert (status, done, symbols.tolist()) == (kernels.OK, n, x.tolist())
    assert plain("arith_decode_end")(data, bits, n, pos, low, pending) == kernels.OK


def test_tunstalls_parse_as_plain_python_is_the_readable_parse():
    q = cs.zipf(12, 1.1)
    coder = make_coder("tunstall", q)
    x = cs.sample(q, 999, 2)                     # ends inside a word: completed the same way
    with using_backend("python"):
        words = coder.parse(x)
    children, first = compiled._trie_table(coder._trie, q.size)
    out = np.empty(x.size + 1, dtype=np.int64)
    assert out[: plain("tunstall_parse")(x, children, first, out)].tolist() == words.tolist()


@needs_numba
@pytest.mark.parametrize("table_log", [2, 3, 5, 11, 15, 16])
@pytest.mark.parametrize("head", [0.5, 0.9999])
def test_tans_writes_the_readable_bytes_at_every_table_size(table_log, head):
    """The kernel's bits a step, (X + m 2**16 - f 2**m) >> 16, are the readable coder's m or
    m - 1 for every table up to 2**16 states, a frequency near the whole table included."""
    q = np.array([head, *([(1 - head) / 2] * 2)])
    coder = make_coder("tans", q, table_log=table_log)
    x = cs.sample(q, 5000, table_log)
    assert_same_bytes(coder, x)


def test_tunstalls_widest_words_fit_the_packing_loop():
    from codesim.coders.tunstall import MAX_BITS
    assert MAX_BITS <= compiled.KERNEL_MAX_LENGTH


@needs_numba
@pytest.mark.parametrize("k, bits", [(2, 1), (2, 3), (5, 4), (12, 9), (40, 14)])
def test_tunstalls_words_of_every_width_are_packed_into_the_readable_coders_bytes(k, bits):
    q = cs.zipf(k, 1.1)
    coder = make_coder("tunstall", q, bits=bits)
    for n in (1, 7, 999, 20_000):
        x = cs.sample(q, n, bits)
        assert_same_bytes(coder, x)


def test_the_counts_kernels_as_plain_python_agree_with_the_readable_walk_and_coder():
    k, n = 5, 400
    x = cs.sample(cs.zipf(k, 1.2), n, 9)
    model = lambda: cs.AdaptiveContextModel(k, 2, "laplace")           # noqa: E731
    with using_backend("python"):
        shares = model().walker(24).intervals(x)
        enc = cs.ContextCoder("arithmetic", model()).encode(x)

    def empty_counts():                # room for n rows, hashed at most half full
        return (np.full(1024, -1, dtype=np.int64), np.zeros(1024, dtype=np.int64),
                np.zeros((n, k), dtype=np.int64), np.zeros(n, dtype=np.int64))
    tables = (k, 1, 1, k, True, *empty_counts())                        # u = d = 1, k**(2 - 1)
    lows, highs, totals = (np.empty(n, dtype=np.int64) for _ in range(3))
    plain("counts_walk")(x, 0, n, *tables, 0, 0, lows, highs, totals)
    assert [a.tolist() for a in (lows, highs, totals)] == [a.tolist() for a in shares]
    out = np.zeros(n * 8 + 32, dtype=np.uint8)
    bits = plain("arithmetic_encode_intervals")(lows, highs, totals, out)
    assert (bits, out[: (bits + 7) // 8].tobytes()) == (enc.num_bits, enc.payload)
    data, limit = compiled._arithmetic_data(enc.payload, enc.num_bits)
    symbols = np.empty(n, dtype=np.int64)
    code = plain("bits_at")(data, 0, kernels.ARITH_BITS)
    status, done, _, _, pos, low, _, _, pending = plain("counts_arithmetic_decode")(
        data, limit, 0, n, k, 1, 1, k, True, *empty_counts(), 0, 0, kernels.ARITH_BITS, 0,
        kernels.ARITH_MASK, code, 0, symbols)
    assert (status, done, symbols.tolist()) == (kernels.OK, n, x.tolist())
    assert plain("arith_decode_end")(data, bits, n, pos, low, pending) == kernels.OK
