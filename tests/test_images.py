"""Image-shaped inputs through a torch module: the estimators, the metrics,
the curvature, a gamma search, pickling, and the bad inputs."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from torch import nn

from sklearn_focal import AdaFocalClassifier, FocalClassifier, GammaSearchClassifier
from sklearn_focal.curvature import hessian_top_eigenvalue, hessian_trace
from sklearn_focal.metrics import expected_calibration_error
from sklearn_focal.scoring import calibration_scoring

pytestmark = pytest.mark.filterwarnings("ignore:The validation split has")


class SmallCNN(nn.Module):
    """A convolution, a pooling and a linear layer over 1 x 8 x 8 images."""

    def __init__(self, n_classes=10, width=4):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(width * 16, n_classes),
        )

    def forward(self, X):
        return self.body(X)


class FiveOutputs(nn.Module):
    """Ignores the number of classes: five logits whatever the data."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(64, 5)

    def forward(self, X):
        return self.linear(X.flatten(1))


@pytest.fixture(scope="module")
def images():
    X, y = load_digits(return_X_y=True)
    return (X[:500] / 16).reshape(-1, 1, 8, 8).astype(np.float32), y[:500]


FAST = dict(module=SmallCNN, max_iter=4, learning_rate_init=1e-2, random_state=0)


@pytest.mark.parametrize("Estimator", [FocalClassifier, AdaFocalClassifier])
def test_a_cnn_fits_and_predicts_image_arrays_and_tensors(images, Estimator):
    X, y = images
    clf = Estimator(**FAST).fit(X, y)
    assert clf.sample_shape_ == (1, 8, 8) and clf.n_features_in_ == 1
    proba = clf.predict_proba(X)
    assert proba.shape == (500, 10) and np.allclose(proba.sum(axis=1), 1)
    assert (clf.predict(X) == y).mean() > 0.3  # it learned something
    np.testing.assert_allclose(clf.predict_proba(torch.from_numpy(X)), proba)
    np.testing.assert_allclose(
        clf.decision_function(X).argmax(1), proba.argmax(1)
    )  # logits
    assert 0 <= expected_calibration_error(y, proba) <= 1
    # pickling and cloning
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), proba)
    twin = clone(clf)
    assert not hasattr(twin, "net_") and twin.get_params()["module"] is SmallCNN


def test_curvature_of_a_cnn_is_hutchinsons(images):
    """The exact trace needs a chain of Linear and ReLU layers; a CNN gets
    Hutchinson's estimate, with its standard error, and Lanczos' top
    eigenvalue, below the trace (the Hessian of a trained network is nearly
    positive semi-definite)."""
    X, y = images
    clf = FocalClassifier(**FAST).fit(X, y)
    result = hessian_trace(clf, X[:100], y[:100], n_probes=20, random_state=0)
    assert result.method == "hutchinson" and result.value > 0
    assert result.std_error is not None and result.std_error < result.value
    top = hessian_top_eigenvalue(clf, X[:100], y[:100], tol=1e-3, random_state=0)
    assert top.method == "lanczos" and 0 < top.value <= result.value


def test_gamma_search_over_a_cnn(images):
    X, y = images
    grid = GridSearchCV(
        FocalClassifier(**FAST),
        {"gamma": [0.0, 2.0]},
        scoring=calibration_scoring(),
        refit="neg_ece",
        cv=2,
    ).fit(X, y)
    assert np.isfinite(grid.cv_results_["mean_test_neg_ece"]).all()
    assert grid.predict_proba(X[:5]).shape == (5, 10)
    search = GammaSearchClassifier(
        FocalClassifier(**FAST), gammas=[0, 1], random_state=0
    ).fit(X, y)
    assert search.best_gamma_ in (0.0, 1.0)
    assert search.predict_proba(X[:5]).shape == (5, 10)


def test_bad_image_inputs_are_named_before_training(images):
    X, y = images
    with pytest.raises(ValueError, match=r"X has 4 dimensions .* default network"):
        FocalClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="must return logits of shape"):
        FocalClassifier(module=FiveOutputs, max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match=r"cannot take samples of shape \(3, 8, 8\)"):
        FocalClassifier(**FAST).fit(np.repeat(X, 3, axis=1), y)
    clf = FocalClassifier(**{**FAST, "max_iter": 1}).fit(X, y)
    with pytest.raises(ValueError, match=r"samples of shape \(1, 4, 8\), but"):
        clf.predict(X[:, :, :4, :])


def test_the_comparison_runs_on_images(images):
    """The networks and their calibrators take the images as they are, the
    scikit-learn baselines the flattened pixels, and the report says so."""
    from sklearn_focal import compare_calibration

    X, y = images
    comparison = compare_calibration(
        X,
        y,
        methods=[
            "cross_entropy",
            "temperature",
            "matrix_scaling",
            "logistic_regression",
        ],
        estimator_params={k: v for k, v in FAST.items() if k != "random_state"},
        n_repeats=1,
        n_bootstrap=5,
        random_state=0,
        verbose=0,
        return_estimators=True,
    )
    models = comparison.estimators[0]
    network = models["cross_entropy"][-1]
    assert network.sample_shape_ == (1, 8, 8)
    assert models["logistic_regression"][-1].n_features_in_ == 64
    assert comparison.info["sample_shape"] == (1, 8, 8)
    assert "flattened rows" in comparison.to_markdown()
    assert np.isfinite(comparison.summary["log_loss"]).all()
    assert comparison.summary.loc["cross_entropy", "hessian_trace"] > 0


def test_displays_draw_a_cnn_on_images(images):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_focal.display import ReliabilityDisplay

    X, y = images
    clf = FocalClassifier(**FAST).fit(X, y)
    display = ReliabilityDisplay.from_estimator(clf, X, y, name="cnn")
    assert display.ece == pytest.approx(
        expected_calibration_error(y, clf.predict_proba(X))
    )
    plt.close("all")
