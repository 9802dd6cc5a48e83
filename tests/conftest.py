"""Data shared by the test modules: small, standardised, bundled with sklearn."""

import signal

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from sklearn_focal._network._data import validation_split


@pytest.fixture(scope="session")
def iris():
    """Iris, standardised: 150 x 4, three balanced classes."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def cancer():
    """Breast cancer, standardised: 569 x 30, binary."""
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def validation_indices():
    """The validation rows a fit with ``random_state`` holds out.

    The estimators draw (torch, split, shuffle) seeds from ``random_state``
    in that order; this replays the split's.
    """

    def indices(y, fraction, random_state=0):
        rng = check_random_state(random_state)
        _, split_seed, _ = rng.randint(np.iinfo(np.int32).max, size=3)
        return validation_split(
            np.unique(y, return_inverse=True)[1], fraction, split_seed
        )[1]

    return indices


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C raises KeyboardInterrupt, as in a terminal; a process started in
    the background (``cmd &``) inherits SIGINT ignored, and ignores it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
