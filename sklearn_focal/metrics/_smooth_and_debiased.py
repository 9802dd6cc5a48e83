"""Calibration errors that do not grow with the noise of small bins:
the smooth ECE (Błasiok & Nakkiran, 2023) and the debiased L2 error
(Kumar, Liang & Ma, 2019)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np

from .._compat import (
    Interval,
    StrOptions,
    validate_params,
)

if TYPE_CHECKING:  # torch loads on the first metric call, not on import
    pass
from ._binning import (
    _top_label,
)
from ._inputs import (
    _COMMON_CONSTRAINTS,
    _check_targets_and_probabilities,
    _per_weighting,
    _value,
)


def _reflected_gaussian_smooth(position, mass, sigma, at):
    """Kernel sums ``sum_i mass_i k_sigma(at - position_i)`` on [0, 1], for
    each row of ``mass`` (shape (n_weightings, n_samples)).

    The Gaussian kernel is reflected at 0 and 1 (mass that would leave the
    interval is folded back), and evaluated on a grid as Błasiok & Nakkiran's
    ``relplot`` does: the masses are split linearly between the two nearest
    of ``max(2000, 20 / sigma) // 2 + 1`` grid points, convolved with the
    kernel's density sampled on the same grid (by FFT, all rows at once),
    and interpolated linearly at ``at``.
    """
    n = max(2000, round(20 / sigma)) // 2 + 1
    rows = len(mass)
    scaled = position * (n - 1)
    lower = np.clip(scaled.astype(int), 0, n - 2)
    frac = scaled - lower
    flat = (lower + n * np.arange(rows)[:, None]).ravel()
    grid = np.bincount(flat, ((1 - frac) * mass).ravel(), minlength=rows * n)
    grid += np.bincount(flat + 1, (frac * mass).ravel(), minlength=rows * n)
    grid = grid.reshape(rows, n)
    offsets = np.linspace(0, 1, n) - 0.5
    kernel = np.exp(-(offsets**2) / (2 * sigma**2)) / (np.sqrt(2 * np.pi) * sigma)
    mirrored = np.concatenate(
        [grid[:, ::-1][:, :-1], grid, grid[:, ::-1][:, 1:]], axis=1
    )
    # a power of two at least the full convolution's length: fast, no wrap
    size = 1 << (mirrored.shape[1] + n - 2).bit_length()
    full = np.fft.irfft(
        np.fft.rfft(mirrored, size, axis=1) * np.fft.rfft(kernel, size), size, axis=1
    )
    # np.convolve's "valid" part, then relplot's window of it
    smoothed = full[:, n - 1 :][:, n // 2 : n // 2 + n]
    index = np.clip((at * (n - 1)).astype(int), 0, n - 2)
    weight = (at - index / (n - 1)) * (n - 1)
    return smoothed[:, index] * (1 - weight) + smoothed[:, index + 1] * weight


def _smooth_ece_at(confidence, residual, weight, sigma):
    """Smooth ECE at bandwidth ``sigma`` for each row of ``weight``: the
    kernel-smoothed residual, averaged in absolute value under the smoothed
    density of confidences."""
    at = np.linspace(0, 1, max(round(10 / sigma), 200))
    density = _reflected_gaussian_smooth(confidence, weight, sigma, at) + 1e-4
    smoothed = _reflected_gaussian_smooth(confidence, weight * residual, sigma, at)
    # |smoothed / density| weighted by density: the density cancels
    return np.abs(smoothed).sum(axis=1) / density.sum(axis=1)


def _smooth_ece_bandwidth(confidence, residual, weight):
    """The bandwidth ``sigma`` with ``smECE(sigma) = sigma``, by relplot's
    bisection from 1."""

    def too_wide(sigma):  # relplot's search: stop where sigma < smECE(sigma)
        return (
            sigma < 1e-3
            or sigma < _smooth_ece_at(confidence, residual, weight[None], sigma)[0]
        )

    sigma = 1.0
    if not too_wide(sigma):
        high, low = 1.0, 0.0
        for _ in range(10):
            middle = (high + low) / 2
            if too_wide(middle):
                low = middle
            else:
                high = middle
        sigma = high
    return sigma


@validate_params(
    {**_COMMON_CONSTRAINTS, "bandwidth": [Interval(Real, 0, 1, closed="right"), None]},
    prefer_skip_nested_validation=True,
)
def smooth_calibration_error(
    y_true, y_prob, *, labels=None, sample_weight=None, bandwidth=None
):
    """Smooth ECE of the top-label confidence (Błasiok & Nakkiran, 2023).

    Binned ECE depends on the bins and is biased on small samples. The smooth
    ECE replaces the bins by a Gaussian kernel (reflected at 0 and 1): the
    residuals ``confidence - correct`` are kernel-smoothed over the
    confidence, and their absolute value averaged under the smoothed density
    of confidences. The bandwidth ``sigma`` is the fixed point
    ``smECE(sigma) = sigma``, found by bisection from 1 as in the authors'
    ``relplot`` package (equal to its ``smECE`` to 1e-6).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities.
    labels : array-like of shape (n_classes,), default=None
        All the class labels (columns of ``y_prob`` in sorted order).
    sample_weight : array-like of shape (n_samples,) or \
(n_weightings, n_samples), default=None
        Sample weights: a sample's mass in the kernel sums; 2-D: one result
        per row, all with the bandwidth of the first row (unless
        ``bandwidth`` is given), so that bootstrap resamples (the sample
        itself in the first row) are smoothed alike.
    bandwidth : float in (0, 1], default=None
        The kernel's standard deviation; None: the fixed point above.

    Returns
    -------
    smooth_ece : float or ndarray of shape (n_weightings,)
        In [0, 1]; lower is better.

    Examples
    --------
    >>> from sklearn_focal.metrics import smooth_calibration_error
    >>> round(smooth_calibration_error([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4]), 4)
    0.2748
    """
    y_encoded, y_prob, weight = _check_targets_and_probabilities(
        y_true, y_prob, labels, sample_weight
    )
    confidence, predicted = _top_label(y_prob)
    residual = confidence - (predicted == y_encoded)
    weights = np.ones((1, len(confidence))) if weight is None else np.atleast_2d(weight)
    sigma = bandwidth
    if sigma is None:
        sigma = _smooth_ece_bandwidth(confidence, residual, weights[0])
    values = _smooth_ece_at(confidence, residual, weights, sigma)
    return _value(values if weight is not None and weight.ndim == 2 else values[0])


def _debiased_squared_error(probability, outcome, n_bins, weight=None):
    """Kumar et al.'s debiased squared L2 calibration error of one column.

    Equal-mass bins as in their ``uncertainty-calibration`` package: the
    sorted probabilities are cut into ``n_bins`` parts of (almost) equal
    size, an edge halfway between neighbouring parts. In a bin of ``n_b``
    samples the squared gap between mean probability and mean outcome
    overestimates the squared error by the variance of the mean outcome,
    ``ybar (1 - ybar) / (n_b - 1)``, which is subtracted; bins with fewer
    than two samples contribute nothing.

    Weights count samples (a sample of weight ``w`` stands for ``w``
    copies): positions in the sorted order are cumulative weights, so that
    integer weights give the number of the repeated samples exactly.
    """
    order = np.argsort(probability, kind="stable")
    ordered = probability[order]
    weight = np.ones(len(probability)) if weight is None else weight
    cumulative = np.cumsum(weight[order])
    total = cumulative[-1] if len(cumulative) else 0.0
    n_bins = int(min(n_bins, max(np.floor(total), 1)))
    base = np.floor(total / n_bins)
    ends = base * np.arange(1, n_bins) + np.minimum(
        np.arange(1, n_bins), total - base * n_bins
    )

    def at(position):  # the sorted value at a position of the repeated sample
        return ordered[np.searchsorted(cumulative, position, side="right")]

    edges = np.unique(np.r_[(at(ends - 1) + at(ends)) / 2, 1.0])
    index = np.searchsorted(edges, probability)
    count = np.bincount(index, weight, minlength=len(edges))
    sum_p = np.bincount(index, weight * probability, minlength=len(edges))
    sum_y = np.bincount(index, weight * outcome, minlength=len(edges))
    full = count >= 2
    count, sum_p, sum_y = count[full], sum_p[full], sum_y[full]
    mean_y = sum_y / count
    gap = (sum_p - sum_y) / count
    return float(np.sum(count * (gap**2 - mean_y * (1 - mean_y) / (count - 1))) / total)


def _debiased_error(columns, n_bins, weight):
    """Debiased L2 error over (probability, outcome) ``columns``: the root of
    their mean squared error, each clipped at 0."""
    squared = np.mean(
        [max(_debiased_squared_error(p, o, n_bins, weight), 0.0) for p, o in columns]
    )
    return float(np.sqrt(squared))


@validate_params(
    {
        **_COMMON_CONSTRAINTS,
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "kind": [StrOptions({"top_label", "classwise"})],
    },
    prefer_skip_nested_validation=True,
)
def debiased_calibration_error(
    y_true,
    y_prob,
    *,
    labels=None,
    n_bins=15,
    kind="top_label",
    sample_weight=None,
):
    """Debiased L2 calibration error (Kumar, Liang & Ma, 2019).

    The plug-in binned calibration error is biased upwards on small samples:
    even a calibrated model shows gaps of the size of the sampling noise.
    This estimator subtracts that noise from the squared error in each
    equal-mass bin, so it is (almost) unbiased for the squared L2 error of
    the binned model; it returns the square root, clipped at 0. It equals
    ``calibration.get_calibration_error(probs, labels, p=2, debias=True)`` of
    the authors' ``uncertainty-calibration`` package (for continuous
    probabilities, with ``kind`` and ``n_bins`` matched) to 1e-9.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities.
    labels : array-like of shape (n_classes,), default=None
        All the class labels (columns of ``y_prob`` in sorted order).
    n_bins : int, default=15
        Equal-mass bins (at most one per sample).
    kind : {"top_label", "classwise"}, default="top_label"
        ``"top_label"``: the confidence of the predicted class against its
        correctness, as the ECE; ``"classwise"``: the root mean over classes
        of each class's squared error, as the classwise ECE.
    sample_weight : array-like of shape (n_samples,) or \
(n_weightings, n_samples), default=None
        Frequency weights: integer weights give the number of the repeated
        samples; 2-D: one result per row.

    Returns
    -------
    error : float or ndarray of shape (n_weightings,)
        In [0, 1]; lower is better. 0 when the gaps are within the noise.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_focal.metrics import debiased_calibration_error
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=5000)
    >>> y = rng.uniform(size=5000) < p ** 2  # true L2 error: sqrt(1/30) = 0.183
    >>> round(debiased_calibration_error(y, p, kind="classwise"), 3)  # 15 bins
    0.176
    """
    y_encoded, y_prob, weight = _check_targets_and_probabilities(
        y_true, y_prob, labels, sample_weight
    )
    if kind == "top_label":
        confidence, predicted = _top_label(y_prob)
        columns = [(confidence, (predicted == y_encoded).astype(np.float64))]
    else:
        columns = [(y_prob[:, k], y_encoded == k) for k in range(y_prob.shape[1])]
    return _value(_per_weighting(_debiased_error, weight, columns, n_bins))
