"""Class labels to column indices: the one encoding the package uses.

The columns of ``predict_proba`` (and of every ``y_prob``) follow the sorted
class labels, as in scikit-learn; a label is encoded as its index there.
"""

from __future__ import annotations

import numpy as np

__all__ = ["encode", "label"]


def encode(y, classes, *, message: str) -> np.ndarray:
    """Index of each label of ``y`` in the sorted array ``classes``.

    Labels that are not in ``classes`` raise a ValueError with ``message``,
    whose ``{}`` is replaced by the list of those labels.
    """
    y = np.asarray(y)
    encoded = np.minimum(np.searchsorted(classes, y), len(classes) - 1)
    unknown = classes[encoded] != y
    if unknown.any():
        # .tolist() shows 7, not np.int64(7)
        raise ValueError(message.format(np.unique(y[unknown]).tolist()))
    return encoded


def label(value):
    """A class label as Python shows it: 7, not np.int64(7)."""
    return value.item() if isinstance(value, np.generic) else value
