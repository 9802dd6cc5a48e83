"""Scorers for ``GridSearchCV`` / ``cross_validate``.

Every scorer is made from a record of the metric registry
(:data:`sklearn_focal.metrics.METRICS`): the scorer of metric ``m`` is
registered as ``neg_m`` (or ``m`` when greater is better) and is the module's
``m_scorer``. The calibration scorers wrap :mod:`sklearn_focal.metrics` with
:func:`sklearn.metrics.make_scorer` (``response_method="predict_proba"``,
``greater_is_better=False``): like scikit-learn's ``neg_log_loss`` they
return the *negated* error, so that greater is better. They work for any
classifier with ``predict_proba``.

The curvature scorers measure the Hessian of a loss at the fitted weights
on the scored fold (:mod:`sklearn_focal.curvature`), of one of two losses:

* the **cross-entropy** (``hessian_trace_scorer``, ``neg_hessian_trace``;
  ``hessian_top_eigenvalue_scorer``, ``neg_hessian_top_eigenvalue``), whatever
  the training loss: the same function for every network, so its values
  compare across gamma and methods. It is the default (the comparison's
  ``hessian_trace`` column, ``calibration_scoring(curvature=True)``);
* the **training loss** (``training_hessian_trace_scorer``,
  ``neg_training_hessian_trace``; ``training_hessian_top_eigenvalue_scorer``,
  ``neg_training_hessian_top_eigenvalue``): focal loss with the network's
  own gamma, FLSD-53, AdaFocal's. This is the curvature Kimura & Naganuma
  show falling with gamma; each network is measured on its own loss.

The two can move in opposite directions: raising gamma flattens the focal
loss, while the cross-entropy at the same (now under-confident) weights may
grow more curved. Curvature is a diagnostic, not a quantity to maximise;
with scikit-learn's rule "greater is better" the scorers return the
*negated* curvature, so flatter scores higher, and
:class:`~sklearn_focal.display.GammaSweepDisplay` shows it positive again.
They need a network: a fitted FocalClassifier or AdaFocalClassifier, or a
Pipeline ending in one.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.model_selection import cross_validate
>>> from sklearn_focal.scoring import calibration_scoring
>>> X, y = load_iris(return_X_y=True)
>>> scores = cross_validate(LogisticRegression(max_iter=500), X, y,
...                         scoring=calibration_scoring())
>>> sorted(k for k in scores if k.startswith("test_"))  # doctest: +NORMALIZE_WHITESPACE
['test_accuracy', 'test_neg_adaptive_ece', 'test_neg_classwise_ece',
 'test_neg_ece', 'test_neg_log_loss', 'test_neg_multiclass_brier_score']
>>> bool((scores["test_neg_ece"] <= 0).all())
True
"""

from __future__ import annotations

import copy

from sklearn.metrics import get_scorer as _sklearn_get_scorer
from sklearn.metrics import make_scorer

from ._compat import _BaseScorer
from .metrics import METRICS, Metric


def _hessian_trace(estimator, X, y, **kwargs):
    """:func:`~sklearn_focal.curvature.hessian_trace`, which loads torch
    when a curvature is scored rather than when this module is imported."""
    from .curvature import hessian_trace

    return hessian_trace(estimator, X, y, **kwargs)


def _hessian_top_eigenvalue(estimator, X, y, **kwargs):
    """:func:`~sklearn_focal.curvature.hessian_top_eigenvalue`, loaded on use."""
    from .curvature import hessian_top_eigenvalue

    return hessian_top_eigenvalue(estimator, X, y, **kwargs)


class CurvatureScorer(_BaseScorer):
    """Scorer returning minus the loss-surface curvature on the scored data.

    A scikit-learn scorer (metadata requests included): it calls the
    curvature function on the fitted estimator itself rather than on its
    predictions.

    Parameters
    ----------
    measure : {"trace", "top_eigenvalue"}, default="trace"
        :func:`~sklearn_focal.curvature.hessian_trace` or
        :func:`~sklearn_focal.curvature.hessian_top_eigenvalue`.
    **kwargs
        Passed to that function (e.g. ``loss="training"``); ``random_state``
        defaults to 0 so that scores are reproducible.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_focal import FocalClassifier
    >>> from sklearn_focal.scoring import hessian_trace_scorer
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = FocalClassifier(hidden_layer_sizes=(8,), max_iter=5,
    ...                       random_state=0).fit(X, y)
    >>> hessian_trace_scorer(clf, X, y) < 0  # minus the Hessian trace
    True
    """

    _FUNCTIONS = {"trace": _hessian_trace, "top_eigenvalue": _hessian_top_eigenvalue}

    def __init__(self, measure: str = "trace", **kwargs):
        if measure not in self._FUNCTIONS:
            raise ValueError(
                f"measure must be 'trace' or 'top_eigenvalue'; got {measure!r}."
            )
        super().__init__(
            self._FUNCTIONS[measure],
            sign=-1,
            kwargs={"random_state": 0, **kwargs},
            # never called (the curvature needs the estimator, not its
            # predictions); scikit-learn's multi-metric scoring checks it exists
            response_method="predict",
        )
        self.measure = measure

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        if kwargs.get("sample_weight") is not None:
            raise ValueError(
                "The curvature scorers do not take sample_weight: the curvature "
                "is that of the unweighted mean cross-entropy."
            )
        return self._sign * float(
            self._score_func(estimator, X, y_true, **self._kwargs)
        )

    @property
    def loss(self) -> str:
        """The loss whose curvature is measured: "cross_entropy" or "training"."""
        return self._kwargs.get("loss", "cross_entropy")

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self._kwargs.items())
        return f"CurvatureScorer(measure={self.measure!r}{extra})"


def _scorer(metric: Metric):
    """The scorer of a registry record."""
    if metric.response == "estimator":  # "sklearn_focal.curvature:hessian_..."
        measure = metric.function.rpartition(":hessian_")[2]
        return CurvatureScorer(measure, **metric.kwargs)
    return make_scorer(
        metric.resolve(),
        response_method="predict_proba",
        greater_is_better=metric.greater_is_better,
        **metric.kwargs,
    )


#: Scorer name -> scorer, for every metric of the registry that is this
#: package's (accuracy and balanced accuracy are scikit-learn's own).
_SCORERS = {
    metric.scorer_name: _scorer(metric)
    for metric in METRICS.values()
    if metric.response in ("proba", "estimator")
}

# ece_scorer, log_loss_scorer, hessian_trace_scorer, ...: the module's
# scorer objects, one per record, named after the metric.
globals().update(
    {
        f"{metric.name}_scorer": _SCORERS[metric.scorer_name]
        for metric in METRICS.values()
        if metric.scorer_name in _SCORERS
    }
)

__all__ = [
    "CurvatureScorer",
    "calibration_scoring",
    "get_scorer",
    "get_scorer_names",
    *sorted(
        f"{metric.name}_scorer"
        for metric in METRICS.values()
        if metric.scorer_name in _SCORERS
    ),
]


def get_scorer_names() -> list[str]:
    """Names understood by :func:`get_scorer` besides scikit-learn's own.

    ``average_precision`` extends scikit-learn's scorer of that name (same
    value on binary data) to more classes; ``accuracy`` and
    ``balanced_accuracy`` are scikit-learn's.

    Returns
    -------
    names : list of str
    """
    return sorted(_SCORERS)


def get_scorer(name: str):
    """Scorer by name: this package's names first, then scikit-learn's.

    Parameters
    ----------
    name : str
        One of :func:`get_scorer_names`, or any name accepted by
        :func:`sklearn.metrics.get_scorer`.

    Returns
    -------
    scorer : callable
        A new copy, as scikit-learn's ``get_scorer`` returns: setting its
        metadata requests leaves every other scorer alone.

    Examples
    --------
    >>> from sklearn_focal.scoring import get_scorer
    >>> get_scorer("neg_ece")  # doctest: +ELLIPSIS
    make_scorer(expected_calibration_error, greater_is_better=False, ...)
    >>> get_scorer("roc_auc")  # scikit-learn's
    make_scorer(roc_auc_score, response_method=('decision_function', 'predict_proba'))
    """
    if isinstance(name, str) and name in _SCORERS:
        return copy.deepcopy(_SCORERS[name])
    return _sklearn_get_scorer(name)


#: The default ``calibration_scoring()``: accuracy and the usual errors.
_DEFAULT_SCORING = (
    "accuracy",
    "ece",
    "adaptive_ece",
    "classwise_ece",
    "multiclass_brier_score",
    "log_loss",
)


def calibration_scoring(
    *, include=None, curvature: bool = False, training_curvature: bool = False
) -> dict:
    """A ``scoring=`` dict: accuracy plus the calibration scorers.

    Parameters
    ----------
    include : iterable of str, default=None
        Scorer names from :func:`get_scorer_names` (or scikit-learn's) to
        include; default: accuracy, ECE, adaptive ECE, classwise ECE, Brier
        score and log loss.
    curvature : bool, default=False
        Also include ``neg_hessian_trace``, the curvature of the
        cross-entropy (needs a network, see :class:`CurvatureScorer`).
    training_curvature : bool, default=False
        Also include ``neg_training_hessian_trace``, the curvature of the
        network's own training loss.

    Returns
    -------
    scoring : dict
        ``{name: scorer}``; pass ``refit=`` one of the keys to
        ``GridSearchCV``.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_focal import FocalClassifier
    >>> from sklearn_focal.scoring import calibration_scoring
    >>> search = GridSearchCV(FocalClassifier(), {"gamma": [0, 1, 2, 3, 5]},
    ...                       scoring=calibration_scoring(curvature=True),
    ...                       refit="neg_ece")
    """
    if include is None:
        include = [METRICS[name].scorer_name for name in _DEFAULT_SCORING]
    names = list(include)
    for wanted, metric in (
        (curvature, "hessian_trace"),
        (training_curvature, "training_hessian_trace"),
    ):
        if wanted:
            names.append(METRICS[metric].scorer_name)
    return {name: get_scorer(name) for name in names}
