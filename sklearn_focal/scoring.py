"""Scorers for ``GridSearchCV`` / ``cross_validate``.

The calibration scorers wrap :mod:`sklearn_focal.metrics` with
:func:`sklearn.metrics.make_scorer` (``response_method="predict_proba"``,
``greater_is_better=False``): like scikit-learn's ``neg_log_loss`` they
return the *negated* error, so that greater is better, and their names start
with ``neg_``. They work for any classifier with ``predict_proba``.

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
['test_accuracy', 'test_neg_adaptive_ece', 'test_neg_brier_score',
 'test_neg_classwise_ece', 'test_neg_ece', 'test_neg_log_loss']
>>> bool((scores["test_neg_ece"] <= 0).all())
True
"""

from __future__ import annotations

from sklearn.metrics import get_scorer as _sklearn_get_scorer
from sklearn.metrics import make_scorer

from .metrics import (
    brier_score,
    classwise_calibration_error,
    expected_calibration_error,
    negative_log_likelihood,
)

__all__ = [
    "adaptive_ece_scorer",
    "brier_scorer",
    "calibration_scoring",
    "classwise_ece_scorer",
    "ece_scorer",
    "get_scorer",
    "get_scorer_names",
    "mce_scorer",
    "nll_scorer",
]


def _error_scorer(metric, **kwargs):
    return make_scorer(
        metric, response_method="predict_proba", greater_is_better=False, **kwargs
    )


#: ``-expected_calibration_error`` (15 uniform bins).
ece_scorer = _error_scorer(expected_calibration_error)
#: ``-expected_calibration_error(strategy="quantile")``: adaptive ECE.
adaptive_ece_scorer = _error_scorer(expected_calibration_error, strategy="quantile")
#: ``-expected_calibration_error(norm="max")``: maximum calibration error.
mce_scorer = _error_scorer(expected_calibration_error, norm="max")
#: ``-classwise_calibration_error``.
classwise_ece_scorer = _error_scorer(classwise_calibration_error)
#: ``-brier_score`` (multiclass: sum over classes).
brier_scorer = _error_scorer(brier_score)
#: ``-negative_log_likelihood``.
nll_scorer = _error_scorer(negative_log_likelihood)

_SCORERS = {
    "neg_ece": ece_scorer,
    "neg_adaptive_ece": adaptive_ece_scorer,
    "neg_mce": mce_scorer,
    "neg_classwise_ece": classwise_ece_scorer,
    "neg_brier_score": brier_scorer,
    "neg_log_loss": nll_scorer,
}


def get_scorer_names() -> list[str]:
    """Names understood by :func:`get_scorer` besides scikit-learn's own.

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

    Examples
    --------
    >>> from sklearn_focal.scoring import ece_scorer, get_scorer
    >>> get_scorer("neg_ece") is ece_scorer
    True
    >>> get_scorer("roc_auc")  # scikit-learn's
    make_scorer(roc_auc_score, response_method=('decision_function', 'predict_proba'))
    """
    if isinstance(name, str) and name in _SCORERS:
        return _SCORERS[name]
    return _sklearn_get_scorer(name)


def calibration_scoring(*, include=None) -> dict:
    """A ``scoring=`` dict: accuracy plus the calibration scorers.

    Parameters
    ----------
    include : iterable of str, default=None
        Names from :func:`get_scorer_names` (or scikit-learn's) to include;
        default: accuracy, ECE, adaptive ECE, classwise ECE, Brier score and
        log loss.

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
    ...                       scoring=calibration_scoring(), refit="neg_ece")
    """
    if include is None:
        include = (
            "accuracy",
            "neg_ece",
            "neg_adaptive_ece",
            "neg_classwise_ece",
            "neg_brier_score",
            "neg_log_loss",
        )
    return {name: get_scorer(name) for name in include}
