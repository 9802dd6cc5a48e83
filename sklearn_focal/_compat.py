"""Private scikit-learn names this package builds on, imported in one place.

scikit-learn has no public API for these yet: parameter validation
(``_param_validation``, ``_fit_context``), its input checks
(``_check_sample_weight``, ``_assert_all_finite``, ``_num_samples``), the
optional-dependency check of its displays and the scorer base class. They
may move or change between releases; when they do, this module is the one
place to adapt, and CI's oldest-versions job shows it.
"""

from sklearn.base import _fit_context
from sklearn.metrics._scorer import _BaseScorer
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
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
    "Interval",
    "StrOptions",
    "_BaseScorer",
    "_assert_all_finite",
    "_check_sample_weight",
    "_fit_context",
    "_num_samples",
    "check_matplotlib_support",
    "validate_params",
]
