"""Running the comparison: one job per repeat and group of methods.

A job fits the public estimators of its methods
(:func:`~sklearn_focal.methods.make_method`) on the repeat's training part,
inside :func:`~sklearn_focal._network._shared_fits.shared_fits`, so that a network that
several methods train on the same rows (``SHARES_FITS_WITH``) is trained
once, and scores each on the test part: the registry's metrics with their
bootstrap replicates (:mod:`._stats`), the curvatures of the networks, the
fit time (shared fits counted in full for every method that uses them) and
the chosen gamma. Jobs are independent: joblib runs them anywhere, Dask
included.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._compat import _safe_indexing
from .._network import _shared_fits
from ..methods import make_method
from ..metrics import METRICS
from . import _stats
from ._method_table import JOB_SECONDS, NETWORKS, SHARES_FITS_WITH

__all__ = ["EXTRA_COLUMNS", "Result", "Settings", "groups", "run_job", "schedule"]

#: Columns of a run besides the registry's metrics, with their range.
EXTRA_COLUMNS = {"fit_seconds": (0.0, np.inf), "gamma": (0.0, np.inf)}

#: The curvature columns: measured on the networks only.
_CURVATURES = tuple(
    name
    for name, metric in METRICS.items()
    if metric.in_comparison and metric.response == "estimator"
)
_OOD = tuple(
    name
    for name, metric in METRICS.items()
    if metric.in_comparison and metric.response == "ood"
)


@dataclass
class Settings:
    """What every job needs besides its data and seeds."""

    method_params: dict  # make_method's keywords but random_state
    n_bins: int
    n_bootstrap: int
    labels: np.ndarray
    keep: bool


@dataclass
class Result:
    point: dict
    replicates: dict
    model: Any = None


def groups(methods):
    """The methods, grouped so that those sharing fits run in one job."""
    grouped = {}
    for method in methods:
        grouped.setdefault(SHARES_FITS_WITH.get(method, method), []).append(method)
    return list(grouped.values())


def schedule(n_repeats, methods):
    """The comparison's jobs as ``(repeat, group)``, longest first (by
    the records' ``job_seconds``), in repeat order among equals: the last
    jobs to finish are then short, and no worker waits long for another at
    the end. Only the order depends on them."""

    def seconds(job):
        first = job[1][0]
        return JOB_SECONDS[SHARES_FITS_WITH.get(first, first)]

    jobs = [(r, group) for r in range(n_repeats) for group in groups(methods)]
    return sorted(jobs, key=seconds, reverse=True)


def run_job(X, y, split, seeds, methods, settings, X_ood):
    """Fit and score ``methods`` on one repeat; method -> :class:`Result`."""
    train, test = split
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train, y_test = y[train], y[test]
    _, network_seed, bootstrap_seed = (int(s) for s in seeds)
    counts = _stats.bootstrap_counts(len(test), settings.n_bootstrap, bootstrap_seed)
    y_encoded = np.searchsorted(settings.labels, y_test)
    results = {}
    with _shared_fits.shared_fits(), warnings.catch_warnings():
        # on a small validation split AdaFocal uses fewer bins (n_bins_)
        warnings.filterwarnings("ignore", "The validation split has")
        for method in methods:
            model = make_method(
                method, **settings.method_params, random_state=network_seed
            )
            replayed, start = _shared_fits.replayed_seconds(), time.perf_counter()
            model.fit(X_train, y_train)
            seconds = (
                time.perf_counter() - start + _shared_fits.replayed_seconds() - replayed
            )
            proba = np.asarray(model.predict_proba(X_test), dtype=np.float64)
            # the model's own decision rule: what a user deploys is measured
            predicted = np.searchsorted(settings.labels, model.predict(X_test))
            point, replicates = _stats.score_test_part(
                y_encoded,
                proba,
                predicted,
                n_bins=settings.n_bins,
                counts=counts,
            )
            for name in _CURVATURES:
                point[name] = (
                    float(METRICS[name](model, X_test, y_test, random_state=0))
                    if method in NETWORKS
                    else np.nan
                )
            point["fit_seconds"] = seconds
            point["gamma"] = _chosen_gamma(method, model)
            if X_ood is not None:
                proba_ood = model.predict_proba(X_ood)
                point |= {name: METRICS[name](proba, proba_ood) for name in _OOD}
            results[method] = Result(
                point, replicates, model=model if settings.keep else None
            )
    return results


def _chosen_gamma(method, model):
    """The gamma a method trained with (the searched one for ``focal``)."""
    if method == "cross_entropy":
        return 0.0
    while True:
        if hasattr(model, "best_gamma_"):
            return float(model.best_gamma_)
        if hasattr(model, "calibrated_classifiers_"):  # the kept network
            model = model.calibrated_classifiers_[0].estimator
        elif hasattr(model, "estimator_"):  # a weighted decision's estimator
            model = model.estimator_
        elif hasattr(model, "steps"):
            model = model[-1]
        else:
            return np.nan
