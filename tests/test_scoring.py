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
    brier_score,
    classwise_calibration_error,
    expected_calibration_error,
    negative_log_likelihood,
)
from sklearn_focal.scoring import (
    adaptive_ece_scorer,
    brier_scorer,
    calibration_scoring,
    classwise_ece_scorer,
    ece_scorer,
    get_scorer,
    get_scorer_names,
    mce_scorer,
    nll_scorer,
)

SCORERS = [
    (ece_scorer, expected_calibration_error, {}),
    (adaptive_ece_scorer, expected_calibration_error, {"strategy": "quantile"}),
    (mce_scorer, expected_calibration_error, {"norm": "max"}),
    (classwise_ece_scorer, classwise_calibration_error, {}),
    (brier_scorer, brier_score, {}),
    (nll_scorer, negative_log_likelihood, {}),
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
            "neg_brier_score",
            "neg_log_loss",
            "neg_hessian_trace",
            "neg_hessian_top_eigenvalue",
        ]
    )
    assert get_scorer("neg_ece") is ece_scorer
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
        "neg_brier_score",
        "neg_log_loss",
    ]:
        assert results[f"mean_test_{name}"].shape == (2,)
    assert (results["mean_test_neg_ece"] <= 0).all()
    best = int(np.argmax(results["mean_test_neg_ece"]))
    assert search.best_params_ == results["params"][best]
