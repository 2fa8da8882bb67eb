"""``codesim demo``: the main job, English letters coded with right and wrong codebooks."""

from __future__ import annotations

import json
import textwrap

from ..coders import DEFAULT_CODERS
from ..simulation import compare
from ..simulation.result import EXPECTED_NOTE
from ._common import add_command, add_sample_options, distribution
from .compare import results_table, theory_line

CODEBOOKS = (
    ("english", "the right codebook: English letter frequencies themselves"),
    ("python", "a wrong codebook: letter frequencies of Python source code"),
    ("uniform:27", "a wrong codebook: the 26 letters and the space equally likely"),
)


def register(subs) -> None:
    sub = add_command(
        subs, "demo", "the main job: English letters coded with right and wrong codebooks",
        "Sample letters from the letter frequencies of English prose (the Python Language "
        "Reference that ships with Python) and code them with each code built for three "
        "codebooks: English itself (cost H(p)), the letter frequencies of Python source code, "
        "and uniform letters. The surcharge over H(p) is D(p||q).",
        "codesim demo -n 100000 --seed 1")
    add_sample_options(sub)
    sub.set_defaults(func=run)


def run(args) -> int:
    p = distribution("english", "p")
    out = []
    if not args.json:
        print("p = letter frequencies (a..z, space) of English prose: the Python Language Reference "
              "shipped with Python (pydoc_data.topics)")
        print(f"n = {args.n} letters sampled from p with seed {args.seed}; each code built for q encodes "
              "and decodes them\n")
    for spec, what in CODEBOOKS:
        q = distribution(spec, "q")
        results = compare(p, q, list(DEFAULT_CODERS), n=args.n, seed=args.seed)
        out += [dict(r.to_dict(), codebook=spec) for r in results]
        if not args.json:
            print(results_table(results, f"q = {spec}: {what}\n{theory_line(p, q)}"))
            print()
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(textwrap.fill(EXPECTED_NOTE, 100))
    return 0
