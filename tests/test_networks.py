"""The default network's cheaper CPU dropout and the fused optimizers."""

import numpy as np
import pytest
import torch
from scipy.stats import binom
from torch import nn

from sklearn_focal import FocalClassifier
from sklearn_focal.networks import MLP


def _dropout_of(p):
    layer = next(
        m for m in MLP(4, 2, (8,), dropout=p).modules() if isinstance(m, nn.Dropout)
    )
    return layer.train()


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.9])
def test_dropout_drops_with_probability_p_and_keeps_the_expectation(p):
    layer = _dropout_of(p)
    torch.manual_seed(0)
    X = torch.rand(1000, 1000) + 0.5
    out = layer(X)
    dropped = int((out == 0).sum())
    # two-sided 1e-6 binomial interval around p itself (p is rounded to a
    # multiple of 1/32768: far inside it)
    low, high = binom.interval(1 - 1e-6, X.numel(), p)
    assert low <= dropped <= high
    # the kept values are scaled by one factor, the inverse of the exact
    # keep probability (torch's nn.Dropout: 1 / (1 - p))
    kept = out != 0
    scale = (out[kept] / X[kept]).double()
    assert torch.allclose(scale, scale[0])
    assert abs(1 / scale[0].item() - (1 - p)) <= 0.5 / 32768
    # and the gradient is that same mask
    X.requires_grad_(True)
    torch.manual_seed(1)
    out = layer(X)
    out.sum().backward()
    assert torch.equal(X.grad == 0, out == 0)
    assert torch.allclose(X.grad[out != 0], scale[0].float())


def test_dropout_masks_are_independent_draws_and_follow_the_seed():
    layer = _dropout_of(0.5)
    X = torch.ones(64, 1000)
    torch.manual_seed(0)
    first, second = layer(X) == 0, layer(X) == 0
    torch.manual_seed(0)
    assert torch.equal(layer(X) == 0, first)
    # two masks agree on about half the values, as independent ones do;
    # neighbouring values (drawn from one random integer) are uncorrelated
    assert (first == second).float().mean().item() == pytest.approx(0.5, abs=0.01)
    left, right = first[:, :-1].float().ravel(), first[:, 1:].float().ravel()
    assert np.corrcoef(left.numpy(), right.numpy())[0, 1] == pytest.approx(0, abs=0.01)


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_dropout_edge_probabilities_are_torchs(p):
    X = torch.rand(3, 5) + 0.5
    assert torch.equal(_dropout_of(p)(X) if p else X, nn.Dropout(p).train()(X))


def test_dropout_outside_training_is_the_identity():
    X = torch.rand(3, 5)
    assert torch.equal(_dropout_of(0.5).eval()(X), X)


def _fused(clf):
    return clf.net_.optimizer_.param_groups[0].get("fused")


def test_adam_runs_fused_where_torch_can_and_fits_as_the_loop_optimizer(iris):
    X, y = iris
    params = dict(max_iter=5, dropout=0, early_stopping=False, random_state=0)
    fused = FocalClassifier(**params).fit(X, y)
    plain = FocalClassifier(**params, optimizer__fused=False).fit(X, y)
    supported = True
    try:
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], fused=True)
    except RuntimeError:
        supported = False
    assert bool(_fused(fused)) is supported
    assert not _fused(plain)
    # one optimizer, two kernels: the same fit up to float rounding
    np.testing.assert_allclose(
        fused.predict_proba(X), plain.predict_proba(X), rtol=0, atol=1e-5
    )
    assert not _fused(FocalClassifier(**params, optimizer="sgd").fit(X, y))
