"""The estimator base class shared by FocalClassifier and AdaFocalClassifier.

Data flow in ``fit``, one named step each::

    validate (sklearn) -> encode labels -> class weights -> validation rows
    (a stratified split in numpy, or X_val) -> tensors on the device, once
    (._data) -> skorch net (._build, ._net.FocalNet) -> skorch's own fit_loop
    -> fitted attributes

The estimator speaks scikit-learn (``MLPClassifier``'s vocabulary) and
:mod:`._build` translates it into one skorch net per fit. A fit is a
transaction: if it raises (divergence, a callback's error, Ctrl-C), the
estimator is left exactly as it was before the call. Prediction goes through
the net's forward pass; with ``class_weight`` and ``prior_correction`` the
logits are shifted by ``-log(class_weight_)``.
"""

from __future__ import annotations

from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from skorch.callbacks import Callback
from skorch.helper import predefined_split
from torch import nn

from .._compat import Interval, StrOptions, _check_sample_weight, _fit_context
from . import _shared_fits, _targets, _threads
from ._data import (
    device_datasets,
    module_dtype,
)
from ._net_builder import (
    OPTIMIZERS,
    ROUTED_PREFIXES,
    build_net,
    check_callbacks,
    check_hidden_layer_sizes,
    check_module_output,
    check_routed_params,
    resolve_device,
    takes_argument,
)
from ._predict import _PredictMixin
from ._skorch_net import propagate_interrupts
from ._transaction import fit_transaction
from ._validation_split import validation_parts


@contextmanager
def _seeded_torch(seed: int, device: torch.device):
    """Seed torch inside a forked RNG state; the caller's RNG is untouched."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class _BaseFocalClassifier(_PredictMixin, ClassifierMixin, BaseEstimator):
    """Training, prediction and validation shared by the focal classifiers.

    Subclasses implement :meth:`_criterion_spec` (and name the criterion
    keywords that their own parameters set in :meth:`_criterion_owned`), and
    may add skorch callbacks through :meth:`_make_callbacks`, ask for a
    validation split through :meth:`_needs_validation` and read the fitted
    net in :meth:`_after_fit`.

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
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "early_stopping_monitor": [str],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [None, list],
        "class_weight": [None, StrOptions({"balanced"}), dict],
        "prior_correction": ["boolean"],
        "device": [str, torch.device],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- parameters ---------------------------------------------------------
    def _set_routed_params(self, kwargs: dict) -> None:
        """Store the constructor's extra keyword arguments, unvalidated.

        Like every parameter they are checked in ``fit``
        (:meth:`_validate_params`): only ``module__*``, ``optimizer__*`` and
        ``criterion__*`` are accepted there.
        """
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _routed_params(self) -> dict:
        """The extra parameters: public attributes not named in ``__init__``."""
        named = set(self._get_param_names())
        return {
            k: v
            for k, v in vars(self).items()
            if k not in named
            and not k.startswith("_")
            and (k.startswith(ROUTED_PREFIXES) or not k.endswith("_"))
        }

    def get_params(self, deep=True):
        """Get the parameters of this estimator.

        Parameters
        ----------
        deep : bool, default=True
            If True, will return the parameters for this estimator and
            contained subobjects that are estimators.

        Returns
        -------
        params : dict
            The constructor's parameters and the routed keywords set on the
            estimator (``module__*``, ``criterion__*``, ``optimizer__*``),
            so that ``clone`` keeps them.
        """
        return {**super().get_params(deep=deep), **self._routed_params()}

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Parameters
        ----------
        **params : dict
            Constructor parameters, and routed keywords that skorch passes
            on: ``module__*`` to the module, ``criterion__*`` to the loss,
            ``optimizer__*`` to the optimizer.

        Returns
        -------
        self : estimator instance
        """
        extra = self._routed_params()
        for key in [k for k in params if k.startswith(ROUTED_PREFIXES) or k in extra]:
            setattr(self, key, params.pop(key))
        return super().set_params(**params)

    def _validate_params(self):
        """The parameter constraints, and what they cannot express.

        scikit-learn calls this at the start of ``fit``; the comparison calls
        it for every network before training any.
        """
        super()._validate_params()
        check_routed_params(self)
        check_callbacks(self.callbacks)
        if self.module is None:
            check_hidden_layer_sizes(self.hidden_layer_sizes)
        resolve_device(self.device)
        self._check_params()

    # -- hooks for subclasses -----------------------------------------------
    def _criterion_spec(self, n_classes: int, n_valid: int | None) -> tuple[Any, dict]:
        """The skorch ``criterion`` and its ``criterion__`` arguments."""
        raise NotImplementedError

    def _criterion_owned(self) -> dict:
        """``criterion__`` keywords set by named parameters -> their names."""
        return {}

    def _criterion_class(self) -> type | None:
        """The loss class that takes the ``criterion__`` keywords (None for
        a loss instance)."""
        raise NotImplementedError

    def _check_params(self) -> None:
        """Subclass hook: checks across parameters."""

    def _make_callbacks(self) -> list[tuple[str, Callback]]:
        return []

    def _needs_validation(self, incremental: bool) -> bool:
        # As in MLPClassifier, partial_fit does not stop early.
        return self.early_stopping and not incremental

    #: Advice when no validation split can be drawn.
    _validation_hint = "Pass more samples or set early_stopping=False."

    #: What the validation split is for, in error messages.
    _validation_user = "early stopping"

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
        old, new = old_net.module_.state_dict(), new_net.module_.state_dict()
        mismatched = [
            name
            for name, value in new.items()
            if name not in old or old[name].shape != value.shape
        ]
        if mismatched or set(old) != set(new):
            changed = "hidden_layer_sizes" if self.module is None else "module"
            raise ValueError(
                f"warm_start=True cannot continue from the fitted network: its "
                f"shape no longer matches the parameters ({changed} or the "
                f"module__ parameters changed; first differing tensor: "
                f"{(mismatched or sorted(set(old) ^ set(new)))[0]!r}). Set "
                "warm_start=False to train a new network."
            )
        new_net.module_.load_state_dict(old)

    def _after_fit(self, continued: bool) -> None:
        """Subclass hook: set fitted attributes from ``self.net_``."""

    # -- fit ----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train the network for up to ``max_iter`` epochs.

        With ``warm_start=True`` and a fitted estimator, training continues
        from the fitted weights (with a new optimizer, as MLPClassifier does).
        If ``fit`` raises, the estimator is left as it was before the call.

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
        X_val : array-like of shape (n_val, n_features), default=None
            Validation data for early stopping (and AdaFocal's gamma
            updates) instead of a ``validation_fraction`` of ``X``, as in
            :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. Every
            row of ``X`` is then trained on.
        y_val : array-like of shape (n_val,), default=None
            Labels of ``X_val``, from the classes of ``y``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of ``X_val``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        continued = self.warm_start and hasattr(self, "net_")
        validation = (X_val, y_val, sample_weight_val)
        if (X_val is None) != (y_val is None) or (
            X_val is None and sample_weight_val is not None
        ):
            raise ValueError(
                "X_val and y_val must be passed together (and sample_weight_val "
                "only with them)."
            )

        def fit():
            return self._fit(
                X,
                y,
                sample_weight,
                continued=continued,
                incremental=False,
                validation=None if X_val is None else validation,
            )

        if continued:
            return fit()
        return _shared_fits.memoized_fit(self, fit, (X, y, sample_weight, *validation))

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``(X, y)``, continuing from the fitted state.

        As in MLPClassifier: the optimizer's state carries over between
        calls, ``max_iter`` and early stopping do not apply, and every call
        appends one epoch to ``loss_curve_``. If the call raises, the
        network, its optimizer and the fitted attributes are left as they
        were before it.

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

    def _fit(
        self,
        X,
        y,
        sample_weight,
        *,
        continued,
        incremental,
        classes=None,
        validation=None,
    ):
        with fit_transaction(self, in_place=continued and incremental):
            X, y_encoded, sample_weight = self._training_data(
                X, y, sample_weight, continued, incremental, classes
            )
            torch_seed, split_seed, shuffle_seed = self._seeds(continued)
            train, valid = validation_parts(
                self, (X, y_encoded, sample_weight), validation, split_seed, incremental
            )
            device = resolve_device(self.device)
            with _seeded_torch(torch_seed, device):
                net = self._prepare_net(train, valid, device, continued, incremental)
                net.iterator_train__seed = shuffle_seed  # per call: new order
                datasets = device_datasets(
                    train, valid, dtype=module_dtype(net.module_), device=device
                )
                work = _threads.training_work(self.batch_size, net.module_)
                with _threads.torch_threads(_threads.resolve(self.n_threads, work)):
                    self._train(net, *datasets, incremental)
            self._record_fit(net, continued, incremental)
        return self

    def _training_data(self, X, y, sample_weight, continued, incremental, classes):
        """Validated ``X``, encoded ``y`` and the per-sample weights (times
        the class weights); sets ``classes_`` and ``class_weight_``."""
        X, y = self._checked_input(X, y, reset=not continued)
        check_classification_targets(y)
        self.classes_ = _targets.fit_classes(
            y,
            classes,
            getattr(self, "classes_", None),
            continued=continued,
            incremental=incremental,
        )
        y_encoded = _targets.encode_labels(y, self.classes_)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float32, ensure_non_negative=True
            )
        self.class_weight_ = _targets.class_weights(
            self.class_weight,
            self.classes_,
            y_encoded,
            prior_correction=self.prior_correction,
            incremental=incremental,
        )
        sample_weight = self._alpha(y_encoded, sample_weight)
        _targets.check_classes_to_learn(
            y_encoded,
            sample_weight,
            self.classes_,
            type(self).__name__,
            incremental=incremental,
        )
        return X, y_encoded, sample_weight

    def _alpha(self, y_encoded, sample_weight):
        """``sample_weight`` times the focal alpha_t (the class weight)."""
        if self.class_weight is None:
            return sample_weight
        alpha = self.class_weight_[y_encoded].astype(np.float32)
        return alpha if sample_weight is None else sample_weight * alpha

    def _prepare_net(self, train, valid, device, continued, incremental):
        """The net to train: the fitted one (``partial_fit``), or a new one,
        carrying over the fitted weights under ``warm_start``."""
        n_features, n_classes = train[0].shape[1], len(self.classes_)
        n_valid = None if valid is None else len(valid[1])
        old_net = getattr(self, "net_", None) if continued else None
        if incremental and old_net is not None:
            self._check_continued_validation(n_valid)
            if "early_stopping" in dict(old_net.callbacks_):  # fit's, not ours
                old_net.callbacks = [
                    cb
                    for cb in old_net.callbacks
                    if not (isinstance(cb, tuple) and cb[0] == "early_stopping")
                ]
                old_net.initialize_callbacks()
            return old_net  # partial_fit: the optimizer's state carries over
        net = build_net(self, n_features, n_classes, n_valid, device, incremental)
        if old_net is not None:
            self._carry_over(old_net, net)
            # a copy of the list: the fitted net's history stays as it was
            net.history_ = type(old_net.history_)(old_net.history_)
        return net

    def _check_continued_validation(self, n_valid) -> None:
        """Subclass hook: can the fitted net go on with this validation size?"""

    def _train(self, net, train, valid, incremental) -> None:
        criterion = net.criterion_
        forward = criterion.forward if isinstance(criterion, nn.Module) else None
        if train.sample_weight is not None and not takes_argument(
            forward or criterion, "sample_weight"
        ):
            raise ValueError(
                f"sample_weight was passed but the loss {criterion!r} does "
                "not accept a `sample_weight` argument in its forward()."
            )
        check_module_output(net.module_, train.X[:2].to(net.device), len(self.classes_))
        net.train_split = None if valid is None else predefined_split(valid)
        try:
            with propagate_interrupts():
                net.partial_fit(train, None, epochs=1 if incremental else self.max_iter)
        finally:
            net.train_split = None  # do not keep the validation data

    def _record_fit(self, net, continued, incremental) -> None:
        """The fitted attributes, MLPClassifier's names."""
        self.net_ = net
        history = self.history_ = net.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        self.loss_ = self.loss_curve_[-1]
        stopper = dict(net.callbacks_).get("early_stopping")
        monitor = "valid_nll" if stopper is None else stopper.monitor
        scores = [row[monitor] for row in history if monitor in row]
        self.validation_scores_ = scores or None
        if stopper is not None and self.early_stopping and not incremental:
            self.best_epoch_ = int(stopper.best_epoch_) or self.n_iter_
            self.best_validation_score_ = float(history[self.best_epoch_ - 1][monitor])
            self.best_loss_ = None
        else:
            self.best_epoch_ = self.n_iter_
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_)
        self._after_fit(continued)

    def _seeds(self, continued: bool) -> tuple[int, int, int]:
        """Seeds of torch, the validation split and the batch order.

        Drawn from ``random_state``; a continued fit mixes in the epochs
        already run, so that every call to ``partial_fit`` shuffles and drops
        out differently, and reproducibly. The validation split stays that of
        the first fit, so that a warm refit on the same data never trains on
        the rows it validates on.
        """
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=3)
        if continued:
            entropy = [*seeds.tolist(), len(self.net_.history)]
            mixed = np.random.SeedSequence(entropy).generate_state(3) >> 1
            seeds = [mixed[0], seeds[1], mixed[2]]
        return tuple(int(s) for s in seeds)
