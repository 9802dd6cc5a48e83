"""Post-hoc calibration by logit scaling, for any fitted or unfitted classifier.

:class:`LogitScalingClassifierCV` calibrates a classifier's probabilities
with the logit-scaling calibrators of `probmetrics
<https://pypi.org/project/probmetrics/>`_, maintained by the authors of
structured matrix scaling (Berta, Holzmüller, Jordan & Bach, 2025), the
strongest post-hoc calibrators of their benchmarks for the log loss:

* ``"matrix_scaling"`` (probmetrics' ``"logistic"``): for three or more
  classes, *structured matrix scaling*, a multinomial logistic regression
  on the log-probabilities after temperature scaling, whose intercepts,
  diagonal and off-diagonal weights are ridge-penalised toward temperature
  scaling (more strongly with more classes and fewer rows); for two classes,
  an affine map of the logit;
* ``"vector_scaling"`` (``"svs"``): the same with a diagonal matrix;
* ``"temperature_mixture"`` (``"ts-mix"``): temperature scaling, mixed with
  the uniform distribution.

It follows the contract of scikit-learn's
:class:`~sklearn.calibration.CalibratedClassifierCV`: ``cv`` splits the rows;
with ``ensemble=True`` each split's model is calibrated on its held-out rows
and their calibrated probabilities are averaged, with ``ensemble=False`` the
calibrator learns from out-of-fold probabilities and the model that is kept
trains on every row. A model you already have is calibrated as is by
wrapping it in :class:`~sklearn.frozen.FrozenEstimator`.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.model_selection import check_cv, cross_val_predict
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._compat import HasMethods, StrOptions, _fit_context, _safe_indexing
from ._labels import label
from ._warnings import warn_caller

__all__ = ["METHODS", "LogitScalingClassifierCV"]

#: The calibrators, by name: ``method`` -> probmetrics' name.
METHODS = {
    "matrix_scaling": "logistic",
    "vector_scaling": "svs",
    "temperature_mixture": "ts-mix",
}
#: Largest tolerated deviation of a probability row sum from 1.
_ROW_SUM_TOL = 1e-4


class CalibratedModel(NamedTuple):
    """One fitted model and the calibrator of its probabilities."""

    estimator: object
    calibrator: object

    def predict_proba(self, X):
        proba = _check_probabilities(self.estimator.predict_proba(X), "X")
        return self.calibrator.predict_proba(proba)


def _check_probabilities(proba, rows):
    """The estimator's probabilities of some rows, checked to be
    probabilities (float64)."""
    proba = np.asarray(proba, dtype=np.float64)
    if not np.isfinite(proba).all():
        raise ValueError(
            f"The estimator's predict_proba gave NaN or infinite values on the "
            f"{rows} rows; a logit-scaling calibrator needs finite probabilities "
            "(did the model diverge?)."
        )
    sums = proba.sum(axis=1)
    if proba.min() < 0 or proba.max() > 1 or np.abs(sums - 1).max() > _ROW_SUM_TOL:
        raise ValueError(
            "The estimator's predict_proba gave rows that are not probabilities "
            f"(values in [{proba.min():.3g}, {proba.max():.3g}], row sums in "
            f"[{sums.min():.3g}, {sums.max():.3g}]): logits or scores? "
            "LogitScalingClassifierCV calibrates the probabilities of a "
            "classifier; the logits of a softmax are its log-probabilities."
        )
    return proba


class LogitScalingClassifierCV(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier calibrated by matrix, vector or temperature scaling.

    See the module docs for the calibrators and the cross-validation.

    Parameters
    ----------
    estimator : classifier
        Cloned and fitted on each training part; its ``predict_proba``
        gives the probabilities the calibrator maps. Wrap a fitted model in
        :class:`~sklearn.frozen.FrozenEstimator` to calibrate it as is.
    method : {"matrix_scaling", "vector_scaling", "temperature_mixture"}, \
default="matrix_scaling"
        The calibrator (module docs).
    cv : int, cross-validation generator or iterable, default=None
        scikit-learn's ``cv``: None is 5 stratified folds.
    ensemble : bool, default=True
        Average the calibrated models of the folds (True), or calibrate on
        out-of-fold probabilities and keep one model trained on every row.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    calibrated_classifiers_ : list of CalibratedModel
        The fitted models (``estimator``) and their calibrators
        (``calibrator``, probmetrics'); one unless ``ensemble=True``.
    n_features_in_ : int
        Of the estimator, where it has it.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_focal.calibration import LogitScalingClassifierCV
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=200).fit(X[::2], y[::2])
    >>> calibrated = LogitScalingClassifierCV(FrozenEstimator(model), cv=3)
    >>> calibrated.fit(X[1::2], y[1::2]).predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "method": [StrOptions(set(METHODS))],
        "cv": ["cv_object"],
        "ensemble": ["boolean"],
    }

    def __init__(self, estimator, *, method="matrix_scaling", cv=None, ensemble=True):
        self.estimator = estimator
        self.method = method
        self.cv = cv
        self.ensemble = ensemble

    def _calibrator(self):
        from probmetrics.calibrators import get_calibrator

        return get_calibrator(METHODS[self.method])

    def _fit_calibrator(self, proba, encoded):
        calibrator = self._calibrator()
        with warnings.catch_warnings():
            # probmetrics passes `penalty` to scikit-learn's LogisticRegression,
            # deprecated in scikit-learn 1.8: a note for probmetrics, which the
            # user can do nothing about
            warnings.filterwarnings(
                "ignore", message="'penalty' was deprecated", category=FutureWarning
            )
            calibrator.fit(proba, encoded)
        return calibrator

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit the models and their calibrators.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the estimator's ``fit``. probmetrics' calibrators take
            no weights: they fit on the calibration rows unweighted, and a
            warning says so.

        Returns
        -------
        self : object
        """
        y = column_or_1d(y)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                "LogitScalingClassifierCV needs at least 2 classes in y; got only "
                f"{label(classes[0])!r}."
            )
        encoded = np.searchsorted(classes, y)
        splits = list(check_cv(self.cv, y, classifier=True).split(X, y))
        for fold, (train, _) in enumerate(splits):
            missing = np.setdiff1d(classes, y[train])
            if len(missing):
                raise ValueError(
                    f"Fold {fold} of cv trains on no row of class "
                    f"{label(missing[0])!r} ({np.sum(y == missing[0])} rows in y): "
                    "its model could not predict that class. Use fewer folds, a "
                    "stratified cv, or more rows of the class."
                )
        fit_params = {}
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            fit_params["sample_weight"] = sample_weight
            warn_caller(
                "LogitScalingClassifierCV passes sample_weight to the estimator; "
                "its calibrator (probmetrics') fits on the calibration rows "
                "unweighted."
            )
        if self.ensemble:
            # the fold models train on the encoded labels, as
            # cross_val_predict's (and scikit-learn's temperature scaling's)
            # do: the same fits, whichever the mode
            models = []
            for train, test in splits:
                estimator = clone(self.estimator).fit(
                    _safe_indexing(X, train),
                    encoded[train],
                    **{k: v[train] for k, v in fit_params.items()},
                )
                proba = _check_probabilities(
                    estimator.predict_proba(_safe_indexing(X, test)), "calibration"
                )
                calibrator = self._fit_calibrator(proba, encoded[test])
                models.append(CalibratedModel(estimator, calibrator))
        else:
            proba = cross_val_predict(
                clone(self.estimator),
                X,
                y,
                cv=splits,
                method="predict_proba",
                params=fit_params,
            )
            proba = _check_probabilities(proba, "out-of-fold")
            calibrator = self._fit_calibrator(proba, encoded)
            estimator = clone(self.estimator).fit(X, y, **fit_params)
            models = [CalibratedModel(estimator, calibrator)]
        self.classes_ = classes
        self.calibrated_classifiers_ = models
        first = models[0].estimator
        if hasattr(first, "n_features_in_"):
            self.n_features_in_ = first.n_features_in_
        if hasattr(first, "feature_names_in_"):
            self.feature_names_in_ = first.feature_names_in_
        return self

    def predict_proba(self, X):
        """Calibrated probabilities, averaged over the calibrated models.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        probas = [model.predict_proba(X) for model in self.calibrated_classifiers_]
        return np.mean(probas, axis=0)

    def predict(self, X):
        """The most probable class of :meth:`predict_proba`."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
