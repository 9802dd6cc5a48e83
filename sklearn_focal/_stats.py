"""The statistics of the comparison: test-set metrics with bootstrap
replicates, intervals over repeats, paired differences and verdicts.

Every metric of a (repeat, method) run is computed once on the whole test
part (the point value, equal to the public function of
:mod:`sklearn_focal.metrics`) and on ``n_bootstrap`` resamples of the test
rows. The resamples of one repeat are shared by all methods (drawn from the
repeat's seed), so that a difference between two methods is bootstrapped
on the same rows: a paired bootstrap.

Intervals (:func:`interval`) combine two sources of noise:

* the spread of the point values over repeats (new split, new network
  seeds), ``s**2 / R``;
* the noise of a finite test part, the mean over repeats of the bootstrap
  variance ``v``, scaled by the overlap of the repeats' test parts:
  ``kappa = sum_i c_i**2 / (R * n_test)**2 * n_test`` where ``c_i`` counts
  the repeats that test on row ``i``. Disjoint test parts give
  ``kappa = 1 / R`` (averaging helps), identical ones ``kappa = 1``.

The interval is ``mean +- t * sqrt(s**2 / R + kappa * v)``, ``t`` the 97.5 %
quantile of Student's t with the Welch-Satterthwaite degrees of freedom of
the two variance estimates (``R - 1`` and ``n_bootstrap - 1``). The first
term also holds part of the test noise, so the interval errs on the wide
side; its coverage is tested on synthetic data of known calibration error.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .metrics import (
    _bin_index,
    _bin_statistics,
    _calibration_error,
    _debiased_squared_error,
    _smooth_ece_at,
    _smooth_ece_bandwidth,
    _top_label,
)

#: The metrics of a comparison, by the direction in which they are better:
#: scores (higher), errors (lower) and the neutral columns that are reported
#: but not ranked; the OOD columns mix both directions.
SCORES = ("accuracy", "balanced_accuracy", "average_precision")
ERRORS = (
    "ece",
    "adaptive_ece",
    "classwise_ece",
    "mce",
    "smooth_ece",
    "debiased_ce",
    "log_loss",
    "multiclass_brier_score",
)
NEUTRAL = ("hessian_trace", "training_hessian_trace", "fit_seconds", "gamma")
OOD_METRICS = (
    "ood_auroc_max_proba",
    "ood_fpr95_max_proba",
    "ood_auroc_entropy",
    "ood_fpr95_entropy",
)
LOWER_IS_BETTER = {*ERRORS, "ood_fpr95_max_proba", "ood_fpr95_entropy"}

#: The range of each metric, to which its interval is clipped: every
#: calibration error, accuracy, AP and OOD score lies in [0, 1].
RANGES = {
    **dict.fromkeys((*SCORES, *ERRORS, *OOD_METRICS), (0.0, 1.0)),
    "log_loss": (0.0, np.inf),
    "multiclass_brier_score": (0.0, 2.0),
    "fit_seconds": (0.0, np.inf),
    "gamma": (0.0, np.inf),
}

#: The verdicts of a paired difference.
BETTER, WORSE, UNCLEAR = "better", "worse", "no clear difference"


def _average_precision(positive, score):
    """scikit-learn's average precision of one column, without validation."""
    order = np.argsort(-score, kind="mergesort")
    score, positive = score[order], positive[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    true_pos = np.cumsum(positive)[last]
    precision = true_pos / (last + 1)
    recall = true_pos / true_pos[-1]
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def _resampled_metrics(y, proba, predicted, n_bins, sigma):
    """The metrics that are not a mean over rows, on one (resampled) test
    part. ``y`` and ``predicted`` are encoded; ``sigma`` is the smooth ECE's
    bandwidth on the whole test part (kept fixed on resamples)."""
    top = proba.argmax(axis=1)  # numpy: faster than torch on small parts
    confidence = proba[np.arange(len(y)), top]
    correct = (top == y).astype(np.float64)  # of the most probable class
    quantile = _bin_statistics(
        confidence[:, None], correct[:, None].astype(int), None, n_bins, "quantile"
    )
    present = [k for k in range(proba.shape[1]) if (y == k).any()]
    recall = [np.mean(predicted[y == k] == k) for k in present]
    columns = [1] if proba.shape[1] == 2 else present
    return {
        "balanced_accuracy": float(np.mean(recall)),
        "average_precision": float(
            np.mean([_average_precision(y == k, proba[:, k]) for k in columns])
        ),
        "adaptive_ece": float(_calibration_error(quantile, "l1")[0]),
        "smooth_ece": _smooth_ece_at(
            confidence, confidence - correct, np.ones(len(y)), sigma
        ),
        "debiased_ce": float(
            np.sqrt(max(_debiased_squared_error(confidence, correct, n_bins), 0.0))
        ),
    }


def _uniform_bin_onehot(values, n_bins):
    """(n, n_bins) indicator of each value's uniform bin, as the metrics bin."""
    index = _bin_index(values, np.linspace(0.0, 1.0, n_bins + 1))
    onehot = np.zeros((len(values), n_bins))
    onehot[np.arange(len(values)), index] = 1.0
    return onehot


def score_test_part(y, proba, predicted, *, n_bins, counts):
    """Point values and bootstrap replicates of the test-set metrics.

    Parameters
    ----------
    y, predicted : ndarray of shape (n,)
        Encoded true and predicted classes.
    proba : ndarray of shape (n, n_classes)
        Validated probabilities.
    n_bins : int
        Bins of the binned errors.
    counts : ndarray of shape (n_bootstrap, n)
        How often each row is drawn in each resample.

    Returns
    -------
    point, replicates : dict of str to float, dict of str to ndarray
    """
    n, n_classes = proba.shape
    rows = np.arange(n)
    onehot_y = (y[:, None] == np.arange(n_classes)).astype(np.float64)
    confidence, top = _top_label(proba)
    correct = (top == y).astype(np.float64)

    # Means over rows and uniform-binned sums: one matrix product each.
    per_row = np.column_stack(
        [
            (predicted == y).astype(np.float64),
            -np.log(np.clip(proba[rows, y], np.finfo(np.float64).eps, 1.0)),
            ((proba - onehot_y) ** 2).sum(axis=1),
        ]
    )
    top_bins = _uniform_bin_onehot(confidence, n_bins)
    class_bins = np.concatenate(
        [
            _uniform_bin_onehot(proba[:, k], n_bins)
            * (proba[:, k] - onehot_y[:, k])[:, None]
            for k in range(n_classes)
        ],
        axis=1,
    )
    weights = np.vstack([np.ones(n), counts])  # row 0: the test part itself
    means = weights @ per_row / n
    gap_sums = weights @ (top_bins * (confidence - correct)[:, None])
    bin_counts = weights @ top_bins
    class_sums = np.abs(weights @ class_bins).reshape(len(weights), n_classes, n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        bin_gap = np.where(bin_counts > 0, np.abs(gap_sums) / bin_counts, 0.0)
    values = {
        "accuracy": means[:, 0],
        "log_loss": means[:, 1],
        "multiclass_brier_score": means[:, 2],
        "ece": np.abs(gap_sums).sum(axis=1) / n,
        "mce": bin_gap.max(axis=1),
        "classwise_ece": class_sums.sum(axis=2).mean(axis=1) / n,
    }
    point = {name: float(v[0]) for name, v in values.items()}
    replicates = {name: v[1:] for name, v in values.items()}

    # The others: one evaluation per resample (the smooth ECE's bandwidth is
    # searched once, on the whole test part).
    sigma = _smooth_ece_bandwidth(confidence, confidence - correct, np.ones(n))
    point.update(_resampled_metrics(y, proba, predicted, n_bins, sigma))
    resampled = [
        _resampled_metrics(y[index], proba[index], predicted[index], n_bins, sigma)
        for index in (np.repeat(rows, c.astype(np.intp)) for c in counts)
    ]
    for name in resampled[0] if resampled else ():
        replicates[name] = np.array([r[name] for r in resampled])
    return point, replicates


def bootstrap_counts(n, n_bootstrap, seed):
    """``(n_bootstrap, n)`` multinomial draw counts of a row resample."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_bootstrap).astype(np.float64)


def overlap_factor(test_indices, n_samples):
    """``kappa`` of the module docs: the share of one test part's noise that
    is left in the mean over repeats, given which rows each repeat tests on."""
    appearances = np.zeros(n_samples)
    for index in test_indices:
        appearances[index] += 1
    n_repeats = len(test_indices)
    n_test = np.mean([len(index) for index in test_indices])
    return float(np.sum(appearances**2) * n_test / (n_repeats * n_test) ** 2)


def interval(values, replicates=None, *, kappa=1.0, level=0.95, bounds=None):
    """Mean of ``values`` over repeats and its interval (module docs).

    Parameters
    ----------
    values : array-like of shape (n_repeats,)
        Point values per repeat (NaN ignored, as a repeat without it).
    replicates : array-like of shape (n_repeats, n_bootstrap), default=None
        Bootstrap replicates per repeat; None: the spread over repeats only.
    kappa : float
        Overlap factor of the test parts.
    level : float
        Coverage of the interval.
    bounds : (float, float), default=None
        The range of the metric; the interval is clipped to it.

    Returns
    -------
    mean, low, high : float
        ``low`` and ``high`` are NaN when there is no variance to estimate
        (one repeat and no replicates).
    """
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    values = values[keep]
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    n_repeats = len(values)
    between = values.var(ddof=1) / n_repeats if n_repeats > 1 else 0.0
    within, n_bootstrap = 0.0, 0
    if replicates is not None:
        replicates = np.asarray(replicates, dtype=np.float64)[keep]
        n_bootstrap = replicates.shape[1]
        if n_bootstrap > 1:
            within = kappa * float(np.mean(replicates.var(axis=1, ddof=1)))
    terms = [(between, n_repeats - 1), (within, n_bootstrap - 1)]
    terms = [(var, df) for var, df in terms if df > 0]
    total = sum(var for var, _ in terms)
    if not terms:
        return mean, np.nan, np.nan
    if total == 0:
        return mean, mean, mean
    df = total**2 / sum(var**2 / df for var, df in terms)
    half = stats.t.ppf(0.5 + level / 2, df) * np.sqrt(total)
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, low, high


def verdict(low, high, metric):
    """Better, worse or no clear difference, from the interval of a
    difference ``method - reference``."""
    if np.isnan(low) or (low <= 0 <= high):
        return UNCLEAR
    lower_wins = metric in LOWER_IS_BETTER
    return BETTER if (high < 0) == lower_wins else WORSE


def combined_verdict(verdicts):
    """One verdict from several metrics': better when one is better and none
    worse, worse when one is worse and none better, else unclear."""
    verdicts = set(verdicts)
    if BETTER in verdicts and WORSE not in verdicts:
        return BETTER
    if WORSE in verdicts and BETTER not in verdicts:
        return WORSE
    return UNCLEAR
