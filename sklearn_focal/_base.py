"""Estimator machinery shared by FocalClassifier and AdaFocalClassifier.

Data flow in ``fit``::

    validate (sklearn) -> encode labels -> stratified validation split (numpy)
    -> tensors on the training device, once -> skorch net (_FocalNet) -> fit

The net is a :class:`skorch.NeuralNetClassifier` whose data path is cut down
to what tabular data needs: whole tensors already on the device, a
tensor-slicing batch iterator instead of a per-sample ``Dataset`` and
``DataLoader``, and one history row per epoch instead of one per batch.
Everything else (callbacks, early stopping, optimizer set-up, pickling across
devices) is skorch's.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback, EarlyStopping, EpochTimer, PrintLog
from torch import nn

from .networks import MLP

_OPTIMIZERS = {
    "adamw": (torch.optim.AdamW, {}),
    "adam": (torch.optim.Adam, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9}),
}

#: Rows per forward pass at prediction time. Every pass has exactly this many
#: rows (the last one is padded): float32 matrix kernels sum in an order that
#: depends on the number of rows, and a fixed shape makes each row's
#: prediction independent of what it is predicted with.
_PREDICT_BATCH_SIZE = 1024


# --------------------------------------------------------------------------
# Data: whole tensors on the device, sliced into batches
# --------------------------------------------------------------------------
class _TensorDataset(torch.utils.data.Dataset):
    """Features, encoded targets and optional weights as whole tensors."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor, sample_weight=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        target = (
            self.y[i]
            if self.sample_weight is None
            else (self.y[i], self.sample_weight[i])
        )
        return self.X[i], target


class _TrainValid(NamedTuple):
    """Pre-split data handed to :meth:`_FocalNet.fit` in place of ``X``."""

    train: _TensorDataset
    valid: _TensorDataset | None


class _TensorBatches:
    """Mini-batches sliced from a :class:`_TensorDataset`.

    skorch builds one per ``fit`` (``iterator_train``/``iterator_valid``) and
    iterates it once per epoch. Shuffling draws a permutation from a private,
    seeded generator, so the batch order is reproducible and leaves the global
    RNG alone. Batches are moved to ``device`` (a no-op for tensors already
    there).
    """

    def __init__(self, dataset, batch_size, shuffle=False, seed=0, device="cpu"):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self._generator = torch.Generator().manual_seed(int(seed))

    def __len__(self) -> int:
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self) -> Iterator[tuple]:
        data = self.dataset
        n = len(data)
        tensors = [data.X, data.y]
        if data.sample_weight is not None:
            tensors.append(data.sample_weight)
        order = None
        if self.shuffle:
            order = torch.randperm(n, generator=self._generator).to(data.X.device)
        move = data.X.device != torch.device(self.device)
        for start in range(0, n, self.batch_size):
            if order is None:
                batch = [t[start : start + self.batch_size] for t in tensors]
            else:
                idx = order[start : start + self.batch_size]
                batch = [t[idx] for t in tensors]
            if move:  # data kept in host memory: copy this batch
                batch = [t.to(self.device, non_blocking=True) for t in batch]
            yield batch[0], batch[1] if len(batch) == 2 else (batch[1], batch[2])


def _as_tensor(a: np.ndarray, dtype: torch.dtype | None = None) -> torch.Tensor:
    # torch warns on read-only arrays (memmaps); copy those.
    if not a.flags.writeable:
        a = a.copy()
    t = torch.from_numpy(np.ascontiguousarray(a))
    return t if dtype is None else t.to(dtype)


def _module_dtype(module: nn.Module) -> torch.dtype:
    """Floating dtype of the module's parameters: the data are cast to it."""
    for p in module.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.float32


def _data_device(n_bytes: int, device: torch.device) -> torch.device:
    """Where the training data live during ``fit``.

    On the training device when they take at most half of its free memory
    (one copy per fit, no per-batch transfer); otherwise in host memory,
    pinned, and each batch is copied asynchronously by the iterator.
    """
    if device.type != "cuda":
        return device
    free, _ = torch.cuda.mem_get_info(device)
    return device if n_bytes <= 0.5 * free else torch.device("cpu")


def _device_datasets(X, y, sample_weight, train_idx, valid_idx, *, dtype, device):
    """Train / validation tensors, moved to the training device once."""
    X_t = _as_tensor(X, dtype)
    y_t = torch.from_numpy(y.astype(np.int64))
    w_t = None if sample_weight is None else _as_tensor(sample_weight, dtype)
    n_bytes = sum(
        t.element_size() * t.nelement() for t in (X_t, y_t, w_t) if t is not None
    )
    home = _data_device(n_bytes, device)
    pin = home.type == "cpu" and device.type == "cuda"

    def place(t):
        t = t.to(home)
        return t.pin_memory() if pin else t

    def part(index):
        def take(t):
            return t if index is None else t[torch.from_numpy(index)]

        return _TensorDataset(
            place(take(X_t)),
            place(take(y_t)),
            None if w_t is None else place(take(w_t)),
        )

    if valid_idx is None:
        return _TrainValid(part(None), None)
    return _TrainValid(part(train_idx), part(valid_idx))


# --------------------------------------------------------------------------
# The skorch net
# --------------------------------------------------------------------------
class _FocalNet(NeuralNetClassifier):
    """NeuralNetClassifier fed with pre-split, device-resident tensors.

    * ``fit(_TrainValid(train, valid), None)``: the estimator splits the data.
    * The batch target is ``y`` or ``(y, sample_weight)``; weights go to the
      criterion as ``sample_weight=``.
    * One history row per epoch: ``train_loss`` and, with validation data,
      ``valid_loss`` (the training criterion) and ``valid_nll``
      (cross-entropy, comparable across losses and epochs). Batch losses are
      summed on the device, so there is one host sync per epoch, not per
      batch.
    """

    @property
    def _default_callbacks(self):
        return [("epoch_timer", EpochTimer()), ("print_log", PrintLog())]

    def check_data(self, X, y=None):
        pass  # validated and encoded by the estimator

    def get_split_datasets(self, X, y=None, **fit_params):
        if isinstance(X, _TrainValid):
            return X.train, X.valid
        return super().get_split_datasets(X, y, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if isinstance(y_true, (tuple, list)):
            y_true, sample_weight = y_true
            return self.criterion_(y_pred, y_true, sample_weight=sample_weight)
        return self.criterion_(y_pred, y_true)

    def _set_training(self, training=True):
        # Called before every batch; switching modes walks the module tree,
        # so only do it when the mode actually changes.
        if self.module_.training != training:
            super()._set_training(training)

    def _batch_listeners(self, event):
        """Callbacks that override a batch event; the others are skipped."""
        default = getattr(Callback, event)
        return [
            cb for _, cb in self.callbacks_ if getattr(type(cb), event) is not default
        ]

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        # Per batch: the step and the callbacks that listen to batch events;
        # losses stay on the device and are reduced once, at the end.
        on_begin = self._batch_listeners("on_batch_begin")
        on_end = self._batch_listeners("on_batch_end")
        losses, sizes, nlls = [], [], []
        for batch in iterator:
            for cb in on_begin:
                cb.on_batch_begin(self, batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            Xb, yb = batch
            yb, wb = yb if isinstance(yb, (tuple, list)) else (yb, None)
            losses.append(step["loss"].detach())
            sizes.append(len(Xb) if wb is None else wb.sum())
            if not training:
                nll = F.cross_entropy(step["y_pred"], yb, reduction="none")
                nlls.append(nll.sum() if wb is None else (nll * wb).sum())
            for cb in on_end:
                cb.on_batch_end(self, batch=batch, training=training, **step)
        if not losses:
            return
        like = losses[0]
        weights = (
            torch.stack(sizes).to(like.dtype)  # sample weights: tensors on the device
            if isinstance(sizes[0], torch.Tensor)
            else torch.tensor(sizes, dtype=like.dtype, device=like.device)
        )
        total = max(float(weights.sum()), 1e-300)
        self.history.record(
            prefix + "_loss", float(torch.stack(losses) @ weights) / total
        )
        if nlls:
            self.history.record(prefix + "_nll", float(torch.stack(nlls).sum()) / total)


class _StopOnDivergence(Callback):
    """Raise as soon as an epoch ends with a non-finite training loss."""

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        if not math.isfinite(loss):
            raise ValueError(
                f"Training diverged: the training loss is {loss} at epoch "
                f"{len(net.history)}. Lower the learning rate (lr={net.lr}), "
                "standardise the features, or use optimizer='adamw'."
            )


def _forward(
    module: nn.Module, X: torch.Tensor, device, out_device="cpu"
) -> torch.Tensor:
    """Eval-mode outputs of ``module`` on ``X``, in fixed-size padded chunks.

    See ``_PREDICT_BATCH_SIZE``: every forward pass sees the same number of
    rows, so a row's output does not depend on the rows around it. The
    module's training mode is restored afterwards.
    """
    was_training = module.training
    module.eval()
    size, out = _PREDICT_BATCH_SIZE, []
    with torch.inference_mode():
        for start in range(0, len(X), size):
            block = X[start : start + size].to(device)
            rows = len(block)
            if rows < size:
                block = torch.cat(
                    [block, block.new_zeros(size - rows, *block.shape[1:])]
                )
            out.append(module(block)[:rows].to(out_device))
    module.train(was_training)
    return torch.cat(out)


def _softmax(logits: torch.Tensor) -> torch.Tensor:
    return torch.softmax(logits, dim=-1)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _resolve_device(device) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"The 'device' parameter must be 'auto' or a torch device such as "
            f"'cpu' or 'cuda:0'; got {device!r} instead."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; use device='auto' or device='cpu'."
        )
    return resolved


@contextmanager
def _seeded_torch(seed: int, device: torch.device):
    """Seed torch inside a forked RNG state; the caller's RNG is untouched."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _check_hidden_layer_sizes(hidden_layer_sizes) -> tuple[int, ...]:
    sizes = (
        (hidden_layer_sizes,)
        if isinstance(hidden_layer_sizes, Integral)
        else tuple(hidden_layer_sizes)
    )
    if not all(isinstance(s, Integral) and not isinstance(s, bool) for s in sizes) or (
        any(s < 1 for s in sizes)
    ):
        raise ValueError(
            "The 'hidden_layer_sizes' parameter must be a sequence of positive "
            f"integers, one width per hidden layer; got {hidden_layer_sizes!r} "
            "instead."
        )
    return tuple(int(s) for s in sizes)


def _validation_split(y, validation_fraction, seed, hint="Pass more samples."):
    """Stratified train / validation indices.

    Classes with a single member stay in the training part (they cannot be
    stratified); every other class appears in both parts. The validation part
    holds at least one sample per stratified class. ``hint`` ends the error
    message when no such split exists.
    """
    _, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    splittable = counts[y_idx] >= 2
    idx = np.flatnonzero(splittable)
    n_strata = int((counts >= 2).sum())
    n_valid = max(math.ceil(validation_fraction * len(idx)), n_strata)
    if n_strata == 0 or len(idx) - n_valid < n_strata:
        raise ValueError(
            f"Too few samples for a stratified validation split with "
            f"validation_fraction={validation_fraction}: {len(y)} samples, "
            f"{len(counts)} classes (each class needs 2 samples, one for each "
            f"part). {hint}"
        )
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_valid, random_state=seed)
    train, valid = next(splitter.split(idx, y[idx]))
    train = np.sort(np.concatenate([idx[train], np.flatnonzero(~splittable)]))
    return train, np.sort(idx[valid])


# --------------------------------------------------------------------------
# The estimator base class
# --------------------------------------------------------------------------
class _BaseFocalClassifier(ClassifierMixin, BaseEstimator):
    """Training, prediction and validation shared by the focal classifiers.

    Subclasses implement :meth:`_make_criterion` and may add skorch callbacks
    through :meth:`_make_callbacks` and ask for a validation split through
    :meth:`_needs_validation`.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "module": [None, callable],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- hooks for subclasses ---------------------------------------------
    def _make_criterion(self, n_classes: int) -> nn.Module:
        raise NotImplementedError

    def _make_callbacks(self) -> list[tuple[str, Callback]]:
        return []

    def _needs_validation(self) -> bool:
        return self.early_stopping

    #: Advice when no validation split can be drawn.
    _validation_hint = "Pass more samples or set early_stopping=False."

    def _validate_validation_split(self, n_valid: int) -> None:
        """Subclass hook: check the size of the validation part."""

    # -- fit --------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (numpy array or pandas DataFrame), cast to float32,
            or to the dtype of a custom ``module``'s parameters.
        y : array-like of shape (n_samples,)
            Class labels of any type (strings included).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights; the training and validation
            losses become weighted means.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float32, ensure_non_negative=True
            )
        weighted_classes = (
            self.classes_
            if sample_weight is None
            else np.unique(y_encoded[sample_weight > 0])
        )
        if len(weighted_classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; the "
                f"data contain only one class ({self.classes_.tolist()[0]!r})"
                + ("" if sample_weight is None else " with non-zero sample_weight")
                + "."
            )
        hidden_layer_sizes = _check_hidden_layer_sizes(self.hidden_layer_sizes)
        n_classes = len(self.classes_)
        device = _resolve_device(self.device)
        criterion = self._make_criterion(n_classes)
        if sample_weight is not None and not _accepts_sample_weight(criterion):
            raise ValueError(
                f"sample_weight was passed but the loss {criterion!r} does not "
                "accept a `sample_weight` argument in its forward()."
            )

        rng = check_random_state(self.random_state)
        torch_seed, split_seed, shuffle_seed = rng.randint(
            np.iinfo(np.int32).max, size=3
        )
        if self._needs_validation():
            train_idx, valid_idx = _validation_split(
                y_encoded, self.validation_fraction, split_seed, self._validation_hint
            )
            self._validate_validation_split(len(valid_idx))
        else:
            train_idx, valid_idx = np.arange(len(y_encoded)), None

        optimizer, optimizer_kwargs = _OPTIMIZERS.get(
            self.optimizer, (self.optimizer, {})
        )
        callbacks = [("stop_on_divergence", _StopOnDivergence())]
        callbacks += self._make_callbacks()
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_nll",
                        patience=self.n_iter_no_change,
                        threshold=1e-4,
                        threshold_mode="rel",
                        load_best=True,
                    ),
                )
            )
        module, module_kwargs = self._module_spec(
            X.shape[1], n_classes, hidden_layer_sizes
        )
        with _seeded_torch(int(torch_seed), device):
            self.net_ = _FocalNet(
                module=module,
                criterion=criterion,
                optimizer=optimizer,
                lr=self.lr,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                iterator_train=_TensorBatches,
                iterator_train__shuffle=True,
                iterator_train__seed=int(shuffle_seed),
                iterator_train__device=device,
                iterator_valid=_TensorBatches,
                iterator_valid__device=device,
                train_split=None,
                callbacks=callbacks,
                predict_nonlinearity=_softmax,
                classes=list(range(n_classes)),
                device=device,
                verbose=int(self.verbose > 0),
                **{f"optimizer__{k}": v for k, v in optimizer_kwargs.items()},
                optimizer__weight_decay=self.weight_decay,
                **{f"module__{k}": v for k, v in module_kwargs.items()},
            )
            self.net_.initialize()
            datasets = _device_datasets(
                X,
                y_encoded,
                sample_weight,
                train_idx,
                valid_idx,
                dtype=_module_dtype(self.net_.module_),
                device=device,
            )
            self._check_module_output(datasets.train.X[:2], n_classes)
            # partial_fit: train the net just initialised (fit would redo it).
            self.net_.partial_fit(datasets, None)

        self.history_ = self.net_.history
        self.n_epochs_ = len(self.history_)
        if self.early_stopping:
            nll = self.history_[:, "valid_nll"]
            self.best_epoch_ = int(np.argmin(nll)) + 1
        else:
            self.best_epoch_ = self.n_epochs_
        return self

    def _module_spec(self, n_features, n_classes, hidden_layer_sizes):
        """The skorch ``module`` and its ``module__`` keyword arguments."""
        if self.module is None:
            return MLP, {
                "n_features": n_features,
                "n_classes": n_classes,
                "hidden_layer_sizes": hidden_layer_sizes,
                "dropout": self.dropout,
            }
        if isinstance(self.module, nn.Module):
            # Train a copy: the parameter passed by the user stays as it was.
            return copy.deepcopy(self.module), {}
        if isinstance(self.module, type) and issubclass(self.module, nn.Module):
            return self.module, {"n_features": n_features, "n_classes": n_classes}
        raise TypeError(
            "The 'module' parameter must be None, a torch.nn.Module subclass or a "
            f"torch.nn.Module instance; got {self.module!r} instead."
        )

    def _check_module_output(self, X_probe: torch.Tensor, n_classes: int) -> None:
        module = self.net_.module_
        was_training = module.training
        module.eval()
        with torch.no_grad():
            out = module(X_probe)
        module.train(was_training)
        if not isinstance(out, torch.Tensor) or out.shape != (len(X_probe), n_classes):
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out)
            raise ValueError(
                f"The 'module' must return logits of shape (n_samples, n_classes) = "
                f"({len(X_probe)}, {n_classes}); it returned {shape}."
            )

    # -- prediction -------------------------------------------------------
    def _logits(self, X) -> torch.Tensor:
        """float64 logits on the CPU, computed in batches in eval mode."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        module, device = self.net_.module_, self.net_.device
        X_t = _as_tensor(X, _module_dtype(module))
        return _forward(module, X_t, device).to(torch.float64)

    def decision_function(self, X) -> np.ndarray:
        """Logits of the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The logits; for binary problems the log-odds of ``classes_[1]``
            (``z1 - z0``), following scikit-learn's convention. Softmax of the
            logits is :meth:`predict_proba`, so temperature scaling on these
            scores (``CalibratedClassifierCV(method="temperature")``) is exact.
        """
        logits = self._logits(X)
        if logits.shape[1] == 2:
            return (logits[:, 1] - logits[:, 0]).numpy()
        return logits.numpy()

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, the softmax of the logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        return torch.softmax(self._logits(X), dim=1).numpy()

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return torch.log_softmax(self._logits(X), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        best = self._logits(X).argmax(dim=1).numpy()
        return self.classes_[best]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _accepts_sample_weight(criterion: Any) -> bool:
    try:
        params = inspect.signature(
            criterion.forward if isinstance(criterion, nn.Module) else criterion
        ).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )
