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
compiled pass (``_kernels.py``) when numba is installed, the ``[fast]``
extra; everything else is vectorised numpy. Both give the same bins (tested
against each other on ties and edge values).

**Weights.** ``sample_weight`` counts a sample that many times (frequency
weights: a weight of 2 gives the number of the sample repeated). It may
also be 2-D, of shape (n_weightings, n_samples), such as the counts of
bootstrap resamples: every metric is then computed once per row of
weights, in one call, and returned as an array of shape (n_weightings,).
This is how the comparison bootstraps its test parts
(:mod:`sklearn_focal._stats`): each of its numbers is a call of the public
function.

**One name per metric.** :data:`METRICS` holds a :class:`Metric` record per
metric: its function, the column of the comparison, the scorer's name
(``neg_`` in front of the errors, scikit-learn's rule), whether greater is
better, its range and its label on axes and tables. The scorers, the
comparison, its report and the displays read it.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.validation import check_array

from ._compat import (
    Hidden,
    Interval,
    StrOptions,
    _assert_all_finite,
    _check_sample_weight,
    validate_params,
)
from ._labels import encode

if TYPE_CHECKING:  # torch loads on the first metric call, not on import
    import torch

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

#: Largest tolerated deviation of a probability row sum from 1.
_ROW_SUM_TOL = 1e-5


class CalibrationBins(NamedTuple):
    """Per-bin statistics returned by :func:`calibration_bins`.

    For ``kind="top_label"`` each array has shape (n_bins,) and ``edges``
    (n_bins + 1,); for ``kind="classwise"`` they gain a leading class axis:
    (n_classes, n_bins) and (n_classes, n_bins + 1).

    Attributes
    ----------
    confidence : ndarray
        Mean predicted probability in each bin (0 for an empty bin).
    accuracy : ndarray
        Observed frequency of the event in each bin: for the top label, the
        fraction of correct predictions; for class k, the fraction of samples
        of class k (0 for an empty bin).
    count : ndarray
        Number of samples in each bin (their total weight with
        ``sample_weight``).
    edges : ndarray
        Bin edges.
    """

    confidence: np.ndarray
    accuracy: np.ndarray
    count: np.ndarray
    edges: np.ndarray


def _encode(y_true, labels):
    """Index of each label of ``y_true`` in the sorted ``labels``."""
    if labels is None and y_true.dtype.kind in "iu" and len(y_true):
        low, high = y_true.min(), y_true.max()
        if low >= 0 and high < 4 * len(y_true) + 1024:
            # Small non-negative integers: a lookup table instead of a sort.
            present = np.bincount(y_true, minlength=high + 1) > 0
            labels = np.flatnonzero(present).astype(y_true.dtype)
            if present.all():  # labels 0..K-1: already encoded
                return y_true.astype(np.intp, copy=False), labels
            return (np.cumsum(present) - 1)[y_true], labels
    # As in sklearn's log_loss: the columns of y_prob follow the sorted labels.
    labels = np.unique(y_true if labels is None else labels)
    message = "y_true contains labels not in labels: {}."
    return encode(y_true, labels, message=message), labels


def _check_inputs(y_true, y_prob, labels, sample_weight):
    """Validate shapes, labels and weights; return (encoded y_true, 2-D y_prob,
    weights or None). The values of ``y_prob`` are checked apart, by
    :func:`_check_probability_values`, so that a pass over ``y_prob`` that
    bins it can check it too.
    """
    y_true = column_or_1d(y_true)
    y_prob = check_array(
        y_prob,
        ensure_2d=False,
        dtype=np.float64,
        ensure_all_finite=False,
        input_name="y_prob",
    )
    check_consistent_length(y_true, y_prob)
    if y_prob.ndim == 1:
        # checked before the 1 - p column exists, to report the given values
        _check_probability_values(
            y_prob[:, None], (*_value_range(y_prob), 1.0, 1.0), input_name="y_prob"
        )
        y_prob = np.column_stack([1.0 - y_prob, y_prob])
    elif y_prob.ndim != 2 or y_prob.shape[1] < 2:
        raise ValueError(
            "y_prob must have shape (n_samples, n_classes) with n_classes >= 2, or "
            f"(n_samples,) for a binary problem; got shape {y_prob.shape}."
        )
    y_encoded, labels = _encode(y_true, labels)
    if len(labels) != y_prob.shape[1]:
        raise ValueError(
            f"y_prob has {y_prob.shape[1]} columns but there are {len(labels)} "
            f"labels ({labels.tolist()}); pass labels= with all the classes, one "
            "per column of y_prob."
        )
    return y_encoded, y_prob, _check_weights(sample_weight, len(y_prob))


def _check_weights(sample_weight, n_samples):
    """``sample_weight`` as float64 of shape (n_samples,) or
    (n_weightings, n_samples), non-negative; or None."""
    if sample_weight is None:
        return None
    if np.ndim(sample_weight) == 2:
        weight = check_array(
            sample_weight, dtype=np.float64, input_name="sample_weight"
        )
        if weight.shape[1] != n_samples:
            raise ValueError(
                f"sample_weight of shape {weight.shape} must have one column per "
                f"sample ({n_samples}): shape (n_weightings, n_samples)."
            )
        if (weight < 0).any():
            raise ValueError("Negative values in data passed to `sample_weight`")
        return weight
    return _check_sample_weight(
        sample_weight, np.empty((n_samples, 0)), ensure_non_negative=True
    )


def _value_range(a):
    """(smallest, largest) value; NaN when ``a`` holds a NaN."""
    if a.size == 0:
        return 0.0, 0.0
    return float(np.min(a)), float(np.max(a))


def _per_weighting(function, weight, *args, **kwargs):
    """``function(*args, weight=w, **kwargs)`` for one weighting, or stacked
    over the rows of a 2-D ``weight``."""
    if weight is None or weight.ndim == 1:
        return function(*args, weight=weight, **kwargs)
    return np.array([function(*args, weight=w, **kwargs) for w in weight])


def _weighted_mean(values, weight):
    """Mean of ``values`` per sample, one per weighting (float for one)."""
    if weight is None:
        return float(np.mean(values))
    if weight.ndim == 1:
        return float(np.average(values, weights=weight))
    return weight @ values / weight.sum(axis=1)


def _scan_probabilities(y_prob):
    """(smallest value, largest value, smallest row sum, largest row sum).

    Torch reductions over a zero-copy view: on narrow rows they are several
    times faster than numpy's. NaN or inf anywhere makes a row sum, and so
    its min or max, non-finite.
    """
    import torch

    view = _torch_view(y_prob)
    sum_low, sum_high = (float(v) for v in torch.aminmax(view.sum(dim=1)))
    low, high = (float(v) for v in torch.aminmax(view))
    return low, high, sum_low, sum_high


def _check_probability_values(y_prob, scan, input_name="y_prob"):
    """Raise if ``y_prob`` holds non-finite values, values outside [0, 1] or
    rows not summing to 1, from the ``scan`` of :func:`_scan_probabilities`."""
    low, high, sum_low, sum_high = scan
    if not np.isfinite(sum_low + sum_high + low + high):
        # sklearn's message; its own sum of inf and -inf need not warn
        with np.errstate(invalid="ignore", over="ignore"):
            _assert_all_finite(y_prob, input_name=input_name)
    if low < 0 or high > 1:
        raise ValueError(
            f"{input_name} values must be probabilities in [0, 1]; got values in "
            f"[{low:.6g}, {high:.6g}]."
        )
    deviation = max(1.0 - sum_low, sum_high - 1.0)
    if deviation > _ROW_SUM_TOL:
        raise ValueError(
            f"The rows of {input_name} must sum to 1 (tolerance {_ROW_SUM_TOL}); "
            f"the largest deviation is {deviation:.3g}."
        )


def _check_targets_and_probabilities(y_true, y_prob, labels, sample_weight):
    """Validate inputs; return (encoded y_true, 2-D y_prob, weights or None)."""
    y_encoded, y_prob, weight = _check_inputs(y_true, y_prob, labels, sample_weight)
    _check_probability_values(y_prob, _scan_probabilities(y_prob))
    return y_encoded, y_prob, weight


def _torch_view(a: np.ndarray) -> torch.Tensor:
    """Zero-copy read-only tensor view (a copy only for non-contiguous input)."""
    import torch

    with warnings.catch_warnings():
        # Read-only arrays (memmaps) are fine: the view is never written to.
        warnings.filterwarnings(
            "ignore", message="The given NumPy array is not writable"
        )
        return torch.from_numpy(np.ascontiguousarray(a))


def _top_label(y_prob):
    """Confidence and index of the predicted class (first column on ties).

    ``y_prob`` is validated (finite, non-negative, rows summing to 1): the
    bit patterns of non-negative doubles order like their values, so the
    row-wise max runs on an int64 view, which skips NaN handling and is
    about a quarter faster. A row's maximum is positive, so a -0.0 (the
    one value whose bits sort out of order) is never it.
    """
    bits, predicted = _torch_view(y_prob.view(np.int64)).max(dim=1)
    return bits.numpy().view(np.float64), predicted.numpy()


def _bin_edges(confidence, weight, n_bins, strategy):
    """Edges for each column of ``confidence`` (n_samples, n_columns)."""
    n_columns = confidence.shape[1]
    if strategy == "uniform":
        return np.broadcast_to(
            np.linspace(0.0, 1.0, n_bins + 1), (n_columns, n_bins + 1)
        )
    order = np.argsort(confidence, axis=0, kind="stable")
    sorted_conf = np.take_along_axis(confidence, order, axis=0)
    # Mukhoti et al.: edge k sits at position k * n / n_bins of the sorted
    # values. In units of weight a sample's position is the weight sorted
    # before it, which for unit weights is exactly its index.
    weight = np.ones(len(confidence)) if weight is None else weight
    edges = np.empty((n_columns, n_bins + 1))
    for j in range(n_columns):
        w = weight[order[:, j]]
        position = np.cumsum(w) - w
        edges[j] = np.interp(
            np.linspace(0, w.sum(), n_bins + 1), position, sorted_conf[:, j]
        )
    return edges


def _bin_index(values, edges):
    """Bin of each value: the number of inner edges strictly below it.

    Bins are ``(lower, upper]``, and a value at or below the first edge is in
    bin 0. Uniform edges use arithmetic, corrected by one where rounding puts
    a value on the wrong side of an edge of ``edges``; other edges use a
    binary search.
    """
    n_bins = len(edges) - 1
    if not np.array_equal(edges, np.linspace(0.0, 1.0, n_bins + 1)):
        return np.searchsorted(edges[1:-1], values, side="left")
    index = np.ceil(values * n_bins).astype(np.intp)
    index -= 1
    np.clip(index, 0, n_bins - 1, out=index)
    index += values > edges[index + 1]
    index -= (values <= edges[index]) & (index > 0)
    return index


def _bin_statistics(confidence, outcome, weight, n_bins, strategy):
    """Vectorised binning of (confidence, outcome) columns.

    ``confidence`` and ``outcome`` have shape (n_samples, n_columns); each
    column is binned on its own edges, all with one ``bincount`` per
    statistic. A 2-D ``weight`` (one row per weighting) gives bins with a
    leading weighting axis.
    """
    if weight is not None and weight.ndim == 2:
        if strategy == "uniform":
            return _uniform_bins_per_weighting(confidence, outcome, weight, n_bins)
        rows = [
            _bin_statistics(confidence, outcome, w, n_bins, strategy) for w in weight
        ]
        return CalibrationBins(*(np.stack(field) for field in zip(*rows, strict=True)))
    n_columns = confidence.shape[1]
    edges = _bin_edges(confidence, weight, n_bins, strategy)
    if n_columns == 1:
        flat = _bin_index(confidence[:, 0], edges[0])
    else:
        flat = np.column_stack(
            [_bin_index(confidence[:, j], edges[j]) for j in range(n_columns)]
        )
        flat += n_bins * np.arange(n_columns)
        flat = flat.ravel()
    size = n_columns * n_bins
    conf_flat, outcome_flat = confidence.ravel(), outcome.ravel()
    if weight is None:
        # One integer bincount over (bin, outcome) pairs gives counts and hits.
        pairs = np.bincount(2 * flat + outcome_flat, minlength=2 * size).reshape(
            size, 2
        )
        count = pairs.sum(axis=1).astype(float)
        hit_sum = pairs[:, 1].astype(float)
    else:
        weight = np.repeat(weight, n_columns)
        count = np.bincount(flat, weights=weight, minlength=size)
        hit_sum = np.bincount(flat, weights=outcome_flat * weight, minlength=size)
        conf_flat = conf_flat * weight
    conf_sum = np.bincount(flat, weights=conf_flat, minlength=size)
    return _bins_from_sums(count, conf_sum, hit_sum, edges)


def _uniform_bins_per_weighting(confidence, outcome, weight, n_bins):
    """Uniform bins of every row of a 2-D ``weight`` at once: the bins do not
    depend on the weights, so each statistic is one matrix product of the
    weights with the (sample, column x bin) indicator."""
    n_samples, n_columns = confidence.shape
    edges = _bin_edges(confidence[:0], None, n_bins, "uniform")
    flat = np.column_stack(
        [_bin_index(confidence[:, j], edges[j]) for j in range(n_columns)]
    ) + n_bins * np.arange(n_columns)
    indicator = np.zeros((n_samples, n_columns * n_bins))
    rows = np.repeat(np.arange(n_samples), n_columns)
    indicator[rows, flat.ravel()] = 1.0
    sums = [
        weight @ (indicator * np.repeat(values, n_bins, axis=1))
        for values in (np.ones_like(confidence), confidence, outcome.astype(float))
    ]
    bins = [
        _bins_from_sums(count, conf_sum, hit_sum, edges)
        for count, conf_sum, hit_sum in zip(*sums, strict=True)
    ]
    return CalibrationBins(*(np.stack(field) for field in zip(*bins, strict=True)))


def _bins_from_sums(count, conf_sum, hit_sum, edges):
    """Per-bin means from per-bin sums, shaped like ``edges`` minus one bin."""
    shape = (edges.shape[0], edges.shape[1] - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.where(count > 0, conf_sum / count, 0.0)
        accuracy = np.where(count > 0, hit_sum / count, 0.0)
    return CalibrationBins(
        mean_conf.reshape(shape),
        accuracy.reshape(shape),
        count.reshape(shape),
        np.array(edges),
    )


#: Top-label uniform binning of at least this many probabilities runs as one
#: compiled pass when numba is installed (the ``[fast]`` extra). Below it,
#: loading the compiled kernel (about 0.3 s, once per process) would cost
#: more than it saves.
_KERNEL_MIN_SIZE = 1 << 20
#: Rows per thread, at least, in the compiled pass.
_KERNEL_MIN_ROWS_PER_THREAD = 1 << 16


@functools.cache
def _load_kernel():
    """The compiled top-label kernel, or None where numba is not usable."""
    try:
        from sklearn_focal._kernels import top_label_uniform_bins
    except ImportError:  # numba absent, or built for another numpy
        return None
    except RuntimeError:  # numba found no writable cache directory
        return None
    return top_label_uniform_bins


def _top_label_uniform_kernel(y_prob, y_encoded, weight, n_bins):
    """Top-label bins and the value scan of ``y_prob`` in one compiled pass.

    The rows are split among up to ``torch.get_num_threads()`` threads (the
    kernel releases the GIL); each fills its own sums, added up at the end.
    Returns ``(bins, scan)``, ``scan`` as from :func:`_scan_probabilities`.
    """
    import torch

    kernel = _load_kernel()
    y_prob = np.ascontiguousarray(y_prob)
    edges = _bin_edges(np.empty((0, 1)), None, n_bins, "uniform")
    n_rows = len(y_prob)
    n_threads = max(
        1, min(torch.get_num_threads(), n_rows // _KERNEL_MIN_ROWS_PER_THREAD)
    )
    bounds = np.linspace(0, n_rows, n_threads + 1).astype(np.intp)
    sums = np.zeros((n_threads, 3, n_bins))
    scans = np.empty((n_threads, 4))
    weight = np.empty(0) if weight is None else weight

    def run(t):
        rows = slice(bounds[t], bounds[t + 1])
        kernel(
            y_prob[rows],
            y_encoded[rows],
            weight[rows] if len(weight) else weight,
            edges[0],
            sums[t],
            scans[t],
        )

    if n_threads == 1:
        run(0)
    else:
        with ThreadPoolExecutor(n_threads) as pool:
            list(pool.map(run, range(n_threads)))
    count, conf_sum, hit_sum = sums.sum(axis=0)
    scan = (scans[:, 0].min(), scans[:, 1].max(), scans[:, 2].min(), scans[:, 3].max())
    return _bins_from_sums(count, conf_sum, hit_sum, edges), scan


_COMMON_CONSTRAINTS = {
    "y_true": ["array-like"],
    "y_prob": ["array-like"],
    "labels": ["array-like", None],
    "sample_weight": ["array-like", None],
}
_BINNING_CONSTRAINTS = {
    **_COMMON_CONSTRAINTS,
    "n_bins": [Interval(Integral, 1, None, closed="left")],
    "strategy": [StrOptions({"uniform", "quantile"})],
}


@validate_params(
    {**_BINNING_CONSTRAINTS, "kind": [StrOptions({"top_label", "classwise"})]},
    prefer_skip_nested_validation=True,
)
def calibration_bins(
    y_true,
    y_prob,
    *,
    n_bins: int = 15,
    strategy: str = "uniform",
    kind: str = "top_label",
    labels=None,
    sample_weight=None,
) -> CalibrationBins:
    """Per-bin confidence, accuracy and count: the binning behind every metric.

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
        Equal-width bins on [0, 1], or equal-mass bins (see module docs).
    kind : {"top_label", "classwise"}, default="top_label"
        ``"top_label"`` bins the probability of the predicted class against
        whether the prediction is correct; ``"classwise"`` bins each class's
        probability against whether the sample belongs to that class.
    labels : array-like of shape (n_classes,), default=None
        All the class labels; the columns of ``y_prob`` follow their sorted
        order, as in :func:`sklearn.metrics.log_loss`. Default: the unique
        values of ``y_true``.
    sample_weight : array-like of shape (n_samples,) or \
(n_weightings, n_samples), default=None
        Sample weights (frequency weights); 2-D: the bins of every weighting,
        with a leading axis of that length.

    Returns
    -------
    bins : CalibrationBins
        Named tuple ``(confidence, accuracy, count, edges)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_focal.metrics import calibration_bins
    >>> y_true = [0, 1, 1, 0]
    >>> y_prob = [[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.8, 0.2]]
    >>> bins = calibration_bins(y_true, y_prob, n_bins=5)
    >>> bins.count
    array([0., 0., 1., 2., 1.])
    >>> bins.accuracy  # the 0.6 prediction (bin 2) is wrong
    array([0., 0., 0., 1., 1.])
    """
    y_encoded, y_prob, weight = _check_inputs(y_true, y_prob, labels, sample_weight)
    if (
        kind == "top_label"
        and strategy == "uniform"
        and y_prob.size >= _KERNEL_MIN_SIZE
        and (weight is None or weight.ndim == 1)
        and _load_kernel() is not None
    ):
        bins, scan = _top_label_uniform_kernel(y_prob, y_encoded, weight, n_bins)
        _check_probability_values(y_prob, scan)
        return CalibrationBins(*(a[0] for a in bins))
    _check_probability_values(y_prob, _scan_probabilities(y_prob))
    if kind == "top_label":
        confidence, predicted = _top_label(y_prob)
        outcome = predicted == y_encoded
        bins = _bin_statistics(
            confidence[:, None], outcome[:, None], weight, n_bins, strategy
        )
        return CalibrationBins(*(a[..., 0, :] for a in bins))
    outcome = y_encoded[:, None] == np.arange(y_prob.shape[1])
    return _bin_statistics(y_prob, outcome, weight, n_bins, strategy)


def _value(values):
    """A float for one weighting, an array for several."""
    values = np.asarray(values, dtype=np.float64)
    return float(values) if values.ndim == 0 else values


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


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def multiclass_brier_score(y_true, y_prob, *, labels=None, sample_weight=None):
    """Multiclass Brier score: mean over samples of ``sum_k (p_k - 1[y = k])**2``.

    In [0, 2]. For a binary problem this is twice the classic binary Brier
    score (both columns count); it equals
    ``sklearn.metrics.brier_score_loss(..., scale_by_half=False)``.

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
        Sample weights (frequency weights); 2-D: one result per row.

    Returns
    -------
    score : float or ndarray of shape (n_weightings,)
        Lower is better.

    Examples
    --------
    >>> from sklearn_focal.metrics import multiclass_brier_score
    >>> round(multiclass_brier_score([0, 1], [[0.9, 0.1], [0.4, 0.6]]), 4)
    0.17
    """
    y_encoded, y_prob, weight = _check_targets_and_probabilities(
        y_true, y_prob, labels, sample_weight
    )
    onehot = y_encoded[:, None] == np.arange(y_prob.shape[1])
    return _weighted_mean(((y_prob - onehot) ** 2).sum(axis=1), weight)


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def log_loss(y_true, y_prob, *, labels=None, sample_weight=None):
    """Log loss: the mean negative log-likelihood of the true class.

    Probabilities are clipped to ``[eps, 1]`` with ``eps`` the float64
    machine epsilon, so a zero probability on the true class gives a large,
    finite loss, as in :func:`sklearn.metrics.log_loss`.

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
        Sample weights (frequency weights); 2-D: one result per row.

    Returns
    -------
    loss : float or ndarray of shape (n_weightings,)
        Lower is better.

    Examples
    --------
    >>> from sklearn_focal.metrics import log_loss
    >>> round(log_loss([0, 1], [[0.9, 0.1], [0.4, 0.6]]), 4)
    0.3081
    """
    y_encoded, y_prob, weight = _check_targets_and_probabilities(
        y_true, y_prob, labels, sample_weight
    )
    p_true = y_prob[np.arange(len(y_prob)), y_encoded]
    return _weighted_mean(
        -np.log(np.clip(p_true, np.finfo(np.float64).eps, 1.0)), weight
    )


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def average_precision(y_true, y_prob, *, labels=None, sample_weight=None):
    """Average precision: of the positive class, or macro one-vs-rest.

    The area under the precision-recall curve, as
    :func:`sklearn.metrics.average_precision_score` computes it: for a binary
    problem that of ``labels[1]`` (equal to scikit-learn's), for more classes
    the mean over the classes of each class against the rest. Unlike
    accuracy or ECE it rewards ranking the rare class first, which is what
    matters on imbalanced data. Classes without samples in ``y_true`` are
    left out of the mean (their AP is undefined).

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
        Sample weights (frequency weights); 2-D: one result per row.

    Returns
    -------
    ap : float or ndarray of shape (n_weightings,)
        In [0, 1]; higher is better.

    Examples
    --------
    >>> from sklearn_focal.metrics import average_precision
    >>> round(average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    y_encoded, y_prob, weight = _check_targets_and_probabilities(
        y_true, y_prob, labels, sample_weight
    )
    weights = np.ones((1, len(y_prob))) if weight is None else np.atleast_2d(weight)
    classes = [1] if y_prob.shape[1] == 2 else range(y_prob.shape[1])
    scores = np.array(
        [_average_precision(y_encoded == k, y_prob[:, k], weights) for k in classes]
    )
    with warnings.catch_warnings():  # a weighting without any positive: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        values = np.nanmean(scores, axis=0)
    return _value(values if weight is not None and weight.ndim == 2 else values[0])


def _average_precision(positive, score, weights):
    """:func:`sklearn.metrics.average_precision_score` of one column, for
    every row of ``weights`` (NaN where a row gives no weight to a positive).

    The precision at each distinct score, from the highest down, times the
    recall it adds: cumulative weighted sums at the last row of each group
    of tied scores, as scikit-learn's ``_binary_clf_curve`` takes them.
    """
    order = np.argsort(-score, kind="stable")
    score, positive = score[order], positive[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    weights = weights[:, order]
    true_pos = np.cumsum(weights * positive, axis=1)[:, last]
    false_pos = np.cumsum(weights * ~positive, axis=1)[:, last]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(
            true_pos + false_pos > 0, true_pos / (true_pos + false_pos), 0.0
        )
        recall = true_pos / true_pos[:, -1:]
    return np.sum(np.diff(recall, axis=1, prepend=0.0) * precision, axis=1)


def ood_detection_scores(proba_in, proba_out) -> dict[str, float]:
    """How well the confidence separates in- from out-of-distribution rows.

    Each row gets two scores of "being in distribution": its maximum class
    probability (Hendrycks & Gimpel, 2017) and its negative predictive
    entropy. For each, the AUROC of telling the in-distribution rows
    (positives) from the out-of-distribution ones, as
    :func:`sklearn.metrics.roc_auc_score` computes it, and the false
    positive rate at 95 % true positive rate: the share of OOD rows scored
    at least as high as the threshold that keeps 95 % of the in-distribution
    rows.

    Parameters
    ----------
    proba_in : array-like of shape (n_in, n_classes)
        Predicted probabilities on in-distribution rows.
    proba_out : array-like of shape (n_out, n_classes)
        Predicted probabilities on out-of-distribution rows.

    Returns
    -------
    scores : dict of str to float
        ``auroc_max_proba``, ``fpr95_max_proba``, ``auroc_entropy``,
        ``fpr95_entropy``. Higher AUROC and lower FPR are better.

    Examples
    --------
    >>> from sklearn_focal.metrics import ood_detection_scores
    >>> scores = ood_detection_scores([[0.9, 0.1], [0.8, 0.2]],
    ...                               [[0.5, 0.5], [0.6, 0.4]])
    >>> scores["auroc_max_proba"], scores["fpr95_max_proba"]
    (1.0, 0.0)
    """
    proba_in = check_array(proba_in, dtype=np.float64, input_name="proba_in")
    proba_out = check_array(proba_out, dtype=np.float64, input_name="proba_out")
    if proba_in.shape[1] != proba_out.shape[1]:
        raise ValueError(
            f"proba_in has {proba_in.shape[1]} columns and proba_out "
            f"{proba_out.shape[1]}: both must score the same classes."
        )
    for name, proba in (("proba_in", proba_in), ("proba_out", proba_out)):
        _check_probability_values(proba, _scan_probabilities(proba), name)
    is_in = np.r_[np.ones(len(proba_in)), np.zeros(len(proba_out))]
    proba = np.vstack([proba_in, proba_out])
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(proba > 0, proba * np.log(proba), 0.0).sum(axis=1)
    scores = {}
    for name, score in (("max_proba", proba.max(axis=1)), ("entropy", -entropy)):
        scores[f"auroc_{name}"] = float(roc_auc_score(is_in, score))
        fpr, tpr, _ = roc_curve(is_in, score)
        scores[f"fpr95_{name}"] = float(fpr[np.searchsorted(tpr, 0.95, side="left")])
    return scores


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
        "mode": [Hidden(StrOptions({"top_label", "marginal", "deprecated"}))],
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
    mode="deprecated",
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
        of each class's squared error, as the classwise ECE (the package's
        ``"marginal"`` mode).
    sample_weight : array-like of shape (n_samples,) or \
(n_weightings, n_samples), default=None
        Frequency weights: integer weights give the number of the repeated
        samples; 2-D: one result per row.
    mode : {"top_label", "marginal"}
        Deprecated: use ``kind`` ("marginal" is ``kind="classwise"``).

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
    if mode != "deprecated":
        warnings.warn(
            "The 'mode' parameter of debiased_calibration_error is deprecated "
            "and will be removed in the next release; use kind='top_label' or "
            "kind='classwise' (mode='marginal').",
            FutureWarning,
            stacklevel=3,
        )
        kind = "classwise" if mode == "marginal" else mode
    y_encoded, y_prob, weight = _check_targets_and_probabilities(
        y_true, y_prob, labels, sample_weight
    )
    if kind == "top_label":
        confidence, predicted = _top_label(y_prob)
        columns = [(confidence, (predicted == y_encoded).astype(np.float64))]
    else:
        columns = [(y_prob[:, k], y_encoded == k) for k in range(y_prob.shape[1])]
    return _value(_per_weighting(_debiased_error, weight, columns, n_bins))


# ------------------------------------------------------------------------------
# The registry: one record per metric
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """Everything the package says about one metric, in one place.

    Attributes
    ----------
    name : str
        The metric's one name: the comparison's column, the display's key,
        and (``neg_`` in front unless ``greater_is_better``) the scorer's.
    function : callable or str
        Its public function, or ``"module:function"`` for one that loads
        torch (imported on first use).
    response : {"proba", "predict", "estimator", "ood"}
        What ``function`` takes besides the true labels:
        ``predict_proba``'s probabilities, ``predict``'s labels, the fitted
        estimator with ``X`` (curvature), or the probabilities of in- and
        out-of-distribution rows.
    greater_is_better : bool
    bounds : (float, float)
        The range of the metric, to which intervals are clipped.
    label : str
        Its name on axes and in tables.
    kwargs : dict
        Fixed keyword arguments of ``function``.
    ranked : bool
        Whether a best value exists (marked in reports); False for the
        curvature, a diagnostic.
    in_comparison : bool
        Whether it is a column of :func:`~sklearn_focal.compare_calibration`.
    output : str or None
        The entry of ``function``'s dict result (for ``"ood"``).
    binned : bool
        Whether ``function`` takes ``n_bins``.
    """

    name: str
    function: Callable | str
    response: str
    greater_is_better: bool
    bounds: tuple[float, float]
    label: str
    kwargs: Mapping = field(default_factory=dict)
    ranked: bool = True
    in_comparison: bool = True
    output: str | None = None
    binned: bool = False

    @property
    def scorer_name(self) -> str:
        """The name of its scorer, scikit-learn's sign rule."""
        return self.name if self.greater_is_better else f"neg_{self.name}"

    def resolve(self) -> Callable:
        """The function itself."""
        if callable(self.function):
            return self.function
        module, _, attribute = self.function.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def __call__(self, *args, **kwargs):
        """``function(*args, **kwargs, **self.kwargs)`` (the ``output``
        entry for a function returning several)."""
        value = self.resolve()(*args, **{**self.kwargs, **kwargs})
        return value if self.output is None else value[self.output]


def _sklearn_metric(name):
    """A scikit-learn metric, as ``"module:function"`` (loaded on use)."""
    return f"sklearn.metrics:{name}"


def _errors(*records):
    """Calibration errors: lower is better, in [0, 1], binned but the smooth
    ECE."""
    return [
        Metric(
            name,
            function,
            "proba",
            False,
            (0.0, 1.0),
            label,
            kwargs,
            binned=function is not smooth_calibration_error,
        )
        for name, function, label, kwargs in records
    ]


_CURVATURE = "sklearn_focal.curvature"

#: The registry, in the order of the comparison's columns.
METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric(
            "accuracy",
            _sklearn_metric("accuracy_score"),
            "predict",
            True,
            (0.0, 1.0),
            "accuracy",
        ),
        Metric(
            "balanced_accuracy",
            _sklearn_metric("balanced_accuracy_score"),
            "predict",
            True,
            (0.0, 1.0),
            "balanced accuracy",
        ),
        Metric(
            "average_precision",
            average_precision,
            "proba",
            True,
            (0.0, 1.0),
            "average precision",
        ),
        *_errors(
            ("ece", expected_calibration_error, "ECE", {}),
            (
                "adaptive_ece",
                expected_calibration_error,
                "adaptive ECE",
                {"strategy": "quantile"},
            ),
            ("classwise_ece", classwise_calibration_error, "classwise ECE", {}),
            ("mce", expected_calibration_error, "MCE", {"norm": "max"}),
            ("smooth_ece", smooth_calibration_error, "smooth ECE", {}),
            (
                "debiased_ce",
                debiased_calibration_error,
                "debiased L2 calibration error",
                {},
            ),
        ),
        Metric("log_loss", log_loss, "proba", False, (0.0, np.inf), "log loss"),
        Metric(
            "multiclass_brier_score",
            multiclass_brier_score,
            "proba",
            False,
            (0.0, 2.0),
            "Brier score (multiclass)",
        ),
        Metric(
            "hessian_trace",
            f"{_CURVATURE}:hessian_trace",
            "estimator",
            False,
            (0.0, np.inf),
            "Hessian trace\n(cross-entropy)",
            ranked=False,
        ),
        Metric(
            "training_hessian_trace",
            f"{_CURVATURE}:hessian_trace",
            "estimator",
            False,
            (-np.inf, np.inf),
            "Hessian trace\n(training loss)",
            {"loss": "training"},
            ranked=False,
        ),
        Metric(
            "hessian_top_eigenvalue",
            f"{_CURVATURE}:hessian_top_eigenvalue",
            "estimator",
            False,
            (-np.inf, np.inf),
            "top Hessian eigenvalue\n(cross-entropy)",
            {"tol": 1e-4},
            ranked=False,
            in_comparison=False,
        ),
        Metric(
            "training_hessian_top_eigenvalue",
            f"{_CURVATURE}:hessian_top_eigenvalue",
            "estimator",
            False,
            (-np.inf, np.inf),
            "top Hessian eigenvalue\n(training loss)",
            {"loss": "training", "tol": 1e-4},
            ranked=False,
            in_comparison=False,
        ),
        *(
            Metric(
                f"ood_{score}_{by}",
                ood_detection_scores,
                "ood",
                score == "auroc",
                (0.0, 1.0),
                f"OOD {score.upper()} ({by.replace('_', ' ')})",
                output=f"{score}_{by}",
            )
            for by in ("max_proba", "entropy")
            for score in ("auroc", "fpr95")
        ),
    ]
}


#: Old public names, kept for one release: name -> (new name, object).
_DEPRECATED = {
    "negative_log_likelihood": ("log_loss", log_loss),
    "brier_score": ("multiclass_brier_score", multiclass_brier_score),
}


def __getattr__(name: str):
    if name in _DEPRECATED:
        new, value = _DEPRECATED[name]
        warnings.warn(
            f"sklearn_focal.metrics.{name} is deprecated and will be removed in "
            f"the next release; use sklearn_focal.metrics.{new}.",
            FutureWarning,
            stacklevel=2,
        )
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
