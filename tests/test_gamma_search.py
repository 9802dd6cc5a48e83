"""GammaSearchClassifier: cross-entropy, then focal fine-tuning per gamma."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_focal import FocalClassifier, GammaSearchClassifier
from sklearn_focal._network._data import validation_split
from sklearn_focal.curvature import hessian_trace
from sklearn_focal.metrics import expected_calibration_error, log_loss

NETWORK = FocalClassifier(
    hidden_layer_sizes=(16,), max_iter=25, learning_rate_init=1e-2, random_state=0
)


@pytest.fixture(scope="module")
def search(iris):
    X, y = iris
    return GammaSearchClassifier(
        NETWORK, gammas=[3, 0, 1], validation_fraction=0.3, random_state=0
    ).fit(X, y)


def test_the_kept_network_has_the_lowest_held_out_log_loss(search, iris):
    X, y = iris
    results = search.validation_results_
    np.testing.assert_array_equal(results["gamma"], [0.0, 1.0, 3.0])
    assert search.select_by == "log_loss"  # the default
    assert search.best_gamma_ == results["gamma"][np.argmin(results["log_loss"])]
    assert search.best_estimator_.gamma == search.best_gamma_
    # the held-out rows: the search's stratified split, never trained on
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    held_out = validation_split(y, 0.3, int(seed))[1]
    proba = search.best_estimator_.predict_proba(X[held_out])
    best = int(np.argmin(results["log_loss"]))
    assert results["ece"][best] == pytest.approx(
        expected_calibration_error(y[held_out], proba)
    )
    assert results["log_loss"][best] == pytest.approx(log_loss(y[held_out], proba))
    np.testing.assert_array_equal(
        search.predict_proba(X), search.best_estimator_.predict_proba(X)
    )
    np.testing.assert_array_equal(search.classes_, [0, 1, 2])
    assert float(hessian_trace(search, X, y)) == pytest.approx(
        float(hessian_trace(search.best_estimator_, X, y))
    )


def test_each_gamma_continues_from_where_cross_entropy_stopped(search):
    results = search.validation_results_
    base_epochs = results["n_iter"][0]
    assert (results["n_iter"][1:] > base_epochs).all()  # more epochs on top
    # for at most half the epochs of cross-entropy
    assert (results["n_iter"][1:] - base_epochs <= -(-base_epochs // 2)).all()
    assert search.best_estimator_.max_iter == NETWORK.max_iter  # given back


@pytest.mark.parametrize("max_iter", [1, 2, 7])
def test_fine_tuning_runs_half_the_epochs_of_cross_entropy(iris, max_iter):
    X, y = iris
    network = clone(NETWORK).set_params(max_iter=max_iter, early_stopping=False)
    search = GammaSearchClassifier(network, gammas=[0, 1, 2], random_state=0)
    epochs = search.fit(X, y).validation_results_["n_iter"]
    budget = {1: 1, 2: 1, 7: 4}[max_iter]  # ceil(max_iter / 2), at least 1
    np.testing.assert_array_equal(epochs, [max_iter] + [max_iter + budget] * 2)


def test_select_by_ece_and_reproducibility(iris):
    X, y = iris
    search = GammaSearchClassifier(
        NETWORK,
        gammas=[0, 2],
        select_by="ece",
        validation_fraction=0.3,
        random_state=1,
    ).fit(X, y)
    results = search.validation_results_
    assert search.best_gamma_ == results["gamma"][np.argmin(results["ece"])]
    again = clone(search).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), search.predict_proba(X))


def test_bad_grids_and_gammas_use_the_estimators_checks(iris):
    X, y = iris
    with pytest.raises(ValueError, match="non-empty sequence of finite gamma"):
        GammaSearchClassifier(NETWORK, gammas=[]).fit(X, y)
    with pytest.raises(ValueError, match="non-empty sequence of finite gamma"):
        GammaSearchClassifier(NETWORK, gammas=[np.nan, 1]).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'gamma' parameter of Focal"):
        GammaSearchClassifier(NETWORK, gammas=[0, 500]).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'select_by' parameter"):
        GammaSearchClassifier(NETWORK, select_by="accuracy").fit(X, y)


def test_sample_weight_is_taken_by_position_like_the_estimators(iris):
    """12 and 15: a Series with another index was looked up by label; a
    list, a scalar or a wrong length met raw errors."""
    import pandas as pd

    X, y = iris
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.2, 3.0, len(y))
    params = dict(gammas=[0, 2], validation_fraction=0.3, random_state=0)
    small = clone(NETWORK).set_params(max_iter=5)

    def proba(sample_weight):
        search = GammaSearchClassifier(small, **params)
        return search.fit(X, y, sample_weight=sample_weight).predict_proba(X)

    expected = proba(weights)
    shuffled_index = pd.Series(weights, index=rng.permutation(len(y)) + 1000)
    np.testing.assert_allclose(proba(shuffled_index), expected, rtol=1e-6)
    np.testing.assert_allclose(proba(list(weights)), expected, rtol=1e-6)
    np.testing.assert_allclose(proba(2.0), proba(None), rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(5,\), expected"):
        proba(weights[:5])
