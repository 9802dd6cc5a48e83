"""AdaFocalClassifier: focal loss whose gamma adapts per confidence bin.

AdaFocal (Ghosh, Schaaf & Gormley, NeurIPS 2022) keeps one signed gamma per
confidence bin. After every epoch it bins the validation set by its top-label
confidence into equal-mass bins and moves each bin's gamma against that bin's
calibration gap ``C_b - A_b`` (mean confidence minus accuracy):

* over-confident bins (``C_b > A_b``) get a larger focal gamma;
* a gamma that shrinks below ``switch_threshold`` flips sign, and the bin
  trains with the inverse focal loss ``-(1 + p)**|gamma| log p``, which
  raises confidence, until it is over-confident again.

A training sample takes the gamma of the bin its *true-class* probability
falls in. The loss module (:class:`~sklearn_focal.losses.AdaFocalLoss`)
holds the gammas and edges; the update is a skorch callback
(:class:`AdaFocalCallback`), so the training loop stays skorch's.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from skorch.callbacks import Callback

from ._compat import Interval, StrOptions
from ._network._base import _BaseFocalClassifier
from ._network._data import unpack_batch
from ._warnings import warn_caller
from .losses import AdaFocalLoss
from .metrics import calibration_bins

__all__ = ["AdaFocalCallback", "AdaFocalClassifier", "update_gammas"]


def _check_switch_threshold(switch_threshold, gamma_max) -> None:
    if switch_threshold > gamma_max:
        raise ValueError(
            f"switch_threshold={switch_threshold} exceeds gamma_max={gamma_max}: a "
            "gamma switching to the focal loss would be clipped below the "
            "threshold and switch back at every update."
        )


def update_gammas(
    gammas,
    gap,
    count,
    *,
    lam: float = 1.0,
    switch_threshold: float = 0.2,
    gamma_min: float = -2.0,
    gamma_max: float = 20.0,
) -> np.ndarray:
    """One AdaFocal update of the per-bin gammas.

    For each bin with validation samples::

        gamma > 0:  gamma <- gamma * exp(+lam * gap)    (focal)
        gamma <= 0: gamma <- gamma * exp(-lam * gap)    (inverse focal)

    then a gamma with ``|gamma| < switch_threshold`` flips to
    ``-switch_threshold`` (if positive) or ``+switch_threshold`` (otherwise),
    and the result is clipped to ``[gamma_min, gamma_max]``. Bins without
    validation samples keep their gamma.

    Parameters
    ----------
    gammas : array-like of shape (n_bins,)
        Signed gammas before the update.
    gap : array-like of shape (n_bins,)
        Validation calibration gap per bin, mean confidence minus accuracy.
    count : array-like of shape (n_bins,)
        Validation samples (or their weight) per bin.
    lam : float, default=1.0
        Step size lambda.
    switch_threshold : float, default=0.2
        ``S_th``: below this magnitude gamma switches between focal and
        inverse focal.
    gamma_min, gamma_max : float, default=-2.0, 20.0
        Clipping range.

    Returns
    -------
    gammas : ndarray of shape (n_bins,)

    Examples
    --------
    >>> from sklearn_focal.adafocal import update_gammas
    >>> update_gammas([1.0, 1.0, 0.25, -0.5], [0.1, -0.1, -0.5, 0.0], [5, 5, 5, 0])
    array([ 1.10517092,  0.90483742, -0.2       , -0.5       ])
    """
    _check_switch_threshold(switch_threshold, gamma_max)
    gammas = np.asarray(gammas, dtype=float)
    gap = np.asarray(gap, dtype=float)
    # exp() of at most 700 stays finite; a step that large is clipped anyway
    exponent = np.clip(np.where(gammas > 0, lam * gap, -lam * gap), -700, 700)
    updated = gammas * np.exp(exponent)
    small = np.abs(updated) < switch_threshold
    # the sign before the update decides the flip: an update may underflow to 0
    flipped = np.where(gammas > 0, -switch_threshold, switch_threshold)
    updated = np.clip(np.where(small, flipped, updated), gamma_min, gamma_max)
    return np.where(np.asarray(count) > 0, updated, gammas)


class AdaFocalCallback(Callback):
    """skorch callback that updates an
    :class:`~sklearn_focal.losses.AdaFocalLoss` criterion.

    By default it collects the logits of the validation pass skorch runs at
    the end of every epoch (so validation runs once per epoch) and updates
    the gammas and bin edges in ``on_epoch_end``. With ``update_every=k`` it
    instead runs a forward pass over the validation set after every ``k``
    training batches.

    Parameters
    ----------
    lam, switch_threshold, gamma_min, gamma_max : float
        See :func:`update_gammas`.
    update_every : "epoch" or int, default="epoch"
        When to update.

    Attributes
    ----------
    gamma_history_ : list of ndarray
        Gammas after each update.
    calibration_history_ : list of CalibrationBins
        Validation statistics behind each update.
    """

    def __init__(
        self,
        lam=1.0,
        switch_threshold=0.2,
        gamma_min=-2.0,
        gamma_max=20.0,
        update_every="epoch",
    ):
        self.lam = lam
        self.switch_threshold = switch_threshold
        self.gamma_min = gamma_min
        self.gamma_max = gamma_max
        self.update_every = update_every

    def initialize(self):
        self.gamma_history_ = []
        self.calibration_history_ = []
        self._valid = None
        self._collected = []
        self._n_train_batches = 0
        return self

    def on_train_begin(self, net, **kwargs):
        self.initialize()

    def on_epoch_begin(self, net, dataset_valid=None, **kwargs):
        self._valid = dataset_valid
        self._collected = []

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if not training:
            if self.update_every == "epoch":
                _, y, w = unpack_batch(batch)
                self._collected.append((y_pred.detach(), y, w))
            return
        self._n_train_batches += 1
        if (
            self.update_every != "epoch"
            and self._n_train_batches % self.update_every == 0
        ):
            self._update(net, *self._predict_validation(net))

    def on_epoch_end(self, net, **kwargs):
        if self.update_every == "epoch" and self._collected:
            self._update(net, *_concatenate(self._collected))
        self._collected = []

    def on_train_end(self, net, **kwargs):
        self._valid = None  # do not keep the validation tensors alive

    def _predict_validation(self, net):
        """Logits, targets and weights of the validation split, by batches."""
        parts = []
        for batch in net.get_iterator(self._valid, training=False):
            _, y, w = unpack_batch(batch)
            parts.append((net.evaluation_step(batch), y, w))
        return _concatenate(parts)

    def _update(self, net, logits, y, sample_weight):
        loss = net.criterion_
        probs = torch.softmax(logits.to(torch.float64), dim=1).cpu().numpy()
        bins = calibration_bins(
            y.cpu().numpy(),
            probs,
            n_bins=loss.n_bins,
            strategy="quantile",
            labels=np.arange(probs.shape[1]),
            sample_weight=None
            if sample_weight is None
            else sample_weight.cpu().numpy(),
        )
        gammas = update_gammas(
            loss.gammas.cpu().numpy(),
            bins.confidence - bins.accuracy,
            bins.count,
            lam=self.lam,
            switch_threshold=self.switch_threshold,
            gamma_min=self.gamma_min,
            gamma_max=self.gamma_max,
        )
        loss.gammas.copy_(torch.as_tensor(gammas, dtype=loss.gammas.dtype))
        loss.bin_edges.copy_(torch.as_tensor(bins.edges, dtype=loss.bin_edges.dtype))
        self.gamma_history_.append(gammas)
        self.calibration_history_.append(bins)


def _concatenate(parts):
    """``(logits, y, sample_weight or None)`` from per-batch triples."""
    logits, y, w = zip(*parts, strict=True)
    return torch.cat(logits), torch.cat(y), None if w[0] is None else torch.cat(w)


class AdaFocalClassifier(_BaseFocalClassifier):
    """Neural-network classifier trained with AdaFocal (calibration-aware focal loss).

    Like :class:`FocalClassifier`, but gamma is not one number: every
    confidence bin has its own signed gamma, updated after each epoch from the
    calibration of a held-out validation split (see the module docs and
    :func:`~sklearn_focal.adafocal.update_gammas`). Over-confident bins get
    stronger focal loss; under-confident bins switch to the inverse focal
    loss.

    Parameters
    ----------
    gamma_init : float, default=1.0
        Gamma of every bin before the first update.
    n_bins : int, default=15
        Number of equal-mass confidence bins. When the validation split holds
        fewer samples, AdaFocal uses one bin per validation sample, warns, and
        records the number in ``n_bins_``.
    lam : float, default=1.0
        Step size lambda of the multiplicative update.
    gamma_min : float, default=-2.0
        Lower clip of gamma (negative values are inverse focal).
    gamma_max : float, default=20.0
        Upper clip of gamma.
    switch_threshold : float, default=0.2
        Magnitude below which gamma switches between focal and inverse focal.
    update_every : "epoch" or int, default="epoch"
        Update after every epoch, or after every ``update_every`` training
        batches (one extra forward pass over the validation split each time).
    hidden_layer_sizes, dropout, module, max_iter, batch_size, \
learning_rate_init, weight_decay, optimizer, shuffle, early_stopping, \
early_stopping_monitor, validation_fraction, n_iter_no_change, tol, \
warm_start, callbacks, class_weight, prior_correction, device, n_threads, \
random_state, verbose, **kwargs
        As in :class:`FocalClassifier`. The validation split is always drawn
        (AdaFocal needs it); ``early_stopping`` only decides whether training
        stops on it. ``partial_fit`` splits each call's data and updates the
        gammas once, after that call's validation pass; with ``warm_start``
        the gammas and bin edges carry over too, while the number of bins
        stays the same (another ``n_bins`` starts them again from
        ``gamma_init``, and ``gamma_history_`` anew). The bins are set by
        ``n_bins`` alone: ``criterion__n_bins`` is rejected.

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_, net_, history_, n_iter_, \
loss_, loss_curve_, best_loss_, validation_scores_, best_validation_score_, \
best_epoch_, class_weight_
        As in :class:`FocalClassifier`.
    n_bins_ : int
        Number of bins used: ``n_bins``, or fewer on a small validation split.
    gamma_history_ : ndarray of shape (n_updates, n_bins)
        Gammas after each update.
    bin_edges_ : ndarray of shape (n_bins + 1,)
        Bin edges after the last update.
    validation_calibration_ : dict of ndarray
        Validation statistics behind each update: ``"confidence"``,
        ``"accuracy"`` and ``"count"`` of shape (n_updates, n_bins), and
        ``"edges"`` of shape (n_updates, n_bins + 1).

    See Also
    --------
    FocalClassifier : one fixed gamma, or the FLSD-53 schedule.

    References
    ----------
    .. [1] A. Ghosh, T. Schaaf, M. Gormley, "AdaFocal: Calibration-aware
       adaptive focal loss", NeurIPS 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_focal import AdaFocalClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = AdaFocalClassifier(n_bins=5, validation_fraction=0.2,
    ...                          learning_rate_init=1e-2, hidden_layer_sizes=(32,),
    ...                          max_iter=20, random_state=0).fit(X, y)
    >>> clf.gamma_history_.shape
    (20, 5)
    """

    _parameter_constraints: dict = {
        **_BaseFocalClassifier._parameter_constraints,
        "gamma_init": [Real],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "lam": [Interval(Real, 0, None, closed="left")],
        "gamma_min": [Real],
        "gamma_max": [Real],
        "switch_threshold": [Interval(Real, 0, None, closed="left")],
        "update_every": [
            StrOptions({"epoch"}),
            Interval(Integral, 1, None, closed="left"),
        ],
    }

    _validation_hint = "AdaFocal needs a validation split: pass more samples."
    _validation_user = "AdaFocal's gamma update"

    def __init__(
        self,
        gamma_init=1.0,
        n_bins=15,
        lam=1.0,
        gamma_min=-2.0,
        gamma_max=20.0,
        switch_threshold=0.2,
        update_every="epoch",
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
        self.gamma_init = gamma_init
        self.n_bins = n_bins
        self.lam = lam
        self.gamma_min = gamma_min
        self.gamma_max = gamma_max
        self.switch_threshold = switch_threshold
        self.update_every = update_every
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

    def _criterion_class(self):
        return AdaFocalLoss

    def _criterion_owned(self):
        return {"n_bins": "n_bins", "gamma_init": "gamma_init"}

    def _check_params(self):
        _check_switch_threshold(self.switch_threshold, self.gamma_max)
        if not self.gamma_min <= self.gamma_init <= self.gamma_max:
            raise ValueError(
                f"gamma_init={self.gamma_init} must lie in [gamma_min, gamma_max] = "
                f"[{self.gamma_min}, {self.gamma_max}]."
            )

    def _criterion_spec(self, n_classes, n_valid):
        # A new module per fit: refits start again from gamma_init. Its
        # n_bins is the one source of the number of bins (n_bins_).
        n_bins = min(self.n_bins, n_valid)
        if n_bins < self.n_bins:
            warn_caller(
                f"The validation split has {n_valid} samples, fewer than "
                f"n_bins={self.n_bins}: AdaFocal uses {n_valid} equal-mass bins "
                "(n_bins_). Increase validation_fraction or pass more samples for "
                "finer bins."
            )
        return AdaFocalLoss, {"n_bins": n_bins, "gamma_init": self.gamma_init}

    def _make_callbacks(self):
        callback = AdaFocalCallback(
            lam=self.lam,
            switch_threshold=self.switch_threshold,
            gamma_min=self.gamma_min,
            gamma_max=self.gamma_max,
            update_every=self.update_every,
        )
        return [("adafocal", callback)]

    def _needs_validation(self, incremental):
        return True

    def _check_continued_validation(self, n_valid):
        # partial_fit goes on with the fitted loss, its bins and gammas
        n_bins = self.net_.criterion_.n_bins
        if n_valid < n_bins:
            raise ValueError(
                f"The validation split of this call has {n_valid} samples, "
                f"fewer than the n_bins_={n_bins} bins the fitted AdaFocal loss "
                "has: pass more samples per call."
            )

    def _carry_over(self, old_net, new_net):
        super()._carry_over(old_net, new_net)
        # the gammas carry over while the bins stay the same; with another
        # number of bins (n_bins changed) the loss starts from gamma_init
        if old_net.criterion_.n_bins == new_net.criterion_.n_bins:
            new_net.criterion_.load_state_dict(old_net.criterion_.state_dict())

    def _after_fit(self, continued):
        n_bins = self.net_.criterion_.n_bins
        callback = dict(self.net_.callbacks_)["adafocal"]
        history = callback.calibration_history_
        gammas = np.array(callback.gamma_history_).reshape(-1, n_bins)
        calibration = {
            field: np.array([getattr(b, field) for b in history]).reshape(
                len(history), -1
            )
            for field in ("confidence", "accuracy", "count", "edges")
        }
        if continued and self.n_bins_ == n_bins:  # append to the earlier record
            gammas = np.concatenate([self.gamma_history_, gammas])
            calibration = {
                k: np.concatenate([self.validation_calibration_[k], v])
                for k, v in calibration.items()
            }
        self.n_bins_ = n_bins
        self.gamma_history_ = gammas
        self.validation_calibration_ = calibration
        self.bin_edges_ = self.net_.criterion_.bin_edges.cpu().numpy().astype(float)
