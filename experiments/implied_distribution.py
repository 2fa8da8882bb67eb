"""Implied distributions: Golomb, Rice, Elias and unary codes as codebooks.

The experiment is codesim.experiments.implied_distribution (``codesim experiment implied_distribution`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/implied_distribution.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("implied_distribution")
