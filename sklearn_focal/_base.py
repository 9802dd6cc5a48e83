"""The estimator base class shared by FocalClassifier and AdaFocalClassifier.

Data flow in ``fit``::

    validate (sklearn) -> encode labels -> class weights -> stratified
    validation split (numpy, ._data) -> tensors on the device, once (._data)
    -> skorch net (._net.FocalNet) -> skorch's own fit_loop

The estimator speaks scikit-learn (``MLPClassifier``'s vocabulary) and
translates it into one skorch net per fit: parameters, routed
``module__`` / ``optimizer__`` / ``criterion__`` keywords, callbacks (early
stopping is skorch's ``EarlyStopping`` on ``valid_nll`` with MLPClassifier's
``tol`` / ``n_iter_no_change`` semantics). Prediction goes through the net's
forward pass; with ``class_weight`` and ``prior_correction`` the logits are
shifted by ``-log(class_weight_)``.
"""

from __future__ import annotations

import copy
import inspect
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas.api.types as pd_api
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import Callback, EarlyStopping
from skorch.helper import predefined_split
from torch import nn

from ._compat import Interval, StrOptions, _check_sample_weight, _fit_context
from ._data import (
    PREDICT_BATCH_SIZE,
    TensorBatches,
    as_tensor,
    device_datasets,
    module_dtype,
    validation_split,
)
from ._labels import encode
from ._labels import label as _label
from ._net import (
    EpochProgressBar,
    FocalNet,
    StopOnDivergence,
    propagate_interrupts,
    softmax64,
)
from .networks import MLP

_OPTIMIZERS = {
    "adamw": (torch.optim.AdamW, {}),
    "adam": (torch.optim.Adam, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9}),
}

#: Keyword arguments routed to skorch, as skorch routes them.
_ROUTED_PREFIXES = ("module__", "optimizer__", "criterion__")


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


# --------------------------------------------------------------------------
# The estimator base class
# --------------------------------------------------------------------------
class _BaseFocalClassifier(ClassifierMixin, BaseEstimator):
    """Training, prediction and validation shared by the focal classifiers.

    Subclasses implement :meth:`_criterion_spec` and may add skorch callbacks
    through :meth:`_make_callbacks`, ask for a validation split through
    :meth:`_needs_validation` and read the fitted net in :meth:`_after_fit`.

    Constructor keyword arguments starting with ``module__``,
    ``optimizer__`` or ``criterion__`` are routed to skorch, as skorch routes
    them: they are parameters (``get_params``, ``set_params``, ``clone``,
    grid searches) like the named ones.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "module": [None, callable],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [None, list],
        "class_weight": [None, StrOptions({"balanced"}), dict],
        "prior_correction": ["boolean"],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- skorch-style routed parameters -----------------------------------
    def _set_routed_params(self, kwargs: dict) -> None:
        """Store the constructor's extra keyword arguments, unvalidated.

        Like every parameter they are checked in ``fit``
        (:meth:`_check_routed_params`): only ``module__*``, ``optimizer__*``
        and ``criterion__*`` are accepted there.
        """
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _routed_params(self) -> dict:
        """The extra parameters: public attributes not named in ``__init__``."""
        named = set(self._get_param_names())
        return {
            k: v
            for k, v in vars(self).items()
            if k not in named and not k.startswith("_") and not k.endswith("_")
        }

    def _check_routed_params(self) -> None:
        for key in self._routed_params():
            if not key.startswith(_ROUTED_PREFIXES) or key in _ROUTED_PREFIXES:
                raise TypeError(
                    f"{type(self).__name__} got an unexpected parameter {key!r}; "
                    "besides its named parameters it accepts only skorch's routed "
                    "ones: module__<name>, optimizer__<name> and criterion__<name>."
                )

    def get_params(self, deep=True):
        return {**super().get_params(deep=deep), **self._routed_params()}

    def set_params(self, **params):
        extra = self._routed_params()
        for key in [k for k in params if k.startswith(_ROUTED_PREFIXES) or k in extra]:
            setattr(self, key, params.pop(key))
        return super().set_params(**params)

    # -- hooks for subclasses ---------------------------------------------
    def _criterion_spec(self, n_classes: int) -> tuple[Any, dict]:
        """The skorch ``criterion`` and its ``criterion__`` arguments."""
        raise NotImplementedError

    def _make_callbacks(self) -> list[tuple[str, Callback]]:
        return []

    def _needs_validation(self, incremental: bool) -> bool:
        # As in MLPClassifier, partial_fit does not stop early.
        return self.early_stopping and not incremental

    #: Advice when no validation split can be drawn.
    _validation_hint = "Pass more samples or set early_stopping=False."

    #: What the validation split is for, in error messages.
    _validation_user = "early stopping"

    def _check_validation_size(self, n_valid: int, continued: bool) -> None:
        """Subclass hook: check (or adapt to) the size of the validation part."""

    def _divergence_hint(self) -> str:
        return (
            f"Lower the learning rate (learning_rate_init={self.learning_rate_init})"
            + (
                " or standardise the features."
                if self.optimizer == "adamw"
                else ", standardise the features, or use optimizer='adamw'."
            )
        )

    def _carry_over(self, old_net, new_net) -> None:
        """warm_start: what a new net takes over from the fitted one."""
        new_net.module_.load_state_dict(old_net.module_.state_dict())

    def _after_fit(self, continued: bool) -> None:
        """Subclass hook: set fitted attributes from ``self.net_``."""

    # -- fit --------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network for up to ``max_iter`` epochs.

        With ``warm_start=True`` and a fitted estimator, training continues
        from the fitted weights (with a new optimizer, as MLPClassifier does).

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
        continued = self.warm_start and hasattr(self, "net_")
        return self._fit(X, y, sample_weight, continued=continued, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``(X, y)``, continuing from the fitted state.

        As in MLPClassifier: the optimizer's state carries over between
        calls, ``max_iter`` and early stopping do not apply, and every call
        appends one epoch to ``loss_curve_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels, all from ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole stream. Needed on the first call only when
            its ``y`` misses a class; later calls must leave it None or pass
            the same classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continued = hasattr(self, "net_")
        return self._fit(
            X, y, sample_weight, continued=continued, incremental=True, classes=classes
        )

    def _fit(self, X, y, sample_weight, *, continued, incremental, classes=None):
        self._check_routed_params()
        _check_numeric_columns(X, type(self).__name__)
        X, y = validate_data(self, X, y, dtype=np.float32, reset=not continued)
        check_classification_targets(y)
        y_encoded = self._encode_labels(y, continued, incremental, classes)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float32, ensure_non_negative=True
            )
        if not continued:
            self.class_weight_ = self._class_weights(y_encoded, incremental)
        if self.class_weight is not None:  # the focal alpha_t, per sample
            alpha = self.class_weight_[y_encoded].astype(np.float32)
            sample_weight = alpha if sample_weight is None else sample_weight * alpha
        self._check_classes_to_learn(y_encoded, sample_weight, incremental)
        n_classes = len(self.classes_)
        device = _resolve_device(self.device)
        torch_seed, split_seed, shuffle_seed = self._seeds(continued)

        if self._needs_validation(incremental):
            train_idx, valid_idx = validation_split(
                y_encoded, self.validation_fraction, split_seed, self._validation_hint
            )
            self._check_validation_size(len(valid_idx), continued)
            if self.class_weight == "balanced":
                absent = np.setdiff1d(np.unique(y_encoded), y_encoded[valid_idx])
                if len(absent):
                    rare = _label(self.classes_[absent[0]])
                    raise ValueError(
                        f"class_weight='balanced' weighs class {rare!r} up, but it "
                        "has too few samples to appear in the validation split, "
                        "where early stopping would never see it. Pass more "
                        "samples of it, or a class_weight dict."
                    )
            if sample_weight is not None and not sample_weight[valid_idx].any():
                raise ValueError(
                    f"sample_weight is zero on all {len(valid_idx)} samples of the "
                    f"validation split (validation_fraction="
                    f"{self.validation_fraction}), so the validation loss that "
                    f"{self._validation_user} needs is undefined. Give non-zero "
                    "weight to more samples or raise validation_fraction."
                )
        else:
            train_idx, valid_idx = np.arange(len(y_encoded)), None

        with _seeded_torch(torch_seed, device):
            old_net = getattr(self, "net_", None) if continued else None
            if incremental and old_net is not None:
                net = old_net  # partial_fit: the optimizer's state carries over
                if "early_stopping" in dict(net.callbacks_):  # fit's, not ours
                    net.callbacks = [
                        cb
                        for cb in net.callbacks
                        if not (isinstance(cb, tuple) and cb[0] == "early_stopping")
                    ]
                    net.initialize_callbacks()
            else:
                net = self._build_net(X.shape[1], n_classes, device, incremental)
                if old_net is not None:
                    self._carry_over(old_net, net)
                    net.history_ = old_net.history_
            net.iterator_train__seed = shuffle_seed  # per call: new batch order
            train, valid = device_datasets(
                X,
                y_encoded,
                sample_weight,
                train_idx,
                valid_idx,
                dtype=module_dtype(net.module_),
                device=device,
            )
            criterion = net.criterion_
            forward = criterion.forward if isinstance(criterion, nn.Module) else None
            if sample_weight is not None and not _takes_argument(
                forward or criterion, "sample_weight"
            ):
                raise ValueError(
                    f"sample_weight was passed but the loss {criterion!r} does "
                    "not accept a `sample_weight` argument in its forward()."
                )
            self._check_module_output(net.module_, train.X[:2].to(device), n_classes)
            net.train_split = None if valid is None else predefined_split(valid)
            epochs = 1 if incremental else self.max_iter
            try:
                with propagate_interrupts():
                    net.partial_fit(train, None, epochs=epochs)
            finally:
                net.train_split = None  # do not keep the validation data
            self.net_ = net

        history = self.history_ = net.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        self.loss_ = self.loss_curve_[-1]
        scores = [row["valid_nll"] for row in history if "valid_nll" in row]
        self.validation_scores_ = scores or None
        stopper = dict(net.callbacks_).get("early_stopping")
        if stopper is not None and self.early_stopping and not incremental:
            self.best_epoch_ = int(stopper.best_epoch_) or self.n_iter_
            self.best_validation_score_ = float(
                history[self.best_epoch_ - 1]["valid_nll"]
            )
            self.best_loss_ = None
        else:
            self.best_epoch_ = self.n_iter_
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_)
        self._after_fit(continued)
        return self

    def _encode_labels(self, y, continued, incremental, classes):
        """Set ``classes_`` (first fit) and return ``y`` as class indices."""
        if not continued:
            self.classes_ = np.unique(y if classes is None else classes)
        elif incremental:
            if classes is not None and not np.array_equal(
                np.unique(classes), self.classes_
            ):
                raise ValueError(
                    f"`classes={list(classes)!r}` is not the same as on the first "
                    f"call to partial_fit, was: {self.classes_.tolist()!r}."
                )
        elif not np.array_equal(np.unique(y), self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_.tolist()}, "
                f"`y` has {np.unique(y).tolist()}."
            )
        return encode(
            y,
            self.classes_,
            message="y contains labels {} that are not in classes_ = "
            f"{self.classes_.tolist()}; pass every class of the stream as "
            "`classes` on the first call to partial_fit.",
        )

    def _check_classes_to_learn(self, y_encoded, sample_weight, incremental):
        if incremental:  # a chunk of a stream may hold a single class
            present = np.arange(len(self.classes_))
        elif sample_weight is None:
            present = np.unique(y_encoded)
        else:
            present = np.unique(y_encoded[sample_weight > 0])
        if len(present) < 2:
            only = _label(
                (self.classes_[present] if len(present) else self.classes_)[0]
            )
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; the "
                f"data contain only one class ({only!r})"
                + ("" if sample_weight is None else " with non-zero sample_weight")
                + "."
            )

    def _class_weights(self, y_encoded, incremental) -> np.ndarray:
        """One weight per class in ``classes_`` (``class_weight_``).

        scikit-learn's semantics: ``"balanced"`` gives class ``c`` the weight
        ``n_samples / (n_classes * n_c)``; a dict maps labels to weights and
        leaves the other classes at 1.
        """
        n_classes = len(self.classes_)
        if self.class_weight is None:
            return np.ones(n_classes)
        if self.class_weight == "balanced":
            if incremental:
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit: one "
                    "chunk does not show the class frequencies of the stream. Pass "
                    "a dict, e.g. from sklearn.utils.class_weight."
                    "compute_class_weight('balanced', classes=..., y=y_all)."
                )
            # a fit's classes_ come from y: every class has samples
            counts = np.bincount(y_encoded, minlength=n_classes)
            return len(y_encoded) / (n_classes * counts)
        weights = np.ones(n_classes)
        for label, weight in self.class_weight.items():
            index = np.searchsorted(self.classes_, label)
            if index >= n_classes or self.classes_[index] != label:
                raise ValueError(
                    f"class_weight names the class {label!r}, which is not in y "
                    f"(classes: {self.classes_.tolist()})."
                )
            if not (isinstance(weight, Real) and np.isfinite(weight) and weight >= 0):
                raise ValueError(
                    f"class_weight of class {label!r} must be a finite, non-negative "
                    f"number; got {weight!r}."
                )
            weights[index] = weight
        if self.prior_correction and not weights.all():
            zero = _label(self.classes_[weights == 0][0])
            raise ValueError(
                f"class_weight of class {zero!r} is 0: the network never learns "
                "it, and prior_correction cannot divide by 0. Use a small positive "
                "weight or prior_correction=False."
            )
        return weights

    def _seeds(self, continued: bool) -> tuple[int, int, int]:
        """Seeds of torch, the validation split and the batch order.

        Drawn from ``random_state``; a continued fit mixes in the epochs
        already run, so that every call to ``partial_fit`` shuffles and drops
        out differently, and reproducibly.
        """
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=3)
        if continued:
            entropy = [*seeds.tolist(), len(self.net_.history)]
            seeds = np.random.SeedSequence(entropy).generate_state(3) >> 1
        return tuple(int(s) for s in seeds)

    def _build_net(self, n_features, n_classes, device, incremental) -> FocalNet:
        """A new, initialised skorch net for this estimator's parameters."""
        optimizer, optimizer_kwargs = _OPTIMIZERS.get(
            self.optimizer, (self.optimizer, {})
        )
        criterion, criterion_kwargs = self._criterion_spec(n_classes)
        module, module_kwargs = self._module_spec(n_features, n_classes)
        callbacks = [
            (
                "stop_on_divergence",
                StopOnDivergence(n_classes, self._divergence_hint()),
            ),
            *self._make_callbacks(),
        ]
        if self.early_stopping and not incremental:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_nll",
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        load_best=True,
                    ),
                )
            )
        if self.verbose == 1:
            epochs = 1 if incremental else self.max_iter
            callbacks.append(("epoch_progress", EpochProgressBar(epochs)))
        # The user's callbacks are copied: fits do not share their state.
        callbacks += copy.deepcopy(list(self.callbacks or []))
        net = FocalNet(
            module=module,
            criterion=criterion,
            optimizer=optimizer,
            lr=self.learning_rate_init,
            max_epochs=self.max_iter,
            batch_size=self.batch_size,
            iterator_train=TensorBatches,
            iterator_train__shuffle=self.shuffle,
            iterator_train__device=device,
            iterator_valid=TensorBatches,
            iterator_valid__device=device,
            iterator_valid__batch_size=PREDICT_BATCH_SIZE,
            train_split=None,
            callbacks=callbacks,
            predict_nonlinearity=softmax64,
            classes=list(range(n_classes)),
            device=device,
            verbose=int(self.verbose >= 2),
            # PrintLog formats a table every epoch even when silent
            **({} if self.verbose >= 2 else {"callbacks__print_log": None}),
            **{  # the user's routed parameters take precedence
                **_prefixed("module", module_kwargs),
                **_prefixed("criterion", criterion_kwargs),
                **_prefixed(
                    "optimizer", {**optimizer_kwargs, "weight_decay": self.weight_decay}
                ),
                **self._routed_params(),
            },
        )
        return net.initialize()

    def _module_spec(self, n_features, n_classes):
        """The skorch ``module`` and its ``module__`` keyword arguments.

        A module class gets ``n_features`` and ``n_classes`` when its
        constructor takes them; ``module__*`` parameters come on top.
        """
        if self.module is None:
            return MLP, {
                "n_features": n_features,
                "n_classes": n_classes,
                "hidden_layer_sizes": _check_hidden_layer_sizes(
                    self.hidden_layer_sizes
                ),
                "dropout": self.dropout,
            }
        if isinstance(self.module, nn.Module):
            # Train a copy: the parameter passed by the user stays as it was.
            return copy.deepcopy(self.module), {}
        if isinstance(self.module, type) and issubclass(self.module, nn.Module):
            sizes = {"n_features": n_features, "n_classes": n_classes}
            return self.module, {
                k: v for k, v in sizes.items() if _takes_argument(self.module, k)
            }
        raise TypeError(
            "The 'module' parameter must be None, a torch.nn.Module subclass or a "
            f"torch.nn.Module instance; got {self.module!r} instead."
        )

    @staticmethod
    def _check_module_output(module, X_probe: torch.Tensor, n_classes: int) -> None:
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
    def _validated_X(self, X) -> torch.Tensor:
        check_is_fitted(self)
        _check_numeric_columns(X, type(self).__name__)
        X = validate_data(self, X, reset=False, dtype=np.float32)
        return as_tensor(X, module_dtype(self.net_.module_))

    def _logits(self, X) -> torch.Tensor:
        """float64 logits on the CPU, from the skorch net's forward pass."""
        X = self._validated_X(X)
        return self.net_.forward(X).to(torch.float64)

    def _scores(self, X) -> torch.Tensor:
        """Logits, shifted by ``-log(class_weight_)`` under ``prior_correction``.

        A network trained with class weights ``w_c`` estimates
        ``p_w(c|x) ∝ w_c p(c|x)`` (the weights shift the class priors; Elkan
        2001, Saerens et al. 2002). Subtracting ``log w_c`` from the logits
        divides that out: the softmax is then ``p(c|x)`` again.
        """
        logits = self._logits(X)
        if self.prior_correction and self.class_weight is not None:
            shift = torch.as_tensor(np.log(self.class_weight_), dtype=logits.dtype)
            logits = logits - shift
        return logits

    def decision_function(self, X) -> np.ndarray:
        """Logits of the network (prior-corrected under ``class_weight``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The logits; for binary problems the log-odds of ``classes_[1]``
            (``z1 - z0``), following scikit-learn's convention. With
            ``class_weight`` and ``prior_correction=True`` the logits minus
            ``log(class_weight_)``. Softmax of these scores is
            :meth:`predict_proba`, so temperature scaling on them
            (``CalibratedClassifierCV(method="temperature")``) is exact.
        """
        logits = self._scores(X)
        if logits.shape[1] == 2:
            return (logits[:, 1] - logits[:, 0]).numpy()
        return logits.numpy()

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, the softmax of :meth:`decision_function`.

        Without ``class_weight`` (or with ``prior_correction=False``) the same
        as ``net_.predict_proba`` on the validated ``X``. With
        ``class_weight`` and ``prior_correction=True`` the network's
        probabilities divided by ``class_weight_`` and renormalised: the
        shift of the class priors that the weights caused is undone, so the
        probabilities estimate the unweighted ``p(c|x)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        if self.prior_correction and self.class_weight is not None:
            return torch.softmax(self._scores(X), dim=1).numpy()
        X = self._validated_X(X)
        return self.net_.predict_proba(X)

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return torch.log_softmax(self._scores(X), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """Most probable class under the training weights.

        The argmax of the network's own (weighted) probabilities: with
        ``class_weight`` the decision rule it asks for (minority classes win
        more often), whatever ``prior_correction`` does to
        :meth:`predict_proba`. Without ``class_weight`` it is the argmax of
        :meth:`predict_proba`.

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


def _check_numeric_columns(X, owner: str) -> None:
    """Name the columns of a DataFrame that a network cannot read."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return
    bad = [
        f"{name!r} ({dtype})"
        for name, dtype in dtypes.items()
        if not (pd_api.is_numeric_dtype(dtype) or pd_api.is_bool_dtype(dtype))
    ]
    if bad:
        raise ValueError(
            f"{owner} needs numeric features, but column"
            f"{'s' if len(bad) > 1 else ''} {', '.join(bad[:5])}"
            f"{', ...' if len(bad) > 5 else ''} of X "
            f"{'are' if len(bad) > 1 else 'is'} not. Encode them first, in a "
            "Pipeline: sklearn_focal.compare.make_preprocessor(X) one-hot encodes "
            "them, or use a ColumnTransformer with a OneHotEncoder."
        )


def _prefixed(prefix: str, kwargs: dict) -> dict:
    return {f"{prefix}__{k}": v for k, v in kwargs.items()}


def _takes_argument(function, name: str) -> bool:
    """Whether ``function`` (or a class's constructor) accepts ``name=``."""
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )
