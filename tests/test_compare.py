"""compare_calibration: protocol, table, preprocessing."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.datasets import load_wine
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    log_loss,
)

from sklearn_focal import compare_calibration
from sklearn_focal.compare import METHODS, make_preprocessor
from sklearn_focal.metrics import expected_calibration_error

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 15, "learning_rate_init": 1e-2}


@pytest.fixture(scope="module")
def wine_comparison():
    X, y = load_wine(return_X_y=True, as_frame=True)
    return compare_calibration(
        X,
        y,
        estimator_params=SMALL,
        gammas=(0.0, 2.0),
        cv=2,
        random_state=0,
        verbose=0,
        return_estimators=True,
    )


def test_table_layout(wine_comparison):
    table, details = wine_comparison
    assert table.index.tolist() == list(METHODS)
    assert table.columns.tolist() == [
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
    networks = ["cross_entropy", "focal", "focal_sd53", "adafocal"]
    assert table.loc[networks, "hessian_trace"].gt(0).all()
    assert (
        table.loc[["temperature", "isotonic", "sigmoid"], "hessian_trace"].isna().all()
    )
    assert table.loc["cross_entropy", "gamma"] == 0
    assert (
        table.loc["focal", "gamma"]
        == details.gamma_search.best_params_["classifier__gamma"]
    )
    assert table.loc[["focal_sd53", "adafocal", "temperature"], "gamma"].isna().all()
    assert (table["fit_seconds"] > 0).all()


def test_scores_recomputed_from_the_returned_models(wine_comparison):
    table, details = wine_comparison
    X_test, y_test = details.X_test, details.y_test
    assert len(y_test) == math.ceil(0.25 * 178)  # sklearn rounds the test part up
    for method, model in details.estimators.items():
        proba = model.predict_proba(X_test)
        assert table.loc[method, "accuracy"] == pytest.approx(
            accuracy_score(y_test, model.predict(X_test))
        )
        assert table.loc[method, "balanced_accuracy"] == pytest.approx(
            balanced_accuracy_score(y_test, model.predict(X_test))
        )
        # macro one-vs-rest average precision, from scikit-learn per class
        expected_ap = np.mean(
            [
                average_precision_score(y_test == k, proba[:, i])
                for i, k in enumerate(np.unique(y_test))
            ]
        )
        assert table.loc[method, "average_precision"] == pytest.approx(expected_ap)
        assert table.loc[method, "log_loss"] == pytest.approx(
            log_loss(y_test, proba), rel=1e-6
        )
        assert table.loc[method, "ece"] == pytest.approx(
            expected_calibration_error(y_test, proba)
        )


def test_post_hoc_methods_calibrate_one_frozen_network(wine_comparison):
    _, details = wine_comparison
    calibrated = [details.estimators[m] for m in ("temperature", "isotonic", "sigmoid")]
    assert all(isinstance(c.estimator, FrozenEstimator) for c in calibrated)
    assert len({id(c.estimator.estimator) for c in calibrated}) == 1  # one network
    # temperature scaling divides the logits by T: the argmax cannot change
    temperature, X_test = calibrated[0], details.X_test
    base = temperature.estimator
    np.testing.assert_array_equal(temperature.predict(X_test), base.predict(X_test))
    logits = base.decision_function(X_test)
    proba = temperature.predict_proba(X_test)
    ratio = np.log(proba[:, 0] / proba[:, 1]) / (logits[:, 0] - logits[:, 1])
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)  # one temperature for all
    np.testing.assert_allclose(proba, softmax(logits * ratio[0], axis=1), rtol=1e-6)


def test_reproducible_and_methods_subset():
    X, y = load_wine(return_X_y=True)
    kw = dict(methods=["adafocal", "cross_entropy"], estimator_params=SMALL, verbose=0)
    a = compare_calibration(X, y, random_state=3, **kw)
    b = compare_calibration(X, y, random_state=3, **kw)
    assert a.index.tolist() == ["adafocal", "cross_entropy"]
    pd.testing.assert_frame_equal(
        a.drop(columns="fit_seconds"), b.drop(columns="fit_seconds")
    )
    with pytest.raises(ValueError, match=r"Unknown methods \['platt'\]"):
        compare_calibration(X, y, methods=["platt"], verbose=0)


def test_raw_mixed_frame_with_missing_values_and_string_labels():
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(3, 1, n),
            "city": rng.choice(["north", "south", "east"], n),
            "member": rng.choice([True, False], n),
        }
    )
    y = np.where((frame.age > 40) ^ (frame.city == "north"), "yes", "no")
    frame.loc[rng.choice(n, 30), "income"] = np.nan
    frame.loc[rng.choice(n, 30), "city"] = None
    frame["city"] = frame["city"].astype("category")
    table = compare_calibration(
        frame,
        y,
        methods=["cross_entropy", "temperature"],
        estimator_params=SMALL,
        random_state=0,
        verbose=0,
    )
    assert table["accuracy"].gt(0.6).all()
    assert np.isfinite(
        table[["ece", "log_loss", "multiclass_brier_score"]].to_numpy()
    ).all()


def test_make_preprocessor():
    frame = pd.DataFrame(
        {"x": [1.0, np.nan, 3.0], "c": pd.Categorical(["a", "b", None])}
    )
    out = make_preprocessor(frame).fit_transform(frame)
    assert out.shape == (3, 4) and not np.isnan(out).any()  # x; c = a, b, missing
    np.testing.assert_array_equal(out[:, 1:], np.eye(3))
    np.testing.assert_allclose(out[:, 0].mean(), 0, atol=1e-12)  # standardised
    array = make_preprocessor(np.array([[1.0], [np.nan], [3.0]])).fit_transform(
        np.array([[1.0], [np.nan], [3.0]])
    )
    assert not np.isnan(array).any()


def test_every_method_has_one_builder():
    # the command line lists METHODS without importing torch; the registry
    # of builders must name the same methods, in the same order
    from sklearn_focal.compare import _METHODS

    assert list(_METHODS) == list(METHODS)
