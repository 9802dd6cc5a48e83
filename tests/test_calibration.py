"""LogitScalingClassifierCV: probmetrics' calibrators behind scikit-learn's
CalibratedClassifierCV contract."""

import pickle
import warnings

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold, StratifiedKFold

from sklearn_focal.calibration import METHODS, LogitScalingClassifierCV

probmetrics = pytest.importorskip("probmetrics.calibrators")


class Fixed(ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities are given: row ``i`` of X is its
    index into ``proba``."""

    def __init__(self, proba=None):
        self.proba = proba

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return self.proba[np.asarray(X, dtype=int).ravel()]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _logits(n_classes, n=600, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, n_classes)) * 3
    truth = softmax(logits / 2 + rng.normal(size=(1, n_classes)), axis=1)
    y = (truth.cumsum(axis=1) > rng.uniform(size=(n, 1))).argmax(axis=1)
    return logits, y


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("method", list(METHODS))
def test_the_calibrator_is_probmetrics_on_fixed_logits(method, n_classes):
    logits, y = _logits(n_classes)
    proba = softmax(logits, axis=1)
    X = np.arange(len(y)).reshape(-1, 1)
    frozen = FrozenEstimator(Fixed(proba).fit(X, y))
    ours = LogitScalingClassifierCV(frozen, method=method, cv=3, ensemble=False)
    with warnings.catch_warnings():
        # probmetrics' binary `logistic` passes scikit-learn 1.8's deprecated
        # `penalty`: not the user's to fix, so it must not reach them
        warnings.simplefilter("error", FutureWarning)
        ours.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        reference = probmetrics.get_calibrator(METHODS[method]).fit(proba, y)
    np.testing.assert_allclose(
        ours.predict_proba(X), reference.predict_proba(proba), rtol=1e-6, atol=1e-9
    )

    # it calibrates: the log loss falls on these over-confident logits
    def nll(p):
        return -np.log(p[np.arange(len(y)), y]).mean()

    assert nll(ours.predict_proba(X)) < nll(proba)
    assert ours.predict(X).shape == y.shape


def test_ensemble_averages_the_calibrated_folds_and_the_contract_holds(iris):
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    model = LogitScalingClassifierCV(
        LogisticRegression(max_iter=500), cv=StratifiedKFold(3), ensemble=True
    )
    assert repr(clone(model)) == repr(model)
    model.fit(X, y)
    assert len(model.calibrated_classifiers_) == 3
    expected = np.mean(
        [m.predict_proba(X) for m in model.calibrated_classifiers_], axis=0
    )
    np.testing.assert_allclose(model.predict_proba(X), expected)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    single = clone(model).set_params(ensemble=False).fit(X, y)
    assert len(single.calibrated_classifiers_) == 1
    assert model.n_features_in_ == 4


def test_bad_input_is_named(iris):
    X, y = iris
    frozen = FrozenEstimator(Fixed(softmax(np.zeros((150, 3)), axis=1)).fit(X, y))
    rows = np.arange(150).reshape(-1, 1)
    with pytest.raises(ValueError, match="needs at least 2 classes in y; got only 0"):
        LogitScalingClassifierCV(frozen, cv=2).fit(rows[:50], y[:50])
    # a plain KFold of sorted labels leaves class 0 out of the first fold
    with pytest.raises(ValueError, match="Fold 0 of cv trains on no row of class 0"):
        LogitScalingClassifierCV(Fixed(np.full((150, 3), 1 / 3)), cv=KFold(3)).fit(
            rows, y
        )
    nan = np.full((150, 3), 1 / 3)
    nan[7] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite values on the out-of-fold"):
        LogitScalingClassifierCV(Fixed(nan), cv=3, ensemble=False).fit(rows, y)
    logits = np.random.default_rng(0).normal(size=(150, 3))
    with pytest.raises(ValueError, match=r"rows that are not probabilities .*logits"):
        LogitScalingClassifierCV(Fixed(logits), cv=3).fit(rows, y)
    with pytest.raises(ValueError, match="'method' parameter"):
        LogitScalingClassifierCV(frozen, method="isotonic").fit(rows, y)
