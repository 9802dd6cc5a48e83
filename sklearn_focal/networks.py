"""The default tabular network."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = ["MLP"]

#: A CPU dropout mask is drawn from 15-bit random integers.
_LEVELS = 1 << 15


class _Dropout(nn.Dropout):
    """``nn.Dropout`` whose masks on the CPU cost a third of torch's.

    torch draws a CPU dropout mask one random float per value, which takes
    longer than the layer's matrix product on one thread. Here each random
    64-bit integer gives four 15-bit draws, a third of the work
    (``benchmarks/fit_speed.py`` times whole fits). A value is dropped with
    probability ``p`` rounded to a multiple of 1/32768, and the kept values
    are scaled by the inverse of the exact keep probability, so the layer's
    expected output is its input, as with torch's. On other devices, and
    outside training, it is ``nn.Dropout``.
    """

    def forward(self, X: Tensor) -> Tensor:
        if not self.training or self.p == 0 or X.device.type != "cpu":
            return super().forward(X)
        threshold = round(self.p * _LEVELS)
        if threshold >= _LEVELS:
            return X.mul_(0) if self.inplace else X * 0
        n = X.numel()
        words = torch.empty((n + 3) // 4, dtype=torch.int64).random_()
        draws = words.view(torch.int16)[:n].view(X.shape) & (_LEVELS - 1)
        keep = (draws >= threshold).to(X.dtype)
        keep.mul_(_LEVELS / (_LEVELS - threshold))
        return X.mul_(keep) if self.inplace else X * keep


class MLP(nn.Module):
    """Multi-layer perceptron returning logits: ``(Linear -> ReLU -> Dropout)*``.

    The estimators build it from ``hidden_layer_sizes`` and ``dropout`` when
    ``module=None``. Every layer is linear or ReLU, so the logits are piecewise
    linear in each weight matrix: :mod:`sklearn_focal.curvature` relies on this
    for its exact Hessian trace.

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_classes : int
        Number of outputs (logits), ``>= 2``.
    hidden_layer_sizes : sequence of int, default=(256, 256)
        Width of each hidden layer; an empty sequence gives a linear model
        (multinomial logistic regression).
    dropout : float, default=0.1
        Dropout probability after each hidden layer; no dropout layer at 0.
        On the CPU it is rounded to a multiple of 1/32768: the mask is
        drawn from 15-bit random integers, at a third of the cost of
        torch's.

    Examples
    --------
    >>> import torch
    >>> from sklearn_focal.networks import MLP
    >>> net = MLP(n_features=4, n_classes=3, hidden_layer_sizes=(8,))
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        hidden_layer_sizes: Sequence[int] = (256, 256),
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), nn.ReLU()]
            if dropout > 0:
                layers.append(_Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*layers)

    def train(self, mode: bool = True) -> MLP:
        """Set training mode; a no-op when the network is in that mode already.

        skorch sets the mode before every batch, and ``nn.Module.train``
        walks every layer each time (3 % of an epoch on small batches).
        The layers follow this module's mode, so when it is unchanged there
        is nothing to do. Set modes through this module, not its layers.
        """
        if mode != self.training:
            super().train(mode)
        return self

    def forward(self, X: Tensor) -> Tensor:
        return self.layers(X)
