"""Support mismatch: q rules out a symbol that p produces.

The experiment is codesim.experiments.support_mismatch (``codesim experiment support_mismatch`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/support_mismatch.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("support_mismatch")
