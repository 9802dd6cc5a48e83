"""A fit as a transaction: if it raises, the estimator is left as it was.

A new fit builds a new net and replaces the fitted attributes only at the
end, so keeping references to them suffices; ``partial_fit`` trains the
fitted net in place, so its weights, optimizer, loss state, callbacks and
history length are saved too. Divergence, a callback's error or Ctrl-C then
leave no model whose classes belong to one fit and whose network to another.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager

from torch import nn

from ._net_builder import ROUTED_PREFIXES

__all__ = ["fit_transaction"]


@contextmanager
def fit_transaction(estimator, *, in_place: bool):
    """Leave the estimator as it was if the block raises; ``in_place``:
    the block trains the fitted net itself (``partial_fit``, module docs)."""
    saved = {k: v for k, v in vars(estimator).items() if _is_fitted_attribute(k)}
    states = None
    if in_place:
        net = estimator.net_
        states = (
            copy.deepcopy(net.module_.state_dict()),
            copy.deepcopy(net.optimizer_.state_dict()),
            copy.deepcopy(net.criterion_.state_dict())
            if isinstance(net.criterion_, nn.Module)
            else None,
            len(net.history_),
            net.callbacks,
            net.callbacks_,
        )
    try:
        yield
    except BaseException:
        for key in [k for k in vars(estimator) if _is_fitted_attribute(k)]:
            delattr(estimator, key)
        vars(estimator).update(saved)
        if states is not None:
            net = estimator.net_
            net.module_.load_state_dict(states[0])
            net.optimizer_.load_state_dict(states[1])
            if states[2] is not None:
                net.criterion_.load_state_dict(states[2])
            del net.history_[states[3] :]
            net.callbacks, net.callbacks_ = states[4], states[5]
        raise


def _is_fitted_attribute(key: str) -> bool:
    return (
        key.endswith("_")
        and not key.startswith("_")
        and not key.startswith(ROUTED_PREFIXES)
    )
