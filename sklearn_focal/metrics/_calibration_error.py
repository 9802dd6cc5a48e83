"""The binned calibration errors: top-label ECE (uniform or adaptive
bins; l1, l2 or max norm) and the classwise ECE."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._compat import (
    StrOptions,
    validate_params,
)

if TYPE_CHECKING:  # torch loads on the first metric call, not on import
    pass
from ._binning import (
    _BINNING_CONSTRAINTS,
    CalibrationBins,
    calibration_bins,
)
from ._inputs import (
    _value,
)


def _calibration_error(bins: CalibrationBins, norm: str) -> np.ndarray:
    """Calibration error per row of ``bins`` (last axis = bins)."""
    gap = np.abs(bins.accuracy - bins.confidence)
    if norm == "max":
        return np.where(bins.count > 0, gap, 0.0).max(axis=-1)
    share = bins.count / bins.count.sum(axis=-1, keepdims=True)
    if norm == "l2":
        return np.sqrt((share * gap**2).sum(axis=-1))
    return (share * gap).sum(axis=-1)


_ERROR_CONSTRAINTS = {**_BINNING_CONSTRAINTS, "norm": [StrOptions({"l1", "l2", "max"})]}


@validate_params(_ERROR_CONSTRAINTS, prefer_skip_nested_validation=True)
def expected_calibration_error(
    y_true,
    y_prob,
    *,
    n_bins: int = 15,
    strategy: str = "uniform",
    norm: str = "l1",
    labels=None,
    sample_weight=None,
) -> float:
    """Top-label expected calibration error (ECE).

    The mean gap between confidence and accuracy over bins of the predicted
    class's probability, each bin weighted by its share of the samples
    (Naeini et al. 2015; Guo et al. 2017). The predicted class is the
    ``argmax`` of ``y_prob``: ties go to the first column, as in netcal.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array is the positive-class probability
        of a binary problem.
    n_bins : int, default=15
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        ``"quantile"`` (equal-mass bins) gives the adaptive ECE (AdaECE).
    norm : {"l1", "l2", "max"}, default="l1"
        ``"l1"``: ECE; ``"l2"``: root-mean-square calibration error;
        ``"max"``: maximum calibration error (MCE) over non-empty bins.
    labels : array-like of shape (n_classes,), default=None
        All the class labels (columns of ``y_prob`` in sorted order).
    sample_weight : array-like of shape (n_samples,) or \
(n_weightings, n_samples), default=None
        Sample weights (frequency weights); 2-D: one result per row.

    Returns
    -------
    ece : float or ndarray of shape (n_weightings,)
        In [0, 1]; 0 is perfect calibration.

    See Also
    --------
    calibration_bins : the per-bin statistics.
    classwise_calibration_error : calibration of every class probability.

    Examples
    --------
    >>> from sklearn_focal.metrics import expected_calibration_error
    >>> y_true = [0, 1, 1, 0]
    >>> y_prob = [[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.8, 0.2]]
    >>> round(expected_calibration_error(y_true, y_prob, n_bins=5), 4)
    0.3
    >>> round(expected_calibration_error(y_true, y_prob, n_bins=5, norm="max"), 4)
    0.6
    """
    bins = calibration_bins(
        y_true,
        y_prob,
        n_bins=n_bins,
        strategy=strategy,
        labels=labels,
        sample_weight=sample_weight,
    )
    return _value(_calibration_error(bins, norm))


@validate_params(_ERROR_CONSTRAINTS, prefer_skip_nested_validation=True)
def classwise_calibration_error(
    y_true,
    y_prob,
    *,
    n_bins: int = 15,
    strategy: str = "uniform",
    norm: str = "l1",
    labels=None,
    sample_weight=None,
) -> float:
    """Classwise ECE: the calibration error of each class's probability, averaged.

    For every class k, bin ``y_prob[:, k]`` against the indicator
    ``y_true == k``; the result is the mean over classes of these calibration
    errors (Kull et al. 2019). For a binary problem both classes give the same
    number, the calibration error of the positive-class probability.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities.
    n_bins : int, default=15
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Bin edges, per class for ``"quantile"``.
    norm : {"l1", "l2", "max"}, default="l1"
        How bin gaps are combined within a class (see
        :func:`expected_calibration_error`).
    labels : array-like of shape (n_classes,), default=None
        All the class labels (columns of ``y_prob`` in sorted order).
    sample_weight : array-like of shape (n_samples,) or \
(n_weightings, n_samples), default=None
        Sample weights (frequency weights); 2-D: one result per row.

    Returns
    -------
    error : float or ndarray of shape (n_weightings,)

    Examples
    --------
    >>> from sklearn_focal.metrics import classwise_calibration_error
    >>> y_true = [0, 1, 2, 2]
    >>> y_prob = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]]
    >>> round(classwise_calibration_error(y_true, y_prob, n_bins=5), 4)
    0.2167
    """
    bins = calibration_bins(
        y_true,
        y_prob,
        n_bins=n_bins,
        strategy=strategy,
        kind="classwise",
        labels=labels,
        sample_weight=sample_weight,
    )
    return _value(_calibration_error(bins, norm).mean(axis=-1))
