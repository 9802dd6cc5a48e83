"""FocalClassifier behaviour beyond the sklearn API contract."""

import copy
import io
import os
import pickle
import signal
from functools import partial

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from scipy.special import expit, softmax
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback
from skorch.exceptions import DeviceWarning

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.losses import FocalLoss
from sklearn_focal.networks import MLP

FAST = dict(
    hidden_layer_sizes=(16,), max_iter=15, learning_rate_init=1e-2, random_state=0
)


def _flat_params(clf):
    return torch.cat([p.detach().ravel() for p in clf.net_.module_.parameters()])


# -- fit / predict ------------------------------------------------------------
def test_multiclass_fit_predict_consistency(iris):
    X, y = iris
    clf = FocalClassifier(**FAST).fit(X, y)
    proba = clf.predict_proba(X)
    logits = clf.decision_function(X)
    assert proba.shape == logits.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(proba, softmax(logits, axis=1), rtol=1e-12)
    np.testing.assert_allclose(
        clf.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(1)])
    assert clf.score(X, y) > 0.85
    assert clf.n_features_in_ == 4
    assert 1 <= clf.best_epoch_ <= clf.n_iter_ <= 15


def test_binary_decision_function_is_log_odds(cancer):
    X, y = cancer
    clf = FocalClassifier(**FAST).fit(X, y)
    d = clf.decision_function(X)
    assert d.shape == (len(y),)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], expit(d), rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(d > 0).astype(int)])
    assert clf.score(X, y) > 0.9


def test_string_labels_and_pandas_input(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = FocalClassifier(**FAST).fit(frame, names[y])
    np.testing.assert_array_equal(clf.classes_, names)
    np.testing.assert_array_equal(clf.feature_names_in_, ["sl", "sw", "pl", "pw"])
    pred = clf.predict(frame)
    assert pred.dtype == names.dtype and set(pred) <= set(names)
    assert (pred == names[y]).mean() > 0.85
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)


def test_predictions_do_not_depend_on_the_batch(iris):
    # float32 matrix kernels sum in an order that depends on the number of
    # rows; predictions run on fixed-size padded chunks so that a row's
    # output is the same bit for bit whatever it is predicted with.
    X, y = iris
    clf = FocalClassifier(**FAST).fit(X, y)
    full = clf.decision_function(np.tile(X, (8, 1)))  # 1200 rows: two chunks
    np.testing.assert_array_equal(full[:150], clf.decision_function(X))
    np.testing.assert_array_equal(full[1050:], clf.decision_function(X))
    for rows in ([7], [3, 90], list(range(0, 150, 7)), list(range(33))):
        np.testing.assert_array_equal(clf.decision_function(X[rows]), full[rows])


def test_float32_and_float64_input_give_the_same_model(iris):
    X, y = iris
    a = FocalClassifier(**FAST).fit(X.astype(np.float64), y)
    b = FocalClassifier(**FAST).fit(X.astype(np.float32), y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_float64_module_trains_in_float64(iris):
    X, y = iris

    class MLP64(MLP):
        def __init__(self, n_features, n_classes):
            super().__init__(n_features, n_classes, (8,), dropout=0.0)
            self.double()

    clf = FocalClassifier(module=MLP64, max_iter=3, random_state=0).fit(X, y)
    assert next(clf.net_.module_.parameters()).dtype == torch.float64
    assert clf.predict_proba(X).dtype == np.float64


# -- reproducibility ----------------------------------------------------------
def test_random_state_makes_fits_bit_identical_and_leaves_global_rng(iris):
    X, y = iris
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    a = FocalClassifier(**FAST).fit(X, y)
    assert torch.equal(torch.rand(3), expected_next)  # global torch RNG untouched
    b = FocalClassifier(**FAST).fit(X, y)
    c = FocalClassifier(**{**FAST, "random_state": 1}).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.history_[:, "train_loss"] == b.history_[:, "train_loss"]
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


def test_random_state_none_gives_different_fits(iris):
    X, y = iris
    params = {**FAST, "random_state": None, "max_iter": 2}
    a = FocalClassifier(**params).fit(X, y)
    b = FocalClassifier(**params).fit(X, y)
    assert not np.array_equal(a.predict_proba(X), b.predict_proba(X))


# -- early stopping and history -----------------------------------------------
def _mlp_early_stopping(scores, tol, patience):
    """MLPClassifier's rule on a validation loss: (epochs run, best epoch)."""
    best, best_epoch, misses = np.inf, 0, 0
    for epoch, score in enumerate(scores, 1):
        if score < best - tol:
            best, best_epoch, misses = score, epoch, 0
        else:
            misses += 1
        if misses == patience:
            return epoch, best_epoch
    return len(scores), best_epoch


@pytest.mark.parametrize("tol", [1e-4, 1e-2])
def test_early_stopping_follows_tol_and_n_iter_no_change(cancer, tol):
    X, y = cancer
    clf = FocalClassifier(
        hidden_layer_sizes=(64,),
        learning_rate_init=3e-2,
        max_iter=200,
        n_iter_no_change=3,
        tol=tol,
        random_state=0,
    ).fit(X, y)
    nll = clf.history_[:, "valid_nll"]
    assert clf.validation_scores_ == nll
    assert clf.n_iter_ < 200
    assert (clf.n_iter_, clf.best_epoch_) == _mlp_early_stopping(nll, tol, 3)
    assert clf.best_validation_score_ == nll[clf.best_epoch_ - 1]
    assert clf.loss_curve_ == clf.history_[:, "train_loss"]
    assert clf.loss_ == clf.loss_curve_[-1] and clf.best_loss_ is None
    assert {"train_loss", "valid_loss", "valid_nll", "dur"} <= set(clf.history_[-1])


def test_a_tol_nothing_can_meet_stops_after_n_iter_no_change(iris):
    X, y = iris
    clf = FocalClassifier(**FAST, tol=10.0, n_iter_no_change=2).fit(X, y)
    assert clf.n_iter_ == 3 and clf.best_epoch_ == 1


def test_without_early_stopping_runs_all_epochs_without_validation(iris):
    X, y = iris
    clf = FocalClassifier(**{**FAST, "max_iter": 4}, early_stopping=False).fit(X, y)
    assert clf.n_iter_ == clf.best_epoch_ == 4
    assert "valid_loss" not in clf.history_[-1]


def test_verbose_1_shows_a_progress_bar_over_epochs(iris, capsys):
    X, y = iris
    FocalClassifier(**{**FAST, "max_iter": 3}, verbose=1).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "3/3" in captured.err and "epoch" in captured.err
    assert "train_loss=" in captured.err and "valid_nll=" in captured.err


def test_verbose_2_prints_one_row_per_epoch(iris, capsys):
    X, y = iris
    FocalClassifier(**{**FAST, "max_iter": 3}, verbose=2).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "valid_nll" in out
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == 3
    FocalClassifier(**{**FAST, "max_iter": 3}).fit(X, y)
    assert capsys.readouterr() == ("", "")


# -- losses and modules -------------------------------------------------------
@pytest.mark.parametrize("loss", ["focal", "focal_sd53", "inverse_focal", "dual_focal"])
def test_every_named_loss_trains(iris, loss):
    X, y = iris
    clf = FocalClassifier(**FAST, loss=loss).fit(X, y)
    assert clf.score(X, y) > 0.8
    assert clf.history_[0, "train_loss"] > clf.history_[-1, "train_loss"]


def test_gamma_zero_trains_with_cross_entropy(iris):
    X, y = iris
    clf = FocalClassifier(**FAST, gamma=0.0).fit(X, y)
    ref = FocalClassifier(**FAST, loss=torch.nn.CrossEntropyLoss()).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))


def test_custom_loss_class_and_instance(iris):
    X, y = iris
    by_instance = FocalClassifier(**FAST, loss=FocalLoss(gamma=1.0)).fit(X, y)
    by_name = FocalClassifier(**FAST, gamma=1.0).fit(X, y)
    np.testing.assert_array_equal(
        by_instance.predict_proba(X), by_name.predict_proba(X)
    )
    FocalClassifier(**FAST, loss=torch.nn.CrossEntropyLoss).fit(X, y)
    with pytest.raises(ValueError, match="does not accept a `sample_weight`"):
        FocalClassifier(**FAST, loss=torch.nn.CrossEntropyLoss).fit(
            X, y, sample_weight=np.ones(len(y))
        )


def test_custom_module_class_and_instance(iris):
    X, y = iris

    class Net(torch.nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.linear = torch.nn.Linear(n_features, n_classes)

        def forward(self, X):
            return self.linear(X)

    clf = FocalClassifier(
        **{**FAST, "max_iter": 100, "learning_rate_init": 0.05}, module=Net
    ).fit(X, y)
    assert isinstance(clf.net_.module_, Net)
    assert clf.score(X, y) > 0.8

    instance = Net(4, 3)
    before = {k: v.clone() for k, v in instance.state_dict().items()}
    clf = FocalClassifier(**FAST, module=instance).fit(X, y)
    assert clf.net_.module_ is not instance
    for k, v in instance.state_dict().items():  # the parameter is left as it was
        assert torch.equal(v, before[k])

    with pytest.raises(
        ValueError, match=r"must return logits of shape .*\(2, 3\).*\(2, 2\)"
    ):
        FocalClassifier(**FAST, module=Net(4, 2)).fit(X, y)
    with pytest.raises(
        TypeError, match=r"'module' parameter must be None, a torch\.nn\.Module"
    ):
        FocalClassifier(**FAST, module=lambda: None).fit(X, y)


# -- sample weights -----------------------------------------------------------
def test_sample_weight_float32_equivalent_to_repetition_up_to_rounding():
    # Full batch, no dropout, no early stopping: weighting = repeating samples.
    # float32 sums in another order, so equality holds to float32 precision;
    # the float64 configuration of the estimator checks passes at 1e-7.
    rng = np.random.RandomState(42)
    X = rng.rand(15, 6)
    y = rng.randint(0, 3, size=15)
    sw = rng.randint(0, 4, size=15)
    params = dict(
        hidden_layer_sizes=(16,),
        dropout=0.0,
        early_stopping=False,
        max_iter=20,
        learning_rate_init=1e-2,
        random_state=0,
    )
    weighted = FocalClassifier(**params).fit(X, y, sample_weight=sw)
    repeated = FocalClassifier(**params).fit(X.repeat(sw, axis=0), y.repeat(sw))
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-5, atol=1e-6
    )
    unweighted = FocalClassifier(**params).fit(X, y)
    assert not np.allclose(
        weighted.predict_proba(X), unweighted.predict_proba(X), atol=1e-3
    )


def test_sample_weight_shifts_predictions_towards_upweighted_class():
    X, y = make_classification(300, 5, n_informative=2, flip_y=0.3, random_state=0)
    sw = np.where(y == 1, 10.0, 1.0)
    plain = FocalClassifier(**FAST).fit(X, y)
    weighted = FocalClassifier(**FAST).fit(X, y, sample_weight=sw)
    assert (weighted.predict(X) == 1).mean() > (plain.predict(X) == 1).mean() + 0.1


def test_weights_leaving_one_class_raise():
    X, y = make_classification(40, 4, random_state=0)
    with pytest.raises(ValueError, match=r"at least 2 classes.*non-zero sample_weight"):
        FocalClassifier(**FAST).fit(X, y, sample_weight=(y == 1).astype(float))


# -- bad input ----------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X_raises(iris, bad):
    X, y = iris
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match=r"Input X contains (NaN|infinity)"):
        FocalClassifier(**FAST).fit(X, y)


def test_single_class_raises(iris):
    X, _ = iris
    with pytest.raises(
        ValueError, match=r"at least 2 classes; the data contain only one class \(7\)"
    ):
        FocalClassifier(**FAST).fit(X, np.full(len(X), 7))


@pytest.mark.parametrize(
    "params, match",
    [
        (
            dict(gamma=-1.0),
            r"'gamma' parameter of FocalClassifier must be a float "
            r"in the range \[0(\.0)?, 100(\.0)?\]",
        ),
        (
            dict(loss="focall"),
            "'loss' parameter of FocalClassifier must be a str among",
        ),
        (dict(dropout=1.0), "'dropout' parameter"),
        (dict(batch_size=0), "'batch_size' parameter"),
        (dict(learning_rate_init=0.0), "'learning_rate_init' parameter"),
        (dict(validation_fraction=1.0), "'validation_fraction' parameter"),
        (dict(optimizer="lbfgs"), "'optimizer' parameter"),
        (dict(hidden_layer_sizes=0), "'hidden_layer_sizes' parameter"),
        (dict(gamma=1e6), r"'gamma' parameter .* range \[0(\.0)?, 100(\.0)?\]"),
        (dict(tol=-1.0), "'tol' parameter"),
        (dict(max_iter=0), "'max_iter' parameter"),
        (dict(shuffle="yes"), "'shuffle' parameter"),
        (dict(callbacks="EarlyStopping"), "'callbacks' parameter"),
    ],
)
def test_invalid_parameters_name_the_parameter(iris, params, match):
    X, y = iris
    with pytest.raises(InvalidParameterError, match=match):
        FocalClassifier(**{**FAST, **params}).fit(X, y)


@pytest.mark.parametrize("sizes", [(0, 5), (16, -1), (2.5,), ("a",), (True,)])
def test_bad_hidden_layer_sizes(iris, sizes):
    X, y = iris
    with pytest.raises(
        ValueError,
        match="'hidden_layer_sizes' parameter must be a sequence of positive integers",
    ):
        FocalClassifier(**{**FAST, "hidden_layer_sizes": sizes}).fit(X, y)


def test_empty_hidden_layer_sizes_is_a_linear_model(iris):
    X, y = iris
    clf = FocalClassifier(**{**FAST, "hidden_layer_sizes": ()}).fit(X, y)
    assert [type(m).__name__ for m in clf.net_.module_.layers] == ["Linear"]


def test_feature_count_mismatch_at_predict(iris):
    X, y = iris
    clf = FocalClassifier(**FAST).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 3 features, but FocalClassifier is expecting 4"
    ):
        clf.predict(X[:, :3])


def test_unavailable_cuda_device_raises(iris, monkeypatch):
    X, y = iris
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(
        ValueError, match="device='cuda' was requested but CUDA is not available"
    ):
        FocalClassifier(**FAST, device="cuda").fit(X, y)
    with pytest.raises(
        ValueError, match="'device' parameter must be 'auto' or a torch device"
    ):
        FocalClassifier(**FAST, device="gpu0").fit(X, y)
    clf = FocalClassifier(**{**FAST, "max_iter": 1}, device="auto").fit(X, y)
    assert clf.net_.device.type == "cpu"


def test_divergence_raises_a_clear_error(iris):
    X, y = iris
    with pytest.raises(
        ValueError,
        match=r"Training diverged: the training loss is (nan|inf) at epoch \d+\. "
        r"Lower the learning rate \(learning_rate_init=1e\+?30\)",
    ):
        FocalClassifier(**{**FAST, "optimizer": "sgd", "learning_rate_init": 1e30}).fit(
            X * 1e3, y
        )


# -- tiny data ----------------------------------------------------------------
def test_fewer_samples_than_batch_size(iris):
    X, y = iris
    idx = np.r_[0:5, 50:55, 100:105]
    clf = FocalClassifier(**FAST, batch_size=256).fit(X[idx], y[idx])
    assert clf.predict(X).shape == (150,)


def test_single_member_class_stays_in_training_split(iris):
    X, y = iris
    idx = np.r_[0:20, 50:70, 100]  # class 2 has one member
    clf = FocalClassifier(**{**FAST, "max_iter": 60}).fit(X[idx], y[idx])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (150, 3)


def test_too_small_for_a_validation_split_says_what_to_do():
    X = np.arange(6, dtype=float).reshape(3, 2)
    with pytest.raises(
        ValueError,
        match=r"Too few samples for a stratified validation split.*early_stopping",
    ):
        FocalClassifier(**FAST).fit(X, [0, 1, 2])
    FocalClassifier(**FAST, early_stopping=False).fit(X, [0, 1, 2])


# -- persistence --------------------------------------------------------------
def test_pickle_and_joblib_round_trip(iris, tmp_path):
    X, y = iris
    clf = FocalClassifier(**FAST).fit(X, y)
    expected = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    np.testing.assert_array_equal(joblib.load(path).predict_proba(X), expected)
    assert restored.history_[:, "train_loss"] == clf.history_[:, "train_loss"]


def test_pickle_holds_no_training_data(cancer):
    X, y = cancer
    clf = FocalClassifier(**{**FAST, "max_iter": 1}).fit(X, y)
    buffer = io.BytesIO()
    pickle.dump(clf, buffer)
    n_params = sum(p.numel() for p in clf.net_.module_.parameters())
    # parameters + Adam moments with headroom; the data (569 x 30) would double it
    assert buffer.tell() < 4 * 3 * n_params + 60_000


# -- model selection ----------------------------------------------------------
def test_grid_search_over_gamma_picks_a_gamma(iris):
    X, y = iris
    search = GridSearchCV(
        FocalClassifier(**{**FAST, "max_iter": 10}),
        {"gamma": [0, 1, 2, 3]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert search.best_params_["gamma"] in (0, 1, 2, 3)
    assert len(search.cv_results_["mean_test_score"]) == 4
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])
    assert search.best_estimator_.gamma == search.best_params_["gamma"]


def test_model_pickled_on_a_gpu_loads_on_a_cpu_only_machine(iris, monkeypatch):
    # Runs without a GPU: a net whose device says "cuda" is what a GPU fit
    # pickles; on a machine without CUDA skorch maps it to the CPU, and the
    # estimator predicts from the net's device, not from its `device` param.
    X, y = iris
    clf = FocalClassifier(**FAST).fit(X, y)
    proba = clf.predict_proba(X)
    clf.net_.device = "cuda"
    payload = pickle.dumps(clf)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning) as record:
        restored = pickle.loads(payload)
    assert any("no CUDA devices are available" in str(w.message) for w in record)
    assert torch.device(restored.net_.device) == torch.device("cpu")
    np.testing.assert_array_equal(restored.predict_proba(X), proba)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_fit_predict_and_pickle_to_cpu(iris):
    X, y = iris
    clf = FocalClassifier(**FAST, device="cuda").fit(X, y)
    assert next(clf.net_.module_.parameters()).is_cuda
    proba = clf.predict_proba(X)
    assert isinstance(proba, np.ndarray)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(restored.predict_proba(X), proba, rtol=1e-6)


# -- divergence and degenerate validation ------------------------------------
@pytest.mark.parametrize("optimizer", ["adamw", "sgd"])
def test_divergence_that_stays_finite_is_caught(iris, optimizer):
    # lr=1e3 drives the loss to 1e4-1e7 while it stays finite, and the
    # network to outputs of exactly 0 or 1
    X, y = iris
    with pytest.raises(
        ValueError,
        match=r"Training diverged: the training loss is \S+, more than 100 times "
        r"both the untrained network's .* Lower the learning rate "
        r"\(learning_rate_init=1000\.0\)",
    ):
        FocalClassifier(
            **{**FAST, "learning_rate_init": 1e3},
            optimizer=optimizer,
            early_stopping=False,
        ).fit(X, y)


def test_divergence_names_an_unusually_large_gamma(iris):
    X, y = iris
    with pytest.raises(ValueError, match=r"gamma=20 is beyond the usual range"):
        FocalClassifier(
            **{**FAST, "learning_rate_init": 1e3}, gamma=20, early_stopping=False
        ).fit(X, y)


def test_unscaled_features_train_without_a_false_divergence_alarm(iris):
    X, y = iris
    clf = FocalClassifier(**FAST, early_stopping=False).fit(X * 1e3, y)
    assert clf.loss_curve_[0] > 10  # a large but sane starting loss
    assert clf.n_iter_ == FAST["max_iter"]


@pytest.mark.parametrize("estimator", [FocalClassifier, AdaFocalClassifier])
def test_zero_weight_on_the_whole_validation_split_is_an_error(
    iris, validation_indices, estimator
):
    X, y = iris
    sample_weight = np.ones(len(y))
    sample_weight[validation_indices(y, 0.1)] = 0.0
    with pytest.raises(
        ValueError, match=r"sample_weight is zero on all 15 samples of the validation"
    ):
        estimator(**FAST).fit(X, y, sample_weight=sample_weight)
    # one validation row with weight is enough
    sample_weight[validation_indices(y, 0.1)[0]] = 1.0
    estimator(**{**FAST, "max_iter": 1}).fit(X, y, sample_weight=sample_weight)


def test_validation_fraction_too_large_says_so(iris):
    X, y = iris
    with pytest.raises(
        ValueError,
        match=r"validation_fraction=0\.999 leaves too few samples for training: "
        r"0 of 150",
    ):
        FocalClassifier(**FAST, validation_fraction=0.999).fit(X, y)


@pytest.mark.parametrize("dtype", [object, "category", "string"])
def test_non_numeric_columns_are_named(iris, dtype):
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["colour"] = pd.Series(np.where(y == 0, "y", "n")).astype(dtype)
    with pytest.raises(
        ValueError, match=r"column 'colour' \(\w+\) of X is not.*TabularPreprocessor"
    ):
        FocalClassifier(**FAST).fit(frame, y)
    clf = FocalClassifier(**{**FAST, "max_iter": 1}).fit(
        frame.drop(columns="colour"), y
    )
    with pytest.raises(ValueError, match=r"column 'colour'"):
        clf.predict(frame[["a", "b", "c", "colour"]])


# -- a fit that raises leaves the estimator as it was ---------------------------
class _RaiseAtEpoch(Callback):
    """Raise ``error`` at the end of epoch ``epoch`` (counted over the history)."""

    def __init__(self, epoch, error):
        self.epoch = epoch
        self.error = error

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) >= self.epoch:
            if self.error is KeyboardInterrupt:  # a real Ctrl-C, not skorch's stop
                os.kill(os.getpid(), signal.SIGINT)
            raise self.error("raised by the test's callback")


def _state(clf, X):
    """What a user sees of a fitted estimator."""
    return {
        "classes_": clf.classes_.tolist(),
        "n_iter_": clf.n_iter_,
        "history": len(clf.history_),
        "loss_curve_": list(clf.loss_curve_),
        "class_weight_": clf.class_weight_.tolist(),
        "proba": clf.predict_proba(X),
        "outputs": clf.net_.module_.layers[-1].out_features,
    }


def _assert_same_state(before, after):
    proba = before.pop("proba"), after.pop("proba")
    assert before == after
    np.testing.assert_array_equal(*proba)


def test_a_diverging_refit_on_new_classes_leaves_the_old_model(iris):
    X, y = iris
    clf = FocalClassifier(**FAST).fit(X, np.array(list("abc"))[y])
    before = _state(clf, X)
    clf.set_params(learning_rate_init=1e8, optimizer="sgd")
    with pytest.raises(ValueError, match="Training diverged"):
        clf.fit(X, np.where(y == 0, "yes", "no"))
    _assert_same_state(before, _state(clf, X))  # not ['no', 'yes'] on 3 outputs
    # and the first fit of an estimator that raises leaves it unfitted
    fresh = FocalClassifier(**{**FAST, "learning_rate_init": 1e8}, optimizer="sgd")
    with pytest.raises(ValueError, match="Training diverged"):
        fresh.fit(X, y)
    assert not hasattr(fresh, "classes_") and not hasattr(fresh, "net_")


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("how", ["refit", "warm_start", "partial_fit"])
def test_a_refit_stopped_by_an_error_or_ctrl_c_leaves_the_old_model(
    iris, how, error, ctrl_c_raises
):
    X, y = iris
    clf = FocalClassifier(**FAST, early_stopping=False).fit(X, y)
    before = _state(clf, X)
    weights = _flat_params(clf)
    optimizer = copy.deepcopy(clf.net_.optimizer_.state_dict())
    if how == "refit":
        clf.set_params(callbacks=[_RaiseAtEpoch(3, error)], class_weight={0: 3})
        call = partial(clf.fit, X, y)
    elif how == "warm_start":
        clf.set_params(
            warm_start=True,
            callbacks=[_RaiseAtEpoch(clf.n_iter_ + 2, error)],
            class_weight={0: 3},
        )
        call = partial(clf.fit, X, y)
    else:
        clf.net_.callbacks.append(("raise", _RaiseAtEpoch(clf.n_iter_ + 1, error)))
        clf.net_.initialize_callbacks()
        call = partial(clf.partial_fit, X, y)
    with pytest.raises(error):
        call()
    _assert_same_state(before, _state(clf, X))
    torch.testing.assert_close(_flat_params(clf), weights, rtol=0, atol=0)
    if how == "partial_fit":  # the optimizer's moments are the fitted ones
        after = clf.net_.optimizer_.state_dict()["state"]
        for key, value in optimizer["state"].items():
            for name, tensor in value.items():
                torch.testing.assert_close(after[key][name], tensor, rtol=0, atol=0)
    else:  # the history of the fitted net did not grow
        assert len(clf.net_.history) == before["history"]


# -- warm_start takes changed parameters, or says why it cannot -----------------
def test_warm_start_takes_a_changed_class_weight(cancer):
    X, y = cancer
    clf = FocalClassifier(**FAST, warm_start=True).fit(X, y)
    np.testing.assert_array_equal(clf.class_weight_, [1, 1])
    clf.set_params(class_weight={0: 5}).fit(X, y)
    np.testing.assert_array_equal(clf.class_weight_, [5, 1])
    clf.set_params(class_weight={1: 5}).fit(X, y)
    np.testing.assert_array_equal(clf.class_weight_, [1, 5])
    # the prior correction uses the weights the network was last trained with
    logits = clf.net_.forward(torch.as_tensor(X, dtype=torch.float32)).double()
    shift = torch.log(torch.tensor([1.0, 5.0], dtype=torch.float64))
    expected = torch.softmax(logits - shift, dim=1)
    np.testing.assert_allclose(clf.predict_proba(X), expected.numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "change, name",
    [({"hidden_layer_sizes": (8,)}, "hidden_layer_sizes"), ({"module": MLP}, "module")],
)
def test_warm_start_with_another_network_shape_names_the_parameter(iris, change, name):
    X, y = iris
    clf = FocalClassifier(**FAST, warm_start=True).fit(X, y)
    if name == "module":
        change = {**change, "module__hidden_layer_sizes": (3,)}
        clf.set_params(module=MLP)  # routed keywords need the module first
    before = _state(clf, X)
    with pytest.raises(ValueError, match=f"warm_start=True cannot continue.*{name}"):
        clf.set_params(**change).fit(X, y)
    _assert_same_state(before, _state(clf, X))


# -- routed keywords: one source per number ------------------------------------
@pytest.mark.parametrize(
    "estimator, routed, named",
    [
        (FocalClassifier, {"criterion__gamma": 3.0}, "gamma"),
        (AdaFocalClassifier, {"criterion__n_bins": 3}, "n_bins"),
        (AdaFocalClassifier, {"criterion__gamma_init": 2.0}, "gamma_init"),
        (FocalClassifier, {"module__hidden_layer_sizes": (4,)}, "hidden_layer_sizes"),
        (FocalClassifier, {"module__dropout": 0.5}, "dropout"),
        (FocalClassifier, {"optimizer__weight_decay": 0.1}, "weight_decay"),
    ],
)
def test_routed_keywords_that_a_named_parameter_sets_are_refused(
    iris, estimator, routed, named
):
    X, y = iris
    with pytest.raises(ValueError, match=f"duplicates .*'{named}'; set {named}"):
        estimator(**FAST, **routed).fit(X, y)


def test_routed_keywords_of_the_data_and_of_custom_losses(iris):
    X, y = iris
    with pytest.raises(ValueError, match="sets module__n_features from the data"):
        FocalClassifier(**FAST, module__n_features=3).fit(X, y)
    # a custom loss takes its own gamma through criterion__gamma
    clf = FocalClassifier(**{**FAST, "max_iter": 1}, loss=FocalLoss, criterion__gamma=3)
    assert clf.fit(X, y).net_.criterion_.gamma == 3


class _UnderscoreNet(torch.nn.Module):
    def __init__(self, n_features, n_classes, width_=4):
        super().__init__()
        self.width_ = width_
        self.out = torch.nn.Linear(n_features, n_classes)

    def forward(self, X):
        return self.out(X)


def test_a_routed_keyword_ending_in_an_underscore_is_passed(iris):
    X, y = iris
    clf = FocalClassifier(**FAST, module=_UnderscoreNet, module__width_=7).fit(X, y)
    assert clf.net_.module_.width_ == 7
    assert clf.get_params()["module__width_"] == 7


@pytest.mark.parametrize("callbacks", [[1], [("name", 1)], [("a", "b", "c")]])
def test_callbacks_must_be_skorch_callbacks(iris, callbacks):
    X, y = iris
    with pytest.raises(TypeError, match="'callbacks' parameter must be a list of"):
        FocalClassifier(**FAST, callbacks=callbacks).fit(X, y)


def test_a_class_weight_that_vanishes_in_float32_is_named(cancer):
    X, y = cancer
    with pytest.raises(ValueError, match="class_weight of class 0 is 1e-300, which"):
        FocalClassifier(**FAST, class_weight={0: 1e-300}).fit(X, y)
