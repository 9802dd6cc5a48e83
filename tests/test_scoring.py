"""Scorers: sign convention, values, any classifier, GridSearchCV."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_focal import FocalClassifier
from sklearn_focal.metrics import (
    classwise_calibration_error,
    debiased_calibration_error,
    expected_calibration_error,
    log_loss,
    multiclass_brier_score,
    smooth_calibration_error,
)
from sklearn_focal.scoring import (
    adaptive_ece_scorer,
    calibration_scoring,
    classwise_ece_scorer,
    debiased_ce_scorer,
    ece_scorer,
    get_scorer,
    get_scorer_names,
    log_loss_scorer,
    mce_scorer,
    multiclass_brier_score_scorer,
    smooth_ece_scorer,
)


@pytest.fixture(scope="module")
def iris_scaled_fit(iris):
    X, y = iris
    clf = FocalClassifier(
        hidden_layer_sizes=(8,), max_iter=3, learning_rate_init=1e-2, random_state=0
    ).fit(X, y)
    return clf, X, y


SCORERS = [
    (ece_scorer, expected_calibration_error, {}),
    (adaptive_ece_scorer, expected_calibration_error, {"strategy": "quantile"}),
    (mce_scorer, expected_calibration_error, {"norm": "max"}),
    (classwise_ece_scorer, classwise_calibration_error, {}),
    (multiclass_brier_score_scorer, multiclass_brier_score, {}),
    (log_loss_scorer, log_loss, {}),
    (debiased_ce_scorer, debiased_calibration_error, {}),
    (smooth_ece_scorer, smooth_calibration_error, {}),
]


@pytest.mark.parametrize("load", [load_iris, load_breast_cancer])
@pytest.mark.parametrize("scorer, metric, kwargs", SCORERS)
def test_scorer_is_the_negated_metric_on_predict_proba(load, scorer, metric, kwargs):
    X, y = load(return_X_y=True)
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.05)).fit(X, y)
    expected = metric(y, clf.predict_proba(X), **kwargs)
    assert expected > 0
    assert scorer(clf, X, y) == pytest.approx(-expected)


def test_names_and_fallback_to_sklearn():
    assert get_scorer_names() == sorted(
        [
            "neg_ece",
            "neg_adaptive_ece",
            "neg_mce",
            "neg_classwise_ece",
            "neg_multiclass_brier_score",
            "neg_log_loss",
            "neg_hessian_trace",
            "neg_hessian_top_eigenvalue",
            "average_precision",
            "neg_smooth_ece",
            "neg_debiased_ce",
            "neg_training_hessian_trace",
            "neg_training_hessian_top_eigenvalue",
        ]
    )
    # fresh copies, as scikit-learn's get_scorer hands out
    assert repr(get_scorer("neg_ece")) == repr(ece_scorer)
    assert get_scorer("neg_ece") is not get_scorer("neg_ece")
    assert get_scorer("accuracy")._score_func.__name__ == "accuracy_score"
    with pytest.raises(ValueError, match="not a valid scoring value"):
        get_scorer("neg_eceee")
    assert set(calibration_scoring(include=["neg_ece", "roc_auc"])) == {
        "neg_ece",
        "roc_auc",
    }


def test_grid_search_reports_accuracy_and_calibration_per_gamma():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        FocalClassifier(
            hidden_layer_sizes=(16,),
            max_iter=10,
            learning_rate_init=1e-2,
            random_state=0,
        ),
        {"gamma": [0, 2]},
        scoring=calibration_scoring(),
        refit="neg_ece",
        cv=3,
    ).fit(StandardScaler().fit_transform(X), y)
    results = search.cv_results_
    for name in [
        "accuracy",
        "neg_ece",
        "neg_adaptive_ece",
        "neg_classwise_ece",
        "neg_multiclass_brier_score",
        "neg_log_loss",
    ]:
        assert results[f"mean_test_{name}"].shape == (2,)
    assert (results["mean_test_neg_ece"] <= 0).all()
    best = int(np.argmax(results["mean_test_neg_ece"]))
    assert search.best_params_ == results["params"][best]


# -- scorers are independent copies with metadata requests ------------------------
def test_score_requests_do_not_leak_between_scorers():
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        mine = get_scorer("neg_ece").set_score_request(sample_weight=True)
        fresh = calibration_scoring()["neg_ece"]
        assert fresh is not mine
        requests = fresh.get_metadata_routing().score.requests
        assert requests.get("sample_weight") is None  # not requested
        assert mine.get_metadata_routing().score.requests["sample_weight"] is True


def test_curvature_scorer_takes_score_requests(iris_scaled_fit):
    import sklearn

    from sklearn_focal.scoring import hessian_trace_scorer

    clf, X, y = iris_scaled_fit
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = get_scorer("neg_hessian_trace").set_score_request(sample_weight=False)
        assert scorer is not hessian_trace_scorer
        assert scorer(clf, X, y) == hessian_trace_scorer(clf, X, y) < 0
    with pytest.raises(ValueError, match="do not take sample_weight"):
        hessian_trace_scorer(clf, X, y, sample_weight=np.ones(len(y)))


def test_multiclass_brier_score_is_named_apart_from_sklearns():
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    ours = get_scorer("neg_multiclass_brier_score")(model, X, y)
    sklearns = get_scorer("neg_brier_score")(model, X, y)  # scikit-learn's own
    # ours sums over both classes; scikit-learn's scores the positive class
    assert ours == pytest.approx(2 * sklearns, rel=1e-12)
    assert "neg_brier_score" not in get_scorer_names()


# -- the two curvatures: of the cross-entropy and of the training loss ----------
@pytest.mark.parametrize(
    "name, measure, loss",
    [
        ("neg_hessian_trace", "trace", "cross_entropy"),
        ("neg_hessian_top_eigenvalue", "top_eigenvalue", "cross_entropy"),
        ("neg_training_hessian_trace", "trace", "training"),
        ("neg_training_hessian_top_eigenvalue", "top_eigenvalue", "training"),
    ],
)
def test_each_curvature_scorer_is_its_direct_call(iris, name, measure, loss):
    from sklearn_focal.curvature import hessian_top_eigenvalue, hessian_trace

    X, y = iris
    clf = FocalClassifier(
        gamma=3.0, hidden_layer_sizes=(8,), max_iter=30, random_state=0
    ).fit(X, y)
    scorer = get_scorer(name)
    assert scorer.loss == loss and scorer.measure == measure
    if measure == "trace":
        expected = hessian_trace(clf, X, y, loss=loss, random_state=0).value
    else:
        expected = hessian_top_eigenvalue(
            clf, X, y, loss=loss, random_state=0, tol=1e-4
        ).value
    assert scorer(clf, X, y) == pytest.approx(-expected, rel=1e-6)
    # the two losses' curvatures differ once gamma > 0
    other = "cross_entropy" if loss == "training" else "training"
    assert hessian_trace(clf, X, y, loss=other).value != pytest.approx(
        hessian_trace(clf, X, y, loss=loss).value, rel=1e-3
    )


def test_calibration_scoring_with_both_curvatures():
    scoring = calibration_scoring(curvature=True, training_curvature=True)
    assert scoring["neg_hessian_trace"].loss == "cross_entropy"
    assert scoring["neg_training_hessian_trace"].loss == "training"
