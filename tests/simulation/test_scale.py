"""Scale: any n in chunks of bounded memory, chunks and sweeps on a process pool or a Dask cluster,
with the same bits as one process."""

import json
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import codesim as cs
from tests.helpers import STREAM, limited
from codesim.simulation.check import check_overhead, check_statistical
from codesim.simulation import chunk_seed, measure

#: chunks past memory, process pools and a Dask LocalCluster
pytestmark = pytest.mark.slow

CHILD_MEMORY = 8 << 30        # RLIMIT_AS of each process a test starts (Dask workers inherit it)
CHILD_TIMEOUT = 240


_limit = limited(CHILD_MEMORY)


def run_python(code: str) -> str:
    """Run code in a fresh interpreter, bounded in memory and time; return its stdout."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=CHILD_TIMEOUT, preexec_fn=_limit)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_a_chunked_run_is_the_sum_of_its_chunks_coded_as_messages_of_their_own():
    p, q = cs.zipf(64, 1.1), cs.zipf(64, 1.0)
    m = measure(p, q, "huffman", n=250_000, seed=4, chunk_size=100_000)
    r = m.result
    assert r.chunks == 3 and r.n == 250_000
    x = np.concatenate([cs.sample(p, size, chunk_seed(4, i)) for i, size in enumerate([100_000, 100_000, 50_000])])
    assert r.num_bits == cs.make_coder("huffman", q).code_length(x)      # exactly its chunks
    assert sum(r.ledger.values()) == pytest.approx(r.num_bits, rel=1e-9)


@pytest.mark.parametrize("coder", STREAM)
def test_a_chunked_run_keeps_its_ledger_and_passes_its_verdicts(coder):
    p, q = cs.dirichlet(12, 1.0, 3), cs.smooth(cs.dirichlet(12, 1.0, 4), 0.05)
    m = measure(p, q, coder, n=120_000, seed=2, chunk_size=30_000)
    r = m.result
    assert r.chunks == 4 and sum(r.ledger.values()) == pytest.approx(r.num_bits, rel=1e-9)
    # four flushes: the overhead's theory and range are those of four messages
    one = cs.make_coder(coder, q).overhead(p, 30_000)
    assert m.overhead.mean == pytest.approx(4 * one.mean) and m.overhead.high == pytest.approx(4 * one.high)
    assert check_overhead(m).passed and check_statistical(m).passed


def test_chunks_on_a_process_pool_give_the_same_bits_as_in_process():
    p, q = cs.zipf(32, 1.0), cs.uniform(32)
    local = cs.simulate(p, q, "ans", n=200_000, seed=9, chunk_size=50_000)
    with ProcessPoolExecutor(2) as pool:
        remote = cs.simulate(p, q, "ans", n=200_000, seed=9, chunk_size=50_000, executor=pool)
    assert (remote.num_bits, remote.ledger, remote.chunks) == (local.num_bits, local.ledger, local.chunks)


def test_memory_stays_bounded_by_the_chunk_whatever_n():
    out = run_python("""
        import resource, codesim as cs
        p = cs.zipf(256, 1.1)
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        r = cs.simulate(p, p, "ans", n=30_000_000, seed=0, chunk_size=1_000_000)
        print(r.chunks, base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """)
    chunks, base, peak = map(int, out.split())
    assert chunks == 30
    assert (peak - base) / 1024 < 200          # MiB: one chunk's work, not 30 million symbols'


DASK = """
    import json, numpy as np, codesim as cs
    from distributed import Client, LocalCluster
    strip = lambda rows: [{k: v for k, v in r.items() if not k.endswith("seconds")} for r in rows]
    p = cs.zipf(16, 1.0)
    grid = cs.mixture_grid(p, [0.0, 0.3, 0.6, 1.0])
    local = cs.sweep(p, grid, ["huffman", "ans"], n=3000, seed=5, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            direct = cs.sweep(p, grid, ["huffman", "ans"], n=3000, seed=5, executor=client)
            again = cs.sweep(p, grid, ["huffman", "ans"], n=3000, seed=5, executor=client)
            with client.get_executor() as executor:
                wrapped = cs.sweep(p, grid, ["huffman", "ans"], n=3000, seed=5, executor=executor)
            chunked = cs.simulate(p, p, "ans", n=100_000, seed=3, chunk_size=25_000, executor=client)
    print(json.dumps({
        "direct": strip(direct) == strip(local), "wrapped": strip(wrapped) == strip(local),
        "rerun": [r["encode_seconds"] for r in again] != [r["encode_seconds"] for r in direct],
        "chunked": chunked.num_bits == cs.simulate(p, p, "ans", n=100_000, seed=3, chunk_size=25_000).num_bits,
    }))
"""


def test_a_dask_cluster_runs_sweeps_and_chunks_with_the_same_rows_as_one_process():
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install -e '.[dask]')")
    result = json.loads(run_python(DASK).strip().splitlines()[-1])
    assert result == {"direct": True, "wrapped": True, "rerun": True, "chunked": True}


def test_compare_past_a_chunk_codes_the_same_chunks_with_every_coder(monkeypatch):
    import codesim.simulation.iid as simulation
    monkeypatch.setattr(simulation, "CHUNK", 40_000)
    p, q = cs.zipf(16, 1.0), cs.uniform(16)
    results = cs.compare(p, q, ["huffman", "ans"], n=100_000, seed=2)
    assert [r.chunks for r in results] == [3, 3]
    assert len({r.ledger["sample_entropy"] for r in results}) == 1          # one sample
    assert results[0].num_bits == 4 * 100_000                              # uniform q: 4 bits
