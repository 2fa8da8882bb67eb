"""Calibration: how often an honest coder fails the statistical and overhead verdicts.

The experiment is codesim.experiments.calibration (``codesim experiment calibration`` runs it from an
installed package too); this script runs it from a checkout:
python experiments/calibration.py [--quick] [-n N] [--seed S] [--out DIR]
"""

from codesim.commands.experiment import script

if __name__ == "__main__":
    script("calibration")
