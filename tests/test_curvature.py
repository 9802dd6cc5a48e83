"""Curvature against the full Hessian of a tiny network and closed forms."""

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.func import functional_call

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.curvature import (
    CurvatureResult,
    hessian_top_eigenvalue,
    hessian_trace,
    logit_curvature,
)
from sklearn_focal.losses import focal_loss
from sklearn_focal.networks import MLP
from sklearn_focal.scoring import (
    calibration_scoring,
    hessian_top_eigenvalue_scorer,
    hessian_trace_scorer,
)

TINY = dict(
    hidden_layer_sizes=(6, 5), max_iter=30, learning_rate_init=1e-2, random_state=0
)


def _full_hessian(module, X, y, loss_fn):
    """Reference: the dense Hessian of the mean loss, float64."""
    module = module.double().eval()
    names = [n for n, _ in module.named_parameters()]
    shapes = [p.shape for _, p in module.named_parameters()]
    sizes = [p.numel() for _, p in module.named_parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in module.parameters()])
    X_t, y_t = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(y)

    def mean_loss(flat):
        chunks = torch.split(flat, sizes)
        params = {n: c.view(s) for n, c, s in zip(names, chunks, shapes, strict=True)}
        return loss_fn(functional_call(module, params, (X_t,)), y_t)

    return torch.autograd.functional.hessian(mean_loss, theta)


def _reference(clf, X, y, loss):
    module = copy.deepcopy(clf.net_.module_)
    if loss == "cross_entropy":
        loss_fn = F.cross_entropy
    else:
        loss_fn = copy.deepcopy(clf.net_.criterion_).double()
    return _full_hessian(module, X, np.searchsorted(clf.classes_, y), loss_fn)


# -- parameter-space curvature against the dense Hessian ---------------------------
@pytest.mark.parametrize(
    "train_loss", ["focal", "focal_sd53", "dual_focal", "inverse_focal"]
)
@pytest.mark.parametrize("loss", ["cross_entropy", "training"])
def test_trace_and_top_eigenvalue_match_the_dense_hessian(iris, train_loss, loss):
    X, y = iris
    clf = FocalClassifier(loss=train_loss, gamma=2.0, **TINY).fit(X, y)
    H = _reference(clf, X, y, loss)
    trace, top = H.trace().item(), torch.linalg.eigvalsh(H).max().item()

    exact = hessian_trace(clf, X, y, loss=loss, method="exact", dtype=torch.float64)
    assert exact.value == pytest.approx(trace, rel=1e-8)
    assert exact.method == "exact" and exact.std_error is None

    hutch = hessian_trace(
        clf,
        X,
        y,
        loss=loss,
        method="hutchinson",
        n_probes=100,
        dtype=torch.float64,
        random_state=0,
    )
    assert abs(hutch.value - trace) < 4 * hutch.std_error
    assert hutch.n_hvp == 100 and hutch.method == "hutchinson"

    lanczos = hessian_top_eigenvalue(
        clf, X, y, loss=loss, dtype=torch.float64, random_state=0
    )
    assert lanczos.value == pytest.approx(top, rel=1e-4)
    power = hessian_top_eigenvalue(
        clf,
        X,
        y,
        loss=loss,
        method="power",
        max_iter=5000,
        tol=1e-12,
        dtype=torch.float64,
        random_state=0,
    )
    assert power.value == pytest.approx(top, rel=1e-4)


def test_adafocal_training_loss_curvature(iris):
    X, y = iris
    clf = AdaFocalClassifier(n_bins=5, validation_fraction=0.2, **TINY).fit(X, y)
    H = _reference(clf, X, y, "training")
    exact = hessian_trace(clf, X, y, loss="training", dtype=torch.float64)
    assert exact.value == pytest.approx(H.trace().item(), rel=1e-8)
    assert not np.isclose(
        exact.value, hessian_trace(clf, X, y, dtype=torch.float64).value, rtol=1e-3
    )


def test_gamma_zero_training_curvature_is_cross_entropy_curvature(iris):
    X, y = iris
    clf = FocalClassifier(gamma=0.0, **TINY).fit(X, y)
    a = hessian_trace(clf, X, y, loss="training", dtype=torch.float64).value
    b = hessian_trace(clf, X, y, loss="cross_entropy", dtype=torch.float64).value
    assert a == pytest.approx(b, rel=1e-12)
    la = hessian_top_eigenvalue(
        clf, X, y, loss="training", dtype=torch.float64, random_state=0
    )
    lb = hessian_top_eigenvalue(clf, X, y, dtype=torch.float64, random_state=0)
    assert la.value == pytest.approx(lb.value, rel=1e-10)


def test_batching_does_not_change_the_result(iris):
    X, y = iris
    clf = FocalClassifier(**TINY).fit(X, y)
    full = hessian_trace(clf, X, y, dtype=torch.float64).value
    assert hessian_trace(clf, X, y, dtype=torch.float64, batch_size=7).value == (
        pytest.approx(full, rel=1e-12)
    )
    hutch = [
        hessian_trace(
            clf,
            X,
            y,
            method="hutchinson",
            n_probes=5,
            batch_size=b,
            dtype=torch.float64,
            random_state=3,
        ).value
        for b in (7, 4096)
    ]
    assert hutch[0] == pytest.approx(hutch[1], rel=1e-10)


def test_random_state_makes_stochastic_estimates_reproducible(iris):
    X, y = iris
    clf = FocalClassifier(**TINY).fit(X, y)

    def hutch(seed):
        return hessian_trace(
            clf, X, y, method="hutchinson", n_probes=10, random_state=seed
        )

    assert hutch(0) == hutch(0)
    assert hutch(0).value != hutch(1).value
    top = hessian_top_eigenvalue(clf, X, y, random_state=0)
    assert top == hessian_top_eigenvalue(clf, X, y, random_state=0)


def test_result_object(iris):
    X, y = iris
    clf = FocalClassifier(**TINY).fit(X, y)
    result = hessian_trace(clf, X, y)
    n_params = sum(p.numel() for p in clf.net_.module_.parameters())
    assert isinstance(result, CurvatureResult)
    assert float(result) == result.value
    assert result.n_params == n_params
    assert result.per_parameter == pytest.approx(result.value / n_params)


# -- inputs -----------------------------------------------------------------------
def test_pipeline_torch_module_and_skorch_net(iris):
    X, y = iris
    raw = X * 3 + 1
    pipe = make_pipeline(StandardScaler(), FocalClassifier(**TINY)).fit(raw, y)
    net = pipe[-1]
    expected = hessian_trace(net, pipe[0].transform(raw), y).value
    assert hessian_trace(pipe, raw, y).value == pytest.approx(expected, rel=1e-12)
    # the bare skorch net and the torch module take class indices
    assert hessian_trace(net.net_, X, y).value == pytest.approx(
        hessian_trace(net, X, y).value, rel=1e-12
    )
    assert hessian_trace(net.net_.module_, X, y).value == pytest.approx(
        hessian_trace(net, X, y).value, rel=1e-12
    )
    with pytest.raises(ValueError, match="loss='training' needs an estimator"):
        hessian_trace(net.net_.module_, X, y, loss="training")


def test_string_labels_are_encoded_and_unknown_labels_refused(iris):
    X, y = iris
    names = np.array(["a", "b", "c"])[y]
    clf = FocalClassifier(**TINY).fit(X, names)
    ref = FocalClassifier(**TINY).fit(X, y)
    assert hessian_trace(clf, X, names).value == pytest.approx(
        hessian_trace(ref, X, y).value
    )
    with pytest.raises(ValueError, match="labels the estimator was not fitted on"):
        hessian_trace(clf, X, np.where(names == "a", "z", names))


def test_exact_needs_a_linear_relu_chain(iris):
    X, y = iris

    class Smooth(torch.nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.a = torch.nn.Linear(n_features, 8)
            self.b = torch.nn.Linear(8, n_classes)

        def forward(self, X):
            return self.b(torch.tanh(self.a(X)))

    clf = FocalClassifier(**{**TINY, "max_iter": 5}, module=Smooth).fit(X, y)
    with pytest.raises(ValueError, match="chain of Linear and ReLU"):
        hessian_trace(clf, X, y, method="exact")
    auto = hessian_trace(clf, X, y, n_probes=20, dtype=torch.float64, random_state=0)
    assert auto.method == "hutchinson"
    H = _reference(clf, X, y, "cross_entropy")
    # for tanh the identity tr(H) = mean tr(H_z J J^T) fails: Hutchinson still
    # estimates the true trace
    assert abs(auto.value - H.trace().item()) < 4 * auto.std_error


def test_the_estimator_is_left_untouched(iris):
    X, y = iris
    clf = FocalClassifier(**TINY).fit(X, y)
    before = clf.predict_proba(X)
    hessian_trace(clf, X, y, dtype=torch.float64)
    hessian_top_eigenvalue(clf, X, y, dtype=torch.float64, random_state=0)
    assert next(clf.net_.module_.parameters()).dtype == torch.float32
    assert next(clf.net_.module_.parameters()).requires_grad
    np.testing.assert_array_equal(clf.predict_proba(X), before)


# -- logit space: closed forms against autograd --------------------------------------
def _focal_logit_hessian(z, y, gamma):
    """Closed form from CURVATURE.md: w1 A + w2 u u^T."""
    p = torch.softmax(z, 0)
    q = p[y]
    A = torch.diag(p) - torch.outer(p, p)
    u = F.one_hot(torch.tensor(y), len(z)).to(z) - p
    w1 = (1 - q) ** gamma - gamma * q * (1 - q) ** (gamma - 1) * torch.log(q)
    w2 = (
        gamma
        * q
        * (1 - q) ** (gamma - 2)
        * (2 * (1 - q) + (1 - gamma * q) * torch.log(q))
    )
    return w1 * A + w2 * torch.outer(u, u)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.0])
def test_closed_form_logit_hessian_matches_autograd(gamma):
    g = torch.Generator().manual_seed(int(gamma * 10))
    for _ in range(10):
        z = torch.randn(4, generator=g, dtype=torch.float64) * 2
        y = int(torch.randint(0, 4, (1,), generator=g))
        autograd = torch.autograd.functional.hessian(
            lambda v, y=y: focal_loss(v[None], torch.tensor([y]), gamma), z
        )
        torch.testing.assert_close(_focal_logit_hessian(z, y, gamma), autograd)
        if gamma == 0:  # cross-entropy: diag(p) - p p^T, trace 1 - sum p^2
            p = torch.softmax(z, 0)
            assert autograd.trace().item() == pytest.approx(1 - (p**2).sum().item())


def _constant_logits_module(logits):
    """A torch module returning fixed logits for every row (bias only)."""
    net = torch.nn.Linear(1, len(logits)).double()
    with torch.no_grad():
        net.weight.zero_()
        net.bias.copy_(torch.as_tensor(logits, dtype=torch.float64))
    return net


@pytest.mark.parametrize("q, ratio", [(0.4, 2.0), (0.9, 1 / 12)])
def test_focal_logit_curvature_is_not_lower_everywhere(q, ratio):
    # CURVATURE.md: binary sample, gamma=2 vs cross-entropy: at q = 0.4 the
    # logit-space trace doubles; at q = 0.9 it is twelve times smaller.
    z = [math.log(q / (1 - q)), 0.0]
    H_focal = _focal_logit_hessian(torch.tensor(z, dtype=torch.float64), 0, 2.0)
    H_ce = _focal_logit_hessian(torch.tensor(z, dtype=torch.float64), 0, 0.0)
    assert (H_focal.trace() / H_ce.trace()).item() == pytest.approx(ratio, rel=0.05)


def test_logit_curvature_closed_forms_and_autograd_fallback(iris):
    X, y = iris
    for loss, gamma in [
        ("focal", 2.0),
        ("focal", 0.0),
        ("focal_sd53", 2.0),
        ("dual_focal", 2.0),
    ]:
        clf = FocalClassifier(loss=loss, gamma=gamma, **TINY).fit(X, y)
        logits = clf._logits(X)  # float64 logits of the fitted network
        criterion = copy.deepcopy(clf.net_.criterion_).double()
        per_sample = [
            torch.autograd.functional.hessian(
                lambda v, i=i, c=criterion: c(v[None], torch.tensor([y[i]])), logits[i]
            ).trace()
            for i in range(len(y))
        ]
        expected = float(torch.stack(per_sample).mean())
        assert logit_curvature(clf, X, y, loss="training") == pytest.approx(
            expected, rel=1e-5
        )
        ce = np.mean([1 - (torch.softmax(row, 0) ** 2).sum().item() for row in logits])
        assert logit_curvature(clf, X, y) == pytest.approx(ce, rel=1e-5)


def test_logit_curvature_on_a_torch_module():
    net = _constant_logits_module([1.0, 0.0, -1.0])
    p = torch.softmax(torch.tensor([1.0, 0.0, -1.0]), 0)
    assert logit_curvature(net, [[0.0], [1.0]], [0, 2]) == pytest.approx(
        1 - (p**2).sum().item(), rel=1e-6
    )


# -- scorers ------------------------------------------------------------------------
def test_curvature_scorers(iris):
    X, y = iris
    clf = FocalClassifier(**TINY).fit(X, y)
    assert hessian_trace_scorer(clf, X, y) == pytest.approx(
        -hessian_trace(clf, X, y).value
    )
    expected_top = hessian_top_eigenvalue(clf, X, y, random_state=0, tol=1e-4).value
    assert hessian_top_eigenvalue_scorer(clf, X, y) == pytest.approx(-expected_top)
    search = GridSearchCV(
        FocalClassifier(**{**TINY, "max_iter": 5}),
        {"gamma": [0.0, 3.0]},
        scoring=calibration_scoring(curvature=True),
        refit=False,
        cv=3,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_neg_hessian_trace"]
    assert scores.shape == (2,) and (scores < 0).all()


def test_mlp_module_passed_directly(iris):
    X, y = iris
    net = MLP(4, 3, (5,), dropout=0.5)
    result = hessian_trace(net, X, y)
    assert result.method == "exact" and np.isfinite(result.value)


# -- bad input ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "measure", [hessian_trace, hessian_top_eigenvalue, logit_curvature]
)
def test_labels_must_match_the_rows(iris, measure):
    X, y = iris
    clf = FocalClassifier(**{**TINY, "max_iter": 2}).fit(X, y)
    with pytest.raises(
        ValueError, match=r"inconsistent numbers of samples: \[100, 140\]"
    ):
        measure(clf, X[:100], y[:140])
    module = clf.net_.module_
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples"):
        measure(module, X[:100], y[:140])


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((0, 4)), "Found array with 0 sample"),
        (np.zeros(4), "Expected 2D array, got 1D array"),
        (np.full((3, 4), np.nan), "Input contains NaN"),
    ],
)
def test_bad_X_on_a_bare_module_is_a_clear_error(X, message):
    module = MLP(4, 3, hidden_layer_sizes=(5,), dropout=0.0)
    for measure in (hessian_trace, hessian_top_eigenvalue, logit_curvature):
        with pytest.raises(ValueError, match=message):
            measure(module, X, np.zeros(len(np.atleast_2d(X)), dtype=int))
