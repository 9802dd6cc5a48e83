"""Private scikit-learn names this package builds on, imported in one place.

scikit-learn has no public API for these yet: parameter validation
(``_param_validation``, ``_fit_context``), its input checks
(``_check_sample_weight``, ``_assert_all_finite``, ``_num_samples``), row
selection of arrays and frames alike (``_safe_indexing``), the
optional-dependency check of its displays, the scorer base class, and the
parameter validation of a nested estimator (``_validate_params``). They
may move or change between releases; when they do, this module is the one
place to adapt, and CI's oldest-versions job shows it.
"""

from sklearn.base import _fit_context
from sklearn.metrics._scorer import _BaseScorer
from sklearn.utils import _safe_indexing
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import (
    _assert_all_finite,
    _check_sample_weight,
    _num_samples,
)

__all__ = [
    "HasMethods",
    "Hidden",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_BaseScorer",
    "_assert_all_finite",
    "_check_sample_weight",
    "_fit_context",
    "_num_samples",
    "_safe_indexing",
    "check_matplotlib_support",
    "validate_parameters",
    "validate_params",
]


def validate_parameters(estimator) -> None:
    """scikit-learn's parameter validation of ``estimator`` and of every
    estimator among its parameters, nested ones included, as ``fit`` would
    run it: for checks before any training (``BaseEstimator`` keeps it
    private)."""
    from sklearn.base import BaseEstimator

    nested = estimator.get_params(deep=True).values()
    for part in [estimator, *nested]:
        if isinstance(part, BaseEstimator):
            part._validate_params()
