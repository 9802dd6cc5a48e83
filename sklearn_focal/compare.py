"""Which calibration approach should I use on this data set, and is the
difference real?

:func:`compare_calibration` answers it for one tabular data set. The
protocol, repeated ``n_repeats`` times with new seeds:

1. A stratified train/test split (``test_size``).
2. Every model sees the same preprocessing (``preprocessor``), fitted on
   the training part only; every network the same architecture and
   training recipe (``estimator_params``), and holds out its own
   validation split for early stopping (and AdaFocal's gamma updates).
3. The methods (:data:`METHODS`):

   * ``cross_entropy``: ``FocalClassifier(gamma=0)`` on the training part;
   * ``focal``: ``FocalClassifier`` with gamma chosen by ``GridSearchCV``
     over ``gammas`` (0 included: focal loss may fall back to
     cross-entropy) on ``cv`` folds of the training part, by
     ``select_gamma_by``;
   * ``focal_sd53``: FLSD-53; ``adafocal``: ``AdaFocalClassifier``;
   * ``temperature``, ``isotonic``, ``sigmoid``: a cross-entropy network
     trained on ``1 - calibration_size`` of the training part (the *fit
     part*), frozen, then calibrated on the rest (the *calibration part*)
     by ``CalibratedClassifierCV(FrozenEstimator(net), method=...)``; the
     three share one network;
   * ``focal+temperature``, ``adafocal+temperature``: the focal network
     (the searched gamma) or AdaFocal trained on the fit part,
     temperature-scaled on the calibration part (Mukhoti et al., 2020);
   * ``refine_then_calibrate``: cross-entropy trained on the fit part with
     early stopping on the validation log loss *after* temperature scaling,
     then temperature-scaled on the calibration part (Berta et al., 2025);
   * ``logistic_regression``, ``hist_gradient_boosting``: scikit-learn's,
     default settings, on the training part; ``+isotonic``: the same in
     ``CalibratedClassifierCV(method="isotonic", cv=cv)``. Is a network
     worth it at all?

4. Every model is scored on the test part: each metric once, and on
   ``n_bootstrap`` resamples of the test rows (shared by all methods of the
   repeat). With ``X_ood``, also how well the confidence tells those rows
   from the test rows.

The result, a :class:`CalibrationComparison`, holds every run, the mean of
each metric with a 95 % interval (see :mod:`sklearn_focal._stats`), the
paired difference of each method to a reference with a verdict, and a
recommendation. Repeats and methods are independent jobs: ``n_jobs`` runs
them in parallel with joblib (any backend, Dask included).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from skorch.callbacks import Callback, EarlyStopping
from tqdm.auto import tqdm

from . import _stats
from ._compat import HasMethods, Interval, StrOptions, _num_samples, validate_params
from ._data import unpack_batch
from ._labels import label
from ._methods import METHODS, POST_HOC, SIMPLICITY
from .adafocal import AdaFocalClassifier
from .curvature import hessian_trace
from .focal import FocalClassifier
from .metrics import ood_detection_scores
from .scoring import calibration_scoring

__all__ = [
    "METHODS",
    "CalibrationComparison",
    "compare_calibration",
    "make_preprocessor",
]

#: The columns of ``runs`` and ``summary``, in order; ``ood_*`` columns
#: (:data:`OOD_METRICS`) follow when OOD rows are given.
METRICS = (*_stats.SCORES, *_stats.ERRORS, *_stats.NEUTRAL)
OOD_METRICS = _stats.OOD_METRICS
#: The metrics of the paired comparison with the reference.
PAIRED_METRICS = ("ece", "log_loss")
#: Default of ``select_gamma_by``, chosen by ``benchmarks/compare.py``: the
#: criterion with the lower mean test ECE of ``focal`` on the bundled sets.
DEFAULT_SELECT_GAMMA_BY = "ece"


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


# ------------------------------------------------------------------------------
# The result
# ------------------------------------------------------------------------------
class CalibrationComparison:
    """The result of :func:`compare_calibration`.

    Attributes
    ----------
    runs : DataFrame
        One row per (``repeat``, ``method``), every metric on that repeat's
        test part (columns of :data:`METRICS`, then the ``ood_*`` columns
        when OOD rows were given).
    summary : DataFrame
        Indexed by method. For every metric ``m``: ``m`` (mean over
        repeats), ``m_ci_low`` and ``m_ci_high`` (95 % interval of the mean:
        the spread over repeats combined with the bootstrap noise of the
        test parts, see :mod:`sklearn_focal._stats`; curvature, fit seconds,
        gamma and OOD scores from the spread over repeats only, NaN with one
        repeat).
    paired : DataFrame
        Indexed by method (the reference left out). For ``ece`` and
        ``log_loss``: ``m_diff`` (mean of method minus reference over the
        same splits), ``m_diff_ci_low``, ``m_diff_ci_high`` (95 %, paired
        bootstrap) and ``m_verdict``; ``verdict``: "better" when one of the
        two is clearly better and neither clearly worse, "worse" the other
        way round, else "no clear difference".
    recommendation : str
        One sentence: the method to use, by log loss (a proper scoring
        rule) among the methods with mean accuracy within 1 point of the
        best; when paired intervals cannot separate the lowest log loss
        from others, the simplest of them (:data:`_methods.SIMPLICITY`).
    recommended : str
        The method the recommendation names.
    reference : str
        The reference method of ``paired``.
    info : dict
        ``n_samples``, ``n_train``, ``n_test``, ``n_classes``,
        ``n_repeats``, ``n_bootstrap``, ``random_state``, ``version``,
        ``select_gamma_by``.
    estimators : list of dict or None
        With ``return_estimators=True``: per repeat, method -> fitted model.
    gamma_searches : list or None
        With ``return_estimators=True``: per repeat, the fitted gamma search
        of ``focal`` (None where it did not run).
    X_test, y_test : list or None
        With ``return_estimators=True``: per repeat, its test part.
    test_indices : list of ndarray
        Per repeat, the positions in ``X`` of its test rows.
    """

    def __init__(self, runs, replicates, *, reference, kappa, info):
        self.runs = runs
        self.reference = reference
        self.info = info
        self._replicates = replicates  # (repeat, method) -> metric -> array
        self._kappa = kappa
        self.estimators = None
        self.gamma_searches = None
        self.X_test = self.y_test = None
        self.test_indices = None
        self.summary = self._summarize()
        self.paired = self._pair()
        self.recommended, self.recommendation = self._recommend()

    @property
    def methods(self) -> list[str]:
        return list(dict.fromkeys(self.runs["method"]))

    @property
    def metrics(self) -> list[str]:
        return [c for c in self.runs.columns if c not in ("repeat", "method")]

    def _values(self, method, metric):
        """Per-repeat values and bootstrap replicates (or None)."""
        rows = self.runs[self.runs["method"] == method]
        values = rows[metric].to_numpy(dtype=np.float64)
        replicates = [
            self._replicates[(repeat, method)].get(metric) for repeat in rows["repeat"]
        ]
        if any(r is None for r in replicates):
            return values, None
        return values, np.vstack(replicates)

    def _summarize(self):
        table = {}
        for method in self.methods:
            row = {}
            for metric in self.metrics:
                values, replicates = self._values(method, metric)
                mean, low, high = _stats.interval(values, replicates, kappa=self._kappa)
                row |= {
                    metric: mean,
                    f"{metric}_ci_low": low,
                    f"{metric}_ci_high": high,
                }
            table[method] = row
        return pd.DataFrame.from_dict(table, orient="index").rename_axis("method")

    def difference(self, method, other, metric):
        """Mean of ``method - other`` in ``metric`` over the same splits, and
        its paired 95 % interval: ``(mean, low, high)``."""
        values, replicates = self._values(method, metric)
        base, base_replicates = self._values(other, metric)
        paired = None if replicates is None else replicates - base_replicates
        return _stats.interval(values - base, paired, kappa=self._kappa)

    def _pair(self):
        table = {}
        for method in self.methods:
            if method == self.reference:
                continue
            row = {}
            for metric in PAIRED_METRICS:
                mean, low, high = self.difference(method, self.reference, metric)
                row |= {
                    f"{metric}_diff": mean,
                    f"{metric}_diff_ci_low": low,
                    f"{metric}_diff_ci_high": high,
                    f"{metric}_verdict": _stats.verdict(low, high, metric),
                }
            row["verdict"] = _stats.combined_verdict(
                row[f"{m}_verdict"] for m in PAIRED_METRICS
            )
            table[method] = row
        columns = [
            f"{m}_{part}"
            for m in PAIRED_METRICS
            for part in ("diff", "diff_ci_low", "diff_ci_high", "verdict")
        ] + ["verdict"]
        return pd.DataFrame.from_dict(
            table, orient="index", columns=columns
        ).rename_axis("method")

    def _recommend(self):
        summary = self.summary
        best_accuracy = summary["accuracy"].max()
        eligible = summary.index[summary["accuracy"] >= best_accuracy - 0.01]
        best = summary.loc[eligible, "log_loss"].idxmin()
        tied = [
            method
            for method in eligible
            if method != best
            and _stats.verdict(
                *self.difference(method, best, "log_loss")[1:], "log_loss"
            )
            == _stats.UNCLEAR
        ]
        loss = summary.loc[best]
        accuracy = f"accuracy within 1 point of the best ({best_accuracy:.3f})"
        if len(eligible) == 1:
            return best, (
                f"Use {best}: the only method with {accuracy}; its log loss is "
                f"{loss['log_loss']:.4f} (95 % interval {loss['log_loss_ci_low']:.4f} "
                f"to {loss['log_loss_ci_high']:.4f})."
            )
        if not tied:
            return best, (
                f"Use {best}: the lowest log loss ({loss['log_loss']:.4f}, 95 % "
                f"interval {loss['log_loss_ci_low']:.4f} to "
                f"{loss['log_loss_ci_high']:.4f}), clearly below every other "
                f"method with {accuracy}."
            )
        candidates = [best, *tied]
        simplest = min(candidates, key=SIMPLICITY.index)
        names = ", ".join(sorted(candidates, key=SIMPLICITY.index))
        return simplest, (
            f"No clear difference in log loss between {names} (the paired 95 % "
            f"intervals of their difference to {best}, the lowest, include 0), "
            f"all with {accuracy}: use the simplest, {simplest}."
        )

    def to_markdown(self, *, dataset=None, digits=3) -> str:
        """The report: set-up, mean ± half-width of the 95 % interval (best
        per column in bold), paired differences, recommendation."""
        info = self.info
        title = "Calibration comparison" + (f": {dataset}" if dataset else "")
        lines = [
            f"# {title}",
            "",
            f"{info['n_samples']} rows, {info['n_classes']} classes; "
            f"{info['n_repeats']} repeats of a stratified split into "
            f"{info['n_train']} training and {info['n_test']} test rows; "
            f"random_state={info['random_state']}; "
            f"sklearn-focal {info['version']}. Mean over repeats ± half-width of "
            "the 95 % interval (spread over repeats and bootstrap of the test "
            "rows); the best value per column in bold.",
            "",
            self._summary_markdown(digits),
            "",
            f"## Against {self.reference}, paired over the same splits",
            "",
            "Difference method - reference (negative: lower error), 95 % interval.",
            "",
            self._paired_markdown(digits),
            "",
            "## Recommendation",
            "",
            self.recommendation,
            "",
        ]
        return "\n".join(lines)

    def _summary_markdown(self, digits):
        columns = [m for m in self.metrics if m != "gamma"]
        header = ["method", *columns]
        rows = []
        for method in self.summary.index:
            cells = [method]
            for metric in columns:
                mean = self.summary.loc[method, metric]
                half = self.summary.loc[method, f"{metric}_ci_high"] - mean
                cell = "—" if np.isnan(mean) else f"{mean:.{digits}f}"
                if not np.isnan(mean) and not np.isnan(half):
                    cell += f" ± {half:.{digits}f}"
                if metric not in _stats.NEUTRAL and not np.isnan(mean):
                    means = self.summary[metric]
                    target = (
                        means.min() if metric in _stats.LOWER_IS_BETTER else means.max()
                    )
                    if mean == target:
                        cell = f"**{cell}**"
                cells.append(cell)
            rows.append(cells)
        return _markdown_table(header, rows)

    def _paired_markdown(self, digits):
        header = ["method"]
        for metric in PAIRED_METRICS:
            header += [f"{metric} diff", f"{metric} verdict"]
        header.append("verdict")
        rows = []
        for method, row in self.paired.iterrows():
            cells = [method]
            for metric in PAIRED_METRICS:
                cells.append(
                    f"{row[f'{metric}_diff']:+.{digits}f} "
                    f"[{row[f'{metric}_diff_ci_low']:+.{digits}f}, "
                    f"{row[f'{metric}_diff_ci_high']:+.{digits}f}]"
                )
                cells.append(row[f"{metric}_verdict"])
            cells.append(row["verdict"])
            rows.append(cells)
        return _markdown_table(header, rows)

    def __repr__(self) -> str:
        info = self.info
        return (
            f"<CalibrationComparison: {len(self.methods)} methods x "
            f"{info['n_repeats']} repeats; recommended: {self.recommended}>"
        )


def _markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------
# The comparison
# ------------------------------------------------------------------------------
@validate_params(
    {
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
        "gammas": [list, tuple],
        "select_gamma_by": [StrOptions({"ece", "log_loss"})],
        "calibration_size": [Interval(Real, 0, 1, closed="neither")],
        "estimator_params": [dict, None],
        "class_weight": [None, StrOptions({"balanced"}), dict],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
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
    reference="cross_entropy",
    n_repeats=5,
    X_ood=None,
    preprocessor="auto",
    test_size=0.25,
    cv=3,
    n_bins=15,
    gammas=(0.0, 0.5, 1.0, 2.0, 3.0, 5.0),
    select_gamma_by=DEFAULT_SELECT_GAMMA_BY,
    calibration_size=0.2,
    estimator_params=None,
    class_weight=None,
    n_bootstrap=100,
    random_state=None,
    n_jobs=None,
    device="auto",
    verbose=1,
    return_estimators=False,
):
    """Compare calibration approaches on one data set, with repeats and
    intervals.

    See the module docs for the protocol and :class:`CalibrationComparison`
    for what it returns.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Raw features (mixed types are fine with ``preprocessor="auto"``).
    y : array-like of shape (n_samples,)
        Class labels.
    methods : sequence of str, default=None
        Subset of :data:`METHODS`; default all of them.
    reference : str, default="cross_entropy"
        The method the others are paired with; one of ``methods``.
    n_repeats : int, default=5
        Train/test splits, each with its own seeds.
    X_ood : array-like or DataFrame of shape (n_ood, n_features), default=None
        Out-of-distribution rows (same columns as ``X``): adds the ``ood_*``
        columns, how well each model's confidence tells them from the test
        rows (:func:`~sklearn_focal.metrics.ood_detection_scores`).
    preprocessor : "auto", transformer or None, default="auto"
        ``"auto"``: :func:`make_preprocessor`; a transformer is cloned;
        None: ``X`` is used as is.
    test_size : float, default=0.25
        Share of the samples held out for scoring.
    cv : int, default=3
        Folds of the gamma search and of the ``+isotonic`` baselines.
    n_bins : int, default=15
        Bins of the calibration errors.
    gammas : sequence of float, default=(0, 0.5, 1, 2, 3, 5)
        Grid of the ``focal`` method.
    select_gamma_by : {"ece", "log_loss"}, default="ece"
        The cross-validated score that picks gamma (lowest wins). The
        default is the criterion with the lower mean test ECE on the bundled
        data sets (``benchmarks/compare.py``).
    calibration_size : float, default=0.2
        Share of the training part that post-hoc methods calibrate on.
    estimator_params : dict, default=None
        Parameters for every network (``hidden_layer_sizes``,
        ``max_iter``, ...).
    class_weight : dict, "balanced" or None, default=None
        Passed to every network (see :class:`FocalClassifier`; their
        probabilities are prior-corrected, their predictions keep the
        weighted decision rule). The scikit-learn baselines stay unweighted.
    n_bootstrap : int, default=100
        Resamples of each test part for the intervals (0: spread over
        repeats only).
    random_state : int, RandomState instance or None, default=None
        Seeds the splits, the networks and the resamples.
    n_jobs : int, default=None
        Jobs (repeat x method) run in parallel; see joblib.
    device : str, default="auto"
        Device of every network.
    verbose : int, default=1
        Progress bar over the jobs when > 0.
    return_estimators : bool, default=False
        Keep the fitted models, the gamma searches and the test parts.

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
    methods, gammas, y, labels = _check_inputs(
        X,
        y,
        methods=methods,
        reference=reference,
        gammas=gammas,
        test_size=test_size,
        cv=cv,
        X_ood=X_ood,
    )
    n_samples = len(y)

    rng = check_random_state(random_state)
    seeds = rng.randint(2**31 - 1, size=(n_repeats, 5))
    indices = np.arange(n_samples)
    splits = [
        train_test_split(indices, test_size=test_size, stratify=y, random_state=s[0])
        for s in seeds
    ]
    if preprocessor == "auto":
        preprocessor = make_preprocessor(X)

    jobs = [
        (repeat, group) for repeat in range(n_repeats) for group in _groups(methods)
    ]
    settings = _Settings(
        preprocessor=preprocessor,
        params={
            "device": device,
            "class_weight": class_weight,
            **(estimator_params or {}),
        },
        gammas=gammas,
        cv=cv,
        refit={"ece": "neg_ece", "log_loss": "neg_log_loss"}[select_gamma_by],
        calibration_size=calibration_size,
        n_bins=n_bins,
        n_bootstrap=n_bootstrap,
        labels=labels,
        reweighted=class_weight is not None,
        keep=return_estimators,
    )
    tasks = (
        delayed(_run_job)(X, y, splits[repeat], seeds[repeat], group, settings, X_ood)
        for repeat, group in jobs
    )
    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    results = {}
    for (repeat, _), output in zip(
        jobs,
        tqdm(
            outputs, total=len(jobs), desc="compare", disable=verbose < 1, leave=False
        ),
        strict=True,
    ):
        for method, result in output.items():
            results[(repeat, method)] = result

    rows, replicates = [], {}
    for repeat in range(n_repeats):
        for method in methods:
            result = results[(repeat, method)]
            rows.append({"repeat": repeat, "method": method, **result.point})
            replicates[(repeat, method)] = result.replicates
    columns = ["repeat", "method", *METRICS] + (
        list(OOD_METRICS) if X_ood is not None else []
    )
    runs = pd.DataFrame(rows, columns=columns)
    from . import __version__

    n_test = len(splits[0][1])
    info = {
        "n_samples": n_samples,
        "n_train": n_samples - n_test,
        "n_test": n_test,
        "n_classes": len(labels),
        "n_repeats": n_repeats,
        "n_bootstrap": n_bootstrap,
        "random_state": random_state,
        "version": __version__,
        "select_gamma_by": select_gamma_by,
    }
    comparison = CalibrationComparison(
        runs,
        replicates,
        reference=reference,
        kappa=_stats.overlap_factor([test for _, test in splits], n_samples),
        info=info,
    )
    comparison.test_indices = [test for _, test in splits]
    if return_estimators:
        comparison.X_test = [_rows(X, test) for _, test in splits]
        comparison.y_test = [y[test] for _, test in splits]
        comparison.estimators = [
            {m: results[(r, m)].model for m in methods} for r in range(n_repeats)
        ]
        comparison.gamma_searches = [
            next(
                (results[(r, m)].search for m in methods if results[(r, m)].search),
                None,
            )
            for r in range(n_repeats)
        ]
    return comparison


def _check_inputs(X, y, *, methods, reference, gammas, test_size, cv, X_ood):
    """Everything about the arguments that can fail, checked before any
    training; returns (methods, gammas, y as an array, labels)."""
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
    gammas = [float(g) for g in gammas]
    if not gammas or min(gammas) < 0:
        raise ValueError(
            f"The 'gammas' parameter must be a non-empty grid of gamma >= 0; "
            f"got {gammas}."
        )
    y = np.asarray(y)  # sklearn's temperature scaling reads y[0] positionally
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
    labels, counts = np.unique(y, return_counts=True)
    if len(labels) < 2:
        raise ValueError("y holds a single class; a comparison needs at least 2.")
    needed = int(np.ceil(max(cv, 2) / (1 - test_size))) + 1
    if counts.min() < needed:
        rare, count = label(labels[counts.argmin()]), int(counts.min())
        raise ValueError(
            f"Class {rare!r} of y has {count} sample{'s' * (count != 1)}; with "
            f"test_size={test_size} and cv={cv}, every class needs at least "
            f"{needed} (cv training samples for the gamma search and the "
            "calibration folds, plus one to test on). Pass more samples, fewer "
            "folds, or drop the class."
        )
    if X_ood is not None:
        _check_ood(X, X_ood)
    return methods, gammas, y, labels


def _check_ood(X, X_ood):
    """X_ood must have the columns of X."""
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
        return
    width = np.shape(X)[1] if np.ndim(X) == 2 else None
    ood_width = np.shape(X_ood)[1] if np.ndim(X_ood) == 2 else None
    if ood_width is None or ood_width != width:
        raise ValueError(
            f"X_ood has shape {np.shape(X_ood)} but X has {width} features; "
            "X_ood must be 2-D with the same features as X."
        )


@dataclass
class _Settings:
    """What every job needs besides its data and seeds."""

    preprocessor: Any
    params: dict
    gammas: list
    cv: int
    refit: str
    calibration_size: float
    n_bins: int
    n_bootstrap: int
    labels: np.ndarray
    reweighted: bool
    keep: bool


@dataclass
class _Result:
    point: dict
    replicates: dict
    model: Any = None
    search: Any = None


#: Methods that share work run in one job: the post-hoc methods share their
#: network, focal+temperature reuses the focal search's gamma.
_SHARED = {
    **dict.fromkeys(POST_HOC, "post_hoc"),
    "focal+temperature": "focal",
}


def _groups(methods):
    groups = {}
    for method in methods:
        groups.setdefault(_SHARED.get(method, method), []).append(method)
    return list(groups.values())


def _run_job(X, y, split, seeds, methods, settings, X_ood):
    """Fit and score ``methods`` on one repeat; method -> _Result."""
    train, test = split
    X_train, X_test = _rows(X, train), _rows(X, test)
    y_train, y_test = y[train], y[test]
    _, cv_seed, net_seed, cal_seed, boot_seed = (int(s) for s in seeds)
    ctx = _Context(
        X_train=X_train,
        y_train=y_train,
        settings=settings,
        params={**settings.params, "random_state": net_seed},
        cv=StratifiedKFold(settings.cv, shuffle=True, random_state=cv_seed),
        calibration_seed=cal_seed,
    )
    counts = _stats.bootstrap_counts(len(test), settings.n_bootstrap, boot_seed)
    y_encoded = np.searchsorted(settings.labels, y_test)
    results = {}
    for method in methods:
        start = time.perf_counter()
        fitted = _METHODS[method](ctx, method)
        seconds = time.perf_counter() - start + fitted.extra_seconds
        proba = fitted.model.predict_proba(X_test)
        if settings.reweighted:  # the weighted decision rule
            predicted = np.searchsorted(settings.labels, fitted.model.predict(X_test))
        else:
            predicted = proba.argmax(axis=1)
        point, replicates = _stats.score_test_part(
            y_encoded,
            np.asarray(proba, dtype=np.float64),
            predicted,
            n_bins=settings.n_bins,
            counts=counts,
        )
        for column, loss in (
            ("hessian_trace", "cross_entropy"),
            ("training_hessian_trace", "training"),
        ):
            point[column] = (
                float(
                    hessian_trace(
                        fitted.model, X_test, y_test, loss=loss, random_state=0
                    )
                )
                if fitted.network
                else np.nan
            )
        point["fit_seconds"] = seconds
        point["gamma"] = np.nan if fitted.gamma is None else fitted.gamma
        if X_ood is not None:
            scores = ood_detection_scores(proba, fitted.model.predict_proba(X_ood))
            point |= {f"ood_{name}": value for name, value in scores.items()}
        results[method] = _Result(
            point,
            replicates,
            model=fitted.model if settings.keep else None,
            search=ctx.search if settings.keep else None,
        )
    return results


def _rows(X, index):
    return X.iloc[index] if hasattr(X, "iloc") else np.asarray(X)[index]


# ------------------------------------------------------------------------------
# The methods: one builder each, looked up by name
# ------------------------------------------------------------------------------
@dataclass
class _Context:
    """What every method's builder may use; shared work is cached here."""

    X_train: Any
    y_train: Any
    settings: _Settings
    params: dict
    cv: Any
    calibration_seed: int
    search: Any = None
    search_seconds: float = 0.0
    _split: tuple | None = None
    _base: tuple | None = None
    cache: dict = field(default_factory=dict)

    def network(self, estimator):
        return _network(estimator, self.settings.preprocessor)

    def fit_calibration_split(self):
        """(X_fit, X_cal, y_fit, y_cal): the training part split for
        methods that calibrate afterwards."""
        if self._split is None:
            self._split = train_test_split(
                self.X_train,
                self.y_train,
                test_size=self.settings.calibration_size,
                stratify=self.y_train,
                random_state=self.calibration_seed,
            )
        return self._split

    def gamma_search(self):
        """The focal search on the training part (cached)."""
        if self.search is None:
            start = time.perf_counter()
            self.search = GridSearchCV(
                self.network(FocalClassifier(**self.params)),
                {"classifier__gamma": self.settings.gammas},
                scoring=calibration_scoring(curvature=True),
                refit=self.settings.refit,
                cv=self.cv,
            ).fit(self.X_train, self.y_train)
            self.search_seconds = time.perf_counter() - start
        return self.search

    def post_hoc_base(self):
        """The cross-entropy network the post-hoc methods calibrate, fitted
        once on the fit part, and its fit seconds."""
        if self._base is None:
            X_fit, _, y_fit, _ = self.fit_calibration_split()
            start = time.perf_counter()
            base = self.network(FocalClassifier(gamma=0.0, **self.params))
            base.fit(X_fit, y_fit)
            self._base = (base, time.perf_counter() - start)
        return self._base

    def temperature_scaled(self, model):
        """``model``, fitted on the fit part, temperature-scaled on the
        calibration part."""
        _, X_cal, _, y_cal = self.fit_calibration_split()
        return CalibratedClassifierCV(FrozenEstimator(model), method="temperature").fit(
            X_cal, y_cal
        )


@dataclass
class _Fitted:
    model: Any
    gamma: float | None = None
    #: Seconds of shared work this method used but did not spend itself.
    extra_seconds: float = 0.0
    #: Is ``model`` a network pipeline (its curvature is measured)?
    network: bool = False


def _cross_entropy(ctx, method):
    model = ctx.network(FocalClassifier(gamma=0.0, **ctx.params))
    return _Fitted(model.fit(ctx.X_train, ctx.y_train), gamma=0.0, network=True)


def _focal(ctx, method):
    search = ctx.gamma_search()
    gamma = float(search.best_params_["classifier__gamma"])
    return _Fitted(search.best_estimator_, gamma=gamma, network=True)


def _focal_temperature(ctx, method):
    fresh = ctx.search is None
    gamma = float(ctx.gamma_search().best_params_["classifier__gamma"])
    X_fit, _, y_fit, _ = ctx.fit_calibration_split()
    network = ctx.network(FocalClassifier(gamma=gamma, **ctx.params)).fit(X_fit, y_fit)
    # it pays for the search once, whoever ran it
    extra = 0.0 if fresh else ctx.search_seconds
    return _Fitted(ctx.temperature_scaled(network), gamma=gamma, extra_seconds=extra)


def _focal_sd53(ctx, method):
    model = ctx.network(FocalClassifier(loss="focal_sd53", **ctx.params))
    return _Fitted(model.fit(ctx.X_train, ctx.y_train), network=True)


def _adafocal_network(ctx, X, y):
    model = ctx.network(AdaFocalClassifier(**ctx.params))
    with warnings.catch_warnings():
        # on a small validation split AdaFocal uses fewer bins (n_bins_)
        warnings.filterwarnings("ignore", "The validation split has")
        return model.fit(X, y)


def _adafocal(ctx, method):
    return _Fitted(_adafocal_network(ctx, ctx.X_train, ctx.y_train), network=True)


def _adafocal_temperature(ctx, method):
    X_fit, _, y_fit, _ = ctx.fit_calibration_split()
    return _Fitted(ctx.temperature_scaled(_adafocal_network(ctx, X_fit, y_fit)))


def _post_hoc(ctx, method):
    """``method`` in {temperature, isotonic, sigmoid} on the frozen network."""
    fresh = ctx._base is None
    base, base_seconds = ctx.post_hoc_base()
    _, X_cal, _, y_cal = ctx.fit_calibration_split()
    model = CalibratedClassifierCV(FrozenEstimator(base), method=method)
    # every post-hoc method pays for the network once, whoever fitted it
    extra = 0.0 if fresh else base_seconds
    return _Fitted(model.fit(X_cal, y_cal), extra_seconds=extra)


class _TemperatureScaledNLL(Callback):
    """Record ``valid_ts_nll``: the validation log loss after the best
    temperature for this epoch's validation logits (fitted on them, by
    Newton's method on the inverse temperature; the loss is convex in it).
    Berta et al.'s refinement error, which early stopping then monitors."""

    def on_epoch_begin(self, net, **kwargs):
        self._logits, self._targets = [], []

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if not training:
            _, y, _ = unpack_batch(batch)
            self._logits.append(y_pred.detach().double())
            self._targets.append(y)

    def on_epoch_end(self, net, **kwargs):
        if self._logits:
            import torch

            logits = torch.cat(self._logits)
            target = torch.cat(self._targets)
            true = logits.gather(1, target[:, None])[:, 0]
            beta = torch.tensor(1.0, dtype=torch.float64, device=logits.device)
            for _ in range(50):
                proba = torch.softmax(beta * logits, dim=1)
                mean = (proba * logits).sum(dim=1)
                gradient = (mean - true).mean()
                curvature = ((proba * logits**2).sum(dim=1) - mean**2).mean()
                if curvature <= 1e-12:
                    break
                step = gradient / curvature
                beta = torch.clamp(beta - step, 1e-3, 1e3)
                if abs(float(step)) < 1e-10:
                    break
            scaled = beta * logits
            loss = (torch.logsumexp(scaled, dim=1) - beta * true).mean()
            net.history.record("valid_ts_nll", float(loss))
        self._logits, self._targets = [], []


def _refine_then_calibrate(ctx, method):
    X_fit, _, y_fit, _ = ctx.fit_calibration_split()
    params = dict(ctx.params)
    params.pop("early_stopping", None)  # it needs its validation split
    patience = params.pop("n_iter_no_change", FocalClassifier().n_iter_no_change)
    tol = params.pop("tol", FocalClassifier().tol)
    callbacks = list(params.pop("callbacks", None) or [])
    callbacks += [
        ("valid_ts_nll", _TemperatureScaledNLL()),
        (
            "refine_stopping",
            EarlyStopping(
                monitor="valid_ts_nll",
                patience=patience,
                threshold=tol,
                threshold_mode="abs",
                load_best=True,
            ),
        ),
    ]
    network = FocalClassifier(
        gamma=0.0,
        early_stopping=True,
        # the validation log loss before scaling must not stop training
        n_iter_no_change=params.get("max_iter", FocalClassifier().max_iter),
        tol=tol,
        callbacks=callbacks,
        **params,
    )
    model = ctx.network(network).fit(X_fit, y_fit)
    return _Fitted(ctx.temperature_scaled(model))


def _baseline(ctx, method):
    name, _, calibration = method.partition("+")
    if name == "logistic_regression":
        estimator = LogisticRegression(max_iter=1000)
    else:
        estimator = HistGradientBoostingClassifier(
            random_state=ctx.params["random_state"]
        )
    model = _network(estimator, ctx.settings.preprocessor)
    if calibration:
        model = CalibratedClassifierCV(model, method=calibration, cv=ctx.cv)
    return _Fitted(model.fit(ctx.X_train, ctx.y_train))


#: Method name -> builder; adding a method is adding an entry here and its
#: name to ``_methods.METHODS`` (which the command line reads without torch).
_METHODS = {
    "cross_entropy": _cross_entropy,
    "focal": _focal,
    "focal_sd53": _focal_sd53,
    "adafocal": _adafocal,
    **dict.fromkeys(POST_HOC, _post_hoc),
    "focal+temperature": _focal_temperature,
    "adafocal+temperature": _adafocal_temperature,
    "refine_then_calibrate": _refine_then_calibrate,
    "logistic_regression": _baseline,
    "logistic_regression+isotonic": _baseline,
    "hist_gradient_boosting": _baseline,
    "hist_gradient_boosting+isotonic": _baseline,
}
