"""Speed and size of every codesim coder beside its peers, as ratios measured in one run.

    pip install -e ".[bench,fast]" && python benchmarks/run.py       # writes RESULTS.md, results.json
    python benchmarks/run.py --quick                                 # a smaller, faster run

The compiled engine (the ``fast`` extra, issue 25) is measured first: its kernels against
bitarray and constriction and against codesim's own readable path, in thread CPU time with wall
time beside it, then ``simulate`` and ``codesim report --quick`` with ``CODESIM_BACKEND=numba``
and ``python`` in turns.  The rest runs with the default backend (the kernels).

Peers, configured fairly (same data, same model where the peer allows it):

* bitarray's own Huffman: ``bitarray.util.huffman_code`` built from q, ``encode`` over a Python
  list of the symbols (converted outside the timing, in the peer's favour), ``decode`` with a
  ``decodetree``, the same C decoder codesim uses;
* dahuffman 0.4.2: ``HuffmanCodec.from_frequencies`` on q scaled to integer counts; it adds an
  end-of-file symbol (frequency 1) and codes it once, which is how it knows the message length;
* constriction called directly: ``Categorical(q, perfect=False)`` with ``RangeEncoder`` /
  ``RangeDecoder`` and ``AnsCoder``; constriction takes only int32 symbols, so the raw encode
  includes ``astype(np.int32)`` of numpy's default int64 sample, as it must for any numpy
  user.  codesim's range and ans receive the int32 sample that codesim's own sampler draws for
  them (``sample(..., dtype=np.int32)``, the path ``simulate`` takes), converted outside the
  timing; each coder gets its ``symbol_dtype``.  Given the same int32 array, constriction's
  encoders called through codesim are at parity with it (0.96 to 1.0x: the wrapper's checks
  against constriction's work); with the fast extra codesim's range coder runs as a kernel
  writing constriction's very words (its decode includes the re-encoding check);
* arithmetic-compressor 0.2: ``StaticModel`` (it rounds q to multiples of 1/4096; symbols it
  would round to zero are given 1/4096 first so that every symbol stays codable) with
  ``AECompressor(model, adapt=False)``, a fixed model, on a Python list.

Timing: median of ``--repeat`` runs (default 9) of each encode and decode, codesim's and the
peer's alternating, in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import codesim as cs

HERE = Path(__file__).resolve().parent


def median_time(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def alternating(fns, repeat):
    """Time each of fns, taking turns, repeat times; return each one's median and last result."""
    times, results = [[] for _ in fns], [None] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            results[k] = fn()
            times[k].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times], results


def paired(ours, theirs, repeat):
    """Run ours and the peer's benchmark alternately, repeat times each; keep each one's medians.

    Alternating spreads the machine's drift over both sides, so the ratio is fairer than two
    separate batches would give."""
    runs = [(ours(1), theirs(1)) for _ in range(repeat)]
    pick = lambda side, k: statistics.median(run[side][k] for run in runs)   # noqa: E731
    return ((pick(0, 0), pick(0, 1), runs[0][0][2]), (pick(1, 0), pick(1, 1), runs[0][1][2]))


def cases():
    p5 = np.array([0.5, 0.25, 0.125, 0.0625, 0.0625])
    p256 = cs.zipf(256, 1.1)
    q256 = p256.copy()
    head = np.random.default_rng(256).permutation(16)
    q256[:16] = p256[:16][head]                 # q: p with its 16 most likely symbols permuted
    return {"K=5": (p5, cs.uniform(5)), "K=256": (p256, q256)}


# --- codesim and its peers -------------------------------------------------------------------

def bench_codesim(name, q, x, repeat):
    coder = cs.make_coder(name, q)
    x = x.astype(coder.symbol_dtype)        # the type codesim's sampler draws for this coder
    t_enc, enc = median_time(lambda: coder.encode(x), repeat)
    t_dec, out = median_time(lambda: coder.decode(enc), repeat)
    assert np.array_equal(out, x)
    return t_enc, t_dec, enc.num_bits


def bench_bitarray(q, x, repeat):
    from bitarray import bitarray, decodetree
    from bitarray.util import huffman_code
    code = huffman_code({i: float(v) for i, v in enumerate(q) if v > 0})
    tree = decodetree(code)
    symbols = x.tolist()

    def encode():
        a = bitarray()
        a.encode(code, symbols)
        return a

    t_enc, bits = median_time(encode, repeat)
    t_dec, out = median_time(lambda: list(bits.decode(tree)), repeat)
    assert out == symbols
    return t_enc, t_dec, len(bits)


def bench_dahuffman(q, x, repeat):
    from dahuffman import HuffmanCodec
    codec = HuffmanCodec.from_frequencies({i: max(int(v * 2**30), 1) for i, v in enumerate(q)})
    symbols = x.tolist()
    t_enc, data = median_time(lambda: codec.encode(symbols), repeat)
    t_dec, out = median_time(lambda: codec.decode(data), repeat)
    assert list(out) == symbols
    return t_enc, t_dec, 8 * len(data)


def bench_constriction(kind, q, x, repeat):
    import constriction
    stream = constriction.stream
    model = stream.model.Categorical(np.asarray(q, dtype=np.float64), perfect=False)
    if kind == "range":
        def encode():
            e = stream.queue.RangeEncoder()
            e.encode(x.astype(np.int32), model)
            return e.get_compressed()
        decode = lambda words: stream.queue.RangeDecoder(words).decode(model, x.size)
    else:
        def encode():
            c = stream.stack.AnsCoder()
            c.encode_reverse(x.astype(np.int32), model)
            return c.get_compressed()
        decode = lambda words: stream.stack.AnsCoder(words).decode(model, x.size)
    t_enc, words = median_time(encode, repeat)
    t_dec, out = median_time(lambda: decode(words), repeat)
    assert np.array_equal(out, x)
    return t_enc, t_dec, 32 * words.size


def bench_arithmetic_compressor(q, x, repeat):
    from arithmetic_compressor import AECompressor
    from arithmetic_compressor.models import StaticModel
    floor = np.maximum(q, 1 / 4096)
    floor = floor / floor.sum()
    model = StaticModel({i: float(v) for i, v in enumerate(floor)})
    coder = AECompressor(model, adapt=False)
    symbols = x.tolist()
    t_enc, bits = median_time(lambda: coder.compress(symbols), repeat)
    t_dec, out = median_time(lambda: coder.decompress(bits, len(symbols)), repeat)
    assert out == symbols
    return t_enc, t_dec, len(bits)


def speed_rows(n_fast, n_slow, repeat, seed):
    rows = []
    for case, (p, q) in cases().items():
        x_fast, x_slow = cs.sample(p, n_fast, seed), cs.sample(p, n_slow, seed)
        entries = [
            ("huffman", "bitarray huffman_code", x_fast, lambda x, r: bench_codesim("huffman", q, x, r),
             lambda x, r: bench_bitarray(q, x, r)),
            ("huffman", "dahuffman", x_slow, lambda x, r: bench_codesim("huffman", q, x, r),
             lambda x, r: bench_dahuffman(q, x, r)),
            ("range", "constriction RangeEncoder", x_fast, lambda x, r: bench_codesim("range", q, x, r),
             lambda x, r: bench_constriction("range", q, x, r)),
            ("ans", "constriction AnsCoder", x_fast, lambda x, r: bench_codesim("ans", q, x, r),
             lambda x, r: bench_constriction("ans", q, x, r)),
            ("arithmetic", "arithmetic-compressor", x_slow, lambda x, r: bench_codesim("arithmetic", q, x, r),
             lambda x, r: bench_arithmetic_compressor(q, x, r)),
            ("rans", "arithmetic-compressor", x_slow, lambda x, r: bench_codesim("rans", q, x, r),
             lambda x, r: bench_arithmetic_compressor(q, x, r)),
        ]
        model_rate = {name: cs.make_coder(name, q).expected_bits_per_symbol(p)
                      for name in ("huffman", "range", "ans", "arithmetic", "rans")}
        for name, peer, x, ours, theirs in entries:
            print(f"  {case}: {name} vs {peer} on {x.size} symbols", file=sys.stderr, flush=True)
            (te, td, bits), (pe, pd, pbits) = paired(lambda r: ours(x, r), lambda r: theirs(x, r), repeat)
            rows.append({"case": case, "coder": name, "peer": peer, "n": int(x.size),
                         "encode sym/s": x.size / te, "decode sym/s": x.size / td,
                         "peer encode sym/s": x.size / pe, "peer decode sym/s": x.size / pd,
                         "encode ratio": pe / te, "decode ratio": pd / td,
                         "bits/sym": bits / x.size, "peer bits/sym": pbits / x.size,
                         "theory bits/sym": model_rate[name],
                         "H(p,q)": cs.cross_entropy(p, q)})
    return rows


# --- end to end ------------------------------------------------------------------------------

def simulate_overhead(n, repeat, seed):
    """simulate() time against the raw encode + decode of the same coder on the same data."""
    rows = []
    p, q = cases()["K=256"]
    for name in ("huffman", "ans"):
        coder = cs.make_coder(name, q)
        x = cs.sample(p, n, seed)
        raw, _ = median_time(lambda: coder.decode(coder.encode(x)), repeat)
        full, _ = median_time(lambda: cs.simulate(p, q, name, n=n, seed=seed), repeat)
        rows.append({"coder": name, "n": n, "raw encode+decode s": raw, "simulate s": full,
                     "simulate / raw": full / raw})
    return rows


# --- the compiled engine ---------------------------------------------------------------------

def timed(fns, repeat):
    """Run fns in turns, repeat times; each one's median thread CPU time and wall time (s).

    Thread CPU time is what this process's thread spent, whatever else the shared machine does;
    the wall time stands beside it."""
    cpu, wall = [[] for _ in fns], [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            c, w = time.thread_time(), time.perf_counter()
            fn()
            cpu[k].append(time.thread_time() - c)
            wall[k].append(time.perf_counter() - w)
    return [(statistics.median(c), statistics.median(w)) for c, w in zip(cpu, wall)]


def _row(case, what, ours, theirs, peer, n):
    (oc, ow), (pc, pw) = ours, theirs
    return {"case": case, "path": what, "peer": peer, "n": n,
            "ns/symbol": 1e9 * oc / n, "peer ns/symbol": 1e9 * pc / n,
            "ratio (CPU)": pc / oc, "ratio (wall)": pw / ow}


def engine_rows(n, repeat, seed):
    """The compiled kernels against their peers and against the readable path, in one process,
    interleaved: thread CPU time (and wall time beside it), int32 symbols to both sides of
    every constriction comparison, every output already allocated once before timing."""
    import constriction
    from bitarray import bitarray, decodetree
    from bitarray.util import huffman_code
    from dataclasses import replace
    from codesim.sources.distributions import draw_counted
    stream = constriction.stream
    rows = []
    for case, (p, q) in cases().items():
        x = cs.sample(p, n, seed).astype(np.int32)
        print(f"  {case}: the compiled engine on {n} symbols", file=sys.stderr, flush=True)
        # Huffman: encode; decode from the payload alone; and the readable path's seek lanes
        huff = cs.make_coder("huffman", q)
        code = huffman_code({i: float(v) for i, v in enumerate(q) if v > 0})
        tree, listed = decodetree(code), x.tolist()
        bits = bitarray()
        bits.encode(code, listed)
        with cs.using_backend("numba"):
            enc = huff.encode(x)
        alone = replace(enc, seek=None)
        with cs.using_backend("python"):
            seeked = huff.encode(x)
        def peer_encode():
            a = bitarray()
            a.encode(code, listed)
        with cs.using_backend("numba"):
            enc_t, peer_t = timed([lambda: huff.encode(x), peer_encode], repeat)
            dec_t, peer_dec_t = timed([lambda: huff.decode(alone), lambda: list(bits.decode(tree))], repeat)
        with cs.using_backend("python"):
            lanes_t, py_alone_t = timed([lambda: huff.decode(seeked), lambda: huff.decode(alone)], repeat)
        rows += [_row(case, "huffman encode", enc_t, peer_t, "bitarray", n),
                 _row(case, "huffman decode, payload alone", dec_t, peer_dec_t, "bitarray", n),
                 _row(case, "huffman decode, readable path with the seek table", lanes_t, peer_dec_t, "bitarray", n),
                 _row(case, "huffman decode, readable path from the payload alone", py_alone_t, peer_dec_t, "bitarray", n)]
        # ANS: codesim's words, decoded by the kernel and by constriction's own decoder
        ans = cs.make_coder("ans", q)
        model = stream.model.Categorical((ans.freqs[ans.possible] - 1).astype(np.float64), perfect=False)
        enc = ans.encode(x)
        words = np.frombuffer(enc.payload, dtype="<u4")

        def raw_encode():
            c = stream.stack.AnsCoder(np.array([0, 1], dtype=np.uint32))
            c.encode_reverse(x, model)
            return c.get_compressed()
        assert np.array_equal(raw_encode(), words)
        with cs.using_backend("numba"):
            assert np.array_equal(ans.decode(enc), x)
            dec_t, raw_t = timed([lambda: ans.decode(enc),
                                  lambda: stream.stack.AnsCoder(words).decode(model, n)], repeat)
            enc_t, raw_enc_t = timed([lambda: ans.encode(x), raw_encode], repeat)
        rows += [_row(case, "ans decode (the same words)", dec_t, raw_t, "constriction", n),
                 _row(case, "ans encode", enc_t, raw_enc_t, "constriction", n)]
        # tANS, rANS and the arithmetic coder: the kernel against the readable coder
        for name in ("tans", "rans", "arithmetic"):
            coder = cs.make_coder(name, q)
            with cs.using_backend("numba"):
                fast = coder.encode(x)
            with cs.using_backend("python"):
                slow = coder.encode(x[: n // 10])
            reps = max(3, repeat // 3)
            with cs.using_backend("numba"):
                fast_t = timed([lambda: coder.encode(x), lambda: coder.decode(fast)], reps)
            with cs.using_backend("python"):
                slow_t = timed([lambda: coder.encode(x[: n // 10]), lambda: coder.decode(slow)], reps)
            for k, step in enumerate(("encode", "decode")):
                scaled = (slow_t[k][0] * 10, slow_t[k][1] * 10)       # the readable path on n / 10
                rows.append(_row(case, f"{name} {step}", fast_t[k], scaled, "readable path", n))
        # drawing and counting: the fused kernel against the readable guide table
        with cs.using_backend("numba"):
            fused = timed([lambda: draw_counted(p, n, seed, np.int32)], repeat)[0]
        with cs.using_backend("python"):
            plain = timed([lambda: draw_counted(p, n, seed, np.int32)], repeat)[0]
        rows.append(_row(case, "draw + count", fused, plain, "readable path", n))
    return rows


def simulate_engine(n, repeat, seed):
    """simulate(p, q, "huffman", n) with the kernels against the readable path (today's), and
    against its own parts (draw + count + encode + decode, with the kernels)."""
    from codesim.sources.distributions import draw_counted
    p, q = cases()["K=256"]
    rows = []
    for name in ("huffman", "ans"):
        coder = cs.make_coder(name, q)

        def parts():
            x, _ = draw_counted(p, n, seed, coder.symbol_dtype)
            coder.decode(coder.encode(x))
        with cs.using_backend("numba"):
            cs.simulate(p, q, name, n=n, seed=seed)
            (fast, parts_t) = timed([lambda: cs.simulate(p, q, name, n=n, seed=seed), parts], repeat)
        with cs.using_backend("python"):
            (slow,) = timed([lambda: cs.simulate(p, q, name, n=n, seed=seed)], repeat)
        rows.append({"coder": name, "n": n, "simulate s (kernels)": fast[1], "simulate s (readable)": slow[1],
                     "speed-up": slow[1] / fast[1], "parts s": parts_t[1], "simulate / parts": fast[1] / parts_t[1]})
    return rows


#: a fresh process that calls every kernel once (every coder with one, the sampler, the theory)
WARM_UP = """
import os, sys, time
began = time.perf_counter()
if os.environ["CODESIM_BACKEND"] == "numba":
    import numba
imported = time.perf_counter()
import numpy as np, codesim as cs
from codesim.models.ctw import CTWModel
q = [0.5, 0.3, 0.2]
x = cs.sample(q, 1000, 1)
for name in ("huffman", "tans", "rans", "ans", "range", "arithmetic", "tunstall", "lz77"):
    coder = cs.make_coder(name, q)
    coder.decode(coder.encode(x))
cs.make_coder("tans", q).overhead(q, 100)
for model in (CTWModel(3), cs.AdaptiveContextModel(3, 1)):
    context_coder = cs.ContextCoder("arithmetic", model)
    y = x % model.alphabet_size
    context_coder.decode(context_coder.encode(y))
    context_coder.costs(y)
print(time.perf_counter() - began, imported - began)
"""


def compile_seconds(rounds=3):
    """Seconds for a fresh process to import codesim and run every kernel once: cold (an
    empty numba cache), with the second process that compiles ahead (the default) and with it
    switched off (one process does all the work), the median of ``rounds`` of each in turns;
    and warm (the cache it left), and the same with the readable coders."""
    import tempfile
    base = {**os.environ, "CODESIM_BACKEND": "numba"}

    def run(env):
        out = subprocess.run([sys.executable, "-c", WARM_UP], env=env, check=True,
                             capture_output=True, text=True).stdout.split()
        return float(out[0]), float(out[1])

    cold = {"1": [], "0": []}
    for _ in range(rounds):
        for ahead in cold:
            with tempfile.TemporaryDirectory() as cache:
                cold[ahead].append(run({**base, "NUMBA_CACHE_DIR": cache,
                                        "CODESIM_COMPILE_AHEAD": ahead})[0])
    with tempfile.TemporaryDirectory() as cache:
        env = {**base, "NUMBA_CACHE_DIR": cache}
        run(env)
        warm, numba_import = min(run(env) for _ in range(3))
        readable = min(run({**env, "CODESIM_BACKEND": "python"})[0] for _ in range(3))
    return {"cold s": statistics.median(cold["1"]), "cold s, one process": statistics.median(cold["0"]),
            "warm s": warm, "readable s": readable, "warm - readable s": warm - readable,
            "import numba s": numba_import, "first calls s": warm - readable - numba_import}


def report_engine():
    """Wall time of ``codesim report --quick`` with the kernels and with the readable coders,
    in turns (each a fresh process, its kernels already cached on disk)."""
    times = {"numba": [], "python": []}
    for _ in range(2):
        for name in times:
            times[name].append(report_seconds({"CODESIM_BACKEND": name}))
    return {"report s (kernels)": min(times["numba"]), "report s (readable)": min(times["python"]),
            "speed-up": min(times["python"]) / min(times["numba"])}


def _numba_version() -> str:
    import numba
    return numba.__version__


def _strip(rows):
    return [{k: v for k, v in r.items() if not k.endswith("seconds")} for r in rows]


def spin(count):
    """Pure Python arithmetic on no data: work that any two cores should run twice as fast."""
    total = 0
    for i in range(count):
        total += i * i
    return total


def sweep_speedup(n, seed, tasks=8, spins=3_000_000):
    """One process against two, on the same grid (rows must be identical); and, in the same
    turns, the machine's own: two ``spin`` calls in this process against one in each of two
    (a pool started before), the most any two processes gain here."""
    from concurrent.futures import ProcessPoolExecutor
    p = cs.zipf(64, 1.1)
    grid = cs.mixture_grid(p, np.linspace(0, 1, tasks))
    coders = ["huffman", "arithmetic"]
    cs.sweep(p, grid, coders, n=1000, seed=seed, workers=2)      # warm the pool machinery
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(spin, [1, 1]))
        (one, two, spun, spread), (rows1, rows2, _, _) = alternating(
            [lambda: cs.sweep(p, grid, coders, n=n, seed=seed, workers=1),
             lambda: cs.sweep(p, grid, coders, n=n, seed=seed, workers=2),
             lambda: [spin(spins), spin(spins)],
             lambda: list(pool.map(spin, [spins, spins]))], 5)
    assert _strip(rows1) == _strip(rows2)
    return {"tasks": len(grid), "n": n, "1 process s": one, "2 processes s": two, "speed-up": one / two,
            "a pure loop's speed-up (the machine's)": spun / spread}


def dask_sweep(n, seed, tasks=40):
    """The same sweep on a Dask LocalCluster of 2 worker processes: its rows and its time."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        return None
    p = cs.zipf(64, 1.1)
    grid = cs.mixture_grid(p, np.linspace(0, 1, tasks))
    local = cs.sweep(p, grid, ["huffman", "ans"], n=n, seed=seed, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        cs.sweep(p, grid, ["huffman", "ans"], n=1000, seed=seed, executor=client)      # warm up
        t, rows = median_time(lambda: cs.sweep(p, grid, ["huffman", "ans"], n=n, seed=seed,
                                               executor=client), 3)
    one, _ = median_time(lambda: cs.sweep(p, grid, ["huffman", "ans"], n=n, seed=seed, workers=1), 3)
    return {"tasks": tasks, "n": n, "1 process s": one, "Dask 2 workers s": t, "speed-up": one / t,
            "same rows": _strip(rows) == _strip(local)}


def small_n_latency(calls=100, rounds=5, n=10):
    """Milliseconds per simulate call at tiny n (the fixed cost of one measurement): the median
    over ``rounds`` rounds of ``calls`` calls, each call with a seed of its own."""
    p, q = cases()["K=256"]
    rows = []
    for name in cs.available_coders():
        cs.simulate(p, q, name, n=n)
        per_call = []
        for r in range(rounds):
            start = time.perf_counter()
            for i in range(r * calls, (r + 1) * calls):
                cs.simulate(p, q, name, n=n, seed=i)
            per_call.append((time.perf_counter() - start) / calls * 1e3)
        rows.append({"coder": name, "n": n, "ms per call": statistics.median(per_call)})
    return rows


def peak_memory(n, coders=("huffman", "ans")):
    """Peak resident memory of simulate(n) in a fresh process, over the interpreter's own,
    against the floor: the sample, its decoding and the payload."""
    rows = []
    for name in coders:
        code = (f"import numpy as np, codesim as cs, resource\n"
                f"p = cs.zipf(256, 1.1); cs.simulate(p, p, {name!r}, n=1000)\n"
                f"base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
                f"r = cs.simulate(p, p, {name!r}, n={n})\n"
                f"print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, r.num_bits, r.chunks)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        base, peak, bits, chunks = (int(v) for v in out.stdout.split())
        item = cs.make_coder(name, [0.5, 0.5]).symbol_dtype.itemsize
        floor = (2 * item * min(n, cs.simulation.CHUNK) + bits / 8 / chunks) / 2**20
        rows.append({"coder": name, "n": n, "chunks": chunks, "peak over interpreter MiB": (peak - base) / 1024,
                     "floor MiB": floor, "peak / floor": (peak - base) / 1024 / floor})
    return rows


#: published speeds of native coders (million symbols per second), with their source, to show
#: where Python stands; they ran on other machines, so only the order of magnitude compares
NATIVE = [
    ("FSE (tANS), core loop", 420, 520, "Cyan4973/FiniteStateEntropy README, i5-3340M at 2.9 GHz"),
    ("zlib's Huffman, full mode", 250, 280, "Cyan4973/FiniteStateEntropy benchmarkResults, i5-3340M"),
]


def more_codes_speed(n, repeat, seed):
    """Encode and decode speed of the codes of issue 16 (round trip checked), zipf(256, 1.1)."""
    p = cs.zipf(256, 1.1)
    x = cs.sample(p, n, seed)
    rows = []
    for name, options in (("fano", {}), ("huffman", {"max_length": 11}), ("tans", {}),
                          ("tunstall", {"bits": 12}), ("unary", {}), ("golomb", {}), ("rice", {}),
                          ("elias_gamma", {}), ("elias_delta", {}), ("elias_omega", {})):
        coder = cs.make_coder(name, p, **options)
        encoded = coder.encode(x)
        assert np.array_equal(coder.decode(encoded), x)
        enc, _ = median_time(lambda: coder.encode(x), repeat)
        dec, _ = median_time(lambda: coder.decode(encoded), repeat)
        rows.append({"coder": name, "options": ", ".join(f"{k}={v}" for k, v in options.items()),
                     "n": n, "encode sym/s": n / enc, "decode sym/s": n / dec,
                     "bits/sym": encoded.num_bits / n, "theory bits/sym": coder.expected_bits_per_symbol(p, n)})
    return rows


def report_seconds(env=None):
    """Wall time of ``codesim report --quick`` (every experiment, quick, plus the views)."""
    import tempfile
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "codesim", "report", "--quick", "--out", out],
                       check=True, capture_output=True, timeout=900, env={**os.environ, **(env or {})})
        return time.perf_counter() - start


# --- report ----------------------------------------------------------------------------------

def fmt(v, digits=3):
    if isinstance(v, float):
        if v >= 1e5:
            return f"{v / 1e6:.2f}M"
        return f"{v:.{digits}f}"
    return str(v)


def markdown(rows, columns):
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


TARGETS = {("huffman", "bitarray huffman_code"): (3.0, 1.5), ("range", "constriction RangeEncoder"): (1.0, 1.0)}


#: the compiled engine's targets (issue 25): (case, path, peer) -> the least ratio, thread CPU time
ENGINE_TARGETS = {
    **{(case, "huffman encode", "bitarray"): 10.0 for case in ("K=5", "K=256")},
    **{(case, "huffman decode, payload alone", "bitarray"): 4.0 for case in ("K=5", "K=256")},
    ("K=5", "ans decode (the same words)", "constriction"): 1.8,
    ("K=256", "ans decode (the same words)", "constriction"): 3.0,
    **{(case, "ans encode", "constriction"): 0.9 for case in ("K=5", "K=256")},
    **{(case, f"{name} {step}", "readable path"): 40.0 for case in ("K=5", "K=256")
       for name in ("tans", "rans") for step in ("encode", "decode")},
}


def engine_verdicts(engine, sim_engine, report_engine_row, compiling=None):
    out = []
    for r in engine:
        goal = ENGINE_TARGETS.get((r["case"], r["path"], r["peer"]))
        if goal is not None:
            out.append((f"{r['case']} {r['path']} >= {goal}x {r['peer']} (CPU time)", r["ratio (CPU)"],
                        r["ratio (CPU)"] >= goal))
    for r in sim_engine:
        if r["coder"] == "huffman":
            out.append((f"simulate(huffman, n = {r['n']:.0e}) >= 1.8x faster with the kernels", r["speed-up"],
                        r["speed-up"] >= 1.8))
        out.append((f"simulate <= 1.15x (draw + count + encode + decode) ({r['coder']})", r["simulate / parts"],
                    r["simulate / parts"] <= 1.15))
    if report_engine_row is not None:
        out.append(("codesim report --quick >= 2x faster with the kernels (2 cores)", report_engine_row["speed-up"],
                    report_engine_row["speed-up"] >= 2.0))
    if compiling is not None:
        out.append(("a cold compile of every kernel (a fresh process, empty cache, compiling ahead) < 10 s",
                    compiling["cold s"],
                    compiling["cold s"] < 10))
        out.append(("a warm first call of every kernel (numba imported), beyond the readable path's < 0.5 s",
                    compiling["first calls s"], compiling["first calls s"] < 0.5))
    return out


def verdicts(speed, sim, sweep, memory, latency=(), dask=None, report=None):
    out = []
    if report is not None:
        out.append(("codesim report --quick <= 120 s on this machine", report, report <= 120))
    for r in speed:
        key = (r["coder"], r["peer"])
        if key in TARGETS:
            enc, dec = TARGETS[key]
            out.append((f"{r['case']} {r['coder']} encode >= {enc}x {r['peer']}", r["encode ratio"], r["encode ratio"] >= enc))
            out.append((f"{r['case']} {r['coder']} decode >= {dec}x {r['peer']}", r["decode ratio"], r["decode ratio"] >= dec))
        if key == ("arithmetic", "arithmetic-compressor"):
            goal = 2.0 if r["case"] == "K=5" else 10.0
            out.append((f"{r['case']} arithmetic encode >= {goal}x arithmetic-compressor", r["encode ratio"], r["encode ratio"] >= goal))
            out.append((f"{r['case']} arithmetic decode >= {goal}x arithmetic-compressor", r["decode ratio"], r["decode ratio"] >= goal))
    for r in latency:
        out.append((f"simulate at n = 10 <= 0.3 ms per call ({r['coder']})", r["ms per call"], r["ms per call"] <= 0.3))
    out.append((f"sweep of {sweep['tasks']} tasks of n = {sweep['n']:,}: 2 processes >= 1.8x one", sweep["speed-up"],
                sweep["speed-up"] >= 1.8))
    if dask is not None:
        out.append(("Dask LocalCluster sweep gives the same rows (1 = yes)", float(dask["same rows"]), dask["same rows"]))
    for r in memory:
        out.append((f"peak memory of simulate at n = {r['n']:.0e} ({r['coder']}) <= 1.2x floor", r["peak / floor"],
                    r["peak / floor"] <= 1.2))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer symbols, for a smoke run")
    parser.add_argument("--repeat", type=int, default=9, help="runs per timing; the median is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(HERE), help="where RESULTS.md and results.json go")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    n_fast, n_slow = 1_000_000 // scale, 100_000 // scale
    if not cs.backends.numba_installed():
        parser.error('the compiled engine needs the fast extra: pip install -e ".[fast,bench]"')
    print("the compiled engine, against its peers and the readable path", file=sys.stderr)
    engine = engine_rows(n_fast, args.repeat, args.seed)
    sim_engine = simulate_engine(n_fast, args.repeat, args.seed)
    report_row = report_engine()
    compiling = compile_seconds()
    print("speed against peers", file=sys.stderr)
    speed = speed_rows(n_fast, n_slow, args.repeat, args.seed)
    print("simulate overhead and latency, sweeps, peak memory", file=sys.stderr)
    sim = simulate_overhead(n_fast, args.repeat, args.seed)
    latency = small_n_latency()
    sweep = sweep_speedup(10_000, args.seed, tasks=400)
    dask = dask_sweep(10_000, args.seed)
    memory = peak_memory(10_000_000 // scale) + peak_memory(50_000_000 // scale)
    print("more codes, and the report page", file=sys.stderr)
    more = more_codes_speed(n_fast, args.repeat, args.seed)
    report = report_seconds()
    checks = engine_verdicts(engine, sim_engine, report_row, compiling) + verdicts(speed, sim, sweep, memory, latency, dask, report)
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
    text = [
        "# codesim benchmarks",
        "",
        f"Generated by `python benchmarks/run.py{' --quick' if args.quick else ''}` on {machine}. "
        f"Median of {args.repeat} runs, codesim's and the peer's alternating; ratios are codesim's speed over the peer's, measured in the "
        "same run on the same data (> 1: codesim is faster). Fast coders on "
        f"{n_fast:,} symbols, pure-Python ones on {n_slow:,}. Peers and their configuration: see "
        "the docstring of `benchmarks/run.py`.",
        "",
        "## Targets",
        "",
        "| target | measured | met |", "|---|---|---|",
        *[f"| {name} | {value:.2f} | {'yes' if ok else 'NO'} |" for name, value, ok in checks],
        "",
        "## The compiled engine",
        "",
        f"Backend `{cs.backend()}` (numba {_numba_version()}). Thread CPU time (the ratios above), wall time "
        "beside it, median of the runs in turns; int32 symbols to both sides of every constriction "
        "comparison, constriction decoding codesim's very words with codesim's exact model; Huffman "
        "decoded from the payload alone (what a saved message holds) and, separately, by the readable "
        "path with and without the encoder's seek table. The readable tANS, rANS and arithmetic "
        "coders are timed on n / 10 symbols and scaled.",
        "",
        markdown(engine, ["case", "path", "peer", "n", "ns/symbol", "peer ns/symbol", "ratio (CPU)",
                          "ratio (wall)"]),
        "",
        markdown(sim_engine, ["coder", "n", "simulate s (kernels)", "simulate s (readable)", "speed-up",
                              "parts s", "simulate / parts"]),
        "",
        markdown([report_row], ["report s (kernels)", "report s (readable)", "speed-up"]),
        "",
        "A fresh process importing codesim and running every kernel once (every coder with one, the "
        "sampler, the tANS chain, the context tree), with an empty numba cache (cold: with the second "
        "process that compiles the kernels ahead, the default, and with CODESIM_COMPILE_AHEAD=0, one "
        "process doing all the work), with the cache it left (warm), and with the readable coders:",
        "",
        markdown([compiling], ["cold s", "cold s, one process", "warm s", "readable s", "warm - readable s", "import numba s",
                               "first calls s"]),
        "",
        "### Where the kernels stand against native coders",
        "",
        "Nanoseconds per symbol here (K = 256, one core) beside published native figures on other "
        "machines (only the order of magnitude compares): huff0's Huffman decoder at about 1.3 GB/s "
        "(0.8 ns a byte) and FSE (tANS) at about 500 MB/s (2 ns a byte), both from "
        "Cyan4973/FiniteStateEntropy.",
        "",
        "| codesim path (K = 256) | ns/symbol | native anchor | ns/symbol |",
        "|---|---|---|---|",
        *[f"| {r['path']} | {r['ns/symbol']:.1f} | {anchor} | {ns} |" for r in engine
          for path, anchor, ns in (("huffman decode, payload alone", "huff0 decode", "0.8"),
                                   ("tans decode", "FSE decode", "2"),
                                   ("tans encode", "FSE encode", "2"))
          if r["case"] == "K=256" and r["path"] == path],
        "",
        "## Speed and size against the peers",
        "",
        markdown(speed, ["case", "coder", "peer", "n", "encode sym/s", "peer encode sym/s", "encode ratio",
                         "decode sym/s", "peer decode sym/s", "decode ratio", "bits/sym", "peer bits/sym",
                         "theory bits/sym", "H(p,q)"]),
        "",
        "`theory bits/sym` is the codesim coder's expected rate under p (H(p, q~) for stream coders, "
        "sum p l for Huffman); `H(p,q)` is the cross-entropy of the case.",
        "",
        "## End to end",
        "",
        markdown(sim, ["coder", "n", "raw encode+decode s", "simulate s", "simulate / raw"]),
        "",
        markdown(latency, ["coder", "n", "ms per call"]),
        "",
        markdown([sweep], ["tasks", "n", "1 process s", "2 processes s", "speed-up",
                           "a pure loop's speed-up (the machine's)"]),
        "",
        (markdown([dask], ["tasks", "n", "1 process s", "Dask 2 workers s", "speed-up", "same rows"])
         if dask else "(Dask sweep skipped: the dask extra is not installed)"),
        "",
        markdown(memory, ["coder", "n", "chunks", "peak over interpreter MiB", "floor MiB", "peak / floor"]),
        "",
        "## More codes (zipf(256, 1.1), q = p; tans and tunstall are pure Python)",
        "",
        markdown(more, ["coder", "options", "n", "encode sym/s", "decode sym/s", "bits/sym", "theory bits/sym"]),
        "",
        "## Where Python stands",
        "",
        "Nanoseconds per symbol, measured here (K = 256, one core), beside published figures of "
        "native coders on other machines (only the order of magnitude compares):",
        "",
        "| coder | encode ns/symbol | decode ns/symbol | source |",
        "|---|---|---|---|",
        *[f"| codesim {r['coder']} (K=256) | {1e9 / r['encode sym/s']:.1f} | {1e9 / r['decode sym/s']:.1f} | this run |"
          for r in speed if r["case"] == "K=256" and r["peer"] != "dahuffman"],
        *[f"| {name} | {1e3 / enc:.1f} | {1e3 / dec:.1f} | {source} |" for name, enc, dec, source in NATIVE],
        "",
    ]
    notes = HERE / "NOTES.md"
    if notes.exists():
        text += [notes.read_text()]
    out = Path(args.out)
    (out / "RESULTS.md").write_text("\n".join(text))
    (out / "results.json").write_text(json.dumps({"machine": machine, "engine": engine,
                                                  "simulate_engine": sim_engine, "report_engine": report_row,
                                                  "compiling": compiling,
                                                  "speed": speed, "simulate": sim,
                                                  "latency": latency, "sweep": sweep, "dask": dask,
                                                  "memory": memory, "more_codes": more,
                                                  "report_seconds": report,
                                                  "targets": [{"target": n, "measured": v, "met": ok}
                                                              for n, v, ok in checks]}, indent=2))
    print("\n".join(text[8:8 + len(checks) + 2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
