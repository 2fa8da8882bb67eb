"""Adaptive models: Laplace and Krichevsky-Trofimov counts against a fixed wrong q.

The experiment is codesim.experiments.adaptive (``codesim experiment adaptive`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/adaptive.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("adaptive")
