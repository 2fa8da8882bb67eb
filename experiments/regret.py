"""Regret: NML, KT and the two-part code, exact, beside a real KT coder's bits.

The experiment is codesim.experiments.regret (``codesim experiment regret`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/regret.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("regret")
