r"""Regression checks: measured code lengths against theory, with stated bounds and verdicts.

A spec file (TOML) lists cases; each case runs coders on a sample from p, built for q, and
applies checks:

``exact``
    prefix codes only: ``num_bits`` equals the sum of the code lengths over the sample.
``bound``
    the coder's theorem-level bound:
    a prefix code designed for q: its code is the theorem's (Shannon l = ceil(-log2 q), so
    H(p,q) <= E_p[l] < H(p,q) + 1/k for blocks of k, Cover & Thomas Thm 5.4.3; SFE one bit
    more; Huffman optimal for q, E_q[l] minimal with Kraft sum 1; Fano complete within 2 bits
    of H(q)), *and* the run's measured bits lie within z sd of what that code costs on n
    symbols from p (z as below), so a code one bit longer for one symbol fails;
    stream   code_length - below <= num_bits <= code_length + above, the coder's documented
             overhead around the sample's information content under the model it uses.
``statistical``
    |measured - expected| <= z * stderr + above / n, where z = Phi^-1(1 - alpha/2) for the
    false-alarm rate alpha (``false_alarm``, default 1e-3) and ``above`` the coder's stated
    overhead in bits; stderr = sqrt(Var_p[cost of one symbol] / n).  No fudge factor.
``baseline``
    ``num_bits`` equals the value stored in the baseline JSON (``--update-baseline`` rewrites
    it on purpose), so that a change that moves a single bit is caught.

Spec format::

    baseline = "regression.baseline.json"     # optional, relative to the spec file
    false_alarm = 1e-3                        # optional

    [[case]]
    name = "dyadic-p-uniform-q"
    p = "0.5,0.25,0.125,0.125"                # or a list of numbers, a family, a file
    q = "uniform:4"
    coders = ["huffman", { name = "shannon", block = 2 }]
    n = 10000
    seed = 0
    checks = ["exact", "bound", "statistical", "baseline"]
"""

from __future__ import annotations

import json
import math
import os
import tomllib

import numpy as np
from dataclasses import asdict, dataclass, replace
from statistics import NormalDist

from ..coders import DESIGNED_PREFIX_CODERS, PREFIX_CODERS, available_coders, make_coder
from ..coders.huffman import huffman_code_lengths, length_limited_code_lengths
from ..coders.prefix import block_distribution
from ..coders.shannon import shannon_code_lengths
from ..errors import CodesimError, OptionError, SpecError
from ..limits import MAX_SYMBOLS
from ..measures import entropy
from ..files import atomic_write
from ..sources.notation import parse_distribution
from ..validate import checked_pmf, is_whole, ruled_out, sample_size
from .iid import coded_samples, measure

__all__ = ["CheckOutcome", "check_exact", "check_bound", "check_statistical", "check_overhead",
           "cost_skewness", "count_false_alarms", "statistical_window", "overhead_inside", "z_for",
           "load_spec", "run_spec", "CHECKS"]

CHECKS = ("exact", "bound", "statistical", "overhead", "baseline")
#: Cochran's rule: the normal approximation to a mean of n costs needs n > COCHRAN * skewness**2
COCHRAN = 25
DEFAULT_FALSE_ALARM = 1e-3


@dataclass(frozen=True)
class CheckOutcome:
    """The verdict of one check: measured figure, theoretical figure, and the bound applied."""

    check: str
    passed: bool
    measured: float
    theory: float
    bound: str
    unit: str = "bits"

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def explain(self) -> str:
        return (f"{self.check}: {self.verdict}: measured {self.measured:.9g}, theory "
                f"{self.theory:.9g}, bound {self.bound}")


def z_for(false_alarm: float) -> float:
    """Two-sided normal quantile: P(|Z| > z) = false_alarm.

    >>> round(z_for(0.05), 4)
    1.96
    """
    if not 0 < false_alarm < 1:
        raise SpecError(f"false_alarm must be in (0, 1), got {false_alarm!r}")
    return NormalDist().inv_cdf(1 - false_alarm / 2)


def check_exact(measurement) -> CheckOutcome:
    """A prefix code's num_bits equals the sum of its code lengths over the sample."""
    r = measurement.result
    if r.coder not in PREFIX_CODERS:
        raise SpecError(f"check 'exact' applies to prefix codes ({', '.join(PREFIX_CODERS)}), "
                        f"not to {r.coder!r}: use 'bound'")
    return CheckOutcome("exact", r.num_bits == measurement.code_length, r.num_bits,
                        measurement.code_length, "num_bits == sum of code lengths", "bits")


def check_bound(measurement, p, q, false_alarm: float = DEFAULT_FALSE_ALARM) -> CheckOutcome:
    """The theorem-level bound of the measured coder (see the module docstring).

    A prefix code designed for q passes when its code is the theorem's code and the run's real
    bits lie within z standard deviations of what the theorem's code costs on n symbols from p;
    a code one bit longer for one symbol fails either way.  Stream coders: the run's bits lie
    within the coder's documented slack of the sample's information content.
    """
    r = measurement.result
    if r.coder in DESIGNED_PREFIX_CODERS:
        return _prefix_bound(measurement, checked_pmf(p, "p"), false_alarm)
    low = measurement.code_length - measurement.bound_below
    high = measurement.code_length + measurement.bound_above
    return CheckOutcome("bound", low - 1e-6 <= r.num_bits <= high + 1e-6, r.num_bits,
                        measurement.code_length,
                        f"information content -{measurement.bound_below:.3g} / "
                        f"+{measurement.bound_above:.3g} bits", "bits")


def _theorem_code(coder, qk: np.ndarray) -> tuple[bool, np.ndarray, str]:
    """Whether the coder's code (its block code, if any) is the one its theorem builds for q^k,
    the lengths that theorem gives, and the theorem's words."""
    code = coder.block_code or coder.code
    lengths = code.lengths
    on = qk > 0
    k = coder.block
    h_q = entropy(qk)
    if coder.name in ("shannon", "sfe"):
        theorem = shannon_code_lengths(qk) + (1 if coder.name == "sfe" else 0)
        words = ("l = ceil(-log2 q)" if coder.name == "shannon" else "l = ceil(-log2 q) + 1")
        return bool(np.array_equal(lengths[on], theorem[on])), theorem, words
    if coder.name == "huffman":
        limit = coder.max_length
        optimal = length_limited_code_lengths(qk, limit) if limit else huffman_code_lengths(qk)
        same = abs(float(qk[on] @ lengths[on]) - float(qk[on] @ optimal[on])) <= 1e-9 * max(h_q, 1)
        words = "E_q[l] optimal" + (f" among codes of at most {limit} bits" if limit else "")
        return same and code.kraft_sum() == 1, lengths, words       # ties: the coder's optimal code
    # Fano: a complete code within two bits of H(q) per block
    ok = code.kraft_sum() == 1 and float(qk[on] @ lengths[on]) < h_q + 2
    return ok, lengths, f"Kraft sum 1 and E_q[l] < H(q) + 2 per {k}-block"


def _prefix_bound(measurement, p: np.ndarray, false_alarm: float) -> CheckOutcome:
    r, coder = measurement.result, measurement.coder
    k = coder.block
    qk = block_distribution(coder.q, k) if k > 1 else coder.q
    pk = block_distribution(p, k) if k > 1 else p
    same, theorem, words = _theorem_code(coder, qk)
    blocks, tail = divmod(r.n, k)
    single = coder.code.lengths if k > 1 else theorem                # the tail's per-symbol code
    on_k, on_1 = pk > 0, p > 0
    mean = blocks * float(pk[on_k] @ theorem[on_k]) + tail * float(p[on_1] @ single[on_1])
    variance = (blocks * float(pk[on_k] @ theorem[on_k] ** 2 - (pk[on_k] @ theorem[on_k]) ** 2)
                + tail * float(p[on_1] @ single[on_1] ** 2 - (p[on_1] @ single[on_1]) ** 2))
    z = z_for(false_alarm)
    tolerance = z * math.sqrt(max(variance, 0.0)) + 1e-9 * max(mean, 1.0)
    passed = same and abs(r.num_bits - mean) <= tolerance
    size = r.n or math.nan
    return CheckOutcome(
        "bound", passed, r.measured_bits_per_symbol, mean / size,
        f"{words}{'' if same else ' (NOT SO)'}; measured within {tolerance / size:.3g} "
        f"(z = {z:.3f}) of that code's E_p[l]", "bits/symbol")


def cost_skewness(coder, p) -> tuple[float, int]:
    """Skewness of the cost of one coding unit under p, and the symbols per unit
    (:meth:`~codesim.coders.Coder.cost_distribution`; 0 where the coder gives none)."""
    shape = coder.cost_distribution(p)
    if shape is None:
        return 0.0, 1
    probs, costs, unit = shape
    on = probs > 0
    mean = float(np.dot(probs[on], costs[on]))
    var = float(np.dot(probs[on], (costs[on] - mean) ** 2))
    if var <= 1e-24 * max(mean * mean, 1.0):
        return 0.0, unit
    return float(np.dot(probs[on], (costs[on] - mean) ** 3)) / var ** 1.5, unit


def check_statistical(measurement, false_alarm: float = DEFAULT_FALSE_ALARM) -> CheckOutcome:
    """|num_bits - E| <= z sd + allowance (see the module docstring), in bits per symbol.

    Raises OptionError when n is too small for the normal approximation (Cochran's rule).
    """
    r = measurement.result
    expected, tolerance, z, sd = statistical_window(measurement, false_alarm)
    return CheckOutcome("statistical", abs(r.num_bits - expected) <= tolerance,
                        r.measured_bits_per_symbol, expected / r.n,
                        f"+/- {tolerance / r.n:.3g} (z = {z:.3f} for false alarm {false_alarm:g}, "
                        f"sd {sd / r.n:.3g}, expected overhead "
                        f"{measurement.overhead.mean / r.n:.3g})",
                        "bits/symbol")


def statistical_window(measurement, false_alarm: float) -> tuple[float, float, float, float]:
    """(E, tolerance, z, sd) of the statistical verdict, in bits: the run passes when
    |num_bits - E| <= tolerance = z sd + allowance.  Theory alone: it depends on the coder, p
    and n, not on the sample drawn."""
    r, ovh = measurement.result, measurement.overhead
    if r.n == 0:
        raise OptionError("a statistical check needs a sample: n is 0")
    if math.isnan(r.expected_bits_per_symbol):
        raise OptionError(f"{r.coder} is a universal code: no finite-n theory of its rate to "
                          "check against (the bound verdict checks its exact code length)")
    skew, unit = cost_skewness(measurement.coder, measurement.p)
    needed = COCHRAN * skew * skew * unit
    if r.n <= needed:
        raise OptionError(
            f"{r.coder}: the cost per symbol is skewed (skewness {skew:.3g}), so a normal "
            f"interval needs n > {math.floor(needed)} symbols (Cochran's rule n > 25 g^2); "
            f"got n = {r.n}")
    z = z_for(false_alarm)
    expected = r.n * r.expected_bits_per_symbol            # the overhead's mean included
    sd = r.stderr * r.n                                    # and its spread
    return expected, z * sd + ovh.allowance + 1e-9 * max(expected, 1.0), z, sd


def count_false_alarms(p, q, coder: str, n: int, seeds, false_alarms=(0.05, 0.01),
                       **coder_options) -> np.ndarray:
    """Run an honest coder on one sample per seed; which verdicts fail it, seed by seed.

    Returns a bool array of shape (len(seeds), len(false_alarms) + 1): the statistical verdict
    at each false-alarm rate, then the overhead verdict.  Over many seeds the columns' means
    are the observed false-alarm rates (the ``calibration`` experiment tabulates them).

    Every seed's sample is drawn, encoded and decoded as :func:`measure` does; what the
    verdicts hold its bits against (the expected bits, their sd, the overhead's range) is
    theory of (coder, p, n) alone, so it is worked out once, from the first seed's
    measurement: the same verdicts as :func:`check_statistical` and :func:`check_overhead`
    on each seed's measurement, without building one per seed.
    """
    built = make_coder(coder, q, **coder_options)
    seeds = [int(seed) for seed in seeds]
    rows = np.zeros((len(seeds), len(false_alarms) + 1), dtype=bool)
    if not seeds:
        return rows
    first = measure(p, q, built, n, seeds[0])
    windows = [statistical_window(first, a) for a in false_alarms]
    p, q, n = first.p, checked_pmf(q, "q"), first.result.n

    def verdicts(num_bits, code_length):
        return [abs(num_bits - expected) > tolerance for expected, tolerance, _, _ in windows] + \
            [not overhead_inside(first.overhead, num_bits - code_length)]

    rows[0] = verdicts(first.result.num_bits, first.code_length)
    for row, pieces in zip(rows[1:], coded_samples(built, p, q, n, seeds[1:])):
        row[:] = verdicts(sum(piece.num_bits for piece in pieces),
                          sum(piece.code_length for piece in pieces))
    return rows


def check_overhead(measurement) -> CheckOutcome:
    """This sample's coder_overhead (bits) inside the coder's tight range."""
    r, ovh = measurement.result, measurement.overhead
    measured = r.ledger["coder_overhead"]
    return CheckOutcome("overhead", overhead_inside(ovh, measured), measured,
                        ovh.mean, f"in [{ovh.low:.4g}, {ovh.high:.4g}] bits", "bits")


def overhead_inside(ovh, bits: float) -> bool:
    """Whether a run's coder_overhead (bits) lies in the coder's range [low, high]."""
    return ovh.low - 1e-6 <= bits <= ovh.high + 1e-6


# --- spec files ------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    p: object
    q: object
    coders: list
    n: int
    seed: int
    checks: list


def _spec_error(path, case, key, message) -> SpecError:
    where = f"{path}" + (f", case {case!r}" if case else "") + (f", key {key!r}" if key else "")
    return SpecError(f"{where}: {message}")


def _distribution(value, path, case, key):
    try:
        if isinstance(value, str):
            if value.endswith((".json", ".npy")) and not os.path.isabs(value):
                value = os.path.join(os.path.dirname(os.path.abspath(path)), value)
            return parse_distribution(value, key)
        if isinstance(value, list):
            return checked_pmf(value, key)
    except CodesimError as err:
        raise _spec_error(path, case, key, str(err)) from None
    raise _spec_error(path, case, key, f"must be a string or a list of numbers, got {value!r}")


def _require_codable(p, q, path, case) -> None:
    """A spec error, before any work, when p and q differ in size or q rules out a symbol of p."""
    if p.size != q.size:
        raise _spec_error(path, case, "q", f"has {q.size} entries but p has {p.size}: they must "
                          "be over the same alphabet")
    found = ruled_out(p, q)
    if found is not None:
        s, named = found
        raise _spec_error(path, case, "q", f"{named}: no code built for q can describe symbol "
                          f"{s} (the cross-entropy is infinite)")


def _coders(value, path, case):
    if not isinstance(value, list) or not value:
        raise _spec_error(path, case, "coders", "must be a non-empty list")
    out = []
    for item in value:
        if isinstance(item, str):
            name, opts = item, {}
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            opts = {k: v for k, v in item.items() if k != "name"}
            name = item["name"]
        else:
            raise _spec_error(path, case, "coders", f"each coder is a name or a table with "
                              f"'name', got {item!r}")
        if name not in available_coders():
            raise _spec_error(path, case, "coders", f"unknown coder {name!r}; available: "
                              f"{', '.join(available_coders())}")
        out.append((name, opts))
    return out


def load_spec(path: str) -> tuple[dict, list[Case]]:
    """Read and validate a spec file; SpecError names the file, the case and the key."""
    try:
        with open(path, "rb") as fh:
            raw_bytes = fh.read()
    except FileNotFoundError:
        raise SpecError(f"{path}: no such spec file") from None
    except IsADirectoryError:
        raise SpecError(f"{path}: a folder, not a spec file") from None
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise SpecError(f"{path}: not UTF-8 text (byte {err.start}): a spec is a TOML file") from None
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{path}: not valid TOML: {err}") from None
    known = {"case", "baseline", "false_alarm"}
    for key in data:
        if key not in known:
            raise _spec_error(path, None, key, f"unknown top-level key; known: {', '.join(sorted(known))}")
    settings = {"false_alarm": data.get("false_alarm", DEFAULT_FALSE_ALARM),
                "baseline": data.get("baseline")}
    if (not isinstance(settings["false_alarm"], (int, float)) or isinstance(settings["false_alarm"], bool)
            or not 0 < settings["false_alarm"] < 1):
        raise _spec_error(path, None, "false_alarm", "must be a number in (0, 1)")
    if settings["baseline"] is not None and not (isinstance(settings["baseline"], str) and settings["baseline"]):
        raise _spec_error(path, None, "baseline", f"must be a file name (a string), got {settings['baseline']!r}")
    raw_cases = data.get("case")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise _spec_error(path, None, "case", "the spec needs at least one [[case]]")
    cases, names = [], set()
    for i, raw in enumerate(raw_cases):
        if not isinstance(raw, dict):
            raise _spec_error(path, f"case{i}", None, f"each case is a table ([[case]] with keys), "
                              f"got {raw!r:.40}")
        name = raw.get("name", f"case{i}")
        if not isinstance(name, str) or not name:
            raise _spec_error(path, f"case{i}", "name", f"must be a non-empty string, got {name!r:.40}")
        if name in names:
            raise _spec_error(path, name, "name", "two cases have this name")
        names.add(name)
        allowed = {"name", "p", "q", "coders", "n", "seed", "checks"}
        for key in raw:
            if key not in allowed:
                raise _spec_error(path, name, key, f"unknown key; a case has {', '.join(sorted(allowed))}")
        for key in ("p", "q", "coders"):
            if key not in raw:
                raise _spec_error(path, name, key, "missing")
        n, seed = raw.get("n", 10_000), raw.get("seed", 0)
        for key, v, least in (("n", n, 1), ("seed", seed, 0)):
            if not is_whole(v, least):
                kind = "a positive integer (a check needs a sample)" if least else "a non-negative integer"
                raise _spec_error(path, name, key, f"must be {kind}, got {v!r}")
        if n > MAX_SYMBOLS:
            raise _spec_error(path, name, "n", f"{n} symbols is more than the 10**12 one run codes "
                              "(about a day at 10**7 symbols per second)")
        checks = raw.get("checks", ["bound", "statistical"])
        if not isinstance(checks, list) or any(c not in CHECKS for c in checks):
            raise _spec_error(path, name, "checks", f"must be a list of {', '.join(CHECKS)}; got {checks!r}")
        if not checks:
            raise _spec_error(path, name, "checks", "is empty: a case that checks nothing would pass "
                              "whatever the coders do; name at least one of " + ", ".join(CHECKS))
        if "baseline" in checks and not settings["baseline"]:
            raise _spec_error(path, name, "checks", "'baseline' needs a top-level baseline = FILE")
        p = _distribution(raw["p"], path, name, "p")
        q = _distribution(raw["q"], path, name, "q")
        _require_codable(p, q, path, name)
        cases.append(Case(name, p, q, _coders(raw["coders"], path, name), n, seed, checks))
    return settings, cases


def _coder_key(name: str, opts: dict) -> str:
    return name + "".join(f",{k}={v}" for k, v in sorted(opts.items()))


def run_spec(path: str, update_baseline: bool = False, n: int | None = None,
             seed: int | None = None) -> list[dict]:
    """Run every case of a spec; one row per (case, coder, check).

    ``n`` and ``seed``, when given, replace every case's own: the baseline checks, which hold
    the bits of the spec's own samples, are then left out (and cannot be updated)."""
    settings, cases = load_spec(path)
    if n is not None or seed is not None:
        if update_baseline:
            raise OptionError("a baseline holds the bits of the spec's own n and seed: update it "
                              "without -n and --seed")
        cases = [replace(case, n=case.n if n is None else sample_size(n),
                         seed=case.seed if seed is None else int(seed),
                         checks=[c for c in case.checks if c != "baseline"]) for case in cases]
    baseline_path = None
    baseline = {}
    if settings["baseline"]:
        baseline_path = os.path.join(os.path.dirname(os.path.abspath(path)), settings["baseline"])
        if os.path.exists(baseline_path) and not update_baseline:
            baseline = _read_baseline(baseline_path)
    new_baseline, rows = {}, []
    for case in cases:
        for name, opts in case.coders:
            key = _coder_key(name, opts)
            try:
                m = measure(case.p, case.q, name, case.n, case.seed, **opts)
            except CodesimError as err:
                raise _spec_error(path, case.name, "coders", f"{key}: {err}") from None
            new_baseline.setdefault(case.name, {})[key] = m.result.num_bits
            for check in case.checks:
                if check == "exact":
                    try:
                        outcome = check_exact(m)
                    except SpecError as err:
                        raise _spec_error(path, case.name, "checks", str(err)) from None
                elif check == "bound":
                    outcome = check_bound(m, case.p, case.q, settings["false_alarm"])
                elif check == "statistical":
                    try:
                        outcome = check_statistical(m, settings["false_alarm"])
                    except OptionError as err:
                        raise _spec_error(path, case.name, "n", str(err)) from None
                elif check == "overhead":
                    outcome = check_overhead(m)
                else:
                    stored = baseline.get(case.name, {}).get(key)
                    if update_baseline:
                        stored = m.result.num_bits
                    outcome = CheckOutcome(
                        "baseline", stored == m.result.num_bits, m.result.num_bits,
                        math.nan if stored is None else stored,
                        "num_bits == stored baseline" if stored is not None
                        else "no stored baseline: run with --update-baseline")
                rows.append({"case": case.name, "coder": key, **asdict(outcome),
                             "verdict": outcome.verdict})
    if update_baseline and baseline_path:
        atomic_write(baseline_path, json.dumps(new_baseline, indent=2, sort_keys=True) + "\n")
    return rows


def _read_baseline(path: str) -> dict:
    """The stored baseline: {case: {coder: num_bits}}; SpecError naming what is malformed."""
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except (ValueError, OSError) as err:
        raise SpecError(f"{path}: not a readable JSON baseline: {err}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a baseline is a JSON object {{case: {{coder: num_bits}}}}, "
                        f"got a {type(data).__name__}")
    for case, coders in data.items():
        if not isinstance(coders, dict) or not all(
                is_whole(v) for v in coders.values()):
            raise SpecError(f"{path}: case {case!r} must map coder names to whole numbers of "
                            f"bits, got {coders!r:.60}")
    return data
