"""Searches and comparisons in parallel: joblib processes and a Dask cluster."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from sklearn_focal import AdaFocalClassifier, FocalClassifier, compare_calibration
from sklearn_focal.scoring import calibration_scoring


def _search(estimator, n_jobs=None):
    return GridSearchCV(
        estimator,
        {"gamma": [0.0, 2.0]}
        if isinstance(estimator, FocalClassifier)
        else {"lam": [0.5, 1.0]},
        scoring=calibration_scoring(curvature=True),
        refit="neg_ece",
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )


@pytest.fixture(scope="module")
def data():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def sequential(data):
    X, y = data
    est = FocalClassifier(
        hidden_layer_sizes=(16,), max_iter=10, learning_rate_init=1e-2, random_state=0
    )
    return _search(est).fit(X, y)


def _same_results(a, b):
    for key in (
        "mean_test_neg_ece",
        "mean_test_accuracy",
        "mean_test_neg_hessian_trace",
    ):
        np.testing.assert_allclose(a.cv_results_[key], b.cv_results_[key], rtol=1e-5)
    assert a.best_params_ == b.best_params_


def test_grid_search_in_processes_matches_sequential(data, sequential):
    X, y = data
    est = FocalClassifier(
        hidden_layer_sizes=(16,), max_iter=10, learning_rate_init=1e-2, random_state=0
    )
    parallel = _search(est, n_jobs=2).fit(X, y)  # loky worker processes
    _same_results(parallel, sequential)
    np.testing.assert_allclose(
        parallel.predict_proba(X), sequential.predict_proba(X), rtol=1e-5
    )


def test_adafocal_search_in_processes(data):
    X, y = data
    est = AdaFocalClassifier(
        n_bins=3,
        validation_fraction=0.2,
        hidden_layer_sizes=(16,),
        max_iter=5,
        random_state=0,
    )
    a = _search(est, n_jobs=2).fit(X, y)
    b = _search(est).fit(X, y)
    np.testing.assert_allclose(
        a.cv_results_["mean_test_neg_ece"],
        b.cv_results_["mean_test_neg_ece"],
        rtol=1e-5,
    )


@pytest.mark.slow
def test_the_same_search_runs_unchanged_on_a_dask_cluster(data, sequential):
    distributed = pytest.importorskip("dask.distributed")
    X, y = data
    est = FocalClassifier(
        hidden_layer_sizes=(16,), max_iter=10, learning_rate_init=1e-2, random_state=0
    )
    comparison = dict(
        methods=["cross_entropy", "temperature", "logistic_regression"],
        n_repeats=2,
        n_bootstrap=10,
        estimator_params={"hidden_layer_sizes": (16,), "max_iter": 10},
        random_state=0,
        verbose=0,
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_backend("dask"):
            on_dask = _search(est).fit(X, y)
            # the comparison's (repeat, method) jobs too
            compared_on_dask = compare_calibration(X, y, n_jobs=-1, **comparison)
        workers = client.run(lambda: "sklearn_focal" in __import__("sys").modules)
    assert len(workers) == 2 and any(workers.values())  # the fits ran on the workers
    _same_results(on_dask, sequential)
    compared = compare_calibration(X, y, **comparison)
    pd.testing.assert_frame_equal(
        compared_on_dask.runs.drop(columns="fit_seconds"),
        compared.runs.drop(columns="fit_seconds"),
    )
    pd.testing.assert_frame_equal(
        compared_on_dask.summary.drop(columns=["fit_seconds", *_seconds_ci]),
        compared.summary.drop(columns=["fit_seconds", *_seconds_ci]),
    )


_seconds_ci = ["fit_seconds_ci_low", "fit_seconds_ci_high"]
