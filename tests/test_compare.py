"""compare_calibration: protocol, repeats, methods, OOD, bad input."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    log_loss,
)
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_focal import compare_calibration
from sklearn_focal.compare import METHODS, METRICS, OOD_METRICS, make_preprocessor
from sklearn_focal.metrics import (
    debiased_calibration_error,
    expected_calibration_error,
    ood_detection_scores,
    smooth_calibration_error,
)

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 15, "learning_rate_init": 1e-2}
FAST = dict(estimator_params=SMALL, gammas=(0.0, 2.0), cv=2, n_bootstrap=20, verbose=0)


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    return X, y


@pytest.fixture(scope="module")
def wine_comparison(wine):
    X, y = wine
    return compare_calibration(
        X, y, n_repeats=2, random_state=0, return_estimators=True, **FAST
    )


def test_layout_of_runs_summary_and_paired(wine_comparison):
    c = wine_comparison
    assert c.runs.columns.tolist() == ["repeat", "method", *METRICS]
    assert c.runs["repeat"].tolist() == [0] * len(METHODS) + [1] * len(METHODS)
    assert c.runs["method"].tolist() == list(METHODS) * 2
    assert c.summary.index.tolist() == list(METHODS)
    for metric in METRICS:
        assert {metric, f"{metric}_ci_low", f"{metric}_ci_high"} <= set(c.summary)
        mean, low, high = (
            c.summary[metric],
            c.summary[f"{metric}_ci_low"],
            c.summary[f"{metric}_ci_high"],
        )
        pd.testing.assert_series_equal(
            mean, c.runs.groupby("method", sort=False)[metric].mean(), check_names=False
        )
        known = low.notna()
        assert (low[known] <= mean[known] + 1e-12).all()
        assert (mean[known] <= high[known] + 1e-12).all()
    assert c.paired.index.tolist() == [m for m in METHODS if m != "cross_entropy"]
    assert set(c.paired["verdict"]) <= {"better", "worse", "no clear difference"}
    networks = ["cross_entropy", "focal", "focal_sd53", "adafocal"]
    curvature = c.runs.set_index("method")[["hessian_trace", "training_hessian_trace"]]
    assert curvature.loc[networks].gt(0).all().all()
    assert curvature.drop(networks).isna().all().all()
    # cross-entropy's training loss is the cross-entropy; focal_sd53's is not
    ce = curvature.loc["cross_entropy"]
    np.testing.assert_allclose(ce["training_hessian_trace"], ce["hessian_trace"])
    sd53 = curvature.loc["focal_sd53"]
    assert not np.allclose(sd53["training_hessian_trace"], sd53["hessian_trace"])
    runs = c.runs.set_index(["repeat", "method"])
    for repeat, search in enumerate(c.gamma_searches):
        best = search.best_params_["classifier__gamma"]
        assert runs.loc[(repeat, "focal"), "gamma"] == best
        assert runs.loc[(repeat, "focal+temperature"), "gamma"] == best
    assert (c.runs["fit_seconds"] > 0).all()
    assert c.info["n_test"] == math.ceil(0.25 * 178)  # sklearn rounds it up
    assert c.recommended in METHODS and c.recommended in c.recommendation


def test_every_score_recomputed_from_the_returned_models(wine_comparison):
    c = wine_comparison
    runs = c.runs.set_index(["repeat", "method"])
    for repeat, models in enumerate(c.estimators):
        X_test, y_test = c.X_test[repeat], c.y_test[repeat]
        for method, model in models.items():
            row = runs.loc[(repeat, method)]
            proba = model.predict_proba(X_test)
            pred = model.predict(X_test)
            expected = {
                "accuracy": accuracy_score(y_test, pred),
                "balanced_accuracy": balanced_accuracy_score(y_test, pred),
                # macro one-vs-rest average precision, by scikit-learn
                "average_precision": np.mean(
                    [
                        average_precision_score(y_test == k, proba[:, i])
                        for i, k in enumerate(np.unique(y_test))
                    ]
                ),
                "log_loss": log_loss(y_test, proba),
                "ece": expected_calibration_error(y_test, proba),
                "adaptive_ece": expected_calibration_error(
                    y_test, proba, strategy="quantile"
                ),
                "mce": expected_calibration_error(y_test, proba, norm="max"),
                "smooth_ece": smooth_calibration_error(y_test, proba),
                "debiased_ce": debiased_calibration_error(y_test, proba),
            }
            for metric, value in expected.items():
                assert row[metric] == pytest.approx(value, rel=1e-6, abs=1e-9), (
                    method,
                    metric,
                )


def test_post_hoc_methods_calibrate_one_frozen_network(wine_comparison):
    models, X_test = wine_comparison.estimators[0], wine_comparison.X_test[0]
    calibrated = [models[m] for m in ("temperature", "isotonic", "sigmoid")]
    assert all(isinstance(c.estimator, FrozenEstimator) for c in calibrated)
    assert len({id(c.estimator.estimator) for c in calibrated}) == 1  # one network
    # temperature scaling divides the logits by T: the argmax cannot change
    temperature = calibrated[0]
    base = temperature.estimator
    np.testing.assert_array_equal(temperature.predict(X_test), base.predict(X_test))
    logits = base.decision_function(X_test)
    proba = temperature.predict_proba(X_test)
    ratio = np.log(proba[:, 0] / proba[:, 1]) / (logits[:, 0] - logits[:, 1])
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)  # one temperature for all
    np.testing.assert_allclose(proba, softmax(logits * ratio[0], axis=1), rtol=1e-6)


def test_the_strongest_recipes_are_what_they_say(wine_comparison):
    c = wine_comparison
    models = c.estimators[0]
    for method in (
        "focal+temperature",
        "adafocal+temperature",
        "refine_then_calibrate",
    ):
        model = models[method]
        assert (
            isinstance(model, CalibratedClassifierCV) and model.method == "temperature"
        )
        assert isinstance(model.estimator, FrozenEstimator)
    network = models["focal+temperature"].estimator.estimator[-1]
    assert network.gamma == c.gamma_searches[0].best_params_["classifier__gamma"]
    assert type(models["adafocal+temperature"].estimator.estimator[-1]).__name__ == (
        "AdaFocalClassifier"
    )
    # refine, then calibrate: stopped on the temperature-scaled validation
    # loss, whose best epoch's weights it keeps
    refined = models["refine_then_calibrate"].estimator.estimator[-1]
    scaled = [row["valid_ts_nll"] for row in refined.history_]
    assert len(scaled) == refined.n_iter_
    raw = [row["valid_nll"] for row in refined.history_]
    assert all(s <= r + 1e-9 for s, r in zip(scaled, raw, strict=True))  # T=1 allowed
    # the baselines: scikit-learn's models, +isotonic cross-fitted
    assert isinstance(models["logistic_regression"][-1], LogisticRegression)
    assert isinstance(
        models["hist_gradient_boosting"][-1], HistGradientBoostingClassifier
    )
    iso = models["logistic_regression+isotonic"]
    assert iso.method == "isotonic" and len(iso.calibrated_classifiers_) == 2  # cv=2


def test_repeats_are_reproducible_and_independent_of_the_other_methods(wine):
    X, y = wine
    one = compare_calibration(
        X, y, methods=["cross_entropy"], n_repeats=2, random_state=3, **FAST
    )
    two = compare_calibration(
        X, y, methods=["adafocal", "cross_entropy"], n_repeats=2, random_state=3, **FAST
    )
    parallel = compare_calibration(
        X,
        y,
        methods=["adafocal", "cross_entropy"],
        n_repeats=2,
        random_state=3,
        n_jobs=2,
        **FAST,
    )
    drop = ["fit_seconds"]
    pd.testing.assert_frame_equal(
        one.runs.drop(columns=drop),
        two.runs[two.runs.method == "cross_entropy"]
        .reset_index(drop=True)
        .drop(columns=drop),
    )
    pd.testing.assert_frame_equal(
        two.runs.drop(columns=drop), parallel.runs.drop(columns=drop)
    )
    # the repeats differ: new split, new seeds
    assert one.runs["log_loss"].nunique() == 2
    assert not np.array_equal(*one.test_indices)


def test_ood_columns_are_the_ood_scores_of_the_returned_models():
    X, y = load_wine(return_X_y=True)
    inside = y != 2
    c = compare_calibration(
        X[inside],
        y[inside],
        X_ood=X[~inside],
        methods=["cross_entropy", "logistic_regression"],
        n_repeats=1,
        random_state=0,
        return_estimators=True,
        **FAST,
    )
    assert c.runs.columns.tolist()[-4:] == list(OOD_METRICS)
    for method, model in c.estimators[0].items():
        expected = ood_detection_scores(
            model.predict_proba(c.X_test[0]), model.predict_proba(X[~inside])
        )
        row = c.runs.set_index("method").loc[method]
        for name, value in expected.items():
            assert row[f"ood_{name}"] == pytest.approx(value)
    assert c.summary["ood_auroc_max_proba"].between(0, 1).all()


def test_select_gamma_by_log_loss_refits_the_gamma_of_lowest_log_loss(wine):
    X, y = wine
    c = compare_calibration(
        X,
        y,
        methods=["focal"],
        reference="focal",
        n_repeats=1,
        select_gamma_by="log_loss",
        random_state=0,
        return_estimators=True,
        **{**FAST, "gammas": (0.0, 1.0, 5.0)},
    )
    results = c.gamma_searches[0].cv_results_
    best = results["params"][int(np.argmax(results["mean_test_neg_log_loss"]))]
    assert c.runs.loc[0, "gamma"] == best["classifier__gamma"]
    # the default grid lets focal loss fall back to cross-entropy
    import inspect

    default = inspect.signature(compare_calibration).parameters["gammas"].default
    assert 0 in default


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
    c = compare_calibration(
        frame,
        y,
        methods=["cross_entropy", "temperature", "hist_gradient_boosting"],
        n_repeats=1,
        random_state=0,
        **FAST,
    )
    assert c.runs["accuracy"].gt(0.6).all()
    assert np.isfinite(
        c.runs[["ece", "log_loss", "multiclass_brier_score"]].to_numpy()
    ).all()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_repeats": 0}, InvalidParameterError, "'n_repeats' parameter"),
        ({"methods": ["platt"]}, ValueError, r"unknown methods \['platt'\]"),
        (
            {"methods": ["temperature"]},
            ValueError,
            "'reference' parameter, 'cross_entropy', is not one of",
        ),
        ({"X_ood": np.ones((3, 5))}, ValueError, "X_ood has shape"),
        ({"X_ood": np.ones(13)}, ValueError, "X_ood has shape"),
        ({"gammas": (-1.0, 1.0)}, ValueError, "grid of gamma >= 0"),
        ({"select_gamma_by": "accuracy"}, InvalidParameterError, "select_gamma_by"),
    ],
)
def test_bad_arguments_fail_before_any_training(monkeypatch, kwargs, error, message):
    import sklearn_focal.compare as compare

    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(compare, "_run_job", no_training)
    X, y = load_wine(return_X_y=True)
    with pytest.raises(error, match=message):
        compare.compare_calibration(X, y, verbose=0, **kwargs)


def test_bad_targets_fail_before_any_training(monkeypatch):
    import sklearn_focal.compare as compare

    monkeypatch.setattr(compare, "_run_job", None)
    X, y = load_wine(return_X_y=True)
    rare = y.copy()
    rare[:3] = 7  # a class of 3 samples: too few for a test row and 3 folds
    with pytest.raises(ValueError, match="Class 7 of y has 3 samples; with"):
        compare.compare_calibration(X, rare, verbose=0)
    with pytest.raises(ValueError, match="y must hold class labels"):
        compare.compare_calibration(X, X[:, 0], verbose=0)
    with pytest.raises(ValueError, match="X has 178 rows but y has 10"):
        compare.compare_calibration(X, y[:10], verbose=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(13)])
    with pytest.raises(TypeError, match="X_ood must be one too"):
        compare.compare_calibration(frame, y, X_ood=X, verbose=0)
    with pytest.raises(ValueError, match=r"X_ood lacks the columns \['f0'\]"):
        compare.compare_calibration(frame, y, X_ood=frame.drop(columns="f0"), verbose=0)


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


def test_every_method_has_one_builder_and_a_place_in_the_simplicity_order():
    # the command line lists METHODS without importing torch; the registry
    # of builders must name the same methods, in the same order
    from sklearn_focal._methods import SIMPLICITY
    from sklearn_focal.compare import _METHODS

    assert list(_METHODS) == list(METHODS)
    assert sorted(SIMPLICITY) == sorted(METHODS)


def test_report_states_the_setup_marks_the_best_and_recommends(wine_comparison):
    c = wine_comparison
    text = c.to_markdown(dataset="wine")
    assert text.startswith("# Calibration comparison: wine")
    for fact in (
        "178 rows, 3 classes",
        "2 repeats",
        f"{c.info['n_train']} training and {c.info['n_test']} test rows",
        "random_state=0",
        f"sklearn-focal {c.info['version']}",
    ):
        assert fact in text
    best = c.summary["log_loss"].idxmin()
    row = next(line for line in text.splitlines() if line.startswith(f"| {best} |"))
    assert f"**{c.summary.loc[best, 'log_loss']:.3f} ±" in row
    assert text.rstrip().endswith(c.recommendation)
    assert repr(c).startswith("<CalibrationComparison: 14 methods x 2 repeats")
