"""Everything about the comparison's arguments that can fail, checked before
any training.

Each check names the argument and says what to change. The networks'
parameters are checked by the estimators' own constraints: every method's
estimator is built with :func:`~sklearn_focal.methods.make_method`, which
validates it, the gamma grid gamma by gamma.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from .._compat import _num_samples
from .._labels import label
from ..methods import check_column_types, make_method
from ._method_table import CALIBRATED, METHODS

__all__ = ["check_inputs"]


def check_inputs(
    X,
    y,
    *,
    methods,
    reference,
    n_repeats,
    gammas,
    test_size,
    cv,
    calibration,
    calibration_size,
    method_params,
    X_ood,
):
    """Check the comparison's arguments; return ``(methods, gammas, y as a
    1-D array, labels)``."""
    methods = _check_methods(methods, reference)
    if isinstance(n_repeats, bool):  # an Integral to Python, not to a user
        raise TypeError(
            "The 'n_repeats' parameter of compare_calibration must be an int in "
            f"the range [1, inf); got {n_repeats!r} instead."
        )
    gammas = _check_gammas(gammas)
    y = _check_target(X, y)
    labels = np.unique(y)
    _check_sizes(y, labels, test_size, cv, calibration, calibration_size, methods)
    if X_ood is not None:
        _check_ood(X, X_ood)
    if method_params["preprocessor"] == "auto":
        check_column_types(X)
    for method in methods:  # make_method runs the estimators' own checks
        make_method(method, **{**method_params, "gammas": gammas}, random_state=0)
    return methods, gammas, y, labels


def _check_methods(methods, reference):
    methods = list(METHODS if methods is None else methods)
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(
            f"The 'methods' parameter holds unknown methods {unknown}; choose "
            f"from {list(METHODS)}."
        )
    if not methods:
        raise ValueError("The 'methods' parameter must name at least one method.")
    methods = list(dict.fromkeys(methods))
    if reference not in methods:
        raise ValueError(
            f"The 'reference' parameter, {reference!r}, is not one of the "
            f"compared methods {methods}; add it to methods or pass another "
            "reference."
        )
    return methods


def _check_gammas(gammas):
    try:
        values = [float(g) for g in gammas]
    except (TypeError, ValueError):
        values = None
    if not values or not all(math.isfinite(g) and g >= 0 for g in values):
        raise ValueError(
            "The 'gammas' parameter must be a non-empty grid of finite gamma >= 0; "
            f"got {list(gammas)}."
        )
    return values


def _check_target(X, y):
    if np.ndim(y) == 2 and np.shape(y)[1] == 1:
        with warnings.catch_warnings():  # scikit-learn's DataConversionWarning
            warnings.simplefilter("always")
            y = column_or_1d(y, warn=True)
    elif np.ndim(y) != 1:
        raise ValueError(
            f"y must be 1-D, one label per row; got an array of shape {np.shape(y)}."
        )
    # sklearn's temperature scaling reads y[0] positionally: an array, not a Series
    y = np.asarray(y)
    if len(y) != _num_samples(X):
        raise ValueError(
            f"X has {_num_samples(X)} rows but y has {len(y)} labels; give one "
            "label per row."
        )
    kind = type_of_target(y, input_name="y")
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"y must hold class labels (binary or multiclass); its values are "
            f"{kind}. The comparison needs a few discrete classes."
        )
    if len(np.unique(y)) < 2:
        raise ValueError("y holds a single class; a comparison needs at least 2.")
    return y


def _check_sizes(y, labels, test_size, cv, calibration, calibration_size, methods):
    """Can every split of the protocol be drawn, stratified?"""
    n, n_classes = len(y), len(labels)
    counts = np.array([(y == c).sum() for c in labels])
    needed = math.ceil(max(cv, 2) / (1 - test_size)) + 1
    if counts.min() < needed:
        rare, count = label(labels[counts.argmin()]), int(counts.min())
        raise ValueError(
            f"Class {rare!r} of y has {count} sample{'s' * (count != 1)}; with "
            f"test_size={test_size} and cv={cv}, every class needs at least "
            f"{needed} (cv training samples for the calibration folds, plus one "
            "to test on). Pass more samples, fewer folds, or drop the class."
        )
    n_test = math.ceil(test_size * n)
    if n_test < n_classes or n - n_test < n_classes:
        raise ValueError(
            f"test_size={test_size} gives {n_test} test and {n - n_test} training "
            f"rows of {n}; a stratified split needs at least one row of each of "
            f"the {n_classes} classes in both. Choose a test_size between "
            f"{n_classes / n:.3g} and {1 - n_classes / n:.3g}."
        )
    if calibration == "holdout" and set(methods) & set(CALIBRATED):
        n_train = n - n_test
        n_calibration = math.ceil(calibration_size * n_train)
        if n_calibration < n_classes or n_train - n_calibration < n_classes:
            raise ValueError(
                f"calibration_size={calibration_size} holds out {n_calibration} "
                f"of the {n_train} training rows to calibrate on; a stratified "
                f"split needs at least one row of each of the {n_classes} "
                "classes on both sides. Raise calibration_size, or use "
                "calibration='cross_fit_ensemble' or 'cross_fit'."
            )


def _check_ood(X, X_ood):
    """X_ood must have the columns (and column types) of X, and rows."""
    if _num_samples(X_ood) == 0:
        raise ValueError("X_ood has 0 rows; pass out-of-distribution rows or None.")
    if isinstance(X, pd.DataFrame):
        if not isinstance(X_ood, pd.DataFrame):
            raise TypeError(
                "X is a DataFrame, so X_ood must be one too, with the same "
                f"columns; got {type(X_ood).__name__}."
            )
        missing = [c for c in X.columns if c not in X_ood.columns]
        if missing:
            raise ValueError(
                f"X_ood lacks the columns {missing[:5]} of X; it must have the "
                "same columns."
            )
        numeric = X.select_dtypes("number").columns
        wrong = [
            c for c in numeric if not pd.api.types.is_numeric_dtype(X_ood[c].dtype)
        ]
        if wrong:
            raise ValueError(
                f"X_ood's columns {wrong[:5]} are not numeric ({X_ood[wrong[0]].dtype}"
                ") although they are in X; give X_ood the column types of X."
            )
        return
    width = np.shape(X)[1] if np.ndim(X) == 2 else None
    ood_width = np.shape(X_ood)[1] if np.ndim(X_ood) == 2 else None
    if ood_width is None or ood_width != width:
        raise ValueError(
            f"X_ood has shape {np.shape(X_ood)} but X has {width} features; "
            "X_ood must be 2-D with the same features as X."
        )
    try:
        np.asarray(X_ood, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"X_ood must be numeric like X: {exc}") from None
