"""The skorch net the estimators train, and the callbacks they add to it.

:class:`FocalNet` is skorch's ``NeuralNetClassifier`` with its extension
points filled in for whole-tensor data (:mod:`._data`); training is skorch's
own ``fit_loop`` / ``run_single_epoch`` / ``train_step``, so every skorch
callback works. The callbacks here record the validation cross-entropy
(``valid_nll``, what early stopping watches) and accuracy (``valid_acc``),
stop on divergence and draw a progress bar over epochs.
:func:`propagate_interrupts` lets Ctrl-C through skorch, which otherwise
swallows it.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback, EarlyStopping
from skorch.dataset import unpack_data
from skorch.utils import is_dataset
from tqdm.auto import tqdm

from ._data import (
    PREDICT_BATCH_SIZE,
    TensorDataset,
    as_tensor,
    module_dtype,
    unpack_batch,
)

__all__ = [
    "DIVERGENCE_FACTOR",
    "EpochProgressBar",
    "FocalNet",
    "MonitoredEarlyStopping",
    "StopOnDivergence",
    "TemperatureScaledNLL",
    "ValidationAccuracy",
    "ValidationNLL",
    "propagate_interrupts",
    "softmax64",
]

#: A training loss above this many times the untrained network's (and above
#: this many times log(n_classes)) counts as divergence.
DIVERGENCE_FACTOR = 100.0


class _ValidationMean(Callback):
    """A mean over the validation split, recorded every epoch: accumulated
    on the device from the logits of skorch's validation pass, so no extra
    forward pass and one host sync per epoch. A subclass gives a batch's
    sum and weight (``_batch``) and records the epoch's mean (``_record``).
    """

    def on_epoch_begin(self, net, **kwargs):
        self._sum, self._weight = None, 0.0

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if training:
            return
        _, y, w = unpack_batch(batch)
        total, weight = self._batch(y_pred.detach(), y, w)
        self._sum = total if self._sum is None else self._sum + total
        self._weight = self._weight + weight

    def on_epoch_end(self, net, **kwargs):
        if self._sum is not None:
            self._record(net.history, float(self._sum) / float(self._weight))
        self._sum, self._weight = None, 0.0


class ValidationNLL(_ValidationMean):
    """Record ``valid_nll``, the validation cross-entropy, every epoch.

    Whatever the training loss, so it is comparable across epochs, losses and
    ``gamma``: early stopping monitors it. It is the (weighted) mean over the
    validation split.
    """

    def _batch(self, logits, y, w):
        nll = F.cross_entropy(logits, y, reduction="none")
        total = nll.sum() if w is None else nll @ w.to(nll.dtype)
        # a count stays on the host; weights are summed where they are
        return total, (len(y) if w is None else w.sum())

    def _record(self, history, mean):
        history.record("valid_nll", mean)


class ValidationAccuracy(_ValidationMean):
    """Record ``valid_acc`` and ``valid_acc_best``, skorch's default columns.

    skorch's default ``EpochScoring("accuracy")`` concatenates the cached
    validation predictions on the host and calls scikit-learn's scorer:
    about 4 ms an epoch, 8 % of a comparison's network time on the digits.
    This counts the rows whose largest logit is the target, and records the
    same columns (unweighted, like skorch's).
    """

    def on_train_begin(self, net, **kwargs):
        # every fit starts a new net and history (warm_start included)
        self.best_score_ = -np.inf

    def _batch(self, logits, y, w):
        return (logits.argmax(dim=1) == y).sum(), len(y)

    def _record(self, history, mean):
        is_best = mean > self.best_score_
        if is_best:
            self.best_score_ = mean
        history.record("valid_acc", mean)
        history.record("valid_acc_best", bool(is_best))


class TemperatureScaledNLL(Callback):
    """Record ``valid_ts_nll``: the validation log loss after temperature
    scaling.

    Every epoch, the temperature that minimises this epoch's validation log
    loss is fitted on the validation logits (Newton's method on the inverse
    temperature, in which the loss is convex), and the loss at that
    temperature is recorded. It is the part of the log loss that no
    temperature can remove, Berta et al.'s (2025) *refinement* error:
    ``FocalClassifier(early_stopping_monitor="temperature_scaled_log_loss")``
    stops on it (refine, then calibrate). Weighted by ``sample_weight``
    where the batches carry it.
    """

    def on_epoch_begin(self, net, **kwargs):
        self._parts = []

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if not training:
            _, y, w = unpack_batch(batch)
            self._parts.append((y_pred.detach().double(), y, w))

    def on_epoch_end(self, net, **kwargs):
        if self._parts:
            logits, target, weight = (
                None if parts[0] is None else torch.cat(parts)
                for parts in zip(*self._parts, strict=True)
            )
            loss = temperature_scaled_nll(logits, target, weight)
            net.history.record("valid_ts_nll", loss)
        self._parts = []


def temperature_scaled_nll(logits, target, weight=None) -> float:
    """The mean log loss of ``logits`` at their best temperature."""
    weight = (
        torch.ones(len(target), dtype=logits.dtype, device=logits.device)
        if weight is None
        else weight.to(logits.dtype)
    )
    weight = weight / weight.sum()
    true = logits.gather(1, target[:, None])[:, 0]
    beta = torch.tensor(1.0, dtype=logits.dtype, device=logits.device)
    for _ in range(50):
        proba = torch.softmax(beta * logits, dim=1)
        mean = (proba * logits).sum(dim=1)
        gradient = weight @ (mean - true)
        curvature = weight @ ((proba * logits**2).sum(dim=1) - mean**2)
        if curvature <= 1e-12:
            break
        step = gradient / curvature
        beta = torch.clamp(beta - step, 1e-3, 1e3)
        if abs(float(step)) < 1e-10:
            break
    scaled = beta * logits
    return float(weight @ (torch.logsumexp(scaled, dim=1) - beta * true))


class MonitoredEarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping``, with a clear error when no callback
    records the monitored column."""

    def on_epoch_end(self, net, **kwargs):
        if self.monitor not in net.history[-1]:
            raise ValueError(
                f"early_stopping_monitor={self.monitor!r}: no callback recorded "
                f"the history column {self.monitor!r} in epoch {len(net.history)}. "
                "Use 'log_loss', 'temperature_scaled_log_loss', or add a "
                "callback that records it every epoch (callbacks=...)."
            )
        super().on_epoch_end(net, **kwargs)


class StopOnDivergence(Callback):
    """Raise when an epoch's training loss shows that training diverged.

    The rule: the epoch's mean training loss is not finite, or it exceeds
    ``DIVERGENCE_FACTOR`` times the larger of the untrained network's loss
    (the first batch of the first epoch, computed before any update) and
    ``log(n_classes)``. A network whose loss grew a hundred-fold has left the
    region where its probabilities mean anything, even while they are finite.

    ``hint`` ends the message: what to change.
    """

    def __init__(self, n_classes: int, hint: str):
        self.n_classes = n_classes
        self.hint = hint

    def on_epoch_end(self, net, **kwargs):
        history = net.history
        loss = history[-1, "train_loss"]
        initial = history[0, "batches", 0, "train_loss"]
        bound = DIVERGENCE_FACTOR * max(initial, math.log(self.n_classes))
        if math.isfinite(loss) and loss <= bound:
            return
        what = (
            f"the training loss is {loss}"
            if not math.isfinite(loss)
            else f"the training loss is {loss:.3g}, more than {DIVERGENCE_FACTOR:g} "
            f"times both the untrained network's ({initial:.3g}) and "
            f"log(n_classes) ({math.log(self.n_classes):.3g})"
        )
        raise ValueError(
            f"Training diverged: {what} at epoch {len(history)}. {self.hint}"
        )


class EpochProgressBar(Callback):
    """A tqdm bar over the epochs with the latest training and validation loss."""

    def __init__(self, total: int):
        self.total = total

    def on_train_begin(self, net, **kwargs):
        self._bar = tqdm(total=self.total, unit="epoch", dynamic_ncols=True)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        self._bar.set_postfix(
            {k: f"{row[k]:.4g}" for k in ("train_loss", "valid_nll") if k in row},
            refresh=False,
        )
        self._bar.update(1)

    def on_train_end(self, net, **kwargs):
        self._bar.close()
        self._bar = None

    def __getstate__(self):
        return {**self.__dict__, "_bar": None}


class FocalNet(NeuralNetClassifier):
    """skorch's NeuralNetClassifier fed with whole tensors.

    Overrides only extension points (see the module docs): ``get_dataset``
    (arrays -> :class:`TensorDataset`), ``infer`` and ``get_loss`` (sample
    weights inside ``X``), ``evaluation_step`` (fixed-size prediction passes)
    and the default callbacks (skorch's, ``valid_acc`` counted on the device,
    plus ``valid_nll``). It works on numpy
    input like any skorch net: ``net_.predict_proba(X)``, ``net_.forward(X)``.
    """

    @property
    def _default_callbacks(self):
        callbacks = [
            (name, ValidationAccuracy() if name == "valid_acc" else callback)
            for name, callback in super()._default_callbacks
        ]
        return [*callbacks, ("valid_nll", ValidationNLL())]

    def get_dataset(self, X, y=None):
        if isinstance(X, TensorDataset):
            return X
        if is_dataset(X):
            return super().get_dataset(X, y)
        if not isinstance(X, torch.Tensor):
            X = as_tensor(np.asarray(X))
        X = X.to(module_dtype(self.module_))
        if y is not None:
            y = torch.as_tensor(np.asarray(y), dtype=torch.long)
        return TensorDataset(X, y)

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping) and "sample_weight" in x:
            x = x["X"]
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The module returns logits and the criterion takes them with the
        # targets as they are (already tensors on the device): skorch's
        # NLLLoss-on-probabilities special case does not apply.
        if isinstance(X, Mapping) and X.get("sample_weight") is not None:
            return self.criterion_(y_pred, y_true, sample_weight=X["sample_weight"])
        return self.criterion_(y_pred, y_true)

    def evaluation_step(self, batch, training=False):
        Xi, yi = unpack_data(batch)
        rows = len(Xi) if isinstance(Xi, torch.Tensor) else None
        if training or rows is None or rows >= PREDICT_BATCH_SIZE:
            return super().evaluation_step(batch, training=training)
        pad = Xi.new_zeros(PREDICT_BATCH_SIZE - rows, *Xi.shape[1:])
        return super().evaluation_step((torch.cat([Xi, pad]), yi))[:rows]


@contextmanager
def propagate_interrupts():
    """Let Ctrl-C reach the caller of ``fit``.

    skorch's ``partial_fit`` catches ``KeyboardInterrupt``, because that is how
    ``EarlyStopping`` (or any callback) ends training; it would also swallow a
    real Ctrl-C and return a half-trained model. While training, a SIGINT
    handler notes a real interrupt and defers to the previous handler (which
    raises it as usual); once skorch returns, the noted interrupt is raised
    again. Signals reach only the main thread: elsewhere nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    interrupted = False

    def handler(signum, frame):
        nonlocal interrupted
        if callable(previous):
            try:
                previous(signum, frame)
            except KeyboardInterrupt:
                interrupted = True
                raise
        elif previous != signal.SIG_IGN:
            interrupted = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(
            signal.SIGINT, signal.default_int_handler if previous is None else previous
        )
    if interrupted:
        raise KeyboardInterrupt


def softmax64(logits: torch.Tensor) -> torch.Tensor:
    """Softmax in float64: the probabilities of ``predict_proba``."""
    return torch.softmax(logits.to(torch.float64), dim=-1)
