"""Continuous sources: Gaussian p, code built for Gaussian q, samples quantised with bin width delta.

The experiment is codesim.experiments.continuous (``codesim experiment continuous`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/continuous.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("continuous")
