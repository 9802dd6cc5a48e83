"""Input checks shared by every metric: labels, probabilities, weights.

Each metric's ``validate_params`` constraints start from
:data:`_COMMON_CONSTRAINTS`; the checks scikit-learn's constraints
cannot express (probabilities in [0, 1] summing to 1, labels among
``labels``, 1-D or 2-D weights) are here, and so is the weighting loop
every metric shares (:func:`_per_weighting`).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.validation import check_array

from .._compat import (
    _assert_all_finite,
    _check_sample_weight,
)
from .._labels import encode

if TYPE_CHECKING:  # torch loads on the first metric call, not on import
    import torch


#: Largest tolerated deviation of a probability row sum from 1.
_ROW_SUM_TOL = 1e-5


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


def _value(values):
    """A float for one weighting, an array for several."""
    values = np.asarray(values, dtype=np.float64)
    return float(values) if values.ndim == 0 else values


_COMMON_CONSTRAINTS = {
    "y_true": ["array-like"],
    "y_prob": ["array-like"],
    "labels": ["array-like", None],
    "sample_weight": ["array-like", None],
}
