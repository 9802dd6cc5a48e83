"""The statistics of the comparison: test-set metrics with bootstrap
replicates, intervals over repeats, paired differences and verdicts.

Every metric of a (repeat, method) run is computed once on the whole test
part (the point value) and on ``n_bootstrap`` resamples of the test rows,
all by the metric's public function in the registry
(:data:`sklearn_focal.metrics.METRICS`): one call with ``sample_weight`` =
the resample counts (a 2-D weight, one row per resample, the first row the
test part itself). The label metrics are scikit-learn's (``accuracy``,
``balanced_accuracy``): their point values are its functions', and their
resamples come from weighted confusion matrices in one matrix product,
turned into values by each record's ``from_confusion`` (tested equal to
scikit-learn's functions with those weights). The
resamples of one repeat are shared by all methods (drawn from the repeat's
seed), so that a difference between two methods is bootstrapped on the
same rows: a paired bootstrap. The smooth ECE keeps the bandwidth of the
whole test part on its resamples.

Intervals (``interval``) combine two sources of noise:

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

from ..metrics import METRICS

#: The registry's metrics of a test part (curvature and OOD are not).
TEST_METRICS = tuple(
    name
    for name, metric in METRICS.items()
    if metric.in_comparison and metric.response in ("proba", "predict")
)

#: The verdicts of a paired difference.
BETTER, WORSE, UNCLEAR = "better", "worse", "no clear difference"


def score_test_part(y, proba, predicted, *, n_bins, counts):
    """Point values and bootstrap replicates of the test-set metrics.

    Parameters
    ----------
    y, predicted : ndarray of shape (n,)
        Encoded true and predicted classes.
    proba : ndarray of shape (n, n_classes)
        Probabilities, columns in class order.
    n_bins : int
        Bins of the binned errors.
    counts : ndarray of shape (n_bootstrap, n)
        How often each row is drawn in each resample.

    Returns
    -------
    point, replicates : dict of str to float, dict of str to ndarray
    """
    n, n_classes = proba.shape
    weights = np.vstack([np.ones(n), counts])  # row 0: the test part itself
    labels = np.arange(n_classes)
    point, replicates = {}, {}
    for name in TEST_METRICS:
        metric = METRICS[name]
        if metric.response == "predict":
            point[name] = float(metric(y, predicted))
            replicates[name] = _label_metric(name, y, predicted, n_classes, counts)
            continue
        extra = {"n_bins": n_bins} if metric.binned else {}
        values = metric(y, proba, labels=labels, sample_weight=weights, **extra)
        point[name], replicates[name] = float(values[0]), values[1:]
    return point, replicates


def _label_metric(name, y, predicted, n_classes, counts):
    """A label metric of every resample, from weighted confusion matrices
    in one matrix product and the record's ``from_confusion`` (tested equal
    to scikit-learn's functions with those weights)."""
    from_confusion = METRICS[name].from_confusion
    if from_confusion is None:
        raise ValueError(
            f"The metric {name!r} of predict's labels has no from_confusion in "
            "its registry record, so its resamples cannot be computed."
        )
    cells = y * n_classes + predicted
    onehot = np.zeros((len(y), n_classes * n_classes))
    onehot[np.arange(len(y)), cells] = 1.0
    confusion = (counts @ onehot).reshape(len(counts), n_classes, n_classes)
    return from_confusion(confusion)


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
    lower_wins = not METRICS[metric].greater_is_better
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
