"""Which calibration approach should I use on this data set, and is the
difference real?

:func:`~sklearn_focal.compare_calibration` answers it for one tabular data set. The
protocol, repeated ``n_repeats`` times with new seeds:

1. A stratified train/test split (``test_size``).
2. Every method of :mod:`sklearn_focal.methods` is built as the public,
   unfitted estimator :func:`~sklearn_focal.make_method` returns,
   with the repeat's seed, and fitted on the training part: the same
   preprocessing, network architecture and training recipe
   (``estimator_params``) for every method. A network that several methods
   train on the same rows is trained once (the post-hoc calibrators of one
   cross-entropy network, the gamma search of ``focal`` and
   ``focal+temperature``); the result is the one each method's estimator
   gives alone, and each is charged its full fit time.
3. Every model is scored on the test part: each metric of the registry
   (:data:`sklearn_focal.metrics.METRICS`) once, and on ``n_bootstrap``
   resamples of the test rows (shared by all methods of the repeat). With
   ``X_ood``, also how well the confidence tells those rows from the test
   rows.

The result, a :class:`~sklearn_focal.compare.CalibrationComparison`, holds
every run, the mean of
each metric with a 95 % interval (see :mod:`sklearn_focal._comparison._stats`), the
paired difference of each method to a reference with a verdict, and a
recommendation;
:meth:`~sklearn_focal.compare.CalibrationComparison.fit_recommended` fits
the recommended method on all the rows. Repeats and groups of methods are
independent jobs: ``n_jobs`` runs them in parallel with joblib (any backend,
Dask included).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ._comparison._checks import check_inputs
from ._comparison._method_table import CALIBRATIONS, METHODS
from ._comparison._protocol import (
    DEFAULT_N_BOOTSTRAP,
    METRICS_COLUMNS,
    OOD_COLUMNS,
    run_comparison,
)
from ._comparison._recommend import DEFAULT_RULE, RECOMMENDATION_RULES
from ._comparison._result import CalibrationComparison
from ._compat import HasMethods, Interval, StrOptions, validate_params
from .gamma_search import DEFAULT_SELECT_BY, SELECT_BY
from .methods import (
    DEFAULT_CALIBRATION,
    DEFAULT_GAMMAS,
    make_preprocessor,
)

__all__ = [
    "DEFAULT_RULE",
    "METHODS",
    "METRICS_COLUMNS",
    "OOD_COLUMNS",
    "RECOMMENDATION_RULES",
    "CalibrationComparison",
    "check_comparison_inputs",
    "compare_calibration",
    "make_preprocessor",
]

#: Default of ``select_gamma_by``: that of the search's ``select_by``.
DEFAULT_SELECT_GAMMA_BY = DEFAULT_SELECT_BY


# ------------------------------------------------------------------------------
# The comparison
# ------------------------------------------------------------------------------
_PARAMETERS = {
    "X": ["array-like"],
    "y": ["array-like"],
    "methods": [list, tuple, None],
    "reference": [str],
    "n_repeats": [Interval(Integral, 1, None, closed="left")],
    "X_ood": ["array-like", None],
    "preprocessor": [StrOptions({"auto"}), HasMethods(["fit", "transform"]), None],
    "test_size": [Interval(Real, 0, 1, closed="neither")],
    "cv": [Interval(Integral, 2, None, closed="left")],
    "n_bins": [Interval(Integral, 1, None, closed="left")],
    "gammas": [list, tuple, np.ndarray],
    "select_gamma_by": [StrOptions(set(SELECT_BY))],
    "calibration": [StrOptions(set(CALIBRATIONS))],
    "calibration_size": [Interval(Real, 0, 1, closed="neither")],
    "estimator_params": [dict, None],
    "class_weight": [None, StrOptions({"balanced"}), dict],
    "device": [str],
}


@validate_params(_PARAMETERS, prefer_skip_nested_validation=False)
def check_comparison_inputs(
    X,
    y,
    *,
    methods=None,
    reference="cross_entropy",
    n_repeats=5,
    X_ood=None,
    preprocessor="auto",
    test_size=0.25,
    cv=3,
    n_bins=15,
    gammas=DEFAULT_GAMMAS,
    select_gamma_by=DEFAULT_SELECT_GAMMA_BY,
    calibration=DEFAULT_CALIBRATION,
    calibration_size=0.2,
    estimator_params=None,
    class_weight=None,
    device="auto",
):
    """Check the arguments of :func:`~sklearn_focal.compare_calibration`
    without training.

    The same checks ``compare_calibration`` runs before any training: the
    arguments, the data and its classes against the splits, and every
    method's estimator against its own parameter constraints.

    Parameters
    ----------
    X, y, methods, reference, n_repeats, X_ood, preprocessor, test_size, cv, \
n_bins, gammas, select_gamma_by, calibration, calibration_size, \
estimator_params, class_weight, device
        As in :func:`~sklearn_focal.compare_calibration`.

    Returns
    -------
    checked : dict
        ``methods`` (the list, duplicates removed), ``gammas`` (floats),
        ``y`` (a 1-D array), ``labels`` (the sorted classes),
        ``method_params`` (the keywords of
        :func:`~sklearn_focal.make_method`), and ``reference``,
        ``n_repeats``, ``X_ood``, ``test_size`` and ``n_bins`` as given: what
        the comparison runs on.
    """
    method_params = {
        "preprocessor": preprocessor,
        "estimator_params": estimator_params,
        "gammas": gammas,
        "select_gamma_by": select_gamma_by,
        "calibration": calibration,
        "cv": cv,
        "calibration_size": calibration_size,
        "class_weight": class_weight,
        "device": device,
    }
    methods, gammas, y, labels = check_inputs(
        X,
        y,
        methods=methods,
        reference=reference,
        n_repeats=n_repeats,
        gammas=gammas,
        test_size=test_size,
        cv=cv,
        calibration=calibration,
        calibration_size=calibration_size,
        method_params=method_params,
        X_ood=X_ood,
    )
    method_params["gammas"] = tuple(gammas)
    return {
        "methods": methods,
        "gammas": gammas,
        "y": y,
        "labels": labels,
        "method_params": method_params,
        "reference": reference,
        "n_repeats": n_repeats,
        "X_ood": X_ood,
        "test_size": test_size,
        "n_bins": n_bins,
    }


@validate_params(
    {
        **_PARAMETERS,
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "return_estimators": ["boolean"],
    },
    prefer_skip_nested_validation=False,
)
def compare_calibration(
    X,
    y,
    *,
    methods=None,
    reference="cross_entropy",
    n_repeats=5,
    X_ood=None,
    preprocessor="auto",
    test_size=0.25,
    cv=3,
    n_bins=15,
    gammas=DEFAULT_GAMMAS,
    select_gamma_by=DEFAULT_SELECT_GAMMA_BY,
    calibration=DEFAULT_CALIBRATION,
    calibration_size=0.2,
    estimator_params=None,
    class_weight=None,
    n_bootstrap=DEFAULT_N_BOOTSTRAP,
    random_state=None,
    n_jobs=None,
    device="auto",
    verbose=1,
    return_estimators=False,
):
    """Compare calibration approaches on one data set, with repeats and
    intervals.

    See the module docs (:mod:`sklearn_focal.compare`) for the protocol,
    :mod:`sklearn_focal.methods` for the methods and
    :class:`~sklearn_focal.compare.CalibrationComparison` for what it
    returns.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Raw features (mixed types are fine with ``preprocessor="auto"``).
    y : array-like of shape (n_samples,)
        Class labels.
    methods : sequence of str, default=None
        Subset of :data:`~sklearn_focal.methods.METHODS`; default all of
        them.
    reference : str, default="cross_entropy"
        The method the others are paired with; one of ``methods``.
    n_repeats : int, default=5
        Train/test splits, each with its own seeds.
    X_ood : array-like or DataFrame of shape (n_ood, n_features), default=None
        Out-of-distribution rows (same columns as ``X``): adds the ``ood_*``
        columns, how well each model's confidence tells them from the test
        rows (:func:`~sklearn_focal.metrics.ood_detection_scores`).
    preprocessor : "auto", transformer or None, default="auto"
        ``"auto"``: :class:`~sklearn_focal.methods.TabularPreprocessor`; a
        transformer is cloned; None: ``X`` is used as is.
    test_size : float, default=0.25
        Share of the samples held out for scoring.
    cv : int, default=3
        Folds of the cross-fitted calibrations and of the ``+isotonic``
        baselines.
    n_bins : int, default=15
        Bins of the calibration errors.
    gammas : sequence of float, default=(0, 0.5, 1, 2, 3, 5)
        Grid of the ``focal`` method
        (:class:`~sklearn_focal.GammaSearchClassifier`).
    select_gamma_by : {"ece", "log_loss"}, default="log_loss"
        The held-out metric that picks gamma (lowest wins).
    calibration : {"holdout", "cross_fit", "cross_fit_ensemble"}, \
            default="cross_fit_ensemble"
        Where the calibrated networks get their calibration rows: a held-out
        ``calibration_size`` of the training part; out-of-fold predictions
        of ``cv`` networks with the kept network trained on every row; or
        the ``cv`` fold networks kept, each calibrated on its held-out fold,
        and averaged. The default, the one of lowest fresh log loss in
        ``benchmarks/verdicts.py``, fits its map to the networks it is
        applied to, at ``cv`` networks per prediction; the user guide shows
        what each costs and gains.
    calibration_size : float, default=0.2
        Share of the training part held out by ``calibration="holdout"``.
    estimator_params : dict, default=None
        Parameters for every network (``hidden_layer_sizes``,
        ``max_iter``, ...), checked by the networks' own constraints before
        any training.
    class_weight : dict, "balanced" or None, default=None
        Passed to every network (see :class:`FocalClassifier`; their
        probabilities are prior-corrected). The scikit-learn baselines stay
        unweighted. Every method then predicts by the weighted decision
        rule (the class of the largest class weight times probability; see
        :class:`~sklearn_focal.methods.WeightedDecisionClassifier`), and
        accuracy and balanced accuracy score each method's own ``predict``,
        so that they compare alike and measure what a user deploys.
    n_bootstrap : int, default=100
        Resamples of each test part for the intervals (0: spread over
        repeats only).
    random_state : int, RandomState instance or None, default=None
        Seeds the splits, the networks and the resamples.
    n_jobs : int, default=None
        Jobs (repeat x group of methods) run in parallel; see joblib.
    device : str, default="auto"
        Device of every network.
    verbose : int, default=1
        Progress bar over the jobs when > 0.
    return_estimators : bool, default=False
        Keep the fitted models and the test parts.

    Returns
    -------
    comparison : CalibrationComparison

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_focal import compare_calibration
    >>> X, y = load_iris(return_X_y=True)
    >>> comparison = compare_calibration(
    ...     X, y, methods=["cross_entropy", "temperature"], n_repeats=2,
    ...     random_state=0, verbose=0,
    ...     estimator_params={"hidden_layer_sizes": (16,), "max_iter": 20})
    >>> comparison.summary.index.tolist()
    ['cross_entropy', 'temperature']
    >>> bool(comparison.paired["verdict"].isin(
    ...     ["better", "worse", "no clear difference"]).all())
    True
    """
    checked = check_comparison_inputs(
        X,
        y,
        methods=methods,
        reference=reference,
        n_repeats=n_repeats,
        X_ood=X_ood,
        preprocessor=preprocessor,
        test_size=test_size,
        cv=cv,
        n_bins=n_bins,
        gammas=gammas,
        select_gamma_by=select_gamma_by,
        calibration=calibration,
        calibration_size=calibration_size,
        estimator_params=estimator_params,
        class_weight=class_weight,
        device=device,
    )
    return run_comparison(
        X,
        checked,
        n_bootstrap=n_bootstrap,
        random_state=random_state,
        n_jobs=n_jobs,
        verbose=verbose,
        return_estimators=return_estimators,
    )
