"""Shared fits: the same network fitted once inside a comparison.

The comparison evaluates public, unfitted estimators (``make_method``), and
several of them train the same network on the same rows: the three
post-hoc calibrators of one cross-entropy network, the final network of a
cross-fitted ``temperature`` and the ``cross_entropy`` method, the gamma
search of ``focal`` and of ``focal+temperature``. Inside
:func:`shared_fits`, a fit of an estimator whose parameters (with an
integer ``random_state``) and data equal an earlier fit's takes that fit's
result instead of training again. With an integer ``random_state`` a fit
on the CPU is deterministic, so the result is the one a fresh fit gives:
each method's numbers equal those of its public estimator fitted alone.

The time of the original fit is added to :func:`replayed_seconds`, so that
every method is charged the time it would take on its own.
"""

from __future__ import annotations

import contextvars
import copy
import time
from contextlib import contextmanager
from numbers import Integral

import joblib

__all__ = ["memoized_fit", "replayed_seconds", "shared_fits"]

_CACHE: contextvars.ContextVar = contextvars.ContextVar("sklearn_focal_fits")


class _Cache:
    def __init__(self):
        self.entries = {}
        self.replayed = 0.0


@contextmanager
def shared_fits():
    """Fits inside the block share their results (module docs)."""
    token = _CACHE.set(_Cache())
    try:
        yield
    finally:
        _CACHE.reset(token)


def replayed_seconds() -> float:
    """Seconds of the fits taken from the cache so far in this block."""
    cache = _CACHE.get(None)
    return 0.0 if cache is None else cache.replayed


def _deterministic(estimator) -> bool:
    """Every ``random_state`` of the estimator (nested ones too) an int."""
    states = [
        value
        for key, value in estimator.get_params(deep=True).items()
        if key == "random_state" or key.endswith("__random_state")
    ]
    return all(
        isinstance(value, Integral) and not isinstance(value, bool) for value in states
    ) and bool(states)


def memoized_fit(estimator, fit, data):
    """Run ``fit()`` (which fits ``estimator`` in place) or replay a cached
    fit of the same parameters on the same ``data`` (a tuple of arrays)."""
    cache = _CACHE.get(None)
    if cache is None or not _deterministic(estimator):
        return fit()
    key = joblib.hash((type(estimator).__qualname__, estimator.get_params(), data))
    if key in cache.entries:
        state, seconds = cache.entries[key]
        vars(estimator).update(copy.deepcopy(state))
        cache.replayed += seconds
        return estimator
    start = time.perf_counter()
    fit()
    cache.entries[key] = (copy.deepcopy(vars(estimator)), time.perf_counter() - start)
    return estimator
