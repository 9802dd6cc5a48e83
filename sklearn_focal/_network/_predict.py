"""Prediction, shared by the estimators: the forward pass of the fitted net.

Every method validates ``X`` as scikit-learn does, runs the skorch net's
forward pass in fixed-size batches (:mod:`._data`) and works in float64
from the logits on. With ``class_weight`` and ``prior_correction`` the
logits are shifted by ``-log(class_weight_)``.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _threads
from ._data import (
    PREDICT_BATCH_SIZE,
    as_tensor,
    check_numeric_columns,
    module_dtype,
)


class _PredictMixin:
    """``decision_function``, ``predict_proba``, ``predict_log_proba`` and
    ``predict`` of a fitted ``net_``."""

    def _validated_X(self, X) -> torch.Tensor:
        check_is_fitted(self)
        X = self._checked_input(X, reset=False)
        return as_tensor(X, module_dtype(self.net_.module_))

    def _checked_input(self, X, y="no_validation", *, reset):
        """scikit-learn's checks of ``X`` (and ``y``, as ``validate_data``
        takes it), float32. With a ``module``, samples may have any shape
        (images ``(C, H, W)``, sequences): the first axis is the samples; the
        shape of a sample is ``sample_shape_``, and a prediction's samples
        must have it."""
        owner = type(self).__name__
        check_numeric_columns(X, owner)
        checked = validate_data(
            self, X, y, dtype=np.float32, allow_nd=True, reset=reset
        )
        X = checked if isinstance(y, str) and y == "no_validation" else checked[0]
        if X.ndim > 2 and self.module is None:
            raise ValueError(
                f"X has {X.ndim} dimensions (shape {X.shape}), but {owner}'s "
                "default network is an MLP of rows of shape (n_samples, "
                "n_features): pass a torch module that takes samples of shape "
                f"{X.shape[1:]} as module=, or flatten X to 2 dimensions."
            )
        if reset:
            self.sample_shape_ = X.shape[1:]
        elif X.shape[1:] != getattr(self, "sample_shape_", X.shape[1:]):
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but {owner} was fitted "
                f"on samples of shape {self.sample_shape_}."
            )
        return checked

    def _threads(self):
        """torch's threads for a prediction pass (see ``_threads``)."""
        work = PREDICT_BATCH_SIZE * _threads.n_parameters(self.net_.module_)
        return _threads.torch_threads(_threads.resolve(self.n_threads, work))

    def _logits(self, X) -> torch.Tensor:
        """float64 logits on the CPU, from the skorch net's forward pass."""
        X = self._validated_X(X)
        with self._threads():
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
        with self._threads():
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
