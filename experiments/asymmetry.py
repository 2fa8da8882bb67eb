"""Asymmetry: H(p,q) against H(q,p), both measured.

The experiment is codesim.experiments.asymmetry (``codesim experiment asymmetry`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/asymmetry.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("asymmetry")
