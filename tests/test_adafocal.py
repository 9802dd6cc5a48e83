"""AdaFocal: update rule, bin lookup, signed loss, callback and estimator."""

import math

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.adafocal import AdaFocalCallback, update_gammas
from sklearn_focal.losses import (
    AdaFocalLoss,
    focal_loss,
    inverse_focal_loss,
    signed_focal_loss,
)
from sklearn_focal.metrics import calibration_bins, expected_calibration_error

FAST = dict(
    hidden_layer_sizes=(16,),
    max_iter=8,
    learning_rate_init=1e-2,
    n_bins=5,
    validation_fraction=0.2,
    random_state=0,
)


# -- the update rule on hand-made (C - A, gamma) pairs ------------------------
@pytest.mark.parametrize(
    "confidence, accuracy, gamma, expected",
    [
        (0.9, 0.8, 1.0, math.exp(0.1)),  # over-confident: focal gamma grows
        (0.7, 0.8, 1.0, math.exp(-0.1)),  # under-confident: focal gamma shrinks
        (0.6, 0.6, 2.0, 2.0),  # calibrated: unchanged
        (
            0.9,
            0.7,
            -0.5,
            -0.5 * math.exp(-0.2),
        ),  # inverse, over-confident: |gamma| shrinks
        (
            0.5,
            0.8,
            -0.5,
            -0.5 * math.exp(0.3),
        ),  # inverse, under-confident: |gamma| grows
        (0.8, 0.9, 0.21, -0.2),  # focal gamma below S_th flips to -S_th
        (0.9, 0.8, -0.21, 0.2),  # inverse gamma below S_th flips to +S_th
        (0.8, 0.5, 0.0, 0.2),  # zero counts as the inverse side and flips to +S_th
        (0.9, 0.7, 19.0, 20.0),  # clipped at gamma_max
        (0.7, 0.9, -1.9, -2.0),  # clipped at gamma_min
    ],
)
def test_update_rule(confidence, accuracy, gamma, expected):
    got = update_gammas([gamma], [confidence - accuracy], [10])
    assert got[0] == pytest.approx(expected, rel=1e-12)


def test_update_rule_vectorised_with_empty_bins_and_lambda():
    gammas = np.array([1.0, 0.21, -0.1, 25.0, 1.0])
    gap = np.array([0.5, -0.5, 0.0, 0.0, 0.1])
    count = np.array([3, 0, 0, 0, 4])
    got = update_gammas(gammas, gap, count, lam=2.0, gamma_max=5.0)
    # empty bins keep their gamma, even one below S_th or above gamma_max
    np.testing.assert_allclose(got, [math.exp(1.0), 0.21, -0.1, 25.0, math.exp(0.2)])


# -- training-sample lookup ---------------------------------------------------
def test_lookup_at_the_edges():
    loss = AdaFocalLoss(n_bins=4)
    edges = torch.tensor([0.3, 0.5, 0.7, 0.9, 0.95])
    loss.bin_edges.copy_(edges)
    loss.gammas.copy_(torch.tensor([10.0, 20.0, 30.0, 40.0]))
    below = torch.nextafter(edges, torch.zeros(5))
    p = torch.cat([torch.tensor([0.0, 0.1, 0.99, 1.0]), edges, below])
    # below the first upper edge -> 0; lower <= p < upper; >= last lower -> last
    expected = [*[0, 0, 3, 3], *[0, 1, 2, 3, 3], *[0, 0, 1, 2, 3]]
    assert loss.bin_of(p).tolist() == expected
    assert loss.gamma_of(p).tolist() == [10.0 * (b + 1) for b in expected]


def test_lookup_with_repeated_edges_takes_the_bin_above():
    # equal-mass edges repeat when many confidences are equal (e.g. 1.0)
    loss = AdaFocalLoss(n_bins=4)
    loss.bin_edges.copy_(torch.tensor([0.2, 0.6, 1.0, 1.0, 1.0]))
    assert loss.bin_of(torch.tensor([0.5, 0.99, 1.0])).tolist() == [0, 1, 3]


def test_initial_edges_are_uniform_and_gammas_constant():
    loss = AdaFocalLoss(n_bins=5, gamma_init=1.5)
    torch.testing.assert_close(loss.bin_edges, torch.linspace(0, 1, 6))
    assert loss.gammas.tolist() == [1.5] * 5
    assert loss.bin_of(torch.tensor([0.1, 0.2, 0.5, 0.999])).tolist() == [0, 1, 2, 4]


# -- the signed loss ----------------------------------------------------------
def test_adafocal_loss_is_focal_or_inverse_focal_by_bin():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(200, 4, generator=g, dtype=torch.float64) * 2
    target = torch.randint(0, 4, (200,), generator=g)
    loss = AdaFocalLoss(n_bins=3).double()
    loss.bin_edges.copy_(torch.tensor([0.0, 0.3, 0.6, 1.0]))
    loss.gammas.copy_(torch.tensor([3.0, -1.5, 0.5]))
    p = torch.softmax(logits, 1).gather(1, target[:, None]).squeeze(1)
    per_sample = loss.__class__(n_bins=3, reduction="none").double()
    per_sample.load_state_dict(loss.state_dict())
    got = per_sample(logits, target)
    for bin_, gamma in enumerate([3.0, -1.5, 0.5]):
        rows = loss.bin_of(p) == bin_
        assert rows.sum() > 10
        ref = (focal_loss if gamma > 0 else inverse_focal_loss)(
            logits[rows], target[rows], abs(gamma), "none"
        )
        torch.testing.assert_close(got[rows], ref)
    torch.testing.assert_close(loss(logits, target), got.mean())
    # hand values: p = 0.5 (binary, equal logits) is in bin 1 -> inverse focal
    # with gamma 1.5; p = 0.8 is in bin 2 -> focal with gamma 0.5
    z = torch.zeros(1, 2, dtype=torch.float64)
    expected = -(1.5**1.5) * math.log(0.5)
    assert per_sample(z, torch.tensor([0])).item() == pytest.approx(expected)
    assert signed_focal_loss(z, torch.tensor([0]), torch.tensor([-1.5])).item() == (
        pytest.approx(expected)
    )
    z = torch.tensor([[math.log(4.0), 0.0]], dtype=torch.float64)  # p = 0.8
    expected = -(0.2**0.5) * math.log(0.8)
    assert per_sample(z, torch.tensor([0])).item() == pytest.approx(expected)


# -- the callback inside the estimator ----------------------------------------
def test_validation_statistics_are_those_of_the_validation_split(
    iris, validation_indices
):
    # one epoch, no early stopping: the final weights made the only update
    X, y = iris
    clf = AdaFocalClassifier(**{**FAST, "max_iter": 1}, early_stopping=False).fit(X, y)
    valid = validation_indices(y, 0.2)
    bins = calibration_bins(
        y[valid], clf.predict_proba(X[valid]), n_bins=5, strategy="quantile"
    )
    stats = clf.validation_calibration_
    np.testing.assert_allclose(stats["confidence"][0], bins.confidence, rtol=1e-6)
    np.testing.assert_allclose(stats["accuracy"][0], bins.accuracy)
    np.testing.assert_allclose(stats["count"][0], bins.count)
    np.testing.assert_allclose(stats["edges"][0], bins.edges, rtol=1e-6)
    expected = update_gammas(np.ones(5), bins.confidence - bins.accuracy, bins.count)
    np.testing.assert_allclose(clf.gamma_history_[0], expected, rtol=1e-5)
    np.testing.assert_allclose(clf.net_.criterion_.gammas.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(clf.bin_edges_, bins.edges, rtol=1e-6)


def test_history_shapes_and_chaining(iris):
    X, y = iris
    clf = AdaFocalClassifier(**FAST, early_stopping=False).fit(X, y)
    assert clf.gamma_history_.shape == (8, 5)
    for key in ("confidence", "accuracy", "count"):
        assert clf.validation_calibration_[key].shape == (8, 5)
    assert clf.validation_calibration_["edges"].shape == (8, 6)
    stats = clf.validation_calibration_
    for t in range(1, 8):  # each update starts from the previous gammas
        expected = update_gammas(
            clf.gamma_history_[t - 1],
            stats["confidence"][t] - stats["accuracy"][t],
            stats["count"][t],
        )
        np.testing.assert_allclose(clf.gamma_history_[t], expected, rtol=1e-5)
    np.testing.assert_allclose(clf.bin_edges_, stats["edges"][-1], rtol=1e-6)


def test_validation_runs_once_per_epoch(iris, monkeypatch):
    X, y = iris
    calls = []
    original = AdaFocalCallback._predict_validation

    def counting(self, net):
        calls.append(1)
        return original(self, net)

    monkeypatch.setattr(AdaFocalCallback, "_predict_validation", counting)
    AdaFocalClassifier(**FAST).fit(X, y)
    assert calls == []  # epoch updates reuse skorch's validation pass
    # update every 2 training batches: 120 training rows / 32 = 4 batches per epoch
    clf = AdaFocalClassifier(**{**FAST, "max_iter": 3}, batch_size=32, update_every=2)
    clf.set_params(early_stopping=False).fit(X, y)
    assert len(calls) == 6
    assert clf.gamma_history_.shape == (6, 5)


def test_refit_starts_again_from_gamma_init(iris):
    X, y = iris
    clf = AdaFocalClassifier(**FAST, early_stopping=False)
    first = clf.fit(X, y).gamma_history_.copy()
    second = clf.fit(X, y).gamma_history_
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first[0], 1.0)  # gammas did move


def test_binary_and_sample_weight(validation_indices):
    X, y = make_classification(300, 6, random_state=0)
    sample_weight = np.where(y == 1, 2.0, 1.0)
    clf = AdaFocalClassifier(**FAST).fit(X, y, sample_weight=sample_weight)
    assert clf.predict_proba(X).shape == (300, 2)
    assert clf.score(X, y) > 0.8
    # the validation counts are weights: 2 per class-1 sample, 1 otherwise
    valid = validation_indices(y, 0.2)
    counts = clf.validation_calibration_["count"]
    np.testing.assert_allclose(counts.sum(axis=1), sample_weight[valid].sum())


def test_early_stopping_still_works(iris):
    X, y = iris
    clf = AdaFocalClassifier(
        **{**FAST, "max_iter": 300, "learning_rate_init": 5e-2}, n_iter_no_change=3
    ).fit(X, y)
    assert clf.n_iter_ < 300
    assert clf.n_iter_ - clf.best_epoch_ == 3
    assert clf.gamma_history_.shape[0] == clf.n_iter_


def test_validation_set_smaller_than_n_bins_uses_fewer_bins(iris):
    X, y = iris
    with pytest.warns(UserWarning, match=r"15 samples, fewer than n_bins=20") as rec:
        clf = AdaFocalClassifier(
            **{**FAST, "n_bins": 20, "validation_fraction": 0.1}
        ).fit(X, y)
    assert len(rec) == 1  # once per fit, not once per epoch
    assert rec[0].filename == __file__  # points at the caller's line
    assert clf.n_bins_ == 15
    assert clf.gamma_history_.shape == (clf.n_iter_, 15)
    assert clf.bin_edges_.shape == (16,)
    np.testing.assert_array_equal(clf.validation_calibration_["count"].sum(1), 15)
    roomy = AdaFocalClassifier(**{**FAST, "n_bins": 10}).fit(X, y)
    assert roomy.n_bins_ == 10
    with pytest.raises(ValueError, match="AdaFocal needs a validation split"):
        AdaFocalClassifier(**FAST, early_stopping=False).fit(
            X[:3], y[:3] * 0 + [0, 1, 2]
        )


def test_gamma_init_outside_the_clip_range(iris):
    X, y = iris
    with pytest.raises(
        ValueError, match=r"gamma_init=30 must lie in \[gamma_min, gamma_max\]"
    ):
        AdaFocalClassifier(**FAST, gamma_init=30).fit(X, y)


# -- end to end ---------------------------------------------------------------
@pytest.mark.slow
def test_adafocal_calibrates_better_than_cross_entropy():
    # A problem with enough validation samples per bin (1500 / 15 = 100) and a
    # network trained long enough to be over-confident with cross-entropy.
    # On digits AdaFocal does *not* win: its 135-sample validation split has
    # about 3 errors, so most equal-mass bins show accuracy 1 and read as
    # under-confident (see the closing note of the AdaFocal issue).
    X, y = make_classification(
        20000, 20, n_informative=10, n_classes=5, flip_y=0.05, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, random_state=0, stratify=y
    )
    # One seed's gap is a few thousandths and moves with torch's kernels
    # (seed 0: 0.0018 with torch 2.2, 0.0113 with 2.13), so the claim is
    # about the mean over three seeds (smallest mean gap measured: 0.0038).
    ece = {"ce": [], "ada": []}
    accuracy = {"ce": [], "ada": []}
    for seed in range(3):
        same = dict(
            max_iter=30,
            dropout=0.0,
            weight_decay=0.0,
            early_stopping=False,
            random_state=seed,
        )
        for name, model in [
            ("ce", FocalClassifier(gamma=0.0, **same)),
            ("ada", AdaFocalClassifier(**same)),
        ]:
            model.fit(X_train, y_train)
            ece[name].append(
                expected_calibration_error(y_test, model.predict_proba(X_test))
            )
            accuracy[name].append(model.score(X_test, y_test))
    assert np.mean(ece["ada"]) < np.mean(ece["ce"]) - 0.002, ece
    assert np.mean(accuracy["ada"]) > np.mean(accuracy["ce"]) - 0.01, accuracy


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_adafocal_on_cuda_matches_cpu_closely(iris):
    X, y = iris
    gpu = AdaFocalClassifier(**FAST, device="cuda").fit(X, y)
    assert gpu.net_.criterion_.gammas.is_cuda
    assert isinstance(gpu.predict_proba(X), np.ndarray)
    cpu = AdaFocalClassifier(**FAST, device="cpu").fit(X, y)
    assert gpu.gamma_history_.shape == cpu.gamma_history_.shape


def test_update_that_underflows_keeps_the_sign_rule():
    # lam * gap = -1000: the focal gamma shrinks to (underflows to) 0 and must
    # switch to the inverse focal side, -S, like any gamma falling below S
    with np.errstate(all="raise"):  # and no overflow / underflow warnings
        updated = update_gammas([1.0, -1.0, 1.0], [-1.0, 1.0, 1.0], [5, 5, 5], lam=1000)
    np.testing.assert_array_equal(updated, [-0.2, 0.2, 20.0])


def test_switch_threshold_above_gamma_max_is_refused(iris):
    with pytest.raises(ValueError, match=r"switch_threshold=25 exceeds gamma_max=20"):
        update_gammas([1.0], [0.1], [1], switch_threshold=25)
    X, y = iris
    with pytest.raises(ValueError, match=r"switch_threshold=25 exceeds gamma_max=20"):
        AdaFocalClassifier(**FAST, switch_threshold=25).fit(X, y)


def test_n_bins_has_one_source(iris):
    X, y = iris
    with pytest.raises(ValueError, match=r"criterion__n_bins duplicates .*'n_bins'"):
        AdaFocalClassifier(**FAST, criterion__n_bins=3).fit(X, y)
    clf = AdaFocalClassifier(**{**FAST, "n_bins": 3}).fit(X, y)
    assert clf.n_bins_ == clf.net_.criterion_.n_bins == 3
    assert clf.gamma_history_.shape == (clf.n_iter_, 3)
    assert len(clf.bin_edges_) == 4


def test_warm_start_with_another_n_bins_starts_the_gammas_again(iris):
    X, y = iris
    clf = AdaFocalClassifier(**FAST, warm_start=True).fit(X, y)
    assert clf.n_bins_ == 5
    first = clf.n_iter_
    clf.set_params(n_bins=3).fit(X, y)
    assert clf.n_bins_ == 3 and len(clf.bin_edges_) == 4
    assert clf.gamma_history_.shape == (clf.n_iter_ - first, 3)  # a new record
    # with the same bins the gammas carry over and the record goes on
    gammas = clf.net_.criterion_.gammas.clone()
    second = clf.n_iter_
    clf.set_params(max_iter=1).fit(X, y)
    assert clf.gamma_history_.shape == (clf.n_iter_ - first, 3)
    assert clf.n_iter_ == second + 1
    calibration = clf.validation_calibration_
    np.testing.assert_allclose(
        clf.gamma_history_[-1],
        update_gammas(
            gammas.numpy(),
            calibration["confidence"][-1] - calibration["accuracy"][-1],
            calibration["count"][-1],
        ),
        rtol=1e-6,
    )
