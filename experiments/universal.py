"""Universal codes: LZ78 and LZW learn a dictionary, KT and CTW learn q; redundancy against n.

The experiment is codesim.experiments.universal (``codesim experiment universal`` runs it from
an installed package too); this script runs it from a checkout:
python experiments/universal.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("universal")
