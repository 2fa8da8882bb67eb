"""Minimised by the truth: cost of codes for q_theta = p**theta / Z, on one sample from p.

The experiment is codesim.experiments.minimised_by_truth (``codesim experiment minimised_by_truth`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/minimised_by_truth.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("minimised_by_truth")
