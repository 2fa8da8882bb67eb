"""Decomposition: measured cost minus H(p) against D(p||q) on random (p, q) pairs.

The experiment is codesim.experiments.decomposition (``codesim experiment decomposition`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/decomposition.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("decomposition")
