"""Focal training against post-hoc calibration, on one data set.

:func:`compare_calibration` answers the question users come with: does focal
(or AdaFocal) training calibrate a network as well as cross-entropy followed
by temperature scaling, isotonic regression or Platt scaling, at what
accuracy, and at what cost?

The protocol:

1. A stratified train/test split (``test_size``).
2. Every network sees the same preprocessing (``preprocessor``), fitted on
   the training part only, and the same architecture and training recipe
   (``estimator_params``).
3. Networks trained on the whole training part:

   * ``cross_entropy``: ``FocalClassifier(gamma=0)``;
   * ``focal``: ``FocalClassifier`` with gamma chosen by ``GridSearchCV``
     (``cv`` folds of the training part, lowest ECE);
   * ``focal_sd53``: FLSD-53;
   * ``adafocal``: ``AdaFocalClassifier`` (15 bins, or as many as its
     validation split has samples when that is fewer).

   Each holds out its own internal validation split for early stopping (and
   AdaFocal's gamma updates).
4. Post-hoc calibration (``temperature``, ``isotonic``, ``sigmoid``): a
   cross-entropy network trained on ``1 - calibration_size`` of the training
   part, frozen, then calibrated on the rest with scikit-learn's
   ``CalibratedClassifierCV(FrozenEstimator(net), method=...)``. The three
   share one network.
5. Everything is scored on the test part.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import Bunch, check_random_state
from tqdm.auto import tqdm

from ._compat import HasMethods, Interval, StrOptions, validate_params
from ._methods import METHODS
from ._methods import POST_HOC as _POST_HOC
from .adafocal import AdaFocalClassifier
from .curvature import hessian_trace
from .focal import FocalClassifier
from .metrics import (
    average_precision,
    brier_score,
    classwise_calibration_error,
    expected_calibration_error,
    negative_log_likelihood,
)
from .scoring import calibration_scoring

__all__ = ["METHODS", "compare_calibration", "make_preprocessor"]
_COLUMNS = [
    "accuracy",
    "balanced_accuracy",
    "average_precision",
    "ece",
    "adaptive_ece",
    "classwise_ece",
    "mce",
    "log_loss",
    "multiclass_brier_score",
    "hessian_trace",
    "fit_seconds",
    "gamma",
]


def make_preprocessor(X):
    """Preprocessing for raw tabular data.

    For a DataFrame: numeric columns are median-imputed and standardised;
    all other columns (categories, strings, booleans) are one-hot encoded,
    with a missing value as a category of its own (missingness can carry
    information) and unknown categories at predict time ignored. For an
    array: median imputation and standardisation.

    Parameters
    ----------
    X : DataFrame or array-like
        Training data; only its column types are used.

    Returns
    -------
    preprocessor : unfitted transformer

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_focal.compare import make_preprocessor
    >>> X = pd.DataFrame({"age": [30, None, 50], "city": ["a", "b", None]})
    >>> make_preprocessor(X).fit_transform(X).shape  # age; city a, b, missing
    (3, 4)
    """
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    if not isinstance(X, pd.DataFrame):
        return numeric
    categorical = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ],
        verbose_feature_names_out=False,
    )


def _network(estimator, preprocessor):
    steps = [] if preprocessor is None else [("preprocess", clone(preprocessor))]
    return Pipeline([*steps, ("classifier", estimator)])


def _scores(estimator, X, y, labels, n_bins, with_curvature, reweighted):
    proba = estimator.predict_proba(X)
    common = dict(labels=labels)
    binned = dict(n_bins=n_bins, **common)
    # predict() is the argmax of these probabilities (no second pass) unless
    # class weights made it the weighted network's decision rule
    pred = estimator.predict(X) if reweighted else labels[proba.argmax(axis=1)]
    row = {
        "accuracy": float(np.mean(pred == y)),
        "balanced_accuracy": float(balanced_accuracy_score(y, pred)),
        "average_precision": average_precision(y, proba, **common),
        "ece": expected_calibration_error(y, proba, **binned),
        "adaptive_ece": expected_calibration_error(
            y, proba, strategy="quantile", **binned
        ),
        "classwise_ece": classwise_calibration_error(y, proba, **binned),
        "mce": expected_calibration_error(y, proba, norm="max", **binned),
        "log_loss": negative_log_likelihood(y, proba, **common),
        "multiclass_brier_score": brier_score(y, proba, **common),
        "hessian_trace": np.nan,
    }
    if with_curvature:
        row["hessian_trace"] = float(hessian_trace(estimator, X, y, random_state=0))
    return row


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "methods": [list, tuple, None],
        "preprocessor": [StrOptions({"auto"}), HasMethods(["fit", "transform"]), None],
        "test_size": [Interval(Real, 0, 1, closed="neither")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "gammas": [list, tuple],
        "calibration_size": [Interval(Real, 0, 1, closed="neither")],
        "estimator_params": [dict, None],
        "class_weight": [None, StrOptions({"balanced"}), dict],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "device": [str],
        "verbose": ["verbose"],
        "return_estimators": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def compare_calibration(
    X,
    y,
    *,
    methods=None,
    preprocessor="auto",
    test_size=0.25,
    cv=3,
    n_bins=15,
    gammas=(0.5, 1.0, 2.0, 3.0, 5.0),
    calibration_size=0.2,
    estimator_params=None,
    class_weight=None,
    random_state=None,
    n_jobs=None,
    device="auto",
    verbose=1,
    return_estimators=False,
):
    """Compare focal-loss training with post-hoc calibration on one data set.

    See the module docs for the protocol.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Raw features (mixed types are fine with ``preprocessor="auto"``).
    y : array-like of shape (n_samples,)
        Class labels.
    methods : sequence of str, default=None
        Subset of :data:`METHODS`; default all of them.
    preprocessor : "auto", transformer or None, default="auto"
        ``"auto"``: :func:`make_preprocessor`; a transformer is cloned;
        None: ``X`` is used as is.
    test_size : float, default=0.25
        Share of the samples held out for scoring.
    cv : int, default=3
        Folds of the gamma search.
    n_bins : int, default=15
        Bins of the calibration errors.
    gammas : sequence of float, default=(0.5, 1, 2, 3, 5)
        Grid of the ``focal`` method.
    calibration_size : float, default=0.2
        Share of the training part that post-hoc methods calibrate on.
    estimator_params : dict, default=None
        Parameters for every network (``hidden_layer_sizes``,
        ``max_iter``, ...).
    class_weight : dict, "balanced" or None, default=None
        Passed to every network (see :class:`FocalClassifier`; their
        probabilities are prior-corrected, their predictions keep the
        weighted decision rule). Post-hoc methods calibrate the weighted
        network.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits and the networks.
    n_jobs : int, default=None
        Parallel fits of the gamma search (see the scaling section of the
        README for CUDA and Dask).
    device : str, default="auto"
        Device of every network.
    verbose : int, default=1
        Progress bar over the methods when > 0.
    return_estimators : bool, default=False
        Also return the fitted models and the test data.

    Returns
    -------
    table : pandas.DataFrame
        One row per method (index), columns ``accuracy``,
        ``balanced_accuracy``, ``average_precision`` (positive class, or
        macro one-vs-rest), ``ece``, ``adaptive_ece``, ``classwise_ece``,
        ``mce``, ``log_loss``, ``multiclass_brier_score``,
        ``hessian_trace`` (of the cross-entropy on the test part; NaN for
        post-hoc methods), ``fit_seconds`` and ``gamma`` (0 for
        cross-entropy, the selected gamma for ``focal``, else NaN). Each
        column is named as its scorer in :mod:`sklearn_focal.scoring`,
        without the ``neg_`` (the table shows the errors themselves).
    details : Bunch
        Only with ``return_estimators=True``: ``estimators`` (method name
        -> fitted model), ``gamma_search`` (the fitted GridSearchCV or
        None), ``X_test`` and ``y_test``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_focal import compare_calibration
    >>> X, y = load_iris(return_X_y=True)
    >>> table = compare_calibration(
    ...     X, y, methods=["cross_entropy", "temperature"], random_state=0,
    ...     estimator_params={"hidden_layer_sizes": (16,), "max_iter": 20}, verbose=0)
    >>> table.index.tolist()
    ['cross_entropy', 'temperature']
    >>> sorted(table.columns)[:3]
    ['accuracy', 'adaptive_ece', 'average_precision']
    """
    methods = list(METHODS if methods is None else methods)
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"Unknown methods {unknown}; choose from {list(METHODS)}.")
    # A plain array: sklearn's temperature scaling reads y[0], which a pandas
    # Series resolves by label and a split may have removed.
    y = np.asarray(y)
    rng = check_random_state(random_state)
    split_seed, cv_seed, net_seed, cal_seed = (
        int(s) for s in rng.randint(2**31 - 1, size=4)
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=split_seed
    )
    labels = np.unique(y)
    if preprocessor == "auto":
        preprocessor = make_preprocessor(X_train)
    params = {
        "device": device,
        "random_state": net_seed,
        "class_weight": class_weight,
        **(estimator_params or {}),
    }

    context = _Context(
        X_train=X_train,
        y_train=y_train,
        preprocessor=preprocessor,
        params=params,
        gammas=list(gammas),
        cv=StratifiedKFold(cv, shuffle=True, random_state=cv_seed),
        n_jobs=n_jobs,
        calibration_size=calibration_size,
        calibration_seed=cal_seed,
    )
    estimators, fit_seconds, gamma = {}, {}, {}
    progress = tqdm(methods, desc="compare", disable=verbose < 1, leave=False)
    for method in progress:
        progress.set_postfix_str(method)
        start = time.perf_counter()
        fitted = _METHODS[method](context, method)
        elapsed = time.perf_counter() - start
        fit_seconds[method] = elapsed if fitted.seconds is None else fitted.seconds
        estimators[method] = fitted.model
        if fitted.gamma is not None:
            gamma[method] = fitted.gamma
    search = context.search

    rows = {}
    for method, model in estimators.items():
        row = _scores(
            model,
            X_test,
            y_test,
            labels,
            n_bins,
            with_curvature=method not in _POST_HOC,
            reweighted=class_weight is not None,
        )
        row["fit_seconds"] = fit_seconds[method]
        row["gamma"] = gamma.get(method, np.nan)
        rows[method] = row
    table = pd.DataFrame.from_dict(rows, orient="index")[_COLUMNS].rename_axis("method")
    if return_estimators:
        details = Bunch(
            estimators=estimators, gamma_search=search, X_test=X_test, y_test=y_test
        )
        return table, details
    return table


# ------------------------------------------------------------------------------
# The methods: one builder each, looked up by name
# ------------------------------------------------------------------------------
@dataclass
class _Context:
    """What every method's builder may use; shared work is cached here."""

    X_train: Any
    y_train: Any
    preprocessor: Any
    params: dict
    gammas: list
    cv: Any
    n_jobs: Any
    calibration_size: float
    calibration_seed: int
    search: Any = None
    _base: tuple | None = None

    def network(self, estimator):
        return _network(estimator, self.preprocessor)

    def post_hoc_base(self):
        """The cross-entropy network the post-hoc methods calibrate, fitted
        once on the fit part; its calibration part and its fit seconds."""
        if self._base is None:
            X_fit, X_cal, y_fit, y_cal = train_test_split(
                self.X_train,
                self.y_train,
                test_size=self.calibration_size,
                stratify=self.y_train,
                random_state=self.calibration_seed,
            )
            start = time.perf_counter()
            base = self.network(FocalClassifier(gamma=0.0, **self.params))
            base.fit(X_fit, y_fit)
            self._base = (base, X_cal, y_cal, time.perf_counter() - start)
        return self._base


@dataclass
class _Fitted:
    model: Any
    gamma: float | None = None
    #: Fit seconds, when the builder counts them itself (shared work);
    #: None: the time the builder took.
    seconds: float | None = None


def _cross_entropy(ctx, method):
    model = ctx.network(FocalClassifier(gamma=0.0, **ctx.params))
    return _Fitted(model.fit(ctx.X_train, ctx.y_train), gamma=0.0)


def _focal(ctx, method):
    ctx.search = GridSearchCV(
        ctx.network(FocalClassifier(**ctx.params)),
        {"classifier__gamma": ctx.gammas},
        scoring=calibration_scoring(curvature=True),
        refit="neg_ece",
        cv=ctx.cv,
        n_jobs=ctx.n_jobs,
    ).fit(ctx.X_train, ctx.y_train)
    gamma = float(ctx.search.best_params_["classifier__gamma"])
    return _Fitted(ctx.search.best_estimator_, gamma=gamma)


def _focal_sd53(ctx, method):
    model = ctx.network(FocalClassifier(loss="focal_sd53", **ctx.params))
    return _Fitted(model.fit(ctx.X_train, ctx.y_train))


def _adafocal(ctx, method):
    model = ctx.network(AdaFocalClassifier(**ctx.params))
    with warnings.catch_warnings():
        # on a small validation split AdaFocal uses fewer bins (n_bins_)
        warnings.filterwarnings("ignore", "The validation split has")
        return _Fitted(model.fit(ctx.X_train, ctx.y_train))


def _post_hoc(ctx, method):
    """``method`` in {temperature, isotonic, sigmoid} on the frozen network."""
    base, X_cal, y_cal, base_seconds = ctx.post_hoc_base()
    start = time.perf_counter()
    model = CalibratedClassifierCV(FrozenEstimator(base), method=method)
    model.fit(X_cal, y_cal)
    # every post-hoc method pays for the network once, whoever fitted it
    return _Fitted(model, seconds=base_seconds + time.perf_counter() - start)


#: Method name -> builder; adding a method is adding an entry here and its
#: name to ``_methods.METHODS`` (which the command line reads without torch).
_METHODS = {
    "cross_entropy": _cross_entropy,
    "focal": _focal,
    "focal_sd53": _focal_sd53,
    "adafocal": _adafocal,
    **dict.fromkeys(_POST_HOC, _post_hoc),
}
