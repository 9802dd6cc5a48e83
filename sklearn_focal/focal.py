"""FocalClassifier: a neural network trained with a focal-type loss."""

from __future__ import annotations

import copy
from numbers import Real

from torch import nn

from ._compat import Interval, StrOptions
from ._network._base import _BaseFocalClassifier
from .losses import DualFocalLoss, FocalLoss, FocalLossSD53, InverseFocalLoss

__all__ = ["FocalClassifier"]

#: Named losses: the loss class and whether it takes ``gamma``.
_LOSSES = {
    "focal": (FocalLoss, True),
    "focal_sd53": (FocalLossSD53, False),
    "inverse_focal": (InverseFocalLoss, True),
    "dual_focal": (DualFocalLoss, True),
}

#: Largest accepted gamma. Focal weights (1 - p)**gamma vanish for gamma in the
#: hundreds (gamma=1e6 trains nothing: the loss is exactly 0), and inverse focal
#: weights (1 + p)**gamma overflow float32 beyond gamma = 128.
GAMMA_MAX = 100.0


class FocalClassifier(_BaseFocalClassifier):
    """Neural-network classifier trained with focal loss.

    A multi-layer perceptron (or any torch module) trained with skorch on
    the focal loss ``-(1 - p)**gamma * log(p)``, which down-weights samples the
    network already classifies confidently and so keeps it from becoming
    over-confident (Mukhoti et al., 2020). ``gamma=0`` is plain cross-entropy.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, in ``[0, 100]``. Used by ``loss="focal"``,
        ``"inverse_focal"`` and ``"dual_focal"``; ignored by ``"focal_sd53"``.
        The papers use 0 to 5; beyond 100 focal weights vanish (the loss of
        ``gamma=1e6`` is exactly 0) and inverse-focal weights overflow.
    loss : {"focal", "focal_sd53", "inverse_focal", "dual_focal"} or \
            torch.nn.Module, default="focal"
        Training loss, see :mod:`sklearn_focal.losses`:

        - ``"focal"``: focal loss with ``gamma``;
        - ``"focal_sd53"``: FLSD-53, gamma = 5 where p < 0.2, else 3;
        - ``"inverse_focal"``: ``-(1 + p)**gamma * log(p)``;
        - ``"dual_focal"``: dual focal loss (Tao et al., 2023);
        - a loss module class (instantiated with the ``criterion__*``
          parameters) or instance (copied), called as
          ``loss(logits, target)``; it must also accept ``sample_weight=`` if
          ``fit`` receives sample weights.
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Widths of the hidden layers of the default network.
    dropout : float, default=0.1
        Dropout probability after each hidden layer of the default network.
    module : torch.nn.Module class or instance, default=None
        Network replacing the default :class:`~sklearn_focal.networks.MLP`;
        it must map a float32 batch ``(n, n_features)`` to logits
        ``(n, n_classes)``. A class is instantiated by skorch with
        ``n_features`` and ``n_classes`` (when its constructor takes them)
        and the ``module__*`` parameters; an instance is copied and trained
        from its current weights. ``hidden_layer_sizes`` and ``dropout`` then
        do not apply.
    max_iter : int, default=100
        Maximum number of epochs (passes over the training data).
    batch_size : int, default=256
        Mini-batch size.
    learning_rate_init : float, default=1e-3
        Learning rate of the optimizer.
    weight_decay : float, default=1e-4
        Decoupled weight decay of the optimizer (AdamW's; for ``"adam"`` and
        ``"sgd"`` torch's L2 penalty). Not MLPClassifier's ``alpha``.
    optimizer : {"adamw", "adam", "sgd"} or torch optimizer class, \
            default="adamw"
        ``"sgd"`` uses momentum 0.9.
    shuffle : bool, default=True
        Shuffle the training data every epoch.
    early_stopping : bool, default=True
        Hold out a stratified ``validation_fraction`` of the training data,
        stop when its log loss has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs, and restore the weights of
        the best epoch. The validation loss is cross-entropy whatever the
        training loss, so it is comparable across epochs and across
        ``gamma``. With ``early_stopping=False`` training runs ``max_iter``
        epochs. ``fit(X, y, X_val=..., y_val=...)`` validates on given rows
        instead.
    early_stopping_monitor : str, default="log_loss"
        What early stopping watches on the validation split (lower is
        better): ``"log_loss"`` (the cross-entropy, history column
        ``valid_nll``); ``"temperature_scaled_log_loss"`` (the log loss
        after the best temperature for that epoch, column ``valid_ts_nll``:
        the *refinement* error of Berta et al. 2025, for a network that is
        temperature-scaled afterwards); or the name of a history column
        that one of ``callbacks`` records every epoch. ``validation_scores_``
        and ``best_validation_score_`` report the monitored quantity.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before stopping.
    tol : float, default=1e-4
        Improvement of the validation log loss that counts, in nats.
    warm_start : bool, default=False
        When True, ``fit`` continues from the fitted weights (with a new
        optimizer), as MLPClassifier does; the classes must be the same.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (instances, or ``(name, callback)`` tuples),
        copied for every fit: learning-rate schedules, checkpoints, scoring,
        gradient clipping, ... They run in skorch's own training loop.
    class_weight : dict, "balanced" or None, default=None
        Weight of each class, scikit-learn's way: ``"balanced"`` weighs class
        ``c`` by ``n_samples / (n_classes * n_c)``, a dict maps labels to
        weights (others get 1). It multiplies ``sample_weight`` and is the
        focal loss's ``alpha_t`` (Lin et al. 2017), for every ``loss``.
    prior_correction : bool, default=True
        With ``class_weight``: :meth:`predict_proba` undoes the shift of the
        class priors that the weights cause (probabilities divided by
        ``class_weight_``, renormalised), so they stay calibrated, while
        :meth:`predict` keeps the weighted decision rule. No effect without
        ``class_weight``.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available, else on the CPU. The data are
        moved to the device once per fit.
    n_threads : int, default=None
        torch's intra-op threads during ``fit``, ``partial_fit`` and the
        prediction methods (set for the call, restored afterwards; CPU
        only). None: one thread when a step is too small to gain from more
        (fewer than 200 million multiply-adds, about 3 x batch rows x
        parameters: the default network on batches of 256 trains on one
        thread, a (512, 512) one on all), else as many as torch may use in
        this process, which honours ``OMP_NUM_THREADS`` and joblib's
        per-worker limit.
        The choice never depends on the machine's load, so fits stay
        reproducible; on a machine where other processes keep the cores
        busy, pass ``n_threads=1`` (the user guide's section on threads
        has the measurements).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. With an int, fits on the CPU are bit-for-bit reproducible; the
        global torch and numpy random states are left untouched.
    verbose : int, default=0
        0: silent; 1: a progress bar over the epochs with the latest training
        and validation loss; 2: skorch's table, one row per epoch.
    **kwargs
        skorch's routed parameters: ``module__<name>`` (passed to the module's
        constructor), ``optimizer__<name>`` and ``criterion__<name>``. They
        are parameters like the others (``set_params``, grid searches).

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
        The trained skorch net: ``net_.module_`` is the torch module, and
        ``net_.predict_proba(X)`` / ``net_.forward(X)`` work on arrays.
    history_ : skorch.History
        skorch's per-epoch records: ``train_loss``, ``dur`` and, with a
        validation split, ``valid_loss`` (training loss) and ``valid_nll``
        (cross-entropy), plus whatever the callbacks record.
    class_weight_ : ndarray of shape (n_classes,)
        Weight of each class in ``classes_`` (ones without ``class_weight``).
    n_iter_ : int
        Number of epochs run (over all calls, with ``warm_start`` or
        ``partial_fit``).
    loss_ : float
        Training loss of the last epoch.
    loss_curve_ : list of float
        Training loss of every epoch.
    best_loss_ : float or None
        Smallest training loss; None with early stopping.
    validation_scores_ : list of float or None
        The monitored validation loss (``early_stopping_monitor``; by default
        the log loss, lower is better, where MLPClassifier reports accuracy)
        of every epoch with a validation split.
    best_validation_score_ : float or None
        The monitored validation loss of the epoch whose weights were kept
        by early stopping; None without early stopping.
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
    >>> clf = FocalClassifier(gamma=2.0, hidden_layer_sizes=(32,),
    ...                       learning_rate_init=1e-2, max_iter=50,
    ...                       random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_BaseFocalClassifier._parameter_constraints,
        "gamma": [Interval(Real, 0, GAMMA_MAX, closed="both")],
        "loss": [StrOptions(set(_LOSSES)), callable],
    }

    def __init__(
        self,
        gamma=2.0,
        loss="focal",
        hidden_layer_sizes=(256, 256),
        dropout=0.1,
        module=None,
        max_iter=100,
        batch_size=256,
        learning_rate_init=1e-3,
        weight_decay=1e-4,
        optimizer="adamw",
        shuffle=True,
        early_stopping=True,
        early_stopping_monitor="log_loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        callbacks=None,
        class_weight=None,
        prior_correction=True,
        device="auto",
        n_threads=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.gamma = gamma
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.module = module
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.early_stopping_monitor = early_stopping_monitor
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.class_weight = class_weight
        self.prior_correction = prior_correction
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self._set_routed_params(kwargs)

    def _takes_gamma(self) -> bool:
        return isinstance(self.loss, str) and _LOSSES[self.loss][1]

    def _criterion_owned(self):
        return {"gamma": "gamma"} if self._takes_gamma() else {}

    def _criterion_class(self):
        if isinstance(self.loss, str):
            return _LOSSES[self.loss][0]
        return self.loss if isinstance(self.loss, type) else None

    def _check_params(self):
        if not (
            isinstance(self.loss, str | nn.Module)
            or (isinstance(self.loss, type) and issubclass(self.loss, nn.Module))
        ):
            raise TypeError(
                "The 'loss' parameter must be one of "
                f"{sorted(_LOSSES)}, a torch.nn.Module subclass or a "
                f"torch.nn.Module instance; got {self.loss!r} instead."
            )

    def _criterion_spec(self, n_classes, n_valid):
        if isinstance(self.loss, str):
            loss, takes_gamma = _LOSSES[self.loss]
            return loss, ({"gamma": self.gamma} if takes_gamma else {})
        if isinstance(self.loss, nn.Module):
            return copy.deepcopy(self.loss), {}
        return self.loss, {}

    def _divergence_hint(self):
        hint = super()._divergence_hint()
        if self._takes_gamma() and self.gamma > 5:
            hint += (
                f" gamma={self.gamma} is beyond the usual range (0 to 5) and may be "
                "the cause"
                + (
                    ": the inverse focal loss weighs samples by (1 + p)**gamma, "
                    f"up to 2**{self.gamma:g}."
                    if self.loss == "inverse_focal"
                    else "."
                )
            )
        return hint
