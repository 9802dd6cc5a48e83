"""The one binning routine every binned metric and display uses,
:func:`calibration_bins` (conventions in :mod:`sklearn_focal.metrics`),
and the optional compiled pass for large inputs (``_kernels.py``).
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .._compat import (
    Interval,
    StrOptions,
    validate_params,
)

if TYPE_CHECKING:  # torch loads on the first metric call, not on import
    pass
from ._inputs import (
    _COMMON_CONSTRAINTS,
    _check_inputs,
    _check_probability_values,
    _scan_probabilities,
    _torch_view,
)


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
#: compiled pass when numba can be imported. Below it,
#: loading the compiled kernel, once per process, would cost more than it
#: saves (``benchmarks/metrics.py`` times both passes).
_KERNEL_MIN_SIZE = 1 << 20
#: Rows per thread, at least, in the compiled pass.
_KERNEL_MIN_ROWS_PER_THREAD = 1 << 16


@functools.cache
def _load_kernel():
    """The compiled top-label kernel, or None where numba is not usable."""
    try:
        from ._kernels import top_label_uniform_bins
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
