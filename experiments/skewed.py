"""Skewed sources: Huffman's one-bit floor against tANS and arithmetic coding.

The experiment is codesim.experiments.skewed (``codesim experiment skewed`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/skewed.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("skewed")
