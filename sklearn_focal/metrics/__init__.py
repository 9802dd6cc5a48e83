"""Calibration metrics.

Every metric takes ``(y_true, y_prob)`` like scikit-learn's probabilistic
metrics: ``y_prob`` has shape (n_samples, n_classes), columns in the order of
``labels`` (sorted unique ``y_true`` by default), or shape (n_samples,) for a
binary problem, holding the probability of the positive (larger) label.

All binned metrics go through one routine, :func:`calibration_bins`:

* ``strategy="uniform"``: ``n_bins`` equal-width bins on [0, 1];
* ``strategy="quantile"``: equal-mass bins whose edges interpolate the sorted
  confidences (Mukhoti et al. 2020; with ``n`` samples, edge ``k`` sits at
  position ``k * n / n_bins`` of the sorted values), the binning of the
  *adaptive* ECE and of AdaFocal;
* bins are right-closed, ``(lower, upper]``, and the first one is closed on
  both ends, so confidences of exactly 0 and 1 land in a bin;
* empty bins have confidence = accuracy = 0 and contribute nothing.

On inputs that avoid bin edges (any continuous distribution), these
conventions give the numbers of netcal 1.4 (``netcal.metrics.ECE`` and
``MCE``) to 1e-9. netcal treats a two-column input as a binary problem and
measures the *positive-class* probability; the top-label ECE here measures
the probability of the *predicted* class for every number of classes, as in
Guo et al. (2017). For binary problems netcal's number is
:func:`classwise_calibration_error`.

Top-label uniform binning of at least ``2**20`` probabilities runs as one
compiled pass (``metrics/_kernels.py``) with numba (a dependency, through
probmetrics); everything else is vectorised numpy. Both give the same bins (tested
against each other on ties and edge values).

**Weights.** ``sample_weight`` counts a sample that many times (frequency
weights: a weight of 2 gives the number of the sample repeated). It may
also be 2-D, of shape (n_weightings, n_samples), such as the counts of
bootstrap resamples: every metric is then computed once per row of
weights, in one call, and returned as an array of shape (n_weightings,).
This is how the comparison bootstraps its test parts
(``sklearn_focal._comparison._stats``): each of its numbers is a call of the public
function.

**One name per metric.** :data:`METRICS` holds a :class:`Metric` record per
metric: its function, the column of the comparison, the scorer's name
(``neg_`` in front of the errors, scikit-learn's rule), whether greater is
better, its range and its label on axes and tables. The scorers, the
comparison, its report and the displays read it.

The package's modules, each of one job: ``_inputs`` (the checks every
metric shares), ``_binning`` (:func:`calibration_bins`), ``_kernels`` (the
compiled pass), ``_calibration_error`` (the binned ECE family),
``_smooth_and_debiased``, ``_scores`` (Brier score, log loss, average
precision, OOD detection) and ``_registry`` (:data:`METRICS`). None imports
torch: the top-label pass loads it on the first call.
"""

from ._binning import CalibrationBins, calibration_bins
from ._calibration_error import (
    classwise_calibration_error,
    expected_calibration_error,
)
from ._registry import METRICS, Metric
from ._scores import (
    average_precision,
    log_loss,
    multiclass_brier_score,
    ood_detection_scores,
)
from ._smooth_and_debiased import (
    debiased_calibration_error,
    smooth_calibration_error,
)

__all__ = [
    "METRICS",
    "CalibrationBins",
    "Metric",
    "average_precision",
    "calibration_bins",
    "classwise_calibration_error",
    "debiased_calibration_error",
    "expected_calibration_error",
    "log_loss",
    "multiclass_brier_score",
    "ood_detection_scores",
    "smooth_calibration_error",
]
