"""``codesim check``: regression-check measured code lengths against theory (for CI)."""

from __future__ import annotations

import textwrap
from xml.etree import ElementTree

from ..files import atomic_write, check_writable
from ..simulation.check import run_spec
from ..tables import Table, format_table
from ._common import add_command, whole_number

WIDTH = 100


def register(subs) -> None:
    sub = add_command(
        subs, "check", "regression-check measured code lengths against theory (for CI)",
        "Run the cases of a TOML spec and check measured code lengths against theory: exact "
        "(prefix code lengths), bound (the coder's theorem), statistical (z * sd from a "
        "false-alarm rate), overhead (the coder's own bits beyond the information content, in "
        "its tight range), baseline (stored num_bits). Exit 0 if all pass, 1 if any fails, 2 "
        "for a bad spec.",
        "codesim check experiments/regression.toml\n"
        "  codesim check experiments/regression.toml --update-baseline")
    sub.add_argument("spec", help="the TOML spec file")
    sub.add_argument("-n", "--n", dest="n", type=whole_number(1), default=None, metavar="N",
                     help="code N symbols in every case instead of the case's own n (the baseline "
                          "checks, which hold the bits of the spec's own samples, are then left "
                          "out; default: each case's own)")
    sub.add_argument("--seed", type=whole_number(0), default=None,
                     help="draw every case's sample with this seed instead of the case's own (the "
                          "baseline checks are then left out; default: each case's own)")
    sub.add_argument("--json", action="store_true", help="print the rows as JSON")
    sub.add_argument("--update-baseline", action="store_true",
                     help="rewrite the baseline file with this run's num_bits (on purpose)")
    sub.add_argument("--junit-xml", metavar="FILE",
                     help="also write the verdicts as JUnit XML (one testcase per case, coder and "
                          "check; a failed verdict is a failure with measured, theory and bound), "
                          "which CI systems (GitHub Actions, GitLab, Jenkins) show as tests; "
                          "default: not written")
    sub.set_defaults(func=run)


def verdict_table(rows: list[dict]) -> str:
    """One block per case: coder, check, verdict, measured and theory in the unit named."""
    out = []
    for case in dict.fromkeys(r["case"] for r in rows):
        mine = [{"coder": r["coder"], "check": r["check"], "verdict": r["verdict"],
                 "measured": r["measured"], "theory": r["theory"], "unit": r["unit"]}
                for r in rows if r["case"] == case]
        out.append(f"case {case}")
        out.append("\n".join("  " + line[:WIDTH - 2] for line in format_table(mine).splitlines()))
    return "\n".join(out)


def junit_xml(rows: list[dict], spec: str) -> str:
    """The verdicts as JUnit XML: a testsuite of the spec, a testcase per (case, coder, check)
    named ``coder / check`` in class ``case``, a failure where the verdict failed."""
    suite = ElementTree.Element("testsuite", name=f"codesim check {spec}", tests=str(len(rows)),
                                failures=str(sum(not r["passed"] for r in rows)), errors="0")
    for r in rows:
        case = ElementTree.SubElement(suite, "testcase", classname=str(r["case"]),
                                      name=f"{r['coder']} / {r['check']}", time="0")
        detail = (f"measured {r['measured']:.9g}, theory {r['theory']:.9g} {r['unit']}, "
                  f"bound {r['bound']}")
        if not r["passed"]:
            ElementTree.SubElement(case, "failure", message=detail).text = detail
        else:
            ElementTree.SubElement(case, "system-out").text = detail
    root = ElementTree.Element("testsuites")
    root.append(suite)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def run(args) -> int:
    report = check_writable(args.junit_xml) if args.junit_xml else None   # before any work
    rows = run_spec(args.spec, update_baseline=args.update_baseline, n=args.n, seed=args.seed)
    failed = [r for r in rows if not r["passed"]]
    if report is not None:
        atomic_write(report, junit_xml(rows, args.spec))
    if args.json:
        print(Table(rows).to_json())
        return 1 if failed else 0
    print(verdict_table(rows))
    print("\nmeasured: this run's real encoded bits; theory: what the coder's theorem predicts")
    if args.n is not None or args.seed is not None:
        print("baseline checks left out: they hold the bits of the spec's own n and seed")
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    for r in failed:
        print(textwrap.fill(f"FAIL {r['case']} / {r['coder']} / {r['check']}: measured "
                            f"{r['measured']:.9g}, theory {r['theory']:.9g} {r['unit']}, bound "
                            f"{r['bound']}", WIDTH, subsequent_indent="     "))
    return 1 if failed else 0
