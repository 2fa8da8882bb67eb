"""Quantization: stream coders with model precision from 4 to 24 bits.

The experiment is codesim.experiments.quantization (``codesim experiment quantization`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/quantization.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("quantization")
