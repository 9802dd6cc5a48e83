"""make_method: every comparison method a public, unfitted estimator."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_focal import make_method
from sklearn_focal._comparison._method_table import CALIBRATED
from sklearn_focal._network import _shared_fits
from sklearn_focal.calibration import LogitScalingClassifierCV
from sklearn_focal.methods import (
    CALIBRATIONS,
    DEFAULT_CALIBRATION,
    METHODS,
    POST_HOC,
    TabularPreprocessor,
    make_preprocessor,
)

SMALL = {"hidden_layer_sizes": (8,), "max_iter": 8, "learning_rate_init": 1e-2}

# small data: AdaFocal takes fewer bins than its 15, and says so
pytestmark = pytest.mark.filterwarnings("ignore:The validation split has")


@pytest.fixture(scope="module")
def raw():
    """A raw tabular frame: numbers with gaps, a category, a boolean."""
    rng = np.random.default_rng(0)
    n = 240
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(3, 1, n),
            "city": rng.choice(["north", "south", "east"], n),
            "member": rng.choice([True, False], n),
        }
    )
    frame.loc[rng.choice(n, 20), "income"] = np.nan
    y = np.where((frame.age > 40) ^ (frame.city == "north"), "yes", "no")
    return frame, y


def _methods_of(calibration):
    """The methods a calibration mode changes: every one under the default,
    the calibrated ones under the others."""
    return METHODS if calibration == DEFAULT_CALIBRATION else CALIBRATED


def _small_method(name, calibration):
    """Method ``name`` with a tiny network, two gammas and two folds."""
    return make_method(
        name,
        estimator_params=SMALL,
        gammas=(0.0, 1.0),
        calibration=calibration,
        cv=2,
        random_state=0,
    )


@pytest.mark.parametrize("calibration", CALIBRATIONS)
@pytest.mark.parametrize("name", METHODS)
def test_every_method_is_a_clonable_picklable_estimator_on_raw_data(
    raw, name, calibration
):
    if name not in _methods_of(calibration):
        pytest.skip("the calibration mode changes only the calibrated methods")
    X, y = raw
    model = _small_method(name, calibration)
    # scikit-learn's contract: parameters round-trip, clones are unfitted twins
    params = model.get_params()
    twin = clone(model)
    assert repr(twin) == repr(model)
    twin.set_params(**{k: v for k, v in params.items() if "__" not in k})
    model.fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(axis=1), 1)
    assert set(model.predict(X)) <= {"no", "yes"}
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), proba)
    # reproducible with an int random_state
    np.testing.assert_array_equal(clone(model).fit(X, y).predict_proba(X), proba)


def test_the_calibration_modes_are_scikit_learns_calibrated_classifier(raw):
    X, y = raw
    for name in POST_HOC:
        holdout = make_method(name, calibration="holdout", calibration_size=0.25)
        crossfit = make_method(name, calibration="cross_fit", cv=4)
        kind = LogitScalingClassifierCV if name == "matrix_scaling" else None
        assert isinstance(holdout, kind or CalibratedClassifierCV)
        assert holdout.method == name
        assert holdout.ensemble is True and holdout.cv.get_n_splits() == 1
        assert holdout.cv.test_size == 0.25
        assert crossfit.ensemble is False and crossfit.cv.get_n_splits() == 4
        folds = make_method(name, calibration="cross_fit_ensemble", cv=4)
        assert folds.ensemble is True and folds.cv.get_n_splits() == 4
        assert repr(folds.cv) == repr(crossfit.cv)  # the same folds
    # cross-fitting keeps a network trained on every row
    model = make_method(
        "temperature",
        estimator_params=SMALL,
        calibration="cross_fit",
        cv=2,
        random_state=0,
    ).fit(X, y)
    kept = model.calibrated_classifiers_[0].estimator[-1]
    batches = kept.history_[0]["batches"]
    trained = sum(batch.get("train_batch_size", 0) for batch in batches)
    assert trained == len(y) - int(np.ceil(0.1 * len(y)))  # all but its validation


@pytest.mark.parametrize("name", ["temperature", "matrix_scaling"])
def test_cross_fit_ensemble_averages_the_calibrated_fold_networks(raw, name):
    """The fold networks of cross_fit, kept: each is calibrated on the fold it
    did not train on, and the prediction is their mean."""
    X, y = raw
    settings = dict(estimator_params=SMALL, cv=3, random_state=0)
    with _shared_fits.shared_fits():
        crossfit = make_method(name, calibration="cross_fit", **settings).fit(X, y)
        fits = len(_shared_fits._CACHE.get().entries)
        model = make_method(name, calibration="cross_fit_ensemble", **settings)
        model.fit(X, y)
        # no network trained again: the three fold fits are cross_fit's
        assert len(_shared_fits._CACHE.get().entries) == fits
    assert len(model.calibrated_classifiers_) == 3
    members = [member.predict_proba(X) for member in model.calibrated_classifiers_]
    np.testing.assert_allclose(model.predict_proba(X), np.mean(members, axis=0))
    networks = [member.estimator[-1] for member in model.calibrated_classifiers_]
    trained = [
        sum(b.get("train_batch_size", 0) for b in net.history_[0]["batches"])
        for net in networks
    ]
    assert max(trained) < 2 / 3 * len(y)  # each saw two folds, not every row
    assert not np.allclose(model.predict_proba(X), crossfit.predict_proba(X))


def test_unknown_methods_and_bad_settings_are_named():
    with pytest.raises(InvalidParameterError, match="'name' parameter of make_method"):
        make_method("platt")
    with pytest.raises(InvalidParameterError, match="'calibration' parameter"):
        make_method("temperature", calibration="ensemble")
    with pytest.raises(InvalidParameterError, match="'random_state' parameter"):
        make_method("temperature", random_state=np.random.RandomState(0))


def test_tabular_preprocessor_is_make_preprocessor_decided_at_fit(raw):
    X, _ = raw
    expected = make_preprocessor(X).fit_transform(X)
    np.testing.assert_allclose(TabularPreprocessor().fit_transform(X), expected)
    array = np.array([[1.0], [np.nan], [3.0]])
    out = TabularPreprocessor().fit(array).transform(array)
    assert not np.isnan(out).any() and out.shape == (3, 1)


def test_make_preprocessor():
    frame = pd.DataFrame(
        {"x": [1.0, np.nan, 3.0], "c": pd.Categorical(["a", "b", None])}
    )
    out = make_preprocessor(frame).fit_transform(frame)
    assert out.shape == (3, 4) and not np.isnan(out).any()  # x; c = a, b, missing
    np.testing.assert_array_equal(out[:, 1:], np.eye(3))
    np.testing.assert_allclose(out[:, 0].mean(), 0, atol=1e-12)  # standardised


def test_shared_fits_replay_identical_fits_and_charge_their_time(raw):
    X, y = raw
    model = make_method("cross_entropy", estimator_params=SMALL, random_state=0)
    with _shared_fits.shared_fits():
        first = clone(model).fit(X, y)
        assert _shared_fits.replayed_seconds() == 0
        second = clone(model).fit(X, y)
        assert _shared_fits.replayed_seconds() > 0
        assert second[-1].net_ is not first[-1].net_  # a copy, not the same object
        np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
        # another seed, or none, trains anew
        other = make_method("cross_entropy", estimator_params=SMALL, random_state=1)
        replayed = _shared_fits.replayed_seconds()
        other.fit(X, y)
        make_method("cross_entropy", estimator_params=SMALL).fit(X, y)
        assert _shared_fits.replayed_seconds() == replayed
    assert _shared_fits.replayed_seconds() == 0  # outside the block: nothing shared


@pytest.mark.parametrize("calibration", CALIBRATIONS)
def test_sample_weight_reaches_the_model_in_every_method(raw, monkeypatch, calibration):
    """13: the calibrated methods trained their network unweighted (only
    scikit-learn's warning said so) and the plain ones refused the weights."""
    import inspect
    import warnings

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from sklearn_focal._network._base import _BaseFocalClassifier

    X, y = raw
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    seen = []
    for cls in (
        _BaseFocalClassifier,
        LogisticRegression,
        HistGradientBoostingClassifier,
    ):
        fit = cls.fit

        def spy(self, X, y, sample_weight=None, _fit=fit, **params):
            # probmetrics' binary calibrator is a logistic regression of its
            # own, which takes no weights (LogitScalingClassifierCV warns)
            inside_calibrator = any(
                "probmetrics" in frame.filename for frame in inspect.stack()[1:8]
            )
            if not inside_calibrator:
                seen.append(sample_weight)
            return _fit(self, X, y, sample_weight=sample_weight, **params)

        monkeypatch.setattr(cls, "fit", spy)
    for name in _methods_of(calibration):
        seen.clear()
        model = _small_method(name, calibration)
        with warnings.catch_warnings():
            # scikit-learn's "does not appear to accept sample_weight"
            warnings.filterwarnings("error", "Since .* does not appear to accept")
            model.fit(X, y, sample_weight=weights)
        assert seen, name
        # every fit got the weights of its rows (all of them, a fold's, or
        # the training part of a validation split)
        assert all(w is not None for w in seen), name
        for w in seen:
            assert set(np.round(w, 12)) <= set(np.round(weights, 12)), name


def test_a_model_fitted_on_a_frame_takes_its_rows_as_an_array(raw):
    """A saved model (any method's pipeline) given numpy rows in the
    training frame's column order predicts as on the frame; rows of another
    width get a one-line error that names the columns."""
    X, y = raw
    model = make_method(
        "logistic_regression+isotonic", estimator_params=SMALL, random_state=0
    ).fit(X, y)
    expected = model.predict_proba(X)
    np.testing.assert_allclose(model.predict_proba(X.to_numpy()), expected)
    network = make_method("cross_entropy", estimator_params=SMALL, random_state=0)
    network.fit(X, y)
    np.testing.assert_allclose(
        network.predict_proba(X.to_numpy()), network.predict_proba(X), rtol=1e-6
    )
    with pytest.raises(ValueError, match=r"fitted on a DataFrame of 4 columns \(age"):
        network.predict_proba(X.to_numpy()[:, :3])
