"""Block length: Huffman and Shannon codes on blocks of k symbols.

The experiment is codesim.experiments.block_length (``codesim experiment block_length`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/block_length.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("block_length")
