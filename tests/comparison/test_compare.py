"""compare_calibration: protocol, public estimators, repeats, OOD, bad input."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_focal import (
    GammaSearchClassifier,
    compare_calibration,
    make_method,
)
from sklearn_focal._comparison import _runner
from sklearn_focal._comparison._method_table import JOB_SECONDS, SHARES_FITS_WITH
from sklearn_focal.compare import (
    METHODS,
    METRICS_COLUMNS,
    OOD_COLUMNS,
    CalibrationComparison,
)
from sklearn_focal.methods import NETWORKS
from sklearn_focal.metrics import METRICS, ood_detection_scores

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 15, "learning_rate_init": 1e-2}
FAST = dict(estimator_params=SMALL, gammas=(0.0, 2.0), cv=2, n_bootstrap=20, verbose=0)

# small data: AdaFocal takes fewer bins than its 15, and says so
pytestmark = pytest.mark.filterwarnings("ignore:The validation split has")


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    return X, y


@pytest.fixture(scope="module", params=["cross_fit_ensemble", "cross_fit", "holdout"])
def wine_comparison(request, wine):
    X, y = wine
    return compare_calibration(
        X,
        y,
        n_repeats=2,
        random_state=0,
        return_estimators=True,
        calibration=request.param,
        **FAST,
    )


def test_layout_of_runs_summary_and_paired(wine_comparison):
    c = wine_comparison
    assert c.runs.columns.tolist() == ["repeat", "method", *METRICS_COLUMNS]
    assert c.runs["repeat"].tolist() == [0] * len(METHODS) + [1] * len(METHODS)
    assert c.runs["method"].tolist() == list(METHODS) * 2
    assert c.summary.index.tolist() == list(METHODS)
    for metric in METRICS_COLUMNS:
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
    curvature = c.runs.set_index("method")[["hessian_trace", "training_hessian_trace"]]
    assert curvature.loc[list(NETWORKS)].gt(0).all().all()
    assert curvature.drop(list(NETWORKS)).isna().all().all()
    # cross-entropy's training loss is the cross-entropy; focal_sd53's is not
    ce = curvature.loc["cross_entropy"]
    np.testing.assert_allclose(ce["training_hessian_trace"], ce["hessian_trace"])
    sd53 = curvature.loc["focal_sd53"]
    assert not np.allclose(sd53["training_hessian_trace"], sd53["hessian_trace"])
    runs = c.runs.set_index(["repeat", "method"])
    for repeat, models in enumerate(c.estimators):
        search = models["focal"][-1]
        assert isinstance(search, GammaSearchClassifier)
        assert runs.loc[(repeat, "focal"), "gamma"] == search.best_gamma_
    assert (c.runs["fit_seconds"] > 0).all()
    assert c.info["n_test"] == math.ceil(0.25 * 178)  # sklearn rounds it up
    assert c.recommended in METHODS and c.recommended in c.recommendation


def test_every_column_is_its_public_metric_on_the_returned_models(wine_comparison):
    c = wine_comparison
    runs = c.runs.set_index(["repeat", "method"])
    for repeat, models in enumerate(c.estimators):
        X_test, y_test = c.X_test[repeat], c.y_test[repeat]
        for method, model in models.items():
            row = runs.loc[(repeat, method)]
            proba = model.predict_proba(X_test)
            pred = model.classes_[proba.argmax(axis=1)]
            for name, metric in METRICS.items():
                if not metric.in_comparison or metric.response == "ood":
                    continue
                if metric.response == "predict":
                    expected = metric(y_test, pred)
                elif metric.response == "proba":
                    expected = metric(y_test, proba)
                elif method in NETWORKS:
                    expected = float(metric(model, X_test, y_test, random_state=0))
                else:
                    assert np.isnan(row[name])
                    continue
                assert row[name] == pytest.approx(expected, rel=1e-9, abs=1e-12), (
                    method,
                    name,
                )


def test_every_replicate_is_its_public_metric_on_the_resample():
    """The bootstrap: each replicate is the public function with the
    resample's counts as sample weights (the label metrics: scikit-learn's)."""
    from sklearn_focal._comparison import _stats

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=80)
    proba = rng.dirichlet(np.ones(3), size=80)
    predicted = proba.argmax(axis=1)
    counts = _stats.bootstrap_counts(80, 5, seed=1)
    point, replicates = _stats.score_test_part(
        y, proba, predicted, n_bins=10, counts=counts
    )
    for name in _stats.TEST_METRICS:
        metric = METRICS[name]
        for b, weights in enumerate(counts):
            if metric.response == "predict":
                expected = metric(y, predicted, sample_weight=weights)
            else:
                extra = {"n_bins": 10} if metric.binned else {}
                if name == "smooth_ece":  # the test part's bandwidth
                    both = metric(
                        y, proba, sample_weight=np.vstack([np.ones(80), weights])
                    )
                    expected = both[1]
                else:
                    expected = metric(y, proba, sample_weight=weights, **extra)
            assert replicates[name][b] == pytest.approx(expected, rel=1e-9), name
        extra = {"n_bins": 10} if metric.binned else {}
        response = predicted if metric.response == "predict" else proba
        assert point[name] == pytest.approx(metric(y, response, **extra), rel=1e-12)


def test_each_method_is_its_public_estimator_fitted_alone(wine, wine_comparison):
    """What the comparison measured is what ``make_method`` gives: fitted on
    the repeat's training part by itself (no shared fits), every method's
    estimator predicts what the comparison's did."""
    X, y = wine
    c = wine_comparison
    for repeat in range(2):
        train, test = c.train_indices[repeat], c.test_indices[repeat]
        for method in METHODS:
            alone = c.make_method(method, repeat=repeat)
            alone.fit(X.iloc[train], np.asarray(y)[train])
            np.testing.assert_array_equal(
                alone.predict_proba(X.iloc[test]),
                c.estimators[repeat][method].predict_proba(X.iloc[test]),
                err_msg=method,
            )


def test_post_hoc_methods_calibrate_one_network(wine_comparison):
    c = wine_comparison
    models, X_test = c.estimators[0], c.X_test[0]
    calibrated = [models[m] for m in ("temperature", "isotonic", "sigmoid")]
    networks = [m.calibrated_classifiers_[0].estimator[-1] for m in calibrated]
    weights = [
        np.concatenate([p.detach().ravel() for p in n.net_.module_.parameters()])
        for n in networks
    ]
    for w in weights[1:]:
        np.testing.assert_array_equal(w, weights[0])  # one network, trained once
    if c.info["calibration"] == "cross_fit":
        # the kept network is trained on every training row: cross-entropy's
        assert all(len(m.calibrated_classifiers_) == 1 for m in calibrated)
        np.testing.assert_array_equal(
            models["cross_entropy"].predict_proba(X_test),
            calibrated[0].calibrated_classifiers_[0].estimator.predict_proba(X_test),
        )
    if c.info["calibration"] == "cross_fit_ensemble":
        # the fold networks, each calibrated, averaged
        assert all(len(m.calibrated_classifiers_) == FAST["cv"] for m in calibrated)
    # temperature scaling divides the logits by T: the argmax cannot change
    temperature = calibrated[0]
    member = temperature.calibrated_classifiers_[0]
    base = member.estimator
    np.testing.assert_array_equal(
        member.predict_proba(X_test).argmax(axis=1),
        base.predict_proba(X_test).argmax(axis=1),
    )
    logits = base.decision_function(X_test)
    proba = member.predict_proba(X_test)
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
        assert isinstance(model, CalibratedClassifierCV)
        assert model.method == "temperature"
    kept = models["focal+temperature"].calibrated_classifiers_[0].estimator[-1]
    assert isinstance(kept, GammaSearchClassifier)
    assert c.runs.set_index(["repeat", "method"]).loc[
        (0, "focal+temperature"), "gamma"
    ] == (kept.best_gamma_)
    ada = models["adafocal+temperature"].calibrated_classifiers_[0].estimator[-1]
    assert type(ada).__name__ == "AdaFocalClassifier"
    # refine, then calibrate: stopped on the temperature-scaled validation
    # loss, whose best epoch's weights it keeps
    refined = models["refine_then_calibrate"].calibrated_classifiers_[0].estimator[-1]
    assert refined.early_stopping_monitor == "temperature_scaled_log_loss"
    scaled = [row["valid_ts_nll"] for row in refined.history_]
    assert refined.validation_scores_ == scaled
    assert refined.best_validation_score_ == min(scaled)
    # the baselines: scikit-learn's models, +isotonic cross-fitted
    assert isinstance(models["logistic_regression"][-1], LogisticRegression)
    assert isinstance(
        models["hist_gradient_boosting"][-1], HistGradientBoostingClassifier
    )
    iso = models["logistic_regression+isotonic"]
    assert iso.method == "isotonic" and len(iso.calibrated_classifiers_) == 2  # cv=2


def test_fit_recommended_is_the_recommended_estimator_on_every_row(wine):
    X, y = wine
    c = compare_calibration(
        X,
        y,
        methods=["cross_entropy", "temperature", "logistic_regression"],
        n_repeats=2,
        random_state=0,
        **FAST,
    )
    model = c.fit_recommended(X, y)
    expected = c.make_method().fit(X, np.asarray(y))
    np.testing.assert_array_equal(model.predict_proba(X), expected.predict_proba(X))
    assert repr(clone(model)) == repr(c.make_method())
    for rule in ("lowest_log_loss", "simplest_within_noise", "lowest_upper_bound"):
        method, sentence = c.recommend(rule)
        assert method in c.methods and method in sentence
    with pytest.raises(ValueError, match="Unknown recommendation rule 'best'"):
        c.recommend("best")


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


def test_jobs_are_handed_out_longest_first(wine, monkeypatch):
    jobs = _runner.schedule(3, METHODS)
    everything = [(r, g) for r in range(3) for g in _runner.groups(METHODS)]
    assert sorted(map(str, jobs)) == sorted(map(str, everything))
    heads = [SHARES_FITS_WITH.get(g[0], g[0]) for _, g in jobs]
    seconds = [JOB_SECONDS[head] for head in heads]
    assert seconds == sorted(seconds, reverse=True)
    assert heads[0] == "hist_gradient_boosting+isotonic"
    assert heads[-1] == "logistic_regression"
    # among equals, repeats in order
    assert [r for r, g in jobs if g[0] == "focal"] == [0, 1, 2]

    # the comparison runs them in that order
    ran, run_job = [], _runner.run_job

    def recording(X, y, split, seeds, methods, *args):
        ran.append((int(seeds[1]), methods))
        return run_job(X, y, split, seeds, methods, *args)

    monkeypatch.setattr(_runner, "run_job", recording)
    X, y = wine
    methods = ["logistic_regression", "cross_entropy", "temperature"]
    c = compare_calibration(X, y, methods=methods, n_repeats=2, random_state=0, **FAST)
    first, second = (int(s) for s in c.seeds)
    assert ran == [
        (first, ["cross_entropy", "temperature"]),
        (second, ["cross_entropy", "temperature"]),
        (first, ["logistic_regression"]),
        (second, ["logistic_regression"]),
    ]


def test_every_interval_stays_in_its_metrics_range(wine):
    X, y = wine
    c = compare_calibration(
        X,
        y,
        methods=["cross_entropy", "temperature", "logistic_regression"],
        n_repeats=2,
        random_state=0,
        **{**FAST, "n_bootstrap": 0},  # repeats only: the widest intervals
    )
    for metric in c.metrics:
        low, high = CalibrationComparison._bounds(metric)
        assert (c.summary[f"{metric}_ci_low"].dropna() >= low).all(), metric
        assert (c.summary[f"{metric}_ci_high"].dropna() <= high).all(), metric
    assert (c.summary["accuracy_ci_high"] <= 1).all()


def test_one_repeat_reports_no_interval_rather_than_nan(wine):
    X, y = wine
    c = compare_calibration(
        X,
        y,
        methods=["cross_entropy", "logistic_regression"],
        n_repeats=1,
        random_state=0,
        **{**FAST, "n_bootstrap": 0},
    )
    text = c.to_markdown()
    assert "nan" not in text.lower()
    assert "n/a" in text


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
    assert c.runs.columns.tolist()[-4:] == list(OOD_COLUMNS)
    for method, model in c.estimators[0].items():
        expected = ood_detection_scores(
            model.predict_proba(c.X_test[0]), model.predict_proba(X[~inside])
        )
        row = c.runs.set_index("method").loc[method]
        for name, value in expected.items():
            assert row[f"ood_{name}"] == pytest.approx(value)
    assert c.summary["ood_auroc_max_proba"].between(0, 1).all()


def test_select_gamma_by_ece_keeps_the_gamma_of_lowest_held_out_ece(wine):
    X, y = wine
    c = compare_calibration(
        X,
        y,
        methods=["focal"],
        reference="focal",
        n_repeats=1,
        select_gamma_by="ece",
        random_state=0,
        return_estimators=True,
        **{**FAST, "gammas": (0.0, 1.0, 5.0)},
    )
    search = c.estimators[0]["focal"][-1]
    results = search.validation_results_
    assert search.select_by == "ece"
    assert c.runs.loc[0, "gamma"] == results["gamma"][np.argmin(results["ece"])]
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


# -- bad input: before any training ---------------------------------------------
def _no_training(monkeypatch):
    import sklearn_focal._comparison._runner as runner

    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(runner, "run_job", no_training)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_repeats": 0}, InvalidParameterError, "'n_repeats' parameter"),
        ({"n_repeats": True}, TypeError, "'n_repeats' parameter .* got True"),
        ({"methods": ["platt"]}, ValueError, r"unknown methods \['platt'\]"),
        (
            {"methods": ["temperature"]},
            ValueError,
            "'reference' parameter, 'cross_entropy', is not one of",
        ),
        ({"X_ood": np.ones((3, 5))}, ValueError, "X_ood has shape"),
        ({"X_ood": np.ones(13)}, ValueError, "X_ood has shape"),
        ({"X_ood": np.ones((0, 13))}, ValueError, "X_ood has 0 rows"),
        ({"gammas": (-1.0, 1.0)}, ValueError, "grid of finite gamma >= 0"),
        ({"gammas": (float("nan"), 1.0)}, ValueError, "grid of finite gamma >= 0"),
        ({"gammas": (0.0, 500.0)}, InvalidParameterError, "'gamma' parameter"),
        ({"select_gamma_by": "accuracy"}, InvalidParameterError, "select_gamma_by"),
        ({"calibration": "ensemble"}, InvalidParameterError, "'calibration'"),
        ({"test_size": 0.01}, ValueError, "test_size=0.01 gives 2 test"),
        (
            {"calibration": "holdout", "calibration_size": 0.01},
            ValueError,
            "calibration_size=0.01 holds out 2 of the 133 .* or use "
            "calibration='cross_fit_ensemble' or 'cross_fit'",
        ),
        ({"device": "banana"}, ValueError, "'device' parameter must be 'auto'"),
    ],
)
def test_bad_arguments_fail_before_any_training(monkeypatch, kwargs, error, message):
    _no_training(monkeypatch)
    X, y = load_wine(return_X_y=True)
    with pytest.raises(error, match=message):
        compare_calibration(X, y, verbose=0, **kwargs)


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"validation_fraction": 0.0}, InvalidParameterError, "validation_fraction"),
        ({"max_iter": 0}, InvalidParameterError, "'max_iter' parameter"),
        ({"batch_size": 0}, InvalidParameterError, "'batch_size' parameter"),
        ({"optimizer": "bogus"}, InvalidParameterError, "'optimizer' parameter"),
        ({"dropout": 1.5}, InvalidParameterError, "'dropout' parameter"),
        ({"learning_rate_init": -0.5}, InvalidParameterError, "learning_rate_init"),
        ({"callbacks": [1]}, TypeError, "'callbacks' parameter must be a list"),
        ({"module__width": 3}, TypeError, "'module__width', which MLP does not"),
    ],
)
def test_network_parameters_are_the_estimators_checks_before_any_training(
    monkeypatch, params, error, message
):
    _no_training(monkeypatch)
    X, y = load_wine(return_X_y=True)
    with pytest.raises(error, match=message):
        compare_calibration(X, y, verbose=0, estimator_params=params)


def test_a_bad_network_parameter_is_named_as_the_networks_not_the_functions(
    monkeypatch,
):
    """15: scikit-learn's validate_params renamed it after compare_calibration
    (or, at fit, cross_val_predict)."""
    _no_training(monkeypatch)
    X, y = load_wine(return_X_y=True)
    network = r"'max_iter' parameter of FocalClassifier \(in method 'cross_entropy'\)"
    with pytest.raises(InvalidParameterError, match=network):
        compare_calibration(X, y, verbose=0, estimator_params={"max_iter": 0})
    with pytest.raises(InvalidParameterError, match=r"\(in method .temperature.\)"):
        make_method("temperature", estimator_params={"max_iter": 0})


@pytest.mark.parametrize(
    "param, value, message",
    [
        # 9: a loss the method's name decides (cross_entropy became FLSD-53)
        ("loss", "focal_sd53", "the method's name decides the loss"),
        ("gamma", 2.0, "the method's name decides gamma"),
        # 10: weights the report and decision rule did not know of
        ("class_weight", "balanced", "pass class_weight=... itself"),
        # 11: one seed for every repeat while comparison.seeds listed others
        ("random_state", 7, "pass random_state=... itself"),
        ("device", "cpu", "pass device=... itself"),
    ],
)
def test_estimator_params_may_not_set_what_another_argument_decides(
    monkeypatch, param, value, message
):
    _no_training(monkeypatch)
    X, y = load_wine(return_X_y=True)
    expected = f"'estimator_params' parameter may not set '{param}': {message}"
    with pytest.raises(ValueError, match=re.escape(expected)):
        compare_calibration(X, y, verbose=0, estimator_params={param: value})
    for name in ("cross_entropy", "temperature", "focal"):
        with pytest.raises(ValueError, match=re.escape(expected)):
            make_method(name, estimator_params={param: value})


def test_date_and_duration_columns_are_refused_before_any_training(monkeypatch):
    """15: a duration column met numpy's DTypePromotionError in the imputer."""
    _no_training(monkeypatch)
    X, y = load_wine(return_X_y=True, as_frame=True)
    durations = X.assign(wait=pd.to_timedelta(np.arange(len(X)), unit="s"))
    with pytest.raises(TypeError, match=r"Column 'wait' of X holds durations.*"):
        compare_calibration(durations, y, verbose=0)
    dates = X.assign(day=pd.Timestamp("2024-01-01") + durations["wait"])
    with pytest.raises(TypeError, match=r"Column 'day' of X holds dates"):
        compare_calibration(dates, y, verbose=0)
    with pytest.raises(TypeError, match="total_seconds"):
        make_method("logistic_regression").fit(durations, y)


def test_make_method_of_a_repeat_or_method_not_run_is_a_clear_error(wine):
    """15: comparison.make_method(repeat=5) of a one-repeat comparison raised
    a raw IndexError."""
    X, y = wine
    c = compare_calibration(
        X,
        y,
        methods=["logistic_regression"],
        reference="logistic_regression",
        n_repeats=1,
        n_bootstrap=0,
        random_state=0,
        verbose=0,
    )
    with pytest.raises(
        ValueError, match=r"'repeat' parameter must be an int in \[0, 0\]"
    ):
        c.make_method(repeat=5)
    with pytest.raises(ValueError, match="'method' parameter, 'focal', is not one"):
        c.make_method("focal")
    assert type(c.make_method(repeat=0)).__name__ == "MethodPipeline"


def test_bad_targets_fail_before_any_training(monkeypatch):
    _no_training(monkeypatch)
    X, y = load_wine(return_X_y=True)
    rare = y.copy()
    rare[:3] = 7  # a class of 3 samples: too few for a test row and 3 folds
    with pytest.raises(ValueError, match="Class 7 of y has 3 samples; with"):
        compare_calibration(X, rare, verbose=0)
    with pytest.raises(ValueError, match="y must hold class labels"):
        compare_calibration(X, X[:, 0], verbose=0)
    with pytest.raises(ValueError, match="X has 178 rows but y has 10"):
        compare_calibration(X, y[:10], verbose=0)
    with pytest.raises(ValueError, match=r"y must be 1-D.*shape \(178, 2\)"):
        compare_calibration(X, np.column_stack([y, y]), verbose=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(13)])
    with pytest.raises(TypeError, match="X_ood must be one too"):
        compare_calibration(frame, y, X_ood=X, verbose=0)
    with pytest.raises(ValueError, match=r"X_ood lacks the columns \['f0'\]"):
        compare_calibration(frame, y, X_ood=frame.drop(columns="f0"), verbose=0)
    text = frame.astype({"f1": object})
    text.loc[0, "f1"] = "n/a"
    with pytest.raises(ValueError, match=r"X_ood's columns \['f1'\] are not numeric"):
        compare_calibration(frame, y, X_ood=text, verbose=0)


def test_a_column_vector_y_is_taken_with_scikit_learns_warning(wine):
    X, y = wine
    with pytest.warns(DataConversionWarning):
        c = compare_calibration(
            X,
            np.asarray(y)[:, None],
            methods=["logistic_regression"],
            reference="logistic_regression",
            n_repeats=1,
            random_state=0,
            **FAST,
        )
    assert c.runs["accuracy"].gt(0.8).all()


def test_report_states_the_setup_marks_the_best_and_recommends(wine_comparison):
    c = wine_comparison
    text = c.to_markdown(dataset="wine")
    assert text.startswith("# Calibration comparison: wine")
    for fact in (
        "178 rows, 3 classes",
        "2 repeats",
        f"{c.info['n_train']} training and {c.info['n_test']} test rows",
        "random_state=0",
        f"calibration={c.info['calibration']}",
        f"sklearn-focal {c.info['version']}",
    ):
        assert fact in text
    best = c.summary["log_loss"].idxmin()
    row = next(line for line in text.splitlines() if line.startswith(f"| {best} |"))
    assert f"**{c.summary.loc[best, 'log_loss']:.3f} ±" in row
    assert text.rstrip().endswith(c.recommendation)
    assert repr(c).startswith(
        f"<CalibrationComparison: {len(METHODS)} methods x 2 repeats"
    )


def test_recommendation_claims_no_interval_it_does_not_have(wine):
    """16: with one repeat and no bootstrap every paired interval is NaN, yet
    the sentence said they "include 0"; with one method it said every
    other method's interval "excludes 0"."""
    X, y = wine
    baselines = ["logistic_regression", "logistic_regression+isotonic"]
    common = dict(reference="logistic_regression", random_state=0, verbose=0)
    no_interval = compare_calibration(
        X, y, methods=baselines, n_repeats=1, n_bootstrap=0, **common
    )
    assert no_interval.paired[["log_loss_diff_ci_low"]].isna().all().all()
    sentence = no_interval.recommendation
    assert "include 0" not in sentence and "exclude 0" not in sentence
    assert "have no interval (one repeat and no bootstrap resamples)" in sentence
    alone = compare_calibration(
        X, y, methods=baselines[:1], n_repeats=1, n_bootstrap=5, **common
    )
    assert alone.recommendation.endswith("; it is the only method compared.")
    with_intervals = compare_calibration(
        X, y, methods=baselines, n_repeats=1, n_bootstrap=20, **common
    )
    assert "0." in with_intervals.recommendation
    assert ("include 0" in with_intervals.recommendation) or (
        "exclude 0" in with_intervals.recommendation
    )
