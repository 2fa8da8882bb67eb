"""Real text: English prose and Python source, each coded with the other's codebook.

The experiment is codesim.experiments.real_text (``codesim experiment real_text`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/real_text.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("real_text")
