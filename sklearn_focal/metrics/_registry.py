"""The registry: one :class:`Metric` record per metric, read by the
scorers, the comparison, its report and the displays."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch loads on the first metric call, not on import
    pass
from ._calibration_error import (
    classwise_calibration_error,
    expected_calibration_error,
)
from ._scores import (
    average_precision,
    log_loss,
    multiclass_brier_score,
    ood_detection_scores,
)
from ._smooth_and_debiased import (
    debiased_calibration_error,
    smooth_calibration_error,
)


# ------------------------------------------------------------------------------
# The registry: one record per metric
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """Everything the package says about one metric, in one place.

    Attributes
    ----------
    name : str
        The metric's one name: the comparison's column, the display's key,
        and (``neg_`` in front unless ``greater_is_better``) the scorer's.
    function : callable or str
        Its public function, or ``"module:function"`` for one that loads
        torch (imported on first use).
    response : {"proba", "predict", "estimator", "ood"}
        What ``function`` takes besides the true labels:
        ``predict_proba``'s probabilities, ``predict``'s labels, the fitted
        estimator with ``X`` (curvature), or the probabilities of in- and
        out-of-distribution rows.
    greater_is_better : bool
    bounds : (float, float)
        The range of the metric, to which intervals are clipped.
    label : str
        Its name on axes and in tables.
    kwargs : dict
        Fixed keyword arguments of ``function``.
    ranked : bool
        Whether a best value exists (marked in reports); False for the
        curvature, a diagnostic.
    in_comparison : bool
        Whether it is a column of :func:`~sklearn_focal.compare_calibration`.
    output : str or None
        The entry of ``function``'s dict result (for ``"ood"``).
    binned : bool
        Whether ``function`` takes ``n_bins``.
    from_confusion : callable or None
        For a metric of ``predict``'s labels: its value from weighted
        confusion matrices of shape (n_weightings, n_classes, n_classes),
        rows the true classes, one value per weighting; this is how the
        comparison bootstraps it (``sklearn_focal._comparison._stats``),
        and a label metric without it cannot be bootstrapped.
    """

    name: str
    function: Callable | str
    response: str
    greater_is_better: bool
    bounds: tuple[float, float]
    label: str
    kwargs: Mapping = field(default_factory=dict)
    ranked: bool = True
    in_comparison: bool = True
    output: str | None = None
    binned: bool = False
    from_confusion: Callable | None = None

    @property
    def scorer_name(self) -> str:
        """The name of its scorer, scikit-learn's sign rule."""
        return self.name if self.greater_is_better else f"neg_{self.name}"

    def resolve(self) -> Callable:
        """The function itself."""
        if callable(self.function):
            return self.function
        module, _, attribute = self.function.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def __call__(self, *args, **kwargs):
        """``function(*args, **kwargs, **self.kwargs)`` (the ``output``
        entry for a function returning several)."""
        value = self.resolve()(*args, **{**self.kwargs, **kwargs})
        return value if self.output is None else value[self.output]


def _accuracy_from_confusion(confusion):
    """scikit-learn's accuracy: the weight on the diagonal."""
    diagonal = np.diagonal(confusion, axis1=1, axis2=2)
    return diagonal.sum(axis=1) / confusion.sum(axis=(1, 2))


def _balanced_accuracy_from_confusion(confusion):
    """scikit-learn's balanced accuracy: the mean recall of the classes
    present (with weight) in ``y``."""
    diagonal = np.diagonal(confusion, axis1=1, axis2=2)
    support = confusion.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(support > 0, diagonal / support, np.nan)
    return np.nanmean(recall, axis=1)


def _sklearn_metric(name):
    """A scikit-learn metric, as ``"module:function"`` (loaded on use)."""
    return f"sklearn.metrics:{name}"


def _errors(*records):
    """Calibration errors: lower is better, in [0, 1], binned but the smooth
    ECE."""
    return [
        Metric(
            name,
            function,
            "proba",
            False,
            (0.0, 1.0),
            label,
            kwargs,
            binned=function is not smooth_calibration_error,
        )
        for name, function, label, kwargs in records
    ]


_CURVATURE = "sklearn_focal.curvature"

#: The registry, in the order of the comparison's columns.
METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric(
            "accuracy",
            _sklearn_metric("accuracy_score"),
            "predict",
            True,
            (0.0, 1.0),
            "accuracy",
            from_confusion=_accuracy_from_confusion,
        ),
        Metric(
            "balanced_accuracy",
            _sklearn_metric("balanced_accuracy_score"),
            "predict",
            True,
            (0.0, 1.0),
            "balanced accuracy",
            from_confusion=_balanced_accuracy_from_confusion,
        ),
        Metric(
            "average_precision",
            average_precision,
            "proba",
            True,
            (0.0, 1.0),
            "average precision",
        ),
        *_errors(
            ("ece", expected_calibration_error, "ECE", {}),
            (
                "adaptive_ece",
                expected_calibration_error,
                "adaptive ECE",
                {"strategy": "quantile"},
            ),
            ("classwise_ece", classwise_calibration_error, "classwise ECE", {}),
            ("mce", expected_calibration_error, "MCE", {"norm": "max"}),
            ("smooth_ece", smooth_calibration_error, "smooth ECE", {}),
            (
                "debiased_ce",
                debiased_calibration_error,
                "debiased L2 calibration error",
                {},
            ),
        ),
        Metric("log_loss", log_loss, "proba", False, (0.0, np.inf), "log loss"),
        Metric(
            "multiclass_brier_score",
            multiclass_brier_score,
            "proba",
            False,
            (0.0, 2.0),
            "Brier score (multiclass)",
        ),
        Metric(
            "hessian_trace",
            f"{_CURVATURE}:hessian_trace",
            "estimator",
            False,
            (0.0, np.inf),
            "Hessian trace\n(cross-entropy)",
            ranked=False,
        ),
        Metric(
            "training_hessian_trace",
            f"{_CURVATURE}:hessian_trace",
            "estimator",
            False,
            (-np.inf, np.inf),
            "Hessian trace\n(training loss)",
            {"loss": "training"},
            ranked=False,
        ),
        Metric(
            "hessian_top_eigenvalue",
            f"{_CURVATURE}:hessian_top_eigenvalue",
            "estimator",
            False,
            (-np.inf, np.inf),
            "top Hessian eigenvalue\n(cross-entropy)",
            {"tol": 1e-4},
            ranked=False,
            in_comparison=False,
        ),
        Metric(
            "training_hessian_top_eigenvalue",
            f"{_CURVATURE}:hessian_top_eigenvalue",
            "estimator",
            False,
            (-np.inf, np.inf),
            "top Hessian eigenvalue\n(training loss)",
            {"loss": "training", "tol": 1e-4},
            ranked=False,
            in_comparison=False,
        ),
        *(
            Metric(
                f"ood_{score}_{by}",
                ood_detection_scores,
                "ood",
                score == "auroc",
                (0.0, 1.0),
                f"OOD {score.upper()} ({by.replace('_', ' ')})",
                output=f"{score}_{by}",
            )
            for by in ("max_proba", "entropy")
            for score in ("auroc", "fpr95")
        ),
    ]
}
