"""Curvature of the loss surface at the fitted weights.

The Hessian is taken with respect to the network parameters theta, at the
fitted weights, of the mean loss over the data passed in, with the network in
eval mode (no dropout)::

    H = d^2/d theta^2  (1/N) sum_n loss(f_theta(x_n), y_n)

``loss="cross_entropy"`` (default) uses cross-entropy whatever the training
loss, so networks trained with different gamma are comparable;
``loss="training"`` uses the estimator's own training loss.

Methods
-------
* :func:`hessian_trace` with ``method="exact"``: for networks that are a chain
  of ``Linear`` and ``ReLU``/``LeakyReLU`` layers (the default
  :class:`~sklearn_focal.networks.MLP`), the logits are linear in each layer's
  weights once the ReLU pattern is fixed, so the diagonal blocks of the
  second derivative of the logits vanish and
  ``tr H = (1/N) sum_n tr(H_z,n J_n J_n^T)``, with ``J_n`` the Jacobian of the
  logits and ``H_z,n`` the Hessian of the loss in logit space. For a linear
  layer the Jacobian of logit c is ``g_c (outer) a`` (``a`` the layer input,
  ``g_c`` the gradient of logit c at its output), so
  ``J J^T = sum_layers (|a|^2 + 1) G G^T`` needs only one backward pass per
  class. Deterministic; about ``n_classes`` backward passes over the data.
* ``method="hutchinson"``: the unbiased Rademacher estimator
  ``E[v^T H v]`` over Hessian-vector products, with its standard error. Works
  for any network.
* :func:`hessian_top_eigenvalue`: Lanczos (``scipy.sparse.linalg.eigsh``) or
  power iteration over Hessian-vector products.
* :func:`logit_curvature`: the closed-form trace of the loss Hessian with
  respect to the *logits*, averaged over samples: a cheap diagnostic, not the
  parameter-space curvature.

Hessian-vector products use ``torch.func.jvp`` over ``torch.func.grad`` of a
``functional_call`` and are summed over batches of the data, so memory stays
bounded on large ``X``.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from torch import nn
from torch.func import functional_call, grad, jvp

from ._compat import Interval, StrOptions, validate_params
from ._labels import encode
from ._network import _threads
from ._network._base import _BaseFocalClassifier
from ._network._data import as_tensor, module_dtype
from .losses import FocalLoss, FocalLossSD53, sd53_gamma
from .networks import MLP

__all__ = [
    "CurvatureResult",
    "hessian_top_eigenvalue",
    "hessian_trace",
    "logit_curvature",
]

_PIECEWISE_LINEAR = (nn.ReLU, nn.LeakyReLU, nn.Dropout, nn.Identity)


@dataclass(frozen=True)
class CurvatureResult:
    """A curvature estimate; ``float(result)`` is its value.

    Attributes
    ----------
    value : float
        The trace or the top eigenvalue.
    std_error : float or None
        Standard error of a stochastic estimate (Hutchinson); None when
        deterministic.
    n_hvp : int
        Hessian-vector products over the whole data set (0 for the exact
        trace, which uses ``n_classes`` backward passes instead).
    method : str
        ``"exact"``, ``"hutchinson"``, ``"lanczos"`` or ``"power"``.
    n_params : int
        Number of network parameters P.
    """

    value: float
    std_error: float | None
    n_hvp: int
    method: str
    n_params: int

    def __float__(self) -> float:
        return float(self.value)

    @property
    def per_parameter(self) -> float:
        """``value / n_params`` (the mean diagonal entry, for a trace)."""
        return self.value / self.n_params


# --------------------------------------------------------------------------
# Inputs: network, data, loss
# --------------------------------------------------------------------------
@dataclass
class _Problem:
    module: nn.Module
    X: torch.Tensor
    y: torch.Tensor
    loss: nn.Module | None  # mean-reduced, called as loss(logits, target)
    device: torch.device

    def batches(self, batch_size):
        n = len(self.X)
        for start in range(0, n, batch_size):
            yield (
                self.X[start : start + batch_size].to(self.device),
                self.y[start : start + batch_size].to(self.device),
            )


class _CrossEntropy(nn.Module):
    def forward(self, logits, target):
        return F.cross_entropy(logits, target)


def _problem(estimator, X, y, loss, dtype) -> _Problem:
    """Network, encoded data and loss of ``estimator``, in eval mode."""
    while isinstance(estimator, Pipeline) or hasattr(estimator, "best_estimator_"):
        if isinstance(estimator, Pipeline):  # the network at its end
            X = estimator[:-1].transform(X)
            estimator = estimator[-1]
        else:  # a fitted search: the network it chose
            estimator = estimator.best_estimator_
    criterion = None
    if isinstance(estimator, _BaseFocalClassifier):
        check_is_fitted(estimator)
        X = validate_data(estimator, X, reset=False, dtype=np.float32, allow_nd=True)
        target = encode(
            y,
            estimator.classes_,
            message="y contains labels the estimator was not fitted on: {}.",
        )
        module, criterion = estimator.net_.module_, estimator.net_.criterion_
        device = torch.device(estimator.net_.device)
    elif hasattr(estimator, "module_") and hasattr(
        estimator, "criterion_"
    ):  # skorch net
        module, criterion = estimator.module_, estimator.criterion_
        device = torch.device(estimator.device)
        X, target = check_array(X, dtype=np.float32, allow_nd=True), np.asarray(y)
    elif isinstance(estimator, nn.Module):
        module = estimator
        device = next(module.parameters()).device
        X, target = check_array(X, dtype=np.float32, allow_nd=True), np.asarray(y)
    else:
        raise TypeError(
            "estimator must be a fitted FocalClassifier or AdaFocalClassifier (or a "
            "Pipeline ending in one, or a fitted search such as GammaSearchClassifier "
            "of one), a fitted skorch net or a torch.nn.Module; got "
            f"{type(estimator).__name__}."
        )
    check_consistent_length(X, target)
    if loss == "training":
        if criterion is None:
            raise ValueError(
                "loss='training' needs an estimator that knows its training loss "
                "(a fitted FocalClassifier, AdaFocalClassifier or skorch net)."
            )
        loss_module = copy.deepcopy(criterion)
        if hasattr(loss_module, "reduction"):
            loss_module.reduction = "mean"
    else:
        loss_module = _CrossEntropy()
    module = copy.deepcopy(module).eval()
    if dtype is not None:
        module = module.to(dtype)
        loss_module = loss_module.to(dtype)
    module.requires_grad_(False)
    X_t = as_tensor(np.asarray(X), module_dtype(module))
    y_t = torch.as_tensor(np.asarray(target), dtype=torch.long)
    return _Problem(module, X_t, y_t, loss_module.to(device), device)


# --------------------------------------------------------------------------
# Hessian-vector products
# --------------------------------------------------------------------------
class _HVP:
    """Hessian-vector products of the mean loss, as flat vectors."""

    def __init__(self, problem: _Problem, batch_size: int):
        self.problem = problem
        self.batch_size = batch_size
        module = problem.module
        self.names = [name for name, _ in module.named_parameters()]
        self.params = tuple(p.detach() for _, p in module.named_parameters())
        self.buffers = dict(module.named_buffers())
        self.sizes = [p.numel() for p in self.params]
        self.n_params = sum(self.sizes)
        self.count = 0

    def _batch_loss(self, params, Xb, yb, weight):
        state = {**dict(zip(self.names, params, strict=True)), **self.buffers}
        logits = functional_call(self.problem.module, state, (Xb,))
        return self.problem.loss(logits, yb) * weight

    def __call__(self, vector: torch.Tensor) -> torch.Tensor:
        tangent = tuple(
            chunk.view_as(p)
            for chunk, p in zip(
                torch.split(vector, self.sizes), self.params, strict=True
            )
        )
        n = len(self.problem.X)
        total = torch.zeros_like(vector)
        for Xb, yb in self.problem.batches(self.batch_size):
            weight = len(Xb) / n
            with warnings.catch_warnings():
                # torch's own jvp decompositions use torch.jit.script on first
                # use; the deprecation is torch's, not the caller's, to act on.
                warnings.filterwarnings("ignore", message=".*torch.jit.script.*")
                _, hv = jvp(
                    lambda p, Xb=Xb, yb=yb, weight=weight: grad(self._batch_loss)(
                        p, Xb, yb, weight
                    ),
                    (self.params,),
                    (tangent,),
                )
            total += torch.cat([h.reshape(-1) for h in hv])
        self.count += 1
        return total


# --------------------------------------------------------------------------
# Exact trace for Linear/ReLU chains
# --------------------------------------------------------------------------
def _linear_relu_chain(module: nn.Module) -> list[nn.Module] | None:
    """The layers of a Linear/ReLU chain, or None if ``module`` is not one."""
    if isinstance(module, MLP) and type(module).forward is MLP.forward:
        module = module.layers
    if isinstance(module, nn.Sequential):
        layers = []
        for child in module:
            sub = _linear_relu_chain(child)
            if sub is None:
                return None
            layers += sub
        return layers
    if isinstance(module, (nn.Linear, *_PIECEWISE_LINEAR)):
        return [module]
    return None


def _logit_hessians(loss: nn.Module, logits: torch.Tensor, target: torch.Tensor):
    """Per-sample Hessians of the loss in logit space, shape (B, C, C).

    The samples do not interact, so the Hessian of the summed loss is block
    diagonal and ``C`` backward passes give every block.
    """
    z = logits.detach().requires_grad_(True)
    with torch.enable_grad():
        total = loss(z, target) * len(z)  # mean-reduced -> sum over samples
        (g,) = torch.autograd.grad(total, z, create_graph=True)
        columns = [
            torch.autograd.grad(g[:, c].sum(), z, retain_graph=True)[0]
            for c in range(z.shape[1])
        ]
    return torch.stack(columns, dim=2).detach()


def _exact_trace(problem: _Problem, layers, batch_size: int) -> float:
    n_classes = None
    total = 0.0
    for Xb, yb in problem.batches(batch_size):
        with torch.enable_grad():
            a, saved = Xb, []
            for layer in layers:
                if isinstance(layer, nn.Linear):
                    s = layer(a)
                    if not s.requires_grad:
                        s.requires_grad_(True)
                    saved.append((a, s, layer.bias is not None))
                    a = s
                else:
                    a = layer(a)
            logits = a
            n_classes = logits.shape[1]
            eye = torch.eye(n_classes, dtype=logits.dtype, device=logits.device)
            one_hot = eye[:, None, :].expand(n_classes, *logits.shape)
            grads = torch.autograd.grad(
                logits,
                [s for _, s, _ in saved],
                grad_outputs=one_hot,
                is_grads_batched=True,
            )
        # J J^T per sample: sum over layers of (|a|^2 + 1[bias]) G G^T
        jjt = 0
        for (a_in, _, has_bias), g in zip(saved, grads, strict=True):
            scale = a_in.detach().pow(2).sum(dim=1) + float(has_bias)
            jjt = jjt + scale[:, None, None] * torch.einsum("cnk,dnk->ncd", g, g)
        h_z = _logit_hessians(problem.loss, logits, yb)
        total += float((h_z * jjt).sum())
    return total / len(problem.X)


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------
_COMMON = {
    "estimator": [object],
    "X": ["array-like"],
    "y": ["array-like"],
    "loss": [StrOptions({"cross_entropy", "training"})],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "dtype": [None, torch.dtype],
    "random_state": ["random_state"],
    "n_threads": [Interval(Integral, 1, None, closed="left"), None],
}


def _threads_for(problem, n_threads, batch_size):
    """torch's threads for passes of ``batch_size`` rows (``_threads``)."""
    rows = min(len(problem.X), batch_size)
    work = _threads.training_work(rows, problem.module)
    return _threads.torch_threads(_threads.resolve(n_threads, work))


@validate_params(
    {
        **_COMMON,
        "method": [StrOptions({"auto", "exact", "hutchinson"})],
        "n_probes": [Interval(Integral, 2, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def hessian_trace(
    estimator,
    X,
    y,
    *,
    loss: str = "cross_entropy",
    method: str = "auto",
    n_probes: int = 100,
    batch_size: int = 4096,
    dtype: torch.dtype | None = None,
    random_state=None,
    n_threads=None,
) -> CurvatureResult:
    """Trace of the Hessian of the mean loss with respect to the parameters.

    Parameters
    ----------
    estimator : fitted classifier, skorch net or torch.nn.Module
        A fitted :class:`~sklearn_focal.FocalClassifier` or
        :class:`~sklearn_focal.AdaFocalClassifier` (or a Pipeline ending in
        one, or a fitted search of one: its ``best_estimator_``); a fitted
        skorch net whose module returns logits; or a
        ``torch.nn.Module`` returning logits. For the last two, ``y`` holds
        class indices ``0..n_classes-1``.
    X : array-like of shape (n_samples, n_features)
        Data on which the loss is averaged.
    y : array-like of shape (n_samples,)
        Labels.
    loss : {"cross_entropy", "training"}, default="cross_entropy"
        Cross-entropy (comparable across training losses), or the
        estimator's own training loss.
    method : {"auto", "exact", "hutchinson"}, default="auto"
        ``"exact"`` needs a chain of Linear and ReLU layers (the default
        MLP); ``"auto"`` uses it when possible, else Hutchinson.
    n_probes : int, default=100
        Rademacher probes for Hutchinson.
    batch_size : int, default=4096
        Rows per pass over the data.
    dtype : torch.dtype, default=None
        Compute in this dtype (e.g. ``torch.float64``) on a copy of the
        network; default: the network's own.
    random_state : int, RandomState instance or None, default=None
        Seeds the probes.
    n_threads : int, default=None
        torch's threads for the computation (restored afterwards); None:
        the estimators' policy, one thread for small networks and batches,
        else all that torch may use.

    Returns
    -------
    result : CurvatureResult

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_focal import FocalClassifier
    >>> from sklearn_focal.curvature import hessian_trace
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = FocalClassifier(hidden_layer_sizes=(16,), max_iter=20,
    ...                       random_state=0).fit(X, y)
    >>> result = hessian_trace(clf, X, y)
    >>> result.method, result.value > 0
    ('exact', True)
    """
    problem = _problem(estimator, X, y, loss, dtype)
    with _threads_for(problem, n_threads, batch_size):
        return _hessian_trace(problem, method, n_probes, batch_size, random_state)


def _hessian_trace(problem, method, n_probes, batch_size, random_state):
    layers = _linear_relu_chain(problem.module)
    if method == "exact" and layers is None:
        raise ValueError(
            "method='exact' needs a network that is a chain of Linear and ReLU "
            f"layers; {type(problem.module).__name__} is not one. Use "
            "method='hutchinson'."
        )
    n_params = sum(p.numel() for p in problem.module.parameters())
    if method in ("auto", "exact") and layers is not None:
        value = _exact_trace(problem, layers, batch_size)
        return CurvatureResult(value, None, 0, "exact", n_params)
    hvp = _HVP(problem, batch_size)
    generator = torch.Generator().manual_seed(
        int(check_random_state(random_state).randint(2**31 - 1))
    )
    samples = []
    for _ in range(n_probes):
        probe = torch.randint(0, 2, (n_params,), generator=generator).to(hvp.params[0])
        probe = probe * 2 - 1
        samples.append(float(probe @ hvp(probe)))
    samples = np.asarray(samples)
    std_error = float(samples.std(ddof=1) / np.sqrt(n_probes))
    return CurvatureResult(
        float(samples.mean()), std_error, hvp.count, "hutchinson", n_params
    )


@validate_params(
    {
        **_COMMON,
        "method": [StrOptions({"lanczos", "power"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def hessian_top_eigenvalue(
    estimator,
    X,
    y,
    *,
    loss: str = "cross_entropy",
    method: str = "lanczos",
    max_iter: int = 200,
    tol: float = 1e-6,
    batch_size: int = 4096,
    dtype: torch.dtype | None = None,
    random_state=None,
    n_threads=None,
) -> CurvatureResult:
    """Largest eigenvalue of the Hessian of the mean loss (parameters).

    Parameters
    ----------
    estimator, X, y, loss, batch_size, dtype, n_threads
        As in :func:`hessian_trace`.
    method : {"lanczos", "power"}, default="lanczos"
        Lanczos (``scipy.sparse.linalg.eigsh`` for the largest algebraic
        eigenvalue) or power iteration (the eigenvalue of largest magnitude,
        which is the top one when the Hessian is positive semi-definite, as
        it nearly is at a minimum).
    max_iter : int, default=200
        Iteration limit (Lanczos restarts, or power steps).
    tol : float, default=1e-6
        Relative tolerance on the eigenvalue.
    random_state : int, RandomState instance or None, default=None
        Seeds the starting vector.

    Returns
    -------
    result : CurvatureResult
    """
    problem = _problem(estimator, X, y, loss, dtype)
    with _threads_for(problem, n_threads, batch_size):
        return _top_eigenvalue(problem, method, max_iter, tol, batch_size, random_state)


def _top_eigenvalue(problem, method, max_iter, tol, batch_size, random_state):
    hvp = _HVP(problem, batch_size)
    like = hvp.params[0]
    start = check_random_state(random_state).normal(size=hvp.n_params)
    if method == "lanczos":

        def matvec(v):
            v = torch.as_tensor(np.ravel(v), dtype=like.dtype, device=like.device)
            return hvp(v).cpu().double().numpy()

        operator = LinearOperator((hvp.n_params,) * 2, matvec=matvec, dtype=np.float64)
        value = eigsh(
            operator,
            k=1,
            which="LA",
            v0=start,
            maxiter=max_iter,
            tol=tol,
            return_eigenvectors=False,
        )[0]
    else:
        v = torch.as_tensor(start, dtype=like.dtype, device=like.device)
        v /= v.norm()
        value = 0.0
        for _ in range(max_iter):
            hv = hvp(v)
            new = float(v @ hv)
            v = hv / hv.norm()
            if abs(new - value) <= tol * abs(new):
                value = new
                break
            value = new
    return CurvatureResult(float(value), None, hvp.count, method, hvp.n_params)


def _closed_form_logit_trace(loss: nn.Module | None, logits, target):
    """Closed-form tr(H_z) per sample for cross-entropy and focal losses.

    With p = softmax(z), q = p_y: cross-entropy gives ``1 - sum p^2``; focal
    loss ``-(1-q)^g log q`` gives ``w1 (1 - sum p^2) + w2 (1 - 2q + sum p^2)``
    with ``w1 = (1-q)^g - g q (1-q)^(g-1) log q`` and
    ``w2 = g q (1-q)^(g-2) [2(1-q) + (1 - g q) log q]``. Returns None for
    other losses.
    """
    if loss is None or isinstance(loss, _CrossEntropy):
        gamma = torch.zeros(len(logits), dtype=logits.dtype, device=logits.device)
    elif isinstance(loss, FocalLoss):
        gamma = torch.full(
            (len(logits),), loss.gamma, dtype=logits.dtype, device=logits.device
        )
    elif isinstance(loss, FocalLossSD53):
        q = torch.softmax(logits, 1).gather(1, target[:, None]).squeeze(1)
        gamma = sd53_gamma(q)
    else:
        return None
    p = torch.softmax(logits, dim=1)
    q = p.gather(1, target[:, None]).squeeze(1)
    log_q = torch.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
    sum_sq = (p * p).sum(dim=1)
    one_minus_q = -torch.expm1(log_q)
    safe = one_minus_q.clamp_min(torch.finfo(logits.dtype).tiny)
    w1 = safe.pow(gamma) - gamma * q * safe.pow(gamma - 1) * log_q
    w2 = gamma * q * safe.pow(gamma - 2) * (2 * one_minus_q + (1 - gamma * q) * log_q)
    w2 = torch.where(gamma == 0, torch.zeros_like(w2), w2)
    w1 = torch.where(gamma == 0, torch.ones_like(w1), w1)
    return w1 * (1 - sum_sq) + w2 * (1 - 2 * q + sum_sq)


@validate_params(
    {k: _COMMON[k] for k in ("estimator", "X", "y", "loss", "batch_size")},
    prefer_skip_nested_validation=True,
)
def logit_curvature(
    estimator, X, y, *, loss: str = "cross_entropy", batch_size: int = 4096
) -> float:
    """Mean trace of the loss Hessian with respect to the logits.

    A cheap diagnostic: ``(1/N) sum_n tr(d^2 loss / dz_n^2)`` at the network's
    logits ``z_n``. It is *not* the parameter-space curvature of
    :func:`hessian_trace` (it ignores how the logits depend on the weights).
    Closed forms are used for cross-entropy (``1 - sum_k p_k^2``) and focal
    loss (including FLSD-53); other training losses use autograd.

    Parameters
    ----------
    estimator, X, y, loss, batch_size
        As in :func:`hessian_trace`.

    Returns
    -------
    trace : float

    Examples
    --------
    >>> import torch
    >>> from sklearn_focal.curvature import logit_curvature
    >>> net = torch.nn.Linear(2, 2)  # a torch module: y holds class indices
    >>> _ = torch.nn.init.zeros_(net.weight), torch.nn.init.zeros_(net.bias)
    >>> logit_curvature(net, [[0.0, 0.0]], [0])  # p = (1/2, 1/2): 1 - 1/2
    0.5
    """
    problem = _problem(estimator, X, y, loss, None)
    total = 0.0
    with torch.no_grad():
        for Xb, yb in problem.batches(batch_size):
            logits = problem.module(Xb)
            trace = _closed_form_logit_trace(problem.loss, logits, yb)
            if trace is None:
                trace = torch.diagonal(
                    _logit_hessians(problem.loss, logits, yb), dim1=1, dim2=2
                ).sum(dim=1)
            total += float(trace.sum())
    return total / len(problem.X)
