"""The validation rows of a fit: a stratified split, or the user's X_val.

Early stopping and AdaFocal's gamma updates read a validation loss; these
functions draw the rows (``validation_fraction`` of the training data,
stratified, in numpy) or check the ones given (``fit(X_val=, y_val=)``),
and refuse what would leave that loss undefined.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import column_or_1d

from .._compat import _check_sample_weight
from .._labels import label
from . import _targets
from ._data import validation_split

__all__ = ["validation_parts"]


def validation_parts(estimator, data, validation, seed, incremental):
    """The training and validation parts, each ``(X, y, sample_weight)``;
    the validation part is ``X_val`` when given, else a stratified
    ``validation_fraction`` of ``data`` (None when none is needed)."""
    if validation is not None:
        valid = _explicit_validation(estimator, *validation)
        _check_validation_weights(estimator, valid[2], len(valid[1]))
        return data, valid
    if not estimator._needs_validation(incremental):
        return data, None
    y_encoded = data[1]
    train, valid = validation_split(
        y_encoded, estimator.validation_fraction, seed, estimator._validation_hint
    )
    if estimator.class_weight == "balanced":
        absent = np.setdiff1d(np.unique(y_encoded), y_encoded[valid])
        if len(absent):
            rare = label(estimator.classes_[absent[0]])
            raise ValueError(
                f"class_weight='balanced' weighs class {rare!r} up, but it "
                "has too few samples to appear in the validation split, "
                "where early stopping would never see it. Pass more samples "
                "of it, or a class_weight dict."
            )
    parts = [tuple(None if a is None else a[i] for a in data) for i in (train, valid)]
    _check_validation_weights(estimator, parts[1][2], len(valid))
    return parts


def _explicit_validation(estimator, X_val, y_val, sample_weight_val):
    X_val = estimator._checked_input(X_val, reset=False)
    y_val = column_or_1d(y_val)
    if len(y_val) != len(X_val):
        raise ValueError(
            f"X_val has {len(X_val)} rows but y_val has {len(y_val)} labels."
        )
    y_val = _targets.encode_labels(y_val, estimator.classes_)
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(
            sample_weight_val, X_val, dtype=np.float32, ensure_non_negative=True
        )
    return X_val, y_val, estimator._alpha(y_val, sample_weight_val)


def _check_validation_weights(estimator, weight, n_valid):
    if weight is not None and not weight.any():
        what = (
            "sample_weight"
            if estimator.class_weight is None
            else "sample_weight times class_weight"
        )
        raise ValueError(
            f"{what} is zero on all {n_valid} samples of the validation "
            f"split (validation_fraction={estimator.validation_fraction}), so the "
            f"validation loss that {estimator._validation_user} needs is "
            "undefined. Give non-zero weight to more samples or raise "
            "validation_fraction."
        )
