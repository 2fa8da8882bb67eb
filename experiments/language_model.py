"""Language models: train and test cost of order-0..5 context models, in encoded bits.

The experiment is codesim.experiments.language_model (``codesim experiment language_model`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/language_model.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("language_model")
