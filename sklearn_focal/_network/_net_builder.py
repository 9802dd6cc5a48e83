"""From the estimator's parameters to a skorch net.

The estimator speaks scikit-learn (``MLPClassifier``'s vocabulary); this
module translates its parameters into one initialised
:class:`~sklearn_focal._network._skorch_net.FocalNet` per fit: optimizer, criterion and
module with their routed ``module__`` / ``optimizer__`` / ``criterion__``
keywords, and the callbacks (early stopping is skorch's ``EarlyStopping``
with MLPClassifier's ``tol`` / ``n_iter_no_change`` semantics). It also
checks what the parameter constraints cannot: routed keywords, callbacks,
layer sizes, the device.
"""

from __future__ import annotations

import copy
import functools
import inspect
from numbers import Integral

import torch
from skorch.callbacks import Callback
from torch import nn

from ..networks import MLP
from ._data import PREDICT_BATCH_SIZE, TensorBatches
from ._skorch_net import (
    EpochProgressBar,
    FocalNet,
    MonitoredEarlyStopping,
    StopOnDivergence,
    TemperatureScaledNLL,
    softmax64,
)

__all__ = [
    "MONITORS",
    "OPTIMIZERS",
    "ROUTED_PREFIXES",
    "build_net",
    "check_callbacks",
    "check_hidden_layer_sizes",
    "check_module_output",
    "check_routed_params",
    "resolve_device",
    "takes_argument",
]

OPTIMIZERS = {
    "adamw": (torch.optim.AdamW, {}),
    "adam": (torch.optim.Adam, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9}),
}

#: Keyword arguments routed to skorch, as skorch routes them.
ROUTED_PREFIXES = ("module__", "optimizer__", "criterion__")

#: ``early_stopping_monitor`` -> (history column, callback that records it).
#: Any other value names a column that one of the user's callbacks records.
MONITORS = {
    "log_loss": ("valid_nll", None),  # recorded by FocalNet's default callback
    "temperature_scaled_log_loss": ("valid_ts_nll", TemperatureScaledNLL),
}


def resolve_device(device) -> torch.device:
    """``"auto"`` or a torch device name as a ``torch.device`` that exists."""
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


def check_hidden_layer_sizes(hidden_layer_sizes) -> tuple[int, ...]:
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


def check_callbacks(callbacks) -> None:
    """Each entry a skorch callback (instance or class), optionally named."""
    for entry in callbacks or ():
        callback = entry
        if isinstance(entry, tuple):
            if len(entry) != 2 or not isinstance(entry[0], str):
                callback = None
            else:
                callback = entry[1]
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback)
        )
        if not is_callback:
            raise TypeError(
                "The 'callbacks' parameter must be a list of skorch callbacks "
                "(instances of skorch.callbacks.Callback, or (name, callback) "
                f"tuples); got {entry!r} in it."
            )


def _module_owned(estimator) -> dict:
    """Module keywords the estimator sets itself -> what sets them."""
    data = {"n_features": "the data", "n_classes": "the data"}
    if estimator.module is None:
        return {
            **data,
            "hidden_layer_sizes": "hidden_layer_sizes",
            "dropout": "dropout",
        }
    if isinstance(estimator.module, type):
        return {k: v for k, v in data.items() if takes_argument(estimator.module, k)}
    return {}


def check_routed_params(estimator) -> None:
    """Routed keywords: the right prefixes, and none that a named parameter
    (or the data) already sets, so that one number has one source."""
    owner = type(estimator).__name__
    owned = {
        "module": _module_owned(estimator),
        "criterion": estimator._criterion_owned(),
        "optimizer": {"weight_decay": "weight_decay"},
    }
    for key in estimator._routed_params():
        if not key.startswith(ROUTED_PREFIXES) or key in ROUTED_PREFIXES:
            raise TypeError(
                f"{owner} got an unexpected parameter {key!r}; besides its named "
                "parameters it accepts only skorch's routed ones: "
                "module__<name>, optimizer__<name> and criterion__<name>."
            )
        prefix, name = key.split("__", 1)
        target = _routed_target(estimator, prefix)
        if target is not None and not takes_argument(target, name):
            accepted = [
                p
                for p in inspect.signature(target).parameters
                if p not in ("self", "args", "kwargs", "params")
            ]
            raise TypeError(
                f"{owner} got the routed parameter {key!r}, which "
                f"{target.__name__} does not take (it takes {', '.join(accepted)})."
            )
        source = owned[prefix].get(name)
        if source == "the data":
            raise ValueError(f"{owner} sets {key} from the data; do not pass it.")
        if source is not None:
            raise ValueError(
                f"{key} duplicates {owner}'s parameter {source!r}; set {source} "
                "instead."
            )


def _routed_target(estimator, prefix):
    """The class that receives the ``prefix__`` keywords (None for an
    instance, whose constructor already ran)."""
    if prefix == "module":
        module = MLP if estimator.module is None else estimator.module
        return module if isinstance(module, type) else None
    if prefix == "criterion":
        return estimator._criterion_class()
    optimizer = OPTIMIZERS.get(estimator.optimizer, (estimator.optimizer,))[0]
    return optimizer if isinstance(optimizer, type) else None


@functools.cache
def _fused_kernels(optimizer: type, device_type: str) -> bool:
    """Whether ``optimizer`` has a fused kernel on ``device_type`` in this
    torch (Adam's and AdamW's on the CPU since torch 2.4)."""
    try:
        optimizer([torch.zeros(1, device=device_type, requires_grad=True)], fused=True)
    except (RuntimeError, TypeError, ValueError):
        return False
    return True


def _optimizer_spec(estimator, device):
    """The optimizer class and its default keyword arguments.

    Adam and AdamW run their fused kernel where torch has one: a step
    updates every parameter in one pass instead of a dozen tensor
    operations each, several times faster on the CPU
    (``benchmarks/fit_speed.py`` times whole fits).
    ``optimizer__fused=False`` takes torch's default back.
    """
    optimizer, kwargs = OPTIMIZERS.get(estimator.optimizer, (estimator.optimizer, {}))
    if estimator.optimizer in ("adam", "adamw") and _fused_kernels(
        optimizer, torch.device(device).type
    ):
        kwargs = {**kwargs, "fused": True}
    return optimizer, kwargs


def build_net(estimator, n_features, n_classes, n_valid, device, incremental):
    """A new, initialised skorch net for the estimator's parameters."""
    optimizer, optimizer_kwargs = _optimizer_spec(estimator, device)
    criterion, criterion_kwargs = estimator._criterion_spec(n_classes, n_valid)
    module, module_kwargs = _module_spec(estimator, n_features, n_classes)
    # Order: divergence first; then what records quantities (AdaFocal's
    # update, the monitored column, the user's callbacks, copied so that fits
    # do not share their state); early stopping last, so that it can monitor
    # anything recorded in the same epoch.
    callbacks = [
        (
            "stop_on_divergence",
            StopOnDivergence(n_classes, estimator._divergence_hint()),
        ),
        *estimator._make_callbacks(),
    ]
    stopping = []
    if estimator.early_stopping and not incremental:
        column, recorder = MONITORS.get(
            estimator.early_stopping_monitor,
            (estimator.early_stopping_monitor, None),
        )
        if recorder is not None:
            callbacks.append((column, recorder()))
        stopping.append(
            (
                "early_stopping",
                MonitoredEarlyStopping(
                    monitor=column,
                    patience=estimator.n_iter_no_change,
                    threshold=estimator.tol,
                    threshold_mode="abs",
                    load_best=True,
                ),
            )
        )
    callbacks += copy.deepcopy(list(estimator.callbacks or []))
    if estimator.verbose == 1:
        epochs = 1 if incremental else estimator.max_iter
        callbacks.append(("epoch_progress", EpochProgressBar(epochs)))
    callbacks += stopping
    verbose = estimator.verbose
    net = FocalNet(
        module=module,
        criterion=criterion,
        optimizer=optimizer,
        lr=estimator.learning_rate_init,
        max_epochs=estimator.max_iter,
        batch_size=estimator.batch_size,
        iterator_train=TensorBatches,
        iterator_train__shuffle=estimator.shuffle,
        iterator_train__device=device,
        iterator_valid=TensorBatches,
        iterator_valid__device=device,
        iterator_valid__batch_size=PREDICT_BATCH_SIZE,
        train_split=None,
        callbacks=callbacks,
        predict_nonlinearity=softmax64,
        classes=list(range(n_classes)),
        device=device,
        verbose=int(verbose >= 2),
        # PrintLog formats a table every epoch even when silent
        **({} if verbose >= 2 else {"callbacks__print_log": None}),
        **{  # the user's routed parameters take precedence over defaults
            **_prefixed("module", module_kwargs),
            **_prefixed("criterion", criterion_kwargs),
            **_prefixed(
                "optimizer",
                {**optimizer_kwargs, "weight_decay": estimator.weight_decay},
            ),
            **estimator._routed_params(),
        },
    )
    return net.initialize()


def _module_spec(estimator, n_features, n_classes):
    """The skorch ``module`` and its ``module__`` keyword arguments.

    A module class gets ``n_features`` and ``n_classes`` when its
    constructor takes them; ``module__*`` parameters come on top.
    """
    module = estimator.module
    if module is None:
        return MLP, {
            "n_features": n_features,
            "n_classes": n_classes,
            "hidden_layer_sizes": check_hidden_layer_sizes(
                estimator.hidden_layer_sizes
            ),
            "dropout": estimator.dropout,
        }
    if isinstance(module, nn.Module):
        # Train a copy: the parameter passed by the user stays as it was.
        return copy.deepcopy(module), {}
    if isinstance(module, type) and issubclass(module, nn.Module):
        sizes = {"n_features": n_features, "n_classes": n_classes}
        return module, {k: v for k, v in sizes.items() if takes_argument(module, k)}
    raise TypeError(
        "The 'module' parameter must be None, a torch.nn.Module subclass or a "
        f"torch.nn.Module instance; got {module!r} instead."
    )


def check_module_output(module, X_probe: torch.Tensor, n_classes: int) -> None:
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(X_probe)
    except (RuntimeError, ValueError, TypeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        raise ValueError(
            f"The 'module' cannot take samples of shape {tuple(X_probe.shape[1:])} "
            f"(X's shape past the first axis): {message}"
        ) from None
    finally:
        module.train(was_training)
    if not isinstance(out, torch.Tensor) or out.shape != (len(X_probe), n_classes):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out)
        raise ValueError(
            f"The 'module' must return logits of shape (n_samples, n_classes) = "
            f"({len(X_probe)}, {n_classes}); it returned {shape}."
        )


def _prefixed(prefix: str, kwargs: dict) -> dict:
    return {f"{prefix}__{k}": v for k, v in kwargs.items()}


def takes_argument(function, name: str) -> bool:
    """Whether ``function`` (or a class's constructor) accepts ``name=``."""
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )
