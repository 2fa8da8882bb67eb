"""Every public entry point, fed wrong types and extreme values (bools, negatives, huge ints,
NaN, inf, None, strings, nested lists, objects), raises only codesim's own errors, in bounded
time (an alarm of 5 s a call) and memory (a budget of 256 MiB)."""

import math
import signal

import pytest

import codesim as cs
from codesim.present import views

BAD = [True, -1, 0, 10**30, math.nan, math.inf, None, "x", [[1]], [], {}, object(), 1.5, [0.5, "a"]]

p = [0.5, 0.25, 0.25]
chain = cs.MarkovSource.sticky(3, 0.8)
coder = cs.make_coder("huffman", p)
ans = cs.make_coder("ans", p)
enc = ans.encode([0, 1, 2])
ctx = cs.ContextCoder("arithmetic", cs.AdaptiveContextModel(3, 1))
CALLS = {
 "entropy": (cs.entropy, [p], {}),
 "cross_entropy": (cs.cross_entropy, [p, p], {}),
 "kl_divergence": (cs.kl_divergence, [p, p], {}),
 "make_coder": (cs.make_coder, ["arithmetic", p], {"adaptive": "kt", "precision": 12}),
 "make_coder huffman": (cs.make_coder, ["huffman", p], {"block": 2, "max_length": 4}),
 "make_coder tans": (cs.make_coder, ["tans", p], {"table_log": 5}),
 "make_coder tunstall": (cs.make_coder, ["tunstall", p], {"bits": 4}),
 "make_coder golomb": (cs.make_coder, ["golomb", p], {"m": 2}),
 "simulate": (cs.simulate, [p, p, "ans", 100, 0], {}),
 "simulate source": (cs.simulate, [chain, chain, "arithmetic", 100, 0], {}),
 "compare": (cs.compare, [p, p, ["huffman"], 100, 0], {}),
 "sweep": (cs.sweep, [p, [p], ["huffman"], 100, 0], {"workers": 1}),
 "mixture_grid": (cs.mixture_grid, [p, [0.5]], {}),
 "measure_divergence": (cs.measure_divergence, [p, [0.4, 0.3, 0.3], "ans", 100, 0], {}),
 "sample": (cs.sample, [p, 10, 0], {}),
 "zipf": (cs.zipf, [5, 1.0], {}),
 "geometric": (cs.geometric, [5, 0.5], {}),
 "dirichlet": (cs.dirichlet, [3], {"alpha": 1.0}),
 "mixture": (cs.mixture, [p, p, 0.5], {}),
 "smooth": (cs.smooth, [p, 0.1], {}),
 "quantize": (cs.quantize, [p, 12], {}),
 "normalize": (cs.normalize, [[1, 2, 3]], {}),
 "MarkovSource": (cs.MarkovSource, [[[0.5, 0.5], [0.2, 0.8]]], {}),
 "MarkovSource.sticky": (cs.MarkovSource.sticky, [3, 0.8], {}),
 "MarkovSource.random": (cs.MarkovSource.random, [3, 1], {"alpha": 1.0, "seed": 0}),
 "chain.sample": (chain.sample, [10, 0], {}),
 "chain.windows": (chain.windows, [1], {}),
 "chain.cross_entropy_rate": (chain.cross_entropy_rate, [[0.2, 0.3, 0.5]], {}),
 "chain.cost_moments": (chain.cost_moments, [[0.2, 0.3, 0.5]], {}),
 "AdaptiveContextModel": (cs.AdaptiveContextModel, [3, 1], {"rule": "kt"}),
 "FixedContextModel": (cs.FixedContextModel, [[[0.5, 0.5], [0.2, 0.8]]], {}),
 "fit_context_model": (cs.fit_context_model, [[0, 1, 0], 1, 2], {"alpha": 0.5}),
 "ContextCoder": (cs.ContextCoder, ["arithmetic", cs.AdaptiveContextModel(3, 1)], {"precision": 20}),
 "ctx.encode": (ctx.encode, [[0, 1, 2]], {}),
 "ctx.decode": (ctx.decode, [ctx.encode([0, 1, 2])], {}),
 "coder.encode": (coder.encode, [[0, 1, 2]], {}),
 "coder.decode": (coder.decode, [coder.encode([0, 1])], {}),
 "ans.decode": (ans.decode, [enc], {}),
 "coder.overhead": (ans.overhead, [p, 10], {}),
 "per-position overhead": (cs.make_coder("range", [p, p]).overhead, [p, 2], {}),
 "coder.expected_bits_per_symbol": (ans.expected_bits_per_symbol, [p, 10], {}),
 "coder.bits_variance": (ans.bits_variance, [p, 10], {}),
 "coder.code_length": (ans.code_length, [[0, 1]], {}),
 "coder.length_bounds": (ans.length_bounds, [10], {}),
 "coder.codebook": (coder.codebook, [p], {"limit": 3}),
 "Encoded.from_bytes": (cs.Encoded.from_bytes, [enc.to_bytes()], {}),
 "views.code_tree": (views.code_tree, [coder, p], {}),
 "views.wrong_codebook": (views.wrong_codebook, [p, [0.4, 0.3, 0.3]], {"labels": ["a", "b", "c"]}),
 "views.typical_set": (views.typical_set, [p, [0.4, 0.3, 0.3]], {"ns": (10, 20), "sequences": 50, "seed": 0}),
 "views.arithmetic_steps": (views.arithmetic_steps, [cs.make_coder("arithmetic", p), [0, 1]], {}),
}



class Hang(Exception):
    pass


def _alarm(*_):
    raise Hang()


@pytest.fixture
def bounded(monkeypatch):
    monkeypatch.setenv("CODESIM_MEMORY", "256M")
    previous = signal.signal(signal.SIGALRM, _alarm)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", list(CALLS))
def test_an_entry_point_given_a_bad_argument_raises_only_codesims_errors(name, bounded):
    fn, args, kwargs = CALLS[name]
    leaks = []
    for slot in [("arg", i) for i in range(len(args))] + [("kw", k) for k in kwargs]:
        for bad in BAD:
            a, kw = list(args), dict(kwargs)
            if slot[0] == "arg":
                a[slot[1]] = bad
            else:
                kw[slot[1]] = bad
            signal.alarm(5)
            try:
                fn(*a, **kw)
            except cs.CodesimError:
                pass
            except Hang:
                leaks.append((slot, repr(bad)[:20], "no answer in 5 s"))
            except Exception as err:                        # noqa: BLE001 - the point
                leaks.append((slot, repr(bad)[:20], f"{type(err).__name__}: {err}"[:90]))
            finally:
                signal.alarm(0)
    assert not leaks, leaks


@pytest.mark.parametrize("call", [
    lambda: cs.simulate(cs.MarkovSource.sticky(3, 0.8), [0.2, 0.3, 0.5], "arithmetic", n=100, block=2),
    lambda: cs.simulate([0.5, 0.5], [0.5, 0.5], "ans", n=100, chunk_size=10, executor=object()),
    lambda: cs.sweep([0.5, 0.5], [[0.5, 0.5]], ["ans"], n=10, executor=3),
])
def test_an_option_that_does_not_apply_or_an_executor_that_is_not_one_is_named(call):
    with pytest.raises(cs.OptionError):
        call()
