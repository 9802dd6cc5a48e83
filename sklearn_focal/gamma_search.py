"""GammaSearchClassifier: focal loss with gamma chosen on a validation split.

A grid search over gamma with ``GridSearchCV`` costs ``cv x len(gammas)``
network fits and a refit. This search costs one fit and a short
fine-tuning run per gamma above 0: with ``n`` the epochs cross-entropy ran
and ``k`` the number of gammas above 0, at most ``n + k * ceil(n / 2)``
epochs, about ``1 + k / 2`` cross-entropy fits (3.5 for the default grid,
whose six values include 0; a little more when ``n`` is odd). The user
guide gives its measured cost on the data sets of ``benchmarks/``:

1. hold out a stratified ``validation_fraction`` of the rows (the split a
   ``FocalClassifier`` draws for early stopping);
2. train the cross-entropy network (gamma = 0) on the rest, early-stopped
   on the held-out rows;
3. for every other gamma, continue training that network with focal loss
   (``warm_start``) from the weights where cross-entropy stopped, for at
   most half as many epochs as cross-entropy ran, early-stopped on the
   same rows;
4. keep the network whose held-out ``select_by`` (ECE or log loss) is
   lowest; ties go to the smaller gamma.

Every network trains on the same rows and is judged on rows it never
trained on; nothing is refitted. The fine-tuning runs start from a good
solution and need few epochs. Focal loss acts where it is
meant to act, on a network that cross-entropy has made confident
(Mukhoti et al., 2020; Kimura & Naganuma, 2025).
"""

from __future__ import annotations

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    _num_samples,
    _safe_indexing,
)
from ._labels import encode
from ._network import _shared_fits
from ._network._data import validation_split
from .metrics import METRICS

__all__ = ["GammaSearchClassifier"]

#: The criteria of ``select_by`` (lower is better), from the metric registry.
SELECT_BY = ("ece", "log_loss")
#: Default of ``select_by``, chosen by ``benchmarks/compare.py``: the
#: criterion under which ``focal`` had the lower mean test ECE over the
#: bundled data sets (the numbers are in ``docs/benchmark_compare.rst``;
#: ``tests/test_docs.py`` checks that the committed run still agrees).
DEFAULT_SELECT_BY = "log_loss"


def _fine_tuning_epochs(n_iter: int) -> int:
    """The most epochs a gamma's fine-tuning runs: half of what
    cross-entropy ran (``n_iter``), rounded up. The search then runs at most
    ``n_iter + k * ceil(n_iter / 2)`` epochs for ``k`` gammas above 0."""
    return max(1, -(-n_iter // 2))


class GammaSearchClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Focal loss with gamma chosen on a held-out split, warm-started from
    cross-entropy.

    See the module docs for the algorithm. The fitted search predicts with
    the chosen network (``best_estimator_``): ``predict_proba``,
    ``predict``, ``predict_log_proba`` and ``decision_function`` (so that
    ``CalibratedClassifierCV(method="temperature")`` can scale it).

    Parameters
    ----------
    estimator : FocalClassifier, default=None
        The network and its training recipe (its ``gamma`` is replaced);
        None: ``FocalClassifier()``.
    gammas : sequence of float, default=(0, 0.5, 1, 2, 3, 5)
        The grid; 0 (cross-entropy) is trained in any case, as the start of
        the others, and is a candidate when the grid holds it.
    select_by : {"ece", "log_loss"}, default="log_loss"
        The held-out metric that picks gamma (lower is better).
    validation_fraction : float, default=0.1
        Share of the rows held out, stratified.
    n_bins : int, default=15
        Bins of the held-out ECE.
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out split.

    Attributes
    ----------
    best_estimator_ : FocalClassifier
        The chosen network, trained on the rows that were not held out.
    best_gamma_ : float
    validation_results_ : dict of ndarray
        Per gamma of the grid (``"gamma"``): the held-out ``"ece"``,
        ``"log_loss"`` and ``"accuracy"``, and the epochs trained
        (``"n_iter"``, those of cross-entropy included).
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_focal import FocalClassifier, GammaSearchClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GammaSearchClassifier(
    ...     FocalClassifier(hidden_layer_sizes=(16,), max_iter=30,
    ...                     learning_rate_init=1e-2, random_state=0),
    ...     gammas=[0, 1, 3], validation_fraction=0.3, random_state=0).fit(X, y)
    >>> search.best_gamma_ in (0.0, 1.0, 3.0)
    True
    >>> search.predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "gammas": ["array-like"],
        "select_by": [StrOptions(set(SELECT_BY))],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        gammas=(0.0, 0.5, 1.0, 2.0, 3.0, 5.0),
        *,
        select_by=DEFAULT_SELECT_BY,
        validation_fraction=0.1,
        n_bins=15,
        random_state=None,
    ):
        self.estimator = estimator
        self.gammas = gammas
        self.select_by = select_by
        self.validation_fraction = validation_fraction
        self.n_bins = n_bins
        self.random_state = random_state

    def _validate_params(self):
        super()._validate_params()
        gammas = np.asarray(self.gammas, dtype=float)
        if (
            gammas.ndim != 1
            or len(gammas) == 0
            or not np.isfinite(gammas).all()
            or (gammas < 0).any()
        ):
            raise ValueError(
                "The 'gammas' parameter of GammaSearchClassifier must be a "
                f"non-empty sequence of finite gamma >= 0; got {self.gammas!r}."
            )
        for gamma in gammas:  # the estimator's own checks, gamma by gamma
            self._estimator().set_params(gamma=float(gamma))._validate_params()

    def _estimator(self):
        if self.estimator is None:
            from .focal import FocalClassifier

            return FocalClassifier()
        return clone(self.estimator)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Train cross-entropy, fine-tune each gamma, keep the best.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        if self.estimator is None:  # a default estimator draws its own seeds
            return self._fit(X, y, sample_weight)
        return _shared_fits.memoized_fit(
            self, lambda: self._fit(X, y, sample_weight), (X, y, sample_weight)
        )

    def _fit(self, X, y, sample_weight):
        y = column_or_1d(y)
        check_classification_targets(y)
        if _num_samples(X) != len(y):
            raise ValueError(f"X has {_num_samples(X)} rows but y has {len(y)} labels.")
        if sample_weight is not None:  # by position, whatever its type or index
            sample_weight = _check_sample_weight(sample_weight, y)
        classes = np.unique(y)
        encoded = encode(y, classes, message="y holds labels {} not in its classes.")
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        train, valid = validation_split(
            encoded,
            self.validation_fraction,
            int(seed),
            "Pass more samples or raise validation_fraction.",
        )
        X_train, X_valid = _safe_indexing(X, train), _safe_indexing(X, valid)
        parts = {
            "sample_weight": None if sample_weight is None else sample_weight[train],
            "X_val": X_valid,
            "y_val": y[valid],
            "sample_weight_val": None
            if sample_weight is None
            else sample_weight[valid],
        }
        gammas = sorted({float(g) for g in np.ravel(self.gammas)})
        base = self._estimator().set_params(gamma=0.0)
        warm = base.warm_start
        base.fit(X_train, y[train], **parts)
        candidates = {0.0: base}
        max_iter = base.max_iter
        budget = _fine_tuning_epochs(base.n_iter_)
        for gamma in (g for g in gammas if g > 0):
            tuned = copy.deepcopy(base).set_params(
                gamma=gamma, warm_start=True, max_iter=budget
            )
            candidates[gamma] = tuned.fit(X_train, y[train], **parts).set_params(
                warm_start=warm, max_iter=max_iter
            )
        self.validation_results_ = self._score(
            {g: candidates[g] for g in gammas}, X_valid, y[valid]
        )
        scores = self.validation_results_[self.select_by]
        self.best_gamma_ = float(gammas[int(np.nanargmin(scores))])  # first: smaller
        self.best_estimator_ = candidates[self.best_gamma_]
        self.classes_ = self.best_estimator_.classes_
        self.n_features_in_ = self.best_estimator_.n_features_in_
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_
        return self

    def _score(self, candidates, X_valid, y_valid):
        results = {"gamma": np.array(list(candidates), dtype=float)}
        probas = [model.predict_proba(X_valid) for model in candidates.values()]
        labels = next(iter(candidates.values())).classes_
        for name, extra in (("ece", {"n_bins": self.n_bins}), ("log_loss", {})):
            results[name] = np.array(
                [METRICS[name](y_valid, p, labels=labels, **extra) for p in probas]
            )
        results["accuracy"] = np.array(
            [np.mean(labels[p.argmax(axis=1)] == y_valid) for p in probas]
        )
        results["n_iter"] = np.array([model.n_iter_ for model in candidates.values()])
        return results

    # -- prediction: the chosen network's --------------------------------------
    def predict_proba(self, X):
        """Class probabilities of the chosen network."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)

    def decision_function(self, X):
        """Logits of the chosen network."""
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    def predict(self, X):
        """Classes predicted by the chosen network."""
        check_is_fitted(self)
        return self.best_estimator_.predict(X)
