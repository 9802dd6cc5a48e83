"""Proper scores and ranking metrics: Brier score, log loss, average
precision, and how well confidence tells out-of-distribution rows."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.utils.validation import check_array

from .._compat import (
    validate_params,
)

if TYPE_CHECKING:  # torch loads on the first metric call, not on import
    pass
from ._inputs import (
    _COMMON_CONSTRAINTS,
    _check_probability_values,
    _check_targets_and_probabilities,
    _scan_probabilities,
    _value,
    _weighted_mean,
)


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
