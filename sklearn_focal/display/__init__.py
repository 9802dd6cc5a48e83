"""Displays: reliability diagrams, comparison grids, gamma sweeps and forest
plots.

They follow scikit-learn's Display API (see
:class:`sklearn.calibration.CalibrationDisplay`): ``from_estimator`` gets the
predictions, ``from_predictions`` computes the numbers with
:func:`sklearn_focal.metrics.calibration_bins`, and ``plot`` only draws.
matplotlib is imported when drawing (``pip install sklearn-focal[plot]``).

One display per module, as in scikit-learn's ``_plot`` packages:
``_reliability``, ``_comparison_grid``, ``_gamma_sweep`` and
``_paired_difference``, sharing ``_base``. Importing them loads neither
torch nor matplotlib.
"""

from ._comparison_grid import CalibrationComparisonDisplay
from ._gamma_sweep import GammaSweepDisplay
from ._paired_difference import PairedDifferenceDisplay
from ._reliability import ReliabilityDisplay

__all__ = [
    "CalibrationComparisonDisplay",
    "GammaSweepDisplay",
    "PairedDifferenceDisplay",
    "ReliabilityDisplay",
]
