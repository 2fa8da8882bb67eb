"""Memory: a Markov source coded with i.i.d., true, wrong and adaptive order-j models.

The experiment is codesim.experiments.memory (``codesim experiment memory`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/memory.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("memory")
