"""``codesim compare``: code one sample from P with coders built for Q."""

from __future__ import annotations

from ..errors import SupportError
from ..measures import cross_entropy, entropy, kl_divergence
from ..simulation import compare
from ..tables import Table, format_table
from ..validate import ruled_out
from ._common import (add_coder_options, add_command, add_distribution_options, add_quiet_option,
                      add_sample_options, add_smooth_option, coder_list, distribution, progress_stream)


def register(subs) -> None:
    sub = add_command(
        subs, "compare", "code a sample from P with coders built for Q",
        "Sample N symbols from P, code them with each coder built for Q, decode, and print "
        "measured bits/symbol beside the theory.",
        "codesim compare --p 0.5,0.25,0.125,0.125 --q uniform:4 --coder huffman -n 10000 --seed 0 --json",
        distributions=True)
    add_distribution_options(sub)
    add_coder_options(sub)
    sub.add_argument("--ledger", action="store_true",
                     help="also print each coder's ledger: the bits of the message split into "
                          "sample entropy, sample divergence, quantisation and coder overhead, "
                          "beside the theory of each")
    add_sample_options(sub, json_help="print JSON (with each ledger) instead of tables")
    add_quiet_option(sub)
    add_smooth_option(sub)
    sub.set_defaults(func=run)


def results_table(results, header: str) -> str:
    rows = [{"coder": r.coder, "measured": r.measured_bits_per_symbol,
             "expected": r.expected_bits_per_symbol, "sample ideal": r.ideal_bits_per_symbol,
             "excess over H(p)": r.excess_over_entropy, "stderr": r.stderr,
             "bits": r.num_bits} for r in results]
    return header + "\n" + format_table(rows)


def theory_line(p, q) -> str:
    """H(p), H(p,q) and D(p||q) of the run (not of a row: a universal code's row has no q)."""
    return (f"theory: H(p) = {entropy(p):.6f}  H(p,q) = {cross_entropy(p, q):.6f}  "
            f"D(p||q) = {kl_divergence(p, q):.6f}  bits/symbol")


def refuse_infinite(p, q) -> None:
    """q rules out a symbol p produces: no code for q describes it (H(p,q) = inf)."""
    found = ruled_out(p, q)
    if found is not None:
        s, named = found
        raise SupportError(f"{named}: no code built for q can describe symbol {s}, "
                           "H(p,q) = D(p||q) = inf", symbol=s)


def run(args) -> int:
    p, q = distribution(args.p, "p"), distribution(args.q, "q", args.smooth)
    refuse_infinite(p, q)
    coders = coder_list(args)
    results = compare(p, q, coders, n=args.n, seed=args.seed, progress=progress_stream(args))
    if args.json:
        print(Table(r.to_dict() for r in results).to_json())
        return 0
    head = (f"{theory_line(p, q)}\n"
            f"measured on n = {args.n} symbols from p (seed {args.seed}); 'expected' is each "
            "coder's theoretical rate under p, 'sample ideal' -log2 q of the sample / n")
    print(results_table(results, head))
    if args.ledger:
        for r in results:
            print(f"\nledger of {r.coder} ({r.num_bits} bits, measured; theory per symbol beside):")
            print(r.ledger_table())
    return 0
