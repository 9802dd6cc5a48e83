"""The comparison's methods, one record each: adding a method is adding a
record here.

A record says everything the package needs to know about a method: its
name, how its estimator is built (a function of
:func:`~sklearn_focal.make_method`'s checked settings, which imports
scikit-learn and torch only when it is called), what kind of method it is,
whether ``calibration`` decides its calibration rows, the method whose fits
it shares in a comparison, its place from simplest to most involved, and
how long its job takes (the comparison hands out the longest jobs first).
Every list of methods the package uses is derived from the records, and
``tests/comparison/test_method_table.py`` checks that each method is wired
everywhere. This module imports nothing heavy: the command line lists the
names for ``--help`` without loading scikit-learn or torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "CALIBRATED",
    "CALIBRATIONS",
    "FAMILIES",
    "JOB_SECONDS",
    "METHODS",
    "NETWORKS",
    "POST_HOC",
    "RECORDS",
    "SHARES_FITS_WITH",
    "SIMPLICITY",
    "MethodRecord",
]

#: The kinds of method: a network trained to be calibrated, a
#: cross-entropy network calibrated afterwards, another network calibrated
#: afterwards, a scikit-learn baseline.
FAMILIES = ("network", "post_hoc", "calibrated_network", "baseline")

#: How the calibrated methods get rows to calibrate on: a held-out part of
#: the training rows; out-of-fold predictions with the kept network trained
#: on every row (``CalibratedClassifierCV(..., ensemble=False)``); or the
#: fold networks kept, each calibrated on its held-out fold, their
#: probabilities averaged (``ensemble=True``).
CALIBRATIONS = ("holdout", "cross_fit", "cross_fit_ensemble")


@dataclass(frozen=True)
class MethodRecord:
    """One method of the comparison.

    Attributes
    ----------
    name : str
        The method's name in ``make_method``, the comparison and the CLI.
    family : str
        One of :data:`FAMILIES`.
    build : callable
        ``build(settings)`` returns the unfitted estimator, from
        ``make_method``'s settings (``sklearn_focal.methods._Settings``).
    simplicity : int
        Its rank from simplest (0) to most involved, for the recommendation
        rule that prefers the simplest of the methods it cannot tell apart.
    calibrated : bool
        Whether ``calibration`` (holdout or cross-fitted) decides its
        calibration rows.
    shares_fits_with : str or None
        The method whose network it trains on the same rows: the comparison
        runs both in one job and trains that network once.
    job_seconds : float
        Seconds of its job (of the group of methods that share its fits),
        for the order in which jobs are handed out; see
        ``benchmarks/compare_speed.py`` for measured times.
    """

    name: str
    family: str
    build: Callable
    simplicity: int
    calibrated: bool = False
    shares_fits_with: str | None = None
    job_seconds: float = 1.0


def _cross_entropy(settings):
    return settings.pipeline(settings.focal(gamma=0.0))


def _focal(settings):
    return settings.pipeline(settings.gamma_search())


def _focal_sd53(settings):
    return settings.pipeline(settings.focal(loss="focal_sd53"))


def _adafocal(settings):
    return settings.pipeline(settings.adafocal())


def _refine_then_calibrate(settings):
    """Cross-entropy early-stopped on the temperature-scaled validation log
    loss, then temperature-scaled (Berta et al., 2025)."""
    network = settings.focal(
        gamma=0.0,
        early_stopping=True,  # it needs the validation split
        early_stopping_monitor="temperature_scaled_log_loss",
    )
    return settings.calibrated(settings.pipeline(network), "temperature")


def _calibrated(base: Callable, method: str) -> Callable:
    """The builder of ``base``'s estimator calibrated by ``method``."""

    def build(settings):
        return settings.calibrated(base(settings), method)

    return build


def _baseline(model: str, calibration: str | None = None) -> Callable:
    """The builder of a scikit-learn baseline, cross-validated-calibrated
    by ``calibration`` if given."""

    def build(settings):
        pipeline = settings.baseline(model)
        if calibration is None:
            return pipeline
        return settings.cross_validated(pipeline, calibration)

    return build


#: The records, in table order: networks trained to be calibrated, then a
#: cross-entropy network calibrated afterwards, then the scikit-learn
#: baselines.
RECORDS = (
    MethodRecord("cross_entropy", "network", _cross_entropy, 2, job_seconds=2.0),
    MethodRecord("focal", "network", _focal, 10, job_seconds=4.0),
    MethodRecord("focal_sd53", "network", _focal_sd53, 9, job_seconds=0.9),
    MethodRecord("adafocal", "network", _adafocal, 12, job_seconds=2.0),
    *(
        MethodRecord(
            method,
            "post_hoc",
            _calibrated(_cross_entropy, method),
            simplicity,
            calibrated=True,
            shares_fits_with="cross_entropy",
        )
        for method, simplicity in (
            ("temperature", 3),
            ("isotonic", 6),
            ("sigmoid", 5),
            ("matrix_scaling", 4),
        )
    ),
    MethodRecord(
        "focal+temperature",
        "calibrated_network",
        _calibrated(_focal, "temperature"),
        13,
        calibrated=True,
        shares_fits_with="focal",
    ),
    MethodRecord(
        "focal+matrix_scaling",
        "calibrated_network",
        _calibrated(_focal, "matrix_scaling"),
        14,
        calibrated=True,
        shares_fits_with="focal",
    ),
    MethodRecord(
        "adafocal+temperature",
        "calibrated_network",
        _calibrated(_adafocal, "temperature"),
        15,
        calibrated=True,
        shares_fits_with="adafocal",
    ),
    MethodRecord(
        "refine_then_calibrate",
        "calibrated_network",
        _refine_then_calibrate,
        11,
        calibrated=True,
        job_seconds=0.8,
    ),
    MethodRecord(
        "logistic_regression",
        "baseline",
        _baseline("logistic_regression"),
        0,
        job_seconds=0.2,
    ),
    MethodRecord(
        "logistic_regression+isotonic",
        "baseline",
        _baseline("logistic_regression", "isotonic"),
        7,
        job_seconds=0.3,
    ),
    MethodRecord(
        "hist_gradient_boosting",
        "baseline",
        _baseline("hist_gradient_boosting"),
        1,
        job_seconds=3.5,
    ),
    MethodRecord(
        "hist_gradient_boosting+isotonic",
        "baseline",
        _baseline("hist_gradient_boosting", "isotonic"),
        8,
        job_seconds=5.0,
    ),
)

_BY_NAME = {record.name: record for record in RECORDS}

#: Method names accepted by :func:`sklearn_focal.compare_calibration` and
#: :func:`sklearn_focal.make_method`, in table order.
METHODS = tuple(_BY_NAME)
#: The methods whose model is a network (its curvature is measured).
NETWORKS = tuple(r.name for r in RECORDS if r.family == "network")
#: The methods that calibrate a cross-entropy network afterwards.
POST_HOC = tuple(r.name for r in RECORDS if r.family == "post_hoc")
#: The methods whose calibration rows ``calibration`` decides.
CALIBRATED = tuple(r.name for r in RECORDS if r.calibrated)
#: Method -> the method whose fits it reuses (the same network trained on
#: the same rows): the comparison runs them in one job.
SHARES_FITS_WITH = {r.name: r.shares_fits_with for r in RECORDS if r.shares_fits_with}
#: The methods from simplest to most involved.
SIMPLICITY = tuple(r.name for r in sorted(RECORDS, key=lambda r: r.simplicity))
#: Method -> seconds of its job, for the order of the comparison's jobs.
JOB_SECONDS = {r.name: r.job_seconds for r in RECORDS}


def record(name: str) -> MethodRecord:
    """The record of method ``name``."""
    return _BY_NAME[name]
