"""Wrong codebook: measured cost against H(p) and H(p,q) as q moves away from p.

The experiment is codesim.experiments.wrong_codebook (``codesim experiment wrong_codebook`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/wrong_codebook.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("wrong_codebook")
