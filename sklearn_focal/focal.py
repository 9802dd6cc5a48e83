"""FocalClassifier: a neural network trained with a focal-type loss."""

from __future__ import annotations

import copy
from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ._base import _BaseFocalClassifier
from .losses import DualFocalLoss, FocalLoss, FocalLossSD53, InverseFocalLoss

__all__ = ["FocalClassifier"]

_LOSSES = {
    "focal": lambda gamma: FocalLoss(gamma),
    "focal_sd53": lambda gamma: FocalLossSD53(),
    "inverse_focal": lambda gamma: InverseFocalLoss(gamma),
    "dual_focal": lambda gamma: DualFocalLoss(gamma),
}


class FocalClassifier(_BaseFocalClassifier):
    """Neural-network classifier trained with focal loss.

    A multi-layer perceptron (or any torch module) trained with skorch on
    the focal loss ``-(1 - p)**gamma * log(p)``, which down-weights samples the
    network already classifies confidently and so keeps it from becoming
    over-confident (Mukhoti et al., 2020). ``gamma=0`` is plain cross-entropy.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``. Used by ``loss="focal"``,
        ``"inverse_focal"`` and ``"dual_focal"``; ignored by ``"focal_sd53"``.
    loss : {"focal", "focal_sd53", "inverse_focal", "dual_focal"} or \
            torch.nn.Module, default="focal"
        Training loss, see :mod:`sklearn_focal.losses`:

        - ``"focal"``: focal loss with ``gamma``;
        - ``"focal_sd53"``: FLSD-53, gamma = 5 where p < 0.2, else 3;
        - ``"inverse_focal"``: ``-(1 + p)**gamma * log(p)``;
        - ``"dual_focal"``: dual focal loss (Tao et al., 2023);
        - a loss module class (instantiated without arguments) or instance
          (copied), called as ``loss(logits, target)``; it must also accept
          ``sample_weight=`` if ``fit`` receives sample weights.
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Widths of the hidden layers of the default network.
    dropout : float, default=0.1
        Dropout probability after each hidden layer of the default network.
    module : torch.nn.Module class or instance, default=None
        Network replacing the default :class:`~sklearn_focal.networks.MLP`;
        it must map a float32 batch ``(n, n_features)`` to logits
        ``(n, n_classes)``. A class is instantiated as
        ``module(n_features=..., n_classes=...)``; an instance is copied and
        trained from its current weights. ``hidden_layer_sizes`` and
        ``dropout`` are then ignored.
    max_epochs : int, default=100
        Maximum number of passes over the training data.
    batch_size : int, default=256
        Mini-batch size.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=1e-4
        Weight decay of the optimizer.
    optimizer : {"adamw", "adam", "sgd"} or torch optimizer class, \
            default="adamw"
        ``"sgd"`` uses momentum 0.9.
    early_stopping : bool, default=True
        Hold out a stratified ``validation_fraction`` of the training data,
        stop when its negative log-likelihood has not improved (by a relative
        1e-4) for ``n_iter_no_change`` epochs, and restore the weights of the
        best epoch. The validation loss is cross-entropy whatever the training
        loss, so it is comparable across epochs and across ``gamma``.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU. The data are
        moved to the device once per fit.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. With an int, fits on the CPU are bit-for-bit reproducible; the
        global torch and numpy random states are left untouched.
    verbose : int, default=0
        Print one line of losses per epoch when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.
    net_ : skorch.NeuralNetClassifier
        The trained skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch records: ``train_loss``, and with a validation split
        ``valid_loss`` (training loss) and ``valid_nll`` (cross-entropy).
    n_epochs_ : int
        Number of epochs run.
    best_epoch_ : int
        Epoch (1-based) whose weights were kept: the best validation epoch with
        early stopping, else the last one.

    See Also
    --------
    AdaFocalClassifier : gamma adapted per confidence bin during training.
    sklearn.calibration.CalibratedClassifierCV : post-hoc calibration.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal loss for dense object detection", ICCV 2017.
    .. [2] J. Mukhoti et al., "Calibrating deep neural networks using focal
       loss", NeurIPS 2020.
    .. [3] L. Tao, M. Dong, C. Xu, "Dual focal loss for calibration",
       ICML 2023.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_focal import FocalClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = FocalClassifier(gamma=2.0, hidden_layer_sizes=(32,), lr=1e-2,
    ...                       max_epochs=50, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseFocalClassifier._parameter_constraints,
        "gamma": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions(set(_LOSSES)), callable],
    }

    def __init__(
        self,
        gamma=2.0,
        loss="focal",
        hidden_layer_sizes=(256, 256),
        dropout=0.1,
        module=None,
        max_epochs=100,
        batch_size=256,
        lr=1e-3,
        weight_decay=1e-4,
        optimizer="adamw",
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.gamma = gamma
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.module = module
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _make_criterion(self, n_classes: int) -> nn.Module:
        if isinstance(self.loss, str):
            return _LOSSES[self.loss](self.gamma)
        if isinstance(self.loss, nn.Module):
            return copy.deepcopy(self.loss)
        if isinstance(self.loss, type) and issubclass(self.loss, nn.Module):
            return self.loss()
        raise TypeError(
            "The 'loss' parameter must be one of "
            f"{sorted(_LOSSES)}, a torch.nn.Module subclass or a torch.nn.Module "
            f"instance; got {self.loss!r} instead."
        )
