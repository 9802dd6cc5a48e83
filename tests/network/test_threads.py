"""The thread policy: per call, never the user's global setting."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_focal import FocalClassifier, compare_calibration
from sklearn_focal._network._threads import PARALLEL_WORK, resolve
from sklearn_focal.curvature import hessian_top_eigenvalue, hessian_trace


class _Threads(Callback):
    """Record torch's thread count while training."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("threads", torch.get_num_threads())


@pytest.fixture
def global_threads():
    """The user's own setting, restored after the test."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("users", [1, 3])
def test_every_call_leaves_the_users_setting_as_it_was(iris, global_threads, users):
    X, y = iris
    torch.set_num_threads(users)
    clf = FocalClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    clf.fit(X, y)
    assert torch.get_num_threads() == users
    clf.partial_fit(X, y)
    clf.predict_proba(X), clf.predict(X), clf.decision_function(X)
    clf.set_params(class_weight="balanced").fit(X, y).predict_proba(X)
    assert torch.get_num_threads() == users
    hessian_trace(clf, X, y)
    hessian_top_eigenvalue(clf, X, y, tol=1e-3)
    assert torch.get_num_threads() == users
    compare_calibration(
        X,
        y,
        methods=["cross_entropy", "temperature"],
        n_repeats=1,
        n_bootstrap=5,
        cv=2,
        estimator_params={"hidden_layer_sizes": (8,), "max_iter": 3},
        verbose=0,
    )
    assert torch.get_num_threads() == users


def test_small_steps_run_on_one_thread_large_ones_on_what_torch_may_use(
    iris, global_threads
):
    X, y = iris
    torch.set_num_threads(3)
    small = FocalClassifier(
        hidden_layer_sizes=(16,), max_iter=2, callbacks=[_Threads()]
    )
    assert set(small.fit(X, y).history_[:, "threads"]) == {1}
    large = FocalClassifier(
        hidden_layer_sizes=(1024, 1024), max_iter=2, callbacks=[_Threads()]
    )
    assert set(large.fit(X, y).history_[:, "threads"]) == {3}  # the user's limit
    forced = FocalClassifier(
        hidden_layer_sizes=(16,), max_iter=2, n_threads=2, callbacks=[_Threads()]
    )
    assert set(forced.fit(X, y).history_[:, "threads"]) == {2}
    assert torch.get_num_threads() == 3


def test_the_rule_is_the_work_of_a_step_not_the_load():
    assert resolve(None, PARALLEL_WORK - 1) == 1
    assert resolve(None, PARALLEL_WORK) == torch.get_num_threads()
    assert resolve(4, 10) == 4


def test_a_fit_is_the_same_whatever_the_users_thread_setting(iris, global_threads):
    """The thread count of a fit comes from its own policy: with the same
    random_state, the same weights whatever torch's global setting."""
    X, y = iris
    params = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    torch.set_num_threads(1)
    one = FocalClassifier(**params).fit(X, y).predict_proba(X)
    torch.set_num_threads(2)
    two = FocalClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(one, two)
