"""Classification: labels coded with a softmax classifier's predictions, during training.

The experiment is codesim.experiments.classification (``codesim experiment classification`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/classification.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("classification")
