"""Focal-loss family as torch losses over logits.

Each loss is a short pure function of ``(logits, target)`` plus a thin
:class:`torch.nn.Module` that stores its hyper-parameters, in the style of
:mod:`torch.nn.functional`. All of them

* work from :func:`torch.nn.functional.log_softmax` (never ``log(softmax)``),
  so logits of any magnitude give finite values and gradients;
* treat binary and multiclass problems the same way: ``logits`` has shape
  ``(n_samples, n_classes)`` with ``n_classes >= 2``;
* accept per-sample weights: ``reduction="mean"`` then returns
  ``sum(w * loss) / sum(w)``, the weighted mean.

With p the softmax probability of the true class:

==========================  ==========================================
:func:`focal_loss`          ``-(1 - p)**gamma * log(p)`` (Lin et al. 2017)
:class:`FocalLossSD53`      focal with gamma = 5 if p < 0.2 else 3
                            (FLSD-53, Mukhoti et al. 2020)
:func:`inverse_focal_loss`  ``-(1 + p)**gamma * log(p)`` (AdaFocal)
:func:`dual_focal_loss`     ``-(1 - p + p_j)**gamma * log(p)`` with p_j the
                            largest probability below p (Tao et al. 2023)
:class:`AdaFocalLoss`       focal / inverse focal with a signed gamma per
                            confidence bin (Ghosh et al. 2022)
==========================  ==========================================
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "AdaFocalLoss",
    "DualFocalLoss",
    "FocalLoss",
    "FocalLossSD53",
    "InverseFocalLoss",
    "dual_focal_loss",
    "focal_loss",
    "focal_loss_sd53",
    "inverse_focal_loss",
    "sd53_gamma",
    "signed_focal_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


def _check_logits_and_target(logits: Tensor, target: Tensor, reduction: str) -> None:
    if logits.ndim != 2 or logits.shape[1] < 2:
        raise ValueError(
            "logits must have shape (n_samples, n_classes) with n_classes >= 2; "
            f"got shape {tuple(logits.shape)}."
        )
    if target.shape != (logits.shape[0],):
        raise ValueError(
            f"target must have shape ({logits.shape[0]},) to match logits; "
            f"got shape {tuple(target.shape)}."
        )
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be one of {_REDUCTIONS}; got {reduction!r} instead."
        )


def _target_log_prob(logits: Tensor, target: Tensor) -> Tensor:
    """``log p_y`` for each sample, from ``log_softmax``."""
    return F.log_softmax(logits, dim=1).gather(1, target.long()[:, None]).squeeze(1)


def _one_minus_exp(log_p: Tensor) -> Tensor:
    """``1 - p`` from ``log p``, accurate as p -> 1 (``expm1`` keeps its digits)."""
    return -torch.expm1(log_p)


def _modulated_nll(log_p: Tensor, base: Tensor, gamma: float | Tensor) -> Tensor:
    """Per-sample ``-base**gamma * log_p``.

    ``base`` is floored at ``sqrt(tiny)`` before the power: for 0 < gamma < 1
    the derivative ``gamma * base**(gamma - 1)`` is infinite at base = 0
    (p = 1 for focal loss), and ``inf * 0`` would poison the gradient with NaN.
    The floor zeroes the gradient of the modulating factor there, which is the
    true limit of the full gradient, and changes the loss value only where it
    is below ``sqrt(tiny) * |log p|``.
    """
    if isinstance(gamma, (int, float)) and gamma == 0:
        return -log_p
    floor = torch.finfo(base.dtype).tiny ** 0.5
    return -base.clamp_min(floor).pow(gamma) * log_p


def _reduce(loss: Tensor, reduction: str, sample_weight: Tensor | None) -> Tensor:
    if sample_weight is not None:
        if sample_weight.shape != loss.shape:
            raise ValueError(
                f"sample_weight must have shape {tuple(loss.shape)}; "
                f"got shape {tuple(sample_weight.shape)}."
            )
        sample_weight = sample_weight.to(loss.dtype)
        weighted = loss * sample_weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        # An all-zero-weight batch contributes a zero loss, not 0/0.
        return weighted.sum() / sample_weight.sum().clamp_min(
            torch.finfo(loss.dtype).tiny
        )
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


def focal_loss(
    logits: Tensor,
    target: Tensor,
    gamma: float | Tensor = 2.0,
    reduction: str = "mean",
    sample_weight: Tensor | None = None,
) -> Tensor:
    """Focal loss ``-(1 - p)**gamma * log(p)`` over logits.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised scores; ``n_classes >= 2`` (binary problems use two
        columns).
    target : Tensor of shape (n_samples,)
        Class indices in ``[0, n_classes)``.
    gamma : float or Tensor of shape (n_samples,), default=2.0
        Focusing parameter, ``>= 0``. ``gamma=0`` is exactly cross-entropy.
        A tensor gives one gamma per sample (it is not differentiated).
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` is the (weighted) mean over samples.
    sample_weight : Tensor of shape (n_samples,), default=None
        Non-negative per-sample weights.

    Returns
    -------
    loss : Tensor
        A scalar, or the per-sample losses for ``reduction="none"``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_focal.losses import focal_loss
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> target = torch.tensor([0, 1])
    >>> focal_loss(logits, target, gamma=0.0).item()  # cross-entropy
    0.2200...
    >>> focal_loss(logits, target, gamma=2.0).item()
    0.0122...
    """
    _check_logits_and_target(logits, target, reduction)
    if isinstance(gamma, (int, float)) and gamma == 0:
        # Cross-entropy's own kernel: gamma=0 is then cross-entropy bit for bit,
        # reduction included (a separate sum would round differently).
        if sample_weight is None:
            return F.cross_entropy(logits, target.long(), reduction=reduction)
        loss = F.cross_entropy(logits, target.long(), reduction="none")
        return _reduce(loss, reduction, sample_weight)
    log_p = _target_log_prob(logits, target)
    loss = _modulated_nll(log_p, _one_minus_exp(log_p), gamma)
    return _reduce(loss, reduction, sample_weight)


def sd53_gamma(p: Tensor) -> Tensor:
    """FLSD-53's per-sample gamma: 5 where the true-class probability p is
    below 0.2, else 3 (Mukhoti et al. 2020)."""
    return torch.where(p < 0.2, 5.0, 3.0).to(p.dtype)


def focal_loss_sd53(
    logits: Tensor,
    target: Tensor,
    reduction: str = "mean",
    sample_weight: Tensor | None = None,
) -> Tensor:
    """FLSD-53: focal loss with gamma = 5 where p < 0.2, else gamma = 3.

    The sample-dependent schedule of Mukhoti et al. (2020), "Calibrating deep
    neural networks using focal loss". The switch is made on the detached
    probability: gamma is a per-sample constant, not a function to
    differentiate.
    """
    _check_logits_and_target(logits, target, reduction)
    log_p = _target_log_prob(logits, target)
    p = log_p.detach().exp()
    gamma = sd53_gamma(p)
    loss = _modulated_nll(log_p, _one_minus_exp(log_p), gamma)
    return _reduce(loss, reduction, sample_weight)


def inverse_focal_loss(
    logits: Tensor,
    target: Tensor,
    gamma: float | Tensor = 1.0,
    reduction: str = "mean",
    sample_weight: Tensor | None = None,
) -> Tensor:
    """Inverse focal loss ``-(1 + p)**gamma * log(p)``.

    Up-weights confident samples, so it raises confidence where focal loss
    lowers it; AdaFocal switches to it for under-confident bins.
    """
    _check_logits_and_target(logits, target, reduction)
    log_p = _target_log_prob(logits, target)
    loss = _modulated_nll(log_p, 1.0 + log_p.exp(), gamma)
    return _reduce(loss, reduction, sample_weight)


def signed_focal_loss(
    logits: Tensor,
    target: Tensor,
    gamma: Tensor,
    reduction: str = "mean",
    sample_weight: Tensor | None = None,
) -> Tensor:
    """Focal loss for ``gamma >= 0``, inverse focal loss with ``|gamma|`` below 0.

    The per-sample loss of AdaFocal (Ghosh et al. 2022): ``gamma`` is a tensor
    of shape (n_samples,) holding each sample's signed gamma.
    """
    _check_logits_and_target(logits, target, reduction)
    log_p = _target_log_prob(logits, target)
    gamma = torch.as_tensor(gamma, dtype=log_p.dtype, device=log_p.device)
    return _reduce(_signed_focal_nll(log_p, gamma), reduction, sample_weight)


def _signed_focal_nll(log_p: Tensor, gamma: Tensor) -> Tensor:
    base = torch.where(gamma >= 0, _one_minus_exp(log_p), 1.0 + log_p.exp())
    return _modulated_nll(log_p, base, gamma.abs())


def dual_focal_loss(
    logits: Tensor,
    target: Tensor,
    gamma: float = 2.0,
    reduction: str = "mean",
    sample_weight: Tensor | None = None,
) -> Tensor:
    """Dual focal loss ``-(1 - p + p_j)**gamma * log(p)`` (Tao et al. 2023).

    ``p_j`` is the largest softmax probability strictly below the true-class
    probability ``p`` (0 when there is none), as in the authors' reference
    implementation: the modulating factor then also looks at the runner-up,
    which keeps it away from 0 for confidently *wrong*-margin samples.
    """
    _check_logits_and_target(logits, target, reduction)
    log_probs = F.log_softmax(logits, dim=1)
    log_p = log_probs.gather(1, target.long()[:, None]).squeeze(1)
    probs = log_probs.exp()
    p = probs.gather(1, target.long()[:, None])
    p_j = torch.where(probs < p, probs, torch.zeros_like(probs)).amax(dim=1)
    loss = _modulated_nll(log_p, _one_minus_exp(log_p) + p_j, gamma)
    return _reduce(loss, reduction, sample_weight)


class _Loss(nn.Module):
    """Stores ``reduction``; subclasses implement ``forward``."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"reduction must be one of {_REDUCTIONS}; got {reduction!r} instead."
            )
        self.reduction = reduction


class _GammaLoss(_Loss):
    """A loss with one non-negative ``gamma``; each subclass sets
    ``_function``, the functional form that computes it."""

    def __init__(self, gamma: float = 2.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if gamma < 0:
            raise ValueError(f"gamma must be >= 0; got {gamma!r} instead.")
        self.gamma = float(gamma)

    def forward(
        self, logits: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> Tensor:
        return self._function(logits, target, self.gamma, self.reduction, sample_weight)

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, reduction={self.reduction!r}"


class FocalLoss(_GammaLoss):
    """Module form of :func:`focal_loss`.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``; ``0`` is cross-entropy.
    reduction : {"mean", "sum", "none"}, default="mean"

    Examples
    --------
    >>> import torch
    >>> from sklearn_focal.losses import FocalLoss
    >>> FocalLoss(gamma=0.0)(torch.zeros(4, 3), torch.tensor([0, 1, 2, 0]))
    tensor(1.0986)
    """

    _function = staticmethod(focal_loss)


class FocalLossSD53(_Loss):
    """Module form of :func:`focal_loss_sd53` (FLSD-53)."""

    def forward(
        self, logits: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> Tensor:
        return focal_loss_sd53(logits, target, self.reduction, sample_weight)


class InverseFocalLoss(_GammaLoss):
    """Module form of :func:`inverse_focal_loss` (parameters as :class:`FocalLoss`)."""

    _function = staticmethod(inverse_focal_loss)


class DualFocalLoss(_GammaLoss):
    """Module form of :func:`dual_focal_loss` (parameters as :class:`FocalLoss`)."""

    _function = staticmethod(dual_focal_loss)


class AdaFocalLoss(_Loss):
    """Signed focal loss with one gamma per confidence bin (AdaFocal).

    A training sample's bin is found from its **true-class** probability
    against ``bin_edges`` (``n_bins + 1`` increasing values): below the first
    upper edge is bin 0, at or above the last lower edge is the last bin, else
    ``lower <= p < upper``. (The calibration metrics close their bins on the
    right instead, ``lower < p <= upper``; this lookup keeps the authors'
    reference code, and the two differ only for a p exactly on an edge.)
    Its loss is :func:`signed_focal_loss` with that bin's gamma. The edges
    and gammas are buffers, updated between epochs by
    :class:`sklearn_focal.adafocal.AdaFocalCallback` from the validation
    set's calibration; they move with the module (``.to(device)``) and are
    saved in its ``state_dict``.

    Parameters
    ----------
    n_bins : int, default=15
    gamma_init : float, default=1.0
        Initial gamma of every bin; edges start uniform on [0, 1].
    reduction : {"mean", "sum", "none"}, default="mean"
    """

    bin_edges: Tensor
    gammas: Tensor

    def __init__(
        self, n_bins: int = 15, gamma_init: float = 1.0, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.n_bins = int(n_bins)
        self.register_buffer("bin_edges", torch.linspace(0.0, 1.0, self.n_bins + 1))
        self.register_buffer("gammas", torch.full((self.n_bins,), float(gamma_init)))

    def bin_of(self, p: Tensor) -> Tensor:
        """Bin index of each probability in ``p`` (vectorised lookup)."""
        inner = self.bin_edges[1:-1].to(p.dtype).contiguous()
        # right=True counts the inner edges <= p: a p equal to an edge goes to
        # the bin above it, as in ``lower <= p < upper``.
        return torch.bucketize(p.contiguous(), inner, right=True)

    def gamma_of(self, p: Tensor) -> Tensor:
        """Signed gamma of each sample, from its true-class probability."""
        return self.gammas[self.bin_of(p)]

    def forward(
        self, logits: Tensor, target: Tensor, sample_weight: Tensor | None = None
    ) -> Tensor:
        _check_logits_and_target(logits, target, self.reduction)
        log_p = _target_log_prob(logits, target)
        gamma = self.gamma_of(log_p.detach().exp())
        return _reduce(_signed_focal_nll(log_p, gamma), self.reduction, sample_weight)

    def extra_repr(self) -> str:
        return f"n_bins={self.n_bins}, reduction={self.reduction!r}"
