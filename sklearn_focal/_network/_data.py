"""Training data as whole tensors on the device, sliced into batches.

The data path of the estimators, made of skorch's extension points:

* :class:`TensorDataset` holds features, encoded targets and optional sample
  weights as whole tensors, moved to the training device once per fit
  (:func:`device_datasets`; pinned host memory when they would take more
  than half of a GPU's free memory);
* :class:`TensorBatches` is skorch's ``iterator_train`` / ``iterator_valid``:
  it slices batches with a seeded permutation instead of a per-sample
  ``DataLoader``;
* a batch is ``(X, y)`` or, with sample weights, ``({"X": X,
  "sample_weight": w}, y)``, the form skorch documents for extra inputs;
  :func:`unpack_batch` is the one place that reads it.

:func:`validation_split` draws the stratified validation split in numpy.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np
import pandas.api.types as pd_api
import torch
from sklearn.model_selection import StratifiedShuffleSplit
from skorch.dataset import Dataset as _SkorchDataset
from skorch.dataset import unpack_data
from torch import nn

__all__ = [
    "PREDICT_BATCH_SIZE",
    "TensorBatches",
    "TensorDataset",
    "as_tensor",
    "check_numeric_columns",
    "data_device",
    "device_datasets",
    "module_dtype",
    "unpack_batch",
    "validation_split",
]

#: Rows per forward pass at prediction time. Every pass has exactly this many
#: rows (the last one is padded): float32 matrix kernels sum in an order that
#: depends on the number of rows, and a fixed shape makes each row's
#: prediction independent of what it is predicted with.
PREDICT_BATCH_SIZE = 1024


class TensorDataset(_SkorchDataset):
    """Features, encoded targets and optional weights as whole tensors.

    A skorch ``Dataset`` (``X`` and ``y`` attributes), so skorch's scoring
    callbacks find the targets, without skorch's per-sample conversion.
    """

    def __init__(self, X: torch.Tensor, y=None, sample_weight=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        # Never called: TensorBatches slices the whole tensors. Defined so that
        # skorch's per-sample __getitem__ (which needs its own __init__) is
        # not inherited by mistake.
        raise TypeError(
            "TensorDataset is read by TensorBatches, whole tensors at a time, "
            "not sample by sample."
        )


def unpack_batch(batch):
    """``(X, y, sample_weight)`` of a batch; ``sample_weight`` may be None."""
    X, y = unpack_data(batch)
    if isinstance(X, Mapping):
        return X["X"], y, X.get("sample_weight")
    return X, y, None


class TensorBatches:
    """Mini-batches sliced from a :class:`TensorDataset`.

    skorch builds one per ``fit_loop`` (``iterator_train``/``iterator_valid``)
    and iterates it once per epoch. Shuffling draws a permutation from a
    private, seeded generator, so the batch order is reproducible and leaves
    the global RNG alone. Batches are moved to ``device`` (a no-op for tensors
    already there). Other datasets go through a plain ``DataLoader``.
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
        if not isinstance(data, TensorDataset):
            yield from torch.utils.data.DataLoader(
                data,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                generator=self._generator,
            )
            return
        n = len(data)
        tensors = [data.X, data.y, data.sample_weight]
        order = None
        if self.shuffle:
            order = torch.randperm(n, generator=self._generator).to(data.X.device)
        move = data.X.device != torch.device(self.device)
        for start in range(0, n, self.batch_size):
            if order is None:
                Xb, yb, wb = (
                    None if t is None else t[start : start + self.batch_size]
                    for t in tensors
                )
            else:
                idx = order[start : start + self.batch_size]
                Xb, yb, wb = (None if t is None else t[idx] for t in tensors)
            if move:  # data kept in host memory: copy this batch
                Xb, yb, wb = (
                    None if t is None else t.to(self.device, non_blocking=True)
                    for t in (Xb, yb, wb)
                )
            yield (Xb if wb is None else {"X": Xb, "sample_weight": wb}), yb


def as_tensor(a: np.ndarray, dtype: torch.dtype | None = None) -> torch.Tensor:
    # torch warns on read-only arrays (memmaps); copy those.
    if not a.flags.writeable:
        a = a.copy()
    t = torch.from_numpy(np.ascontiguousarray(a))
    return t if dtype is None else t.to(dtype)


def module_dtype(module: nn.Module) -> torch.dtype:
    """Floating dtype of the module's parameters: the data are cast to it."""
    for p in module.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.float32


def data_device(n_bytes: int, device: torch.device) -> torch.device:
    """Where the training data live during ``fit``.

    On the training device when they take at most half of its free memory
    (one copy per fit, no per-batch transfer); otherwise in host memory,
    pinned, and each batch is copied asynchronously by the iterator.
    """
    if device.type != "cuda":
        return device
    free, _ = torch.cuda.mem_get_info(device)
    return device if n_bytes <= 0.5 * free else torch.device("cpu")


def device_datasets(train, valid, *, dtype, device):
    """Train and validation :class:`TensorDataset`, moved to the device once.

    ``train`` and ``valid`` are ``(X, y, sample_weight)`` numpy triples
    (``sample_weight`` may be None); the validation dataset is None when
    ``valid`` is.
    """
    parts = [train] if valid is None else [train, valid]
    tensors = [
        (
            as_tensor(X, dtype),
            torch.from_numpy(y.astype(np.int64)),
            None if w is None else as_tensor(w, dtype),
        )
        for X, y, w in parts
    ]
    n_bytes = sum(
        t.element_size() * t.nelement()
        for part in tensors
        for t in part
        if t is not None
    )
    home = data_device(n_bytes, device)
    pin = home.type == "cpu" and device.type == "cuda"

    def place(t):
        if t is None:
            return None
        t = t.to(home)
        return t.pin_memory() if pin else t

    datasets = [TensorDataset(*(place(t) for t in part)) for part in tensors]
    return datasets[0], (datasets[1] if valid is not None else None)


def validation_split(y, validation_fraction, seed, hint="Pass more samples."):
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
    if n_strata == 0:
        raise ValueError(
            f"Too few samples for a stratified validation split with "
            f"validation_fraction={validation_fraction}: {len(y)} samples, "
            f"{len(counts)} classes, and no class has the 2 samples it needs, one "
            f"for each part. {hint}"
        )
    if len(idx) - n_valid < n_strata:
        raise ValueError(
            f"validation_fraction={validation_fraction} leaves too few samples "
            f"for training: {len(idx) - n_valid} of {len(y)} samples would remain "
            f"to train on {n_strata} classes, and each needs at least one. Lower "
            f"validation_fraction. {hint}"
        )
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_valid, random_state=seed)
    train, valid = next(splitter.split(idx, y[idx]))
    train = np.sort(np.concatenate([idx[train], np.flatnonzero(~splittable)]))
    return train, np.sort(idx[valid])


def check_numeric_columns(X, owner: str) -> None:
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
            "Pipeline: sklearn_focal.methods.TabularPreprocessor one-hot "
            "encodes them, or use a ColumnTransformer with a OneHotEncoder."
        )
