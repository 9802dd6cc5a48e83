"""skorch underneath: its loop, its callbacks, its routed parameters.

Also scikit-learn's MLPClassifier vocabulary on top: ``warm_start``,
``partial_fit`` and the fitted attributes.
"""

import _thread
import threading

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from skorch.callbacks import (
    BatchScoring,
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    GradientNormClipping,
    LoadInitState,
    LRScheduler,
    ProgressBar,
)
from torch.optim.lr_scheduler import ReduceLROnPlateau, StepLR

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.losses import FocalLoss

FAST = dict(
    hidden_layer_sizes=(16,), max_iter=15, learning_rate_init=1e-2, random_state=0
)


class WidthNet(torch.nn.Module):
    """A user's module with a setting of its own."""

    def __init__(self, n_features, n_classes, width=4):
        super().__init__()
        self.hidden = torch.nn.Linear(n_features, width)
        self.out = torch.nn.Linear(width, n_classes)

    def forward(self, X):
        return self.out(torch.relu(self.hidden(X)))


def _flat_params(clf):
    return torch.cat([p.detach().ravel() for p in clf.net_.module_.parameters()])


# -- the skorch net -----------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_net_predicts_like_the_estimator_on_arrays(iris, weighted):
    X, y = iris
    sample_weight = np.linspace(0.5, 2.0, len(y)) if weighted else None
    clf = FocalClassifier(**FAST).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_array_equal(clf.net_.predict_proba(X), clf.predict_proba(X))
    logits = clf.net_.forward(X)
    assert logits.shape == (150, 3)
    np.testing.assert_allclose(
        torch.softmax(logits.double(), 1).numpy(), clf.predict_proba(X), rtol=1e-12
    )
    np.testing.assert_array_equal(
        clf.net_.predict(X), np.searchsorted(clf.classes_, clf.predict(X))
    )
    assert clf.history_ is clf.net_.history
    assert len(clf.net_.history) == clf.n_iter_


def test_default_skorch_callbacks_record_their_columns(iris):
    X, y = iris
    clf = FocalClassifier(**FAST).fit(X, y)
    names = dict(clf.net_.callbacks_)
    assert {"epoch_timer", "train_loss", "valid_loss"} <= set(names)
    assert "print_log" not in names  # only with verbose=2: it formats every epoch
    loud = FocalClassifier(**{**FAST, "max_iter": 1}, verbose=2).fit(X, y)
    assert "print_log" in dict(loud.net_.callbacks_)
    row = clf.history_[-1]
    assert {"dur", "train_loss", "valid_loss", "valid_loss_best", "valid_nll"} <= set(
        row
    )
    # per-batch records, as skorch keeps them
    batches = row["batches"]
    assert sum(b["train_batch_size"] for b in batches if "train_batch_size" in b) == 135


# -- every skorch callback in a fit --------------------------------------------
def test_user_early_stopping_ends_the_fit_normally(iris):
    X, y = iris
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    clf = FocalClassifier(**FAST, early_stopping=False, callbacks=[stop]).fit(X, y)
    assert clf.n_iter_ == 2  # no improvement of 10 nats after epoch 1
    assert clf.predict(X).shape == (150,)


def test_lr_scheduler_step_policy(iris):
    X, y = iris
    scheduler = LRScheduler(policy=StepLR, step_size=1, gamma=0.5)
    clf = FocalClassifier(
        **{**FAST, "max_iter": 4}, early_stopping=False, callbacks=[scheduler]
    ).fit(X, y)
    np.testing.assert_allclose(
        clf.history_[:, "event_lr"], [1e-2, 5e-3, 2.5e-3, 1.25e-3]
    )
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-2 / 16)


def test_lr_scheduler_plateau_policy_on_validation_log_loss(iris):
    X, y = iris
    scheduler = LRScheduler(
        policy=ReduceLROnPlateau, monitor="valid_nll", patience=0, factor=0.5
    )
    clf = FocalClassifier(
        **{**FAST, "max_iter": 12, "learning_rate_init": 0.3},
        n_iter_no_change=100,
        callbacks=[scheduler],
    ).fit(X, y)
    # torch's rule (threshold 1e-4, relative): every epoch without a new
    # best validation log loss halves the learning rate
    best, lr, expected = np.inf, 0.3, []
    for score in clf.history_[:, "valid_nll"]:
        if score < best * (1 - 1e-4):
            best = score
        else:
            lr /= 2
        expected.append(lr)
    assert expected[-1] < 0.3  # the plateau policy did act
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(expected[-1])


def test_progress_bar_counts_the_batches(iris, capsys):
    X, y = iris
    FocalClassifier(
        **{**FAST, "max_iter": 2}, batch_size=32, callbacks=[ProgressBar()]
    ).fit(X, y)
    err = capsys.readouterr().err
    # one bar per epoch over 135 training rows in batches of 32 and one
    # validation batch (skorch erases each bar when its epoch ends)
    assert err.count("0/6 [") == 2


def test_checkpoint_and_load_init_state_resume_training(iris, tmp_path):
    X, y = iris
    checkpoint = Checkpoint(dirname=str(tmp_path), monitor=None)
    first = FocalClassifier(**FAST, early_stopping=False, callbacks=[checkpoint]).fit(
        X, y
    )
    assert (tmp_path / "params.pt").exists()
    resumed = FocalClassifier(
        **{**FAST, "max_iter": 1},
        early_stopping=False,
        callbacks=[LoadInitState(Checkpoint(dirname=str(tmp_path), monitor=None))],
    ).fit(X, y)
    # history, weights and optimizer come back: one more epoch on top of 15,
    # starting from the trained loss, not from an untrained network's
    assert resumed.n_iter_ == first.n_iter_ + 1
    assert resumed.loss_curve_[:-1] == first.loss_curve_
    assert resumed.loss_curve_[-1] < 0.5 * first.loss_curve_[0]


def test_gradient_norm_clipping_bounds_every_step(iris):
    X, y = iris
    plain_sgd = dict(
        FAST,
        optimizer=torch.optim.SGD,
        learning_rate_init=1.0,
        weight_decay=0.0,
        early_stopping=False,
        batch_size=50,
        max_iter=1,
        warm_start=True,
    )
    steps = 3  # 150 rows in batches of 50
    clipped = FocalClassifier(**plain_sgd).fit(X, y)
    before = _flat_params(clipped)
    clipped.set_params(callbacks=[GradientNormClipping(gradient_clip_value=1e-3)])
    clipped.fit(X, y)
    moved = float((_flat_params(clipped) - before).norm())
    assert 0 < moved <= steps * 1.0 * 1e-3 * (1 + 1e-5)
    free = FocalClassifier(**plain_sgd).fit(X, y)
    before = _flat_params(free)
    free.fit(X, y)
    assert float((_flat_params(free) - before).norm()) > 10 * moved


def test_epoch_scoring_on_training_data_and_cached_validation(iris):
    X, y = iris
    callbacks = [
        EpochScoring(
            "accuracy", lower_is_better=False, on_train=True, use_caching=False
        ),
        EpochScoring("neg_log_loss", name="valid_neg_log_loss", lower_is_better=False),
    ]
    clf = FocalClassifier(**FAST, callbacks=callbacks).fit(X, y)
    # skorch's scoring sees the plain targets: the validation log loss it
    # computes from the cached logits is the estimator's valid_nll
    np.testing.assert_allclose(
        clf.history_[:, "valid_neg_log_loss"],
        -np.array(clf.history_[:, "valid_nll"]),
        rtol=1e-5,
    )
    last = FocalClassifier(**FAST, early_stopping=False, callbacks=callbacks[:1]).fit(
        X, y
    )
    assert last.history_[-1, "accuracy"] == last.score(X, y)


@pytest.mark.parametrize("weighted", [False, True])
def test_batch_scoring_sees_plain_labels_of_every_row(iris, weighted):
    X, y = iris
    mean_label = BatchScoring(
        lambda net, X, y: float(np.mean(y)), name="mean_label", on_train=True
    )
    clf = FocalClassifier(**FAST, early_stopping=False, callbacks=[mean_label]).fit(
        X, y, sample_weight=np.full(len(y), 2.0) if weighted else None
    )
    # batch means averaged by batch size: the mean label of the training rows
    np.testing.assert_allclose(clf.history_[:, "mean_label"], y.mean(), rtol=1e-12)


def test_callbacks_are_copied_for_every_fit(iris):
    X, y = iris
    scheduler = LRScheduler(policy=StepLR, step_size=1, gamma=0.5)
    clf = FocalClassifier(
        **{**FAST, "max_iter": 2}, early_stopping=False, callbacks=[scheduler]
    )
    clf.fit(X, y)
    clf.fit(X, y)
    assert clf.history_[:, "event_lr"] == [1e-2, 5e-3]  # not carried over
    assert clf.callbacks[0] is scheduler
    assert not hasattr(scheduler, "lr_scheduler_")  # the passed one stays unused


# -- routed parameters ----------------------------------------------------------
def test_module_parameters_are_routed_and_searchable(iris):
    X, y = iris
    clf = FocalClassifier(**FAST, module=WidthNet, module__width=2)
    assert clf.get_params()["module__width"] == 2
    assert clone(clf).module__width == 2
    assert clf.set_params(module__width=3) is clf and clf.module__width == 3
    search = GridSearchCV(
        clf,
        {"module__width": [1, 12]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, y)
    assert search.cv_results_["param_module__width"].tolist() == [1, 12]
    # a one-unit hidden layer cannot separate three classes as well
    assert search.best_params_ == {"module__width": 12}
    assert search.best_estimator_.net_.module_.hidden.out_features == 12


def test_optimizer_and_criterion_parameters_are_routed(iris):
    X, y = iris
    clf = FocalClassifier(
        **{**FAST, "max_iter": 1},
        optimizer="sgd",
        optimizer__momentum=0.5,
        loss=FocalLoss,
        criterion__gamma=3.0,
    ).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["momentum"] == 0.5
    assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == clf.weight_decay
    assert isinstance(clf.net_.criterion_, FocalLoss)
    assert clf.net_.criterion_.gamma == 3.0
    # the default recipe's own momentum when nothing is routed
    sgd = FocalClassifier(**{**FAST, "max_iter": 1}, optimizer="sgd").fit(X, y)
    assert sgd.net_.optimizer_.param_groups[0]["momentum"] == 0.9


def test_unknown_parameters_raise_naming_them(iris):
    X, y = iris
    with pytest.raises(TypeError, match="unexpected parameter 'max_epochs'"):
        FocalClassifier(max_epochs=3).fit(X, y)
    with pytest.raises(ValueError, match="Invalid parameter 'gama'"):
        FocalClassifier().set_params(gama=1.0)


# -- warm_start and partial_fit -------------------------------------------------
def test_warm_start_continues_from_the_fitted_weights(iris):
    X, y = iris
    params = dict(FAST, max_iter=3, early_stopping=False, learning_rate_init=3e-3)
    clf = FocalClassifier(**params, warm_start=True)
    curve = []
    for _ in range(3):
        clf.fit(X, y)
        curve.append(clf.loss_)
    assert clf.n_iter_ == 9 and len(clf.loss_curve_) == 9
    assert curve[0] > curve[1] > curve[2]
    cold = FocalClassifier(**params).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 3  # without warm_start a fit starts again
    assert cold.loss_ > clf.loss_


def test_warm_start_needs_the_same_classes(iris):
    X, y = iris
    clf = FocalClassifier(**{**FAST, "max_iter": 1}, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has"):
        clf.fit(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.fit(X[:, :3], y)


def test_partial_fit_runs_one_epoch_per_call_and_keeps_learning(iris):
    X, y = iris
    clf = FocalClassifier(**{**FAST, "learning_rate_init": 3e-3})
    losses = [clf.partial_fit(X, y).loss_ for _ in range(6)]
    assert clf.n_iter_ == 6 and clf.loss_curve_ == losses
    assert np.all(np.diff(losses) < 0)
    assert clf.validation_scores_ is None  # no early stopping in partial_fit


def test_partial_fit_after_fit_continues_without_early_stopping(iris):
    X, y = iris
    scheduler = LRScheduler(policy=StepLR, step_size=1, gamma=0.5)
    clf = FocalClassifier(**FAST, callbacks=[scheduler]).fit(X, y)
    n = clf.n_iter_
    clf.partial_fit(X, y)
    assert clf.n_iter_ == n + 1
    assert "early_stopping" not in dict(clf.net_.callbacks_)
    assert "LRScheduler" in dict(clf.net_.callbacks_)  # the user's stay


def test_partial_fit_checks_the_classes(iris):
    X, y = iris
    first = y < 2
    clf = FocalClassifier(**FAST).partial_fit(X[first], y[first], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (150, 3)
    clf.partial_fit(X[~first], y[~first])  # a chunk of one class is fine
    with pytest.raises(ValueError, match=r"not the same as on the first call"):
        clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes_"):
        clf.partial_fit(X[:4], [0, 1, 2, 7])
    early = FocalClassifier(**FAST).partial_fit(X[first], y[first])
    with pytest.raises(ValueError, match=r"labels \[2\] .* on the first call"):
        early.partial_fit(X[~first], y[~first])


def test_adafocal_partial_fit_updates_gamma_once_per_call(iris):
    X, y = iris
    clf = AdaFocalClassifier(**FAST, n_bins=5, validation_fraction=0.2)
    for calls in range(1, 4):
        clf.partial_fit(X, y)
        assert clf.gamma_history_.shape == (calls, 5)
        assert clf.validation_calibration_["count"].shape == (calls, 5)
    np.testing.assert_allclose(
        clf.gamma_history_[-1], clf.net_.criterion_.gammas.numpy(), rtol=1e-6
    )
    warm = AdaFocalClassifier(
        **{**FAST, "max_iter": 2}, n_bins=5, early_stopping=False, warm_start=True
    ).fit(X, y)
    gammas = warm.net_.criterion_.gammas.clone()
    warm.fit(X, y)
    assert warm.gamma_history_.shape == (4, 5)
    np.testing.assert_allclose(warm.gamma_history_[1], gammas.numpy(), rtol=1e-6)


def test_adafocal_defaults_fit_small_data_with_fewer_bins(iris):
    X, y = iris
    with pytest.warns(UserWarning, match="fewer than n_bins=15"):
        clf = AdaFocalClassifier(random_state=0, max_iter=3).fit(X[::3], y[::3])
    assert clf.n_bins_ == 5  # 10 % of 50 rows


# -- interrupts -----------------------------------------------------------------
def test_ctrl_c_propagates_out_of_fit(iris, ctrl_c_raises):
    X, y = iris
    big = np.tile(X, (20, 1))
    clf = FocalClassifier(
        hidden_layer_sizes=(8,),
        max_iter=1000,
        batch_size=1,
        early_stopping=False,
        random_state=0,
    )
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.fit(big, np.tile(y, 20))
    finally:
        timer.cancel()
    # early stopping still ends a fit normally (skorch signals it the same way)
    FocalClassifier(**FAST, tol=10.0, n_iter_no_change=1).fit(X, y)


def test_partial_fit_of_a_single_class_stream_is_a_clear_error(iris):
    X, _ = iris
    with pytest.raises(ValueError, match=r"at least 2 classes.*\('a'\)"):
        FocalClassifier(**FAST).partial_fit(X, np.full(len(X), "a"))


# -- validation rows given by the user, and early stopping on any quantity -----
def test_x_val_replaces_the_validation_split(iris):
    X, y = iris
    X_val, y_val = X[::3], y[::3]
    clf = FocalClassifier(**FAST).fit(X, y, X_val=X_val, y_val=y_val)
    # every row of X is trained on: the first batch of 150 rows is all of it
    assert clf.history_[0, "batches", 0, "train_batch_size"] == len(X)
    # the recorded validation loss is that of X_val, at the kept weights
    kept = clf.validation_scores_[clf.best_epoch_ - 1]
    assert kept == pytest.approx(log_loss(y_val, clf.predict_proba(X_val)), rel=1e-5)
    with pytest.raises(ValueError, match="X_val and y_val must be passed together"):
        FocalClassifier(**FAST).fit(X, y, X_val=X_val)
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes_"):
        FocalClassifier(**FAST).fit(X, y, X_val=X_val, y_val=np.full(len(y_val), 7))
    with pytest.raises(ValueError, match="X has 3 features"):
        FocalClassifier(**FAST).fit(X, y, X_val=X_val[:, :3], y_val=y_val)


def test_adafocal_updates_on_the_given_validation_rows(iris):
    X, y = iris
    X_val, y_val = X[1::2], y[1::2]
    clf = AdaFocalClassifier(**FAST, n_bins=5).fit(X, y, X_val=X_val, y_val=y_val)
    counts = clf.validation_calibration_["count"]
    assert (counts.sum(axis=1) == len(y_val)).all()


class _Record(Callback):
    """Record ``values[epoch]`` as column ``name``, and the weights of each
    epoch, to check which ones early stopping keeps."""

    def __init__(self, name, values):
        self.name = name
        self.values = values

    def initialize(self):
        self.weights_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        net.history.record(self.name, self.values[epoch - 1])
        self.weights_.append(
            torch.cat([p.detach().ravel().clone() for p in net.module_.parameters()])
        )


@pytest.mark.parametrize("best", [2, 6])  # 6: the last epoch
def test_early_stopping_monitor_keeps_the_weights_of_its_best_epoch(iris, best):
    X, y = iris
    values = [5.0 - 0.5 * e if e < best else 4.5 for e in range(1, 7)]
    values[best - 1] = 0.0
    recorder = _Record("my_score", values)
    clf = FocalClassifier(
        **{**FAST, "max_iter": 6},
        early_stopping_monitor="my_score",
        n_iter_no_change=10,
        callbacks=[("recorder", recorder)],
    ).fit(X, y)
    kept = dict(clf.net_.callbacks_)["recorder"].weights_[best - 1]
    torch.testing.assert_close(_flat_params(clf), kept, rtol=0, atol=0)
    assert clf.best_epoch_ == best
    assert clf.validation_scores_ == values
    assert clf.best_validation_score_ == 0.0


def test_temperature_scaled_monitor_is_the_refinement_loss(iris):
    X, y = iris
    clf = FocalClassifier(
        **FAST, early_stopping_monitor="temperature_scaled_log_loss"
    ).fit(X, y)
    scaled = [row["valid_ts_nll"] for row in clf.history_]
    raw = [row["valid_nll"] for row in clf.history_]
    assert clf.validation_scores_ == scaled
    assert all(s <= r + 1e-9 for s, r in zip(scaled, raw, strict=True))  # T=1 allowed
    assert clf.best_validation_score_ == min(scaled[: clf.best_epoch_ + 9])
    with pytest.raises(ValueError, match="early_stopping_monitor='nothing_records"):
        FocalClassifier(**FAST, early_stopping_monitor="nothing_records_it").fit(X, y)


@pytest.mark.parametrize("weighted", [False, True])
def test_valid_acc_is_skorchs_accuracy_scoring(iris, weighted):
    # the default valid_acc is counted on the device; skorch's own
    # EpochScoring("accuracy") on the cached predictions is the reference
    X, y = iris
    reference = EpochScoring("accuracy", name="skorch_acc", lower_is_better=False)
    weight = np.linspace(0.5, 2.0, len(y)) if weighted else None
    clf = FocalClassifier(
        **{**FAST, "max_iter": 8, "learning_rate_init": 0.05},
        n_iter_no_change=100,  # early stopping holds out the validation split
        callbacks=[reference],
    ).fit(X, y, sample_weight=weight)
    assert clf.history_[:, "valid_acc"] == clf.history_[:, "skorch_acc"]
    assert clf.history_[:, "valid_acc_best"] == clf.history_[:, "skorch_acc_best"]
    assert len(set(clf.history_[:, "valid_acc"])) > 1  # it moved over the epochs
    assert not all(clf.history_[:, "valid_acc_best"])
