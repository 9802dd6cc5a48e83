"""The targets of a fit: classes, encoded labels and class weights.

Functions of the estimator's parameters and the labels, shared by every
estimator of the package through ``_base.py``. ``class_weight_`` follows
scikit-learn's semantics, and is the focal loss's ``alpha_t``.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._labels import encode, label

__all__ = ["check_classes_to_learn", "class_weights", "encode_labels", "fit_classes"]

#: A class weight below this rounds to 0 when the weights become float32
#: sample weights: the class would silently stop counting.
_SMALLEST_WEIGHT = float(np.finfo(np.float32).tiny)


def fit_classes(y, classes, fitted_classes, *, continued, incremental):
    """The classes of this fit (``classes_``), checked against a fitted
    estimator's when training continues."""
    if not continued:
        return np.unique(y if classes is None else classes)
    if incremental:
        if classes is not None and not np.array_equal(
            np.unique(classes), fitted_classes
        ):
            raise ValueError(
                f"`classes={list(classes)!r}` is not the same as on the first "
                f"call to partial_fit, was: {fitted_classes.tolist()!r}."
            )
    elif not np.array_equal(np.unique(y), fitted_classes):
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in "
            f"the previous call to fit. Previously got {fitted_classes.tolist()}, "
            f"`y` has {np.unique(y).tolist()}."
        )
    return fitted_classes


def encode_labels(y, classes) -> np.ndarray:
    """``y`` as indices into ``classes``, naming labels that are not there."""
    return encode(
        y,
        classes,
        message="y contains labels {} that are not in classes_ = "
        f"{classes.tolist()}; pass every class of the stream as "
        "`classes` on the first call to partial_fit.",
    )


def check_classes_to_learn(y_encoded, sample_weight, classes, owner, *, incremental):
    """At least two classes must carry weight (a stream's chunk may hold one)."""
    if incremental:  # a chunk may hold one class; the stream needs two
        present = np.arange(len(classes))
    else:
        present = np.unique(
            y_encoded if sample_weight is None else y_encoded[sample_weight > 0]
        )
    if len(present) < 2:
        only = label((classes[present] if len(present) else classes)[0])
        raise ValueError(
            f"{owner} needs samples of at least 2 classes; the data contain only "
            f"one class ({only!r})"
            + ("" if sample_weight is None else " with non-zero sample_weight")
            + "."
        )


def class_weights(
    class_weight, classes, y_encoded, *, prior_correction, incremental
) -> np.ndarray:
    """One weight per class in ``classes`` (``class_weight_``).

    scikit-learn's semantics: ``"balanced"`` gives class ``c`` the weight
    ``n_samples / (n_classes * n_c)``; a dict maps labels to weights and
    leaves the other classes at 1.
    """
    n_classes = len(classes)
    if class_weight is None:
        return np.ones(n_classes)
    if class_weight == "balanced":
        if incremental:
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: one "
                "chunk does not show the class frequencies of the stream. Pass "
                "a dict, e.g. from sklearn.utils.class_weight."
                "compute_class_weight('balanced', classes=..., y=y_all)."
            )
        # a fit's classes come from y: every class has samples
        counts = np.bincount(y_encoded, minlength=n_classes)
        return len(y_encoded) / (n_classes * counts)
    weights = np.ones(n_classes)
    for name, weight in class_weight.items():
        index = np.searchsorted(classes, name)
        if index >= n_classes or classes[index] != name:
            raise ValueError(
                f"class_weight names the class {name!r}, which is not in y "
                f"(classes: {classes.tolist()})."
            )
        if not (isinstance(weight, Real) and np.isfinite(weight) and weight >= 0):
            raise ValueError(
                f"class_weight of class {name!r} must be a finite, non-negative "
                f"number; got {weight!r}."
            )
        if 0 < weight < _SMALLEST_WEIGHT:
            raise ValueError(
                f"class_weight of class {name!r} is {weight!r}, which rounds to 0 "
                f"in float32 training (the smallest positive weight is "
                f"{_SMALLEST_WEIGHT:.3g}). Pass 0 to leave the class out, or a "
                "larger weight."
            )
        weights[index] = weight
    if prior_correction and not weights.all():
        zero = label(classes[weights == 0][0])
        raise ValueError(
            f"class_weight of class {zero!r} is 0: the network never learns "
            "it, and prior_correction cannot divide by 0. Use a small positive "
            "weight or prior_correction=False."
        )
    return weights
