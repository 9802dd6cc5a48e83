"""Losses against closed forms, cross-entropy and autograd."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from sklearn_focal.losses import (
    AdaFocalLoss,
    DualFocalLoss,
    FocalLoss,
    FocalLossSD53,
    InverseFocalLoss,
    dual_focal_loss,
    focal_loss,
    focal_loss_sd53,
    inverse_focal_loss,
    signed_focal_loss,
)

GAMMAS = [0.0, 0.01, 0.2, 0.5, 0.99, 1.0, 2.0, 3.0, 5.0]


def _softmax(z):
    e = np.exp(np.asarray(z, dtype=float) - np.max(z))
    return e / e.sum()


def _random_problem(n, c, seed=0, scale=3.0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g, dtype=dtype) * scale
    target = torch.randint(0, c, (n,), generator=g)
    return logits, target


@pytest.mark.parametrize("n, c", [(1, 2), (7, 2), (1000, 10), (4097, 5)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gamma_zero_is_cross_entropy_bit_for_bit(n, c, reduction, dtype):
    logits, target = _random_problem(n, c, dtype=dtype)
    expected = F.cross_entropy(logits, target, reduction=reduction)
    assert torch.equal(focal_loss(logits, target, 0.0, reduction), expected)
    assert torch.equal(FocalLoss(0.0, reduction)(logits, target), expected)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 5.0])
def test_focal_loss_matches_closed_form(gamma):
    rows = [
        ([2.0, 0.0], 0),
        ([0.0, 1.0], 1),
        ([1.0, -0.5, 3.0], 0),
        ([0.2, 0.1, -4.0], 2),
    ]
    for z, y in rows:
        p = _softmax(z)[y]
        expected = -((1 - p) ** gamma) * math.log(p)
        got = focal_loss(
            torch.tensor([z], dtype=torch.float64), torch.tensor([y]), gamma
        )
        assert got.item() == pytest.approx(expected, rel=1e-12)


def test_binary_two_column_logits_match_sigmoid_form():
    # Binary problems use 2-column logits: p(class 1) = sigmoid(z1 - z0).
    z = torch.linspace(-6, 6, 25, dtype=torch.float64)
    logits = torch.stack([torch.zeros_like(z), z], dim=1)
    target = torch.ones(25, dtype=torch.long)
    p = torch.sigmoid(z)
    expected = -((1 - p) ** 2) * torch.log(p)
    got = focal_loss(logits, target, 2.0, reduction="none")
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 3.0])
def test_focal_gradient_matches_closed_form(gamma):
    # dFL/dz = dFL/dp * p * (e_y - p), dFL/dp = gamma (1-p)^(g-1) log p - (1-p)^g / p
    logits, target = _random_problem(50, 4, seed=1)
    logits.requires_grad_(True)
    focal_loss(logits, target, gamma, reduction="sum").backward()
    probs = torch.softmax(logits.detach(), dim=1)
    p = probs.gather(1, target[:, None]).squeeze(1)
    dfl_dp = gamma * (1 - p) ** (gamma - 1) * torch.log(p) - (1 - p) ** gamma / p
    onehot = F.one_hot(target, 4).to(probs.dtype)
    expected = (dfl_dp * p)[:, None] * (onehot - probs)
    torch.testing.assert_close(logits.grad, expected, rtol=1e-10, atol=1e-12)


def _all_losses(gamma):
    yield "focal", lambda z, t: focal_loss(z, t, gamma)
    yield "inverse", lambda z, t: inverse_focal_loss(z, t, gamma)
    yield "dual", lambda z, t: dual_focal_loss(z, t, gamma)
    yield "signed+", lambda z, t: signed_focal_loss(z, t, torch.full((len(t),), gamma))
    yield "signed-", lambda z, t: signed_focal_loss(z, t, torch.full((len(t),), -gamma))
    yield "sd53", focal_loss_sd53


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_finite_at_extreme_logits_and_p_to_one(gamma, dtype):
    big = 1e4
    logits = torch.tensor(
        [
            [big, -big],  # p = 1 exactly, correct
            [-big, big],  # p = 0, wrong
            [50.0, 0.0],  # 1 - p ~ 2e-22: below float32 resolution
            [18.0, 0.0],  # 1 - p ~ 1.5e-8
            [0.0, 0.0],
            [big, big],
        ],
        dtype=dtype,
    )
    target = torch.zeros(len(logits), dtype=torch.long)
    multi = torch.tensor([[big, -big, 0.0], [3.0, 3.0, -big]], dtype=dtype)
    multi_target = torch.tensor([0, 1])
    for name, loss_fn in _all_losses(gamma):
        for z0, t in [(logits, target), (multi, multi_target)]:
            z = z0.clone().requires_grad_(True)
            loss = loss_fn(z, t)
            loss.backward()
            assert torch.isfinite(loss), (name, gamma)
            assert torch.isfinite(z.grad).all(), (name, gamma, z.grad)


@pytest.mark.parametrize("gamma", [0.1, 0.5, 2.0])
def test_gradient_near_p_one_is_close_to_true_limit(gamma):
    # Near p = 1 the true gradient tends to 0; the floored factor must not
    # inflate it.
    z = torch.tensor([[30.0, 0.0]], dtype=torch.float64, requires_grad=True)
    focal_loss(z, torch.tensor([0]), gamma).backward()
    assert z.grad.abs().max() < 1e-12


def test_sd53_switches_at_p_point_two():
    def logits_for(p):  # binary logits whose class-0 probability is p
        return torch.tensor([[math.log(p / (1 - p)), 0.0]], dtype=torch.float64)

    t = torch.tensor([0])
    for p, gamma in [(0.05, 5.0), (0.1999, 5.0), (0.2001, 3.0), (0.2, 3.0), (0.9, 3.0)]:
        z = logits_for(p)
        assert focal_loss_sd53(z, t).item() == pytest.approx(
            focal_loss(z, t, gamma).item(), rel=1e-12
        ), p
    # and the two branches differ, so the test can tell them apart
    z = logits_for(0.19)
    assert focal_loss(z, t, 5.0).item() != pytest.approx(focal_loss(z, t, 3.0).item())
    assert isinstance(FocalLossSD53()(z, t), torch.Tensor)


def test_sd53_gamma_is_not_differentiated():
    # Gradient equals that of focal loss with gamma fixed per sample.
    logits, target = _random_problem(40, 3, seed=3)
    a = logits.clone().requires_grad_(True)
    focal_loss_sd53(a, target, reduction="sum").backward()
    p = torch.softmax(logits, 1).gather(1, target[:, None]).squeeze(1)
    b = logits.clone().requires_grad_(True)
    focal_loss(b, target, torch.where(p < 0.2, 5.0, 3.0), reduction="sum").backward()
    torch.testing.assert_close(a.grad, b.grad)


def test_inverse_focal_closed_form():
    for z, y, gamma in [([2.0, 0.0], 0, 1.0), ([0.0, 1.0, -1.0], 2, 2.0)]:
        p = _softmax(z)[y]
        got = inverse_focal_loss(
            torch.tensor([z], dtype=torch.float64), torch.tensor([y]), gamma
        )
        assert got.item() == pytest.approx(-((1 + p) ** gamma) * math.log(p), rel=1e-12)
    assert InverseFocalLoss(2.0)(torch.zeros(3, 2), torch.tensor([0, 1, 0])).item() > 0


def test_dual_focal_uses_largest_probability_below_the_target():
    probs = np.array([[0.5, 0.3, 0.2], [0.4, 0.4, 0.2], [0.1, 0.6, 0.3]])
    logits = torch.tensor(np.log(probs))
    gamma = 2.0
    cases = [
        (0, 0, 0.3),  # runner-up below the target
        (0, 2, 0.0),  # target is the smallest: nothing below
        (0, 1, 0.2),  # target in the middle: the next one down
        (1, 0, 0.2),  # tie with another class: ties are not "below"
        (2, 2, 0.1),  # target in the middle
    ]
    for row, y, p_j in cases:
        p = probs[row, y]
        expected = -((1 - p + p_j) ** gamma) * math.log(p)
        got = dual_focal_loss(logits[row : row + 1], torch.tensor([y]), gamma)
        assert got.item() == pytest.approx(expected, rel=1e-12), (row, y)
    assert DualFocalLoss(2.0)(logits, torch.tensor([0, 0, 1])).item() > 0


def test_signed_focal_is_focal_or_inverse_by_sign():
    logits, target = _random_problem(30, 3, seed=4)
    gamma = torch.tensor([2.0, -1.5] * 15, dtype=torch.float64)
    got = signed_focal_loss(logits, target, gamma, reduction="none")
    pos, neg = gamma > 0, gamma < 0
    torch.testing.assert_close(
        got[pos], focal_loss(logits[pos], target[pos], 2.0, "none")
    )
    torch.testing.assert_close(
        got[neg], inverse_focal_loss(logits[neg], target[neg], 1.5, "none")
    )


@pytest.mark.parametrize("loss_fn", [focal_loss, dual_focal_loss, inverse_focal_loss])
def test_sample_weight_is_a_weighted_mean_and_equals_repetition(loss_fn):
    logits, target = _random_problem(20, 3, seed=5)
    w = torch.tensor([0, 1, 2, 3] * 5, dtype=torch.float64)
    per_sample = loss_fn(logits, target, 2.0, "none")
    weighted = loss_fn(logits, target, 2.0, "mean", sample_weight=w)
    assert weighted.item() == pytest.approx(
        (per_sample * w).sum().item() / w.sum().item()
    )
    reps = w.long()
    repeated = loss_fn(
        logits.repeat_interleave(reps, 0), target.repeat_interleave(reps), 2.0
    )
    assert weighted.item() == pytest.approx(repeated.item(), rel=1e-12)
    assert loss_fn(logits, target, 2.0, "sum", sample_weight=w).item() == pytest.approx(
        (per_sample * w).sum().item()
    )
    torch.testing.assert_close(
        loss_fn(logits, target, 2.0, "none", sample_weight=w), per_sample * w
    )


def test_all_zero_weights_give_zero_loss_not_nan():
    logits, target = _random_problem(5, 2)
    loss = focal_loss(
        logits, target, 2.0, sample_weight=torch.zeros(5, dtype=torch.float64)
    )
    assert loss.item() == 0.0


def test_bad_inputs_raise_clear_errors():
    z, t = torch.zeros(4, 3), torch.tensor([0, 1, 2, 0])
    with pytest.raises(ValueError, match="reduction must be one of"):
        focal_loss(z, t, 2.0, reduction="avg")
    with pytest.raises(
        ValueError, match=r"logits must have shape \(n_samples, n_classes\)"
    ):
        focal_loss(torch.zeros(4), t)
    with pytest.raises(ValueError, match="n_classes >= 2"):
        focal_loss(torch.zeros(4, 1), t)
    with pytest.raises(ValueError, match=r"target must have shape \(4,\)"):
        focal_loss(z, t[:3])
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        focal_loss(z, t, sample_weight=torch.ones(3))
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        FocalLoss(gamma=-1.0)
    with pytest.raises(ValueError, match="reduction must be one of"):
        FocalLoss(reduction="avg")


def test_modules_repr_their_parameters():
    assert "gamma=3.0" in repr(FocalLoss(3))
    assert "n_bins=7" in repr(AdaFocalLoss(n_bins=7))
