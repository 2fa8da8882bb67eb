"""Every bit a user saved stays the same: a fingerprint of codesim's output on fixed inputs.

Moving code, or adding a second implementation of a coder, must not change one bit: the saved
bytes of every coder (with its options), ``simulate``'s ``num_bits`` and ledger, context-coded
messages (fixed, fitted, adaptive and CTW models) and a Markov simulation are hashed here and
compared with ``tests/data/bits_fingerprint.json``, written once from the code as it was.

To rewrite the file (only when a change of the bits is the point, said in the commit):
``CODESIM_WRITE_FINGERPRINT=1 python -m pytest tests/architecture/test_bits_fingerprint.py``.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

import codesim as cs

FILE = Path(__file__).parents[1] / "data" / "bits_fingerprint.json"

#: distributions that exercise the codes: skewed, a zero, a near-zero, a wide alphabet
QS = {
    "zipf5": cs.zipf(5, 1.2),
    "zero": np.array([0.5, 0.0, 0.3, 0.2]),
    "tiny": np.array([0.7, 0.2999999, 1e-7]),
    "dirichlet40": np.random.default_rng(7).dirichlet(np.full(40, 0.5)),
}
#: option sets beyond each coder's defaults
OPTIONS = {
    "huffman": [{"block": 2}, {"max_length": 4}], "shannon": [{"block": 2}], "sfe": [{"block": 2}],
    "fano": [{"block": 2}], "arithmetic": [{"precision": 12}, {"adaptive": "kt"}, {"adaptive": "laplace"}],
    "rans": [{"precision": 16}], "tans": [{"table_log": 8}], "range": [{"precision": 16}],
    "ans": [{"precision": 16}], "tunstall": [{"bits": 10}], "golomb": [{"m": 3}], "rice": [{"k": 1}],
}


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode())
    return h.hexdigest()[:20]


def _ledger(result) -> tuple:
    """num_bits exactly; each ledger term to 1e-9 of the message's bits.  A term is a sum over
    the sample, or the difference of two (the quantisation term: two sums of about num_bits that
    differ by 1e-5), so its last ulps, relative to num_bits, move with the order of a sum and
    with numpy's summation on another machine, never its bits."""
    quantum = 1e-9 * max(1, result.num_bits)
    return (result.num_bits, result.n, result.chunks,
            tuple((k, round(v / quantum)) for k, v in sorted(result.ledger.items())))


def saved_messages() -> dict:
    out = {}
    for qname, q in QS.items():
        x = cs.sample(q, 3000, 11)
        for name in cs.available_coders():
            for options in [{}] + OPTIONS.get(name, []):
                if name == "max_length" and q.size > 16:
                    continue
                label = f"{name}{options}@{qname}"
                try:
                    coder = cs.make_coder(name, q, **options)
                    out[label] = _digest(coder.encode(x).to_bytes())
                except cs.CodesimError as err:           # a documented refusal is part of the fingerprint
                    out[label] = f"refused: {type(err).__name__}"
    return out


def simulations() -> dict:
    out = {}
    p = cs.zipf(6, 1.0)
    q = cs.mixture(p, cs.uniform(6), 0.4)
    for name in cs.available_coders():
        for options in [{}] + OPTIONS.get(name, [])[:1]:
            r = cs.simulate(p, q, name, n=4000, seed=3, **options)
            out[f"simulate {name}{options}"] = _digest(_ledger(r))
    chunked = cs.simulate(p, q, "ans", n=5000, seed=[1, 2], chunk_size=1500)
    out["simulate ans chunked"] = _digest(_ledger(chunked))
    out["compare"] = _digest([_ledger(r) for r in cs.compare(p, q, n=2000, seed=5)])
    rows = cs.sweep(p, cs.simulation.mixture_grid(p, [0.0, 0.5]), ["huffman", "ans"], n=1000, seed=2,
                    workers=1)
    out["sweep"] = _digest([(r["q"], r["coder"], r["num_bits"], r["seed"]) for r in rows])
    return out


def context_messages() -> dict:
    from codesim.models.ctw import CTWModel
    out = {}
    chain = cs.MarkovSource.sticky(3, 0.8)
    order2 = cs.MarkovSource.random(3, 2, seed=4)
    x = order2.sample(3000, 9)
    models = {
        "fixed": cs.FixedContextModel.from_source(order2),
        "fitted": cs.fit_context_model(order2.sample(2000, 1), 2, 3),
        "kt": cs.AdaptiveContextModel(3, order=2),
        "laplace": cs.AdaptiveContextModel(3, order=1, rule="laplace"),
    }
    for mname, model in models.items():
        for coder in ("arithmetic", "range", "ans"):
            try:
                enc = cs.ContextCoder(coder, model).encode(x)
                out[f"context {coder} {mname}"] = _digest(enc.to_bytes())
            except cs.CodesimError as err:
                out[f"context {coder} {mname}"] = f"refused: {type(err).__name__}"
    bits = cs.sample([0.8, 0.2], 2000, 5)
    out["ctw depth 6"] = _digest(cs.ContextCoder("arithmetic", CTWModel(6)).encode(bits).to_bytes())
    for model in ("kt", "fixed"):
        m = cs.AdaptiveContextModel(3, order=1) if model == "kt" else chain
        r = cs.simulate(chain, m, "arithmetic", n=3000, seed=2)
        out[f"simulate markov {model}"] = _digest(_ledger(r))
    return out


def fingerprint() -> dict:
    return {**saved_messages(), **simulations(), **context_messages()}


def test_every_bit_is_as_it_was():
    now = fingerprint()
    if os.environ.get("CODESIM_WRITE_FINGERPRINT"):
        FILE.parent.mkdir(exist_ok=True)
        FILE.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        pytest.skip("fingerprint written")
    before = json.loads(FILE.read_text())
    changed = sorted(k for k in before if now.get(k) != before[k])
    assert not changed, f"{len(changed)} outputs changed, e.g. {changed[:5]}"
    assert sorted(now) == sorted(before)


@pytest.mark.skipif(not cs.backends.numba_installed(), reason="numba (the fast extra) is not installed")
def test_every_saved_byte_is_the_same_with_the_readable_coders_and_the_kernels():
    with cs.using_backend("python"):
        readable = saved_messages()
    with cs.using_backend("numba"):
        compiled = saved_messages()
    assert compiled == readable
