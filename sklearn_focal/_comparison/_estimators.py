"""The estimators the comparison's methods are built from, besides the
networks and scikit-learn's: the tabular preprocessing, a pipeline that
hands ``sample_weight`` to its final step, and the weighted decision rule.
Public in :mod:`sklearn_focal.methods`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    TransformerMixin,
    clone,
)
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from .._compat import HasMethods, StrOptions, _fit_context

__all__ = [
    "MethodPipeline",
    "TabularPreprocessor",
    "WeightedDecisionClassifier",
    "check_column_types",
    "make_preprocessor",
]


def make_preprocessor(X):
    """Preprocessing for raw tabular data.

    For a DataFrame: numeric columns are median-imputed and standardised;
    all other columns (categories, strings, booleans) are one-hot encoded,
    with a missing value as a category of its own (missingness can carry
    information) and unknown categories at predict time ignored. For an
    array: median imputation and standardisation.

    Parameters
    ----------
    X : DataFrame or array-like
        Training data; only its column types are used.

    Returns
    -------
    preprocessor : unfitted transformer

    See Also
    --------
    sklearn_focal.methods.TabularPreprocessor : the same, deciding at ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_focal.methods import make_preprocessor
    >>> X = pd.DataFrame({"age": [30, None, 50], "city": ["a", "b", None]})
    >>> make_preprocessor(X).fit_transform(X).shape  # age; city a, b, missing
    (3, 4)
    """
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    if not isinstance(X, pd.DataFrame):
        return numeric
    check_column_types(X)
    categorical = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ],
        verbose_feature_names_out=False,
    )


def check_column_types(X) -> None:
    """Refuse the columns the preprocessing cannot encode: dates and
    durations (pandas counts durations as numbers, and a date would be
    one-hot encoded, one category per instant).

    Parameters
    ----------
    X : DataFrame or array-like
        Only a DataFrame's column types are checked.

    Raises
    ------
    TypeError
        Naming the first date or duration column and how to convert it.
    """
    if not isinstance(X, pd.DataFrame):
        return
    for column, dtype in X.dtypes.items():
        if pd.api.types.is_timedelta64_dtype(dtype):
            raise TypeError(
                f"Column {column!r} of X holds durations ({dtype}), which the "
                "preprocessing cannot encode; convert it to numbers first, e.g. "
                f"X[{column!r}].dt.total_seconds()."
            )
        if pd.api.types.is_datetime64_any_dtype(dtype):
            raise TypeError(
                f"Column {column!r} of X holds dates ({dtype}), which the "
                "preprocessing cannot encode; convert it to numbers first (e.g. "
                "the year, the day of the week, or the seconds since a date)."
            )


def _samples(shape):
    """Rows, or samples of a shape, in words."""
    return "rows" if shape is None else f"samples of shape {shape}"


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    """:func:`~sklearn_focal.methods.make_preprocessor` as a transformer:
    the columns of the data it is fitted on decide the preprocessing.

    Fitted on a DataFrame, it transforms a DataFrame with those columns, or
    an array of rows whose columns are those of the training frame, in the
    same order (each column is given the training frame's type).

    Samples of more than one dimension (images ``(n, C, H, W)``) are not
    tabular: they pass through unchanged for a network that takes their
    shape, or, with ``flatten=True`` (the scikit-learn baselines), are
    flattened to rows and imputed and standardised like numeric columns.

    Parameters
    ----------
    flatten : bool, default=False
        Flatten samples of more than one dimension to rows.

    Attributes
    ----------
    preprocessor_ : fitted transformer or None
        ``make_preprocessor(X)``, fitted on ``X`` (None for samples that pass
        through unchanged).
    sample_shape_ : tuple or None
        The shape of a sample of more than one dimension; None for rows.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        The training frame's columns (fitted on a DataFrame only).
    dtypes_ : pandas.Series
        The training frame's column types (fitted on a DataFrame only).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_focal.methods import TabularPreprocessor
    >>> X = pd.DataFrame({"age": [30, None, 50], "city": ["a", "b", None]})
    >>> TabularPreprocessor().fit_transform(X).shape
    (3, 4)
    """

    _parameter_constraints: dict = {"flatten": ["boolean"]}

    def __init__(self, *, flatten=False):
        self.flatten = flatten

    def _shaped(self, X):
        """Samples of more than one dimension, as an array; None for rows."""
        if isinstance(X, pd.DataFrame) or np.ndim(X) <= 2:
            return None
        return np.asarray(X)

    def fit(self, X, y=None):
        """Choose the preprocessing for the columns of ``X`` and fit it.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : object
        """
        shaped = self._shaped(X)
        self.sample_shape_ = None if shaped is None else shaped.shape[1:]
        if shaped is not None and not self.flatten:
            self.preprocessor_ = None  # the network takes the samples as they are
            self.n_features_in_ = shaped.shape[1]
            return self
        if shaped is not None:
            X = shaped.reshape(len(shaped), -1)
        self.preprocessor_ = make_preprocessor(X).fit(X)
        self.n_features_in_ = self.preprocessor_.n_features_in_
        if hasattr(self.preprocessor_, "feature_names_in_"):
            self.feature_names_in_ = self.preprocessor_.feature_names_in_
        if isinstance(X, pd.DataFrame):
            self.dtypes_ = X.dtypes
        return self

    def _as_training_frame(self, X):
        """Rows of an array as the training frame's columns and types."""
        if isinstance(X, pd.DataFrame) or not hasattr(self, "dtypes_"):
            return X
        columns = list(self.dtypes_.index)
        shape = np.shape(X)
        if len(shape) != 2 or shape[1] != len(columns):
            raise ValueError(
                f"This model was fitted on a DataFrame of {len(columns)} columns "
                f"({', '.join(map(str, columns[:5]))}"
                f"{', ...' if len(columns) > 5 else ''}); pass a DataFrame with "
                f"them, or rows of {len(columns)} values in that order; got an "
                f"array of shape {shape}."
            )
        frame = pd.DataFrame(np.asarray(X, dtype=object), columns=columns)
        try:
            return frame.astype(self.dtypes_.to_dict())
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "The rows do not fit the training frame's column types "
                f"({exc}); pass a DataFrame with the training columns."
            ) from None

    def transform(self, X):
        """Impute, standardise and encode ``X`` as fitted.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self)
        shaped = self._shaped(X)
        got = None if shaped is None else shaped.shape[1:]
        if got != self.sample_shape_:
            raise ValueError(
                f"X holds {_samples(got)}, but the preprocessing was fitted on "
                f"{_samples(self.sample_shape_)}."
            )
        if shaped is not None:
            if self.preprocessor_ is None:
                return shaped
            X = shaped.reshape(len(shaped), -1)
        return self.preprocessor_.transform(self._as_training_frame(X))

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns (the fitted preprocessor's)."""
        check_is_fitted(self)
        return self.preprocessor_.get_feature_names_out(input_features)


class MethodPipeline(Pipeline):
    """A :class:`~sklearn.pipeline.Pipeline` whose ``fit`` takes
    ``sample_weight`` and hands it to its final step.

    scikit-learn's ``Pipeline.fit`` refuses a plain ``sample_weight`` (it
    wants ``<step>__sample_weight``), and
    :class:`~sklearn.calibration.CalibratedClassifierCV` then trains the
    network unweighted and weights only its calibrator. Every method of
    :func:`~sklearn_focal.make_method` is built on this pipeline, so that
    the weights reach the network in every method.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_focal.methods import MethodPipeline
    >>> X, y = np.arange(8.0).reshape(-1, 1), np.array([0, 0, 0, 1, 0, 1, 1, 1])
    >>> pipeline = MethodPipeline(
    ...     [("scale", StandardScaler()), ("classifier", LogisticRegression())])
    >>> pipeline.fit(X, y, sample_weight=np.arange(1.0, 9.0)).predict(X[:2])
    array([0, 0])
    """

    def fit(self, X, y=None, sample_weight=None, **params):
        """Fit the steps; ``sample_weight`` goes to the final step's ``fit``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **params : dict
            ``<step>__<parameter>`` fit parameters, as in ``Pipeline.fit``.

        Returns
        -------
        self : object
        """
        if sample_weight is not None:
            params[f"{self.steps[-1][0]}__sample_weight"] = sample_weight
        return super().fit(X, y, **params)


class WeightedDecisionClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier whose ``predict`` weighs its probabilities by class.

    ``predict`` gives the class of the largest ``class_weight_[c] *
    predict_proba(X)[:, c]``: the decision rule of a network trained with
    ``class_weight`` (:class:`~sklearn_focal.FocalClassifier`'s ``predict``),
    for an estimator that does not know it, such as a calibrated network.
    Probabilities are the estimator's, unchanged.

    Parameters
    ----------
    estimator : classifier
        Cloned and fitted by ``fit``.
    class_weight : dict or "balanced"
        scikit-learn's semantics: ``"balanced"`` weighs class ``c`` by
        ``n_samples / (n_classes * n_c)`` of the training labels; a dict maps
        labels to weights, 1 for the classes it leaves out.

    Attributes
    ----------
    estimator_ : classifier
        The fitted estimator.
    class_weight_ : ndarray of shape (n_classes,)
        The weight of each class of ``classes_``.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_focal.methods import WeightedDecisionClassifier
    >>> X = np.r_[np.zeros(9), 1.0, 1.0, 2.0].reshape(-1, 1)
    >>> y = np.r_[np.zeros(10, int), 1, 1]
    >>> model = WeightedDecisionClassifier(
    ...     LogisticRegression(), class_weight="balanced")
    >>> model.fit(X, y).predict([[1.0]]), model.estimator_.predict([[1.0]])
    (array([1]), array([0]))
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "class_weight": [StrOptions({"balanced"}), dict],
    }

    def __init__(self, estimator, *, class_weight="balanced"):
        self.estimator = estimator
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit the estimator (with ``sample_weight``) and the class weights.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : object
        """
        from .._network._targets import class_weights

        estimator = clone(self.estimator)
        extra = {} if sample_weight is None else {"sample_weight": sample_weight}
        estimator.fit(X, y, **extra)
        classes = estimator.classes_
        self.class_weight_ = class_weights(
            self.class_weight,
            classes,
            np.searchsorted(classes, np.asarray(y)),
            prior_correction=False,
            incremental=False,
        )
        self.estimator_ = estimator
        self.classes_ = classes
        if hasattr(estimator, "n_features_in_"):
            self.n_features_in_ = estimator.n_features_in_
        if hasattr(estimator, "feature_names_in_"):
            self.feature_names_in_ = estimator.feature_names_in_
        return self

    def predict_proba(self, X):
        """The estimator's probabilities."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        """The class of the largest class weight times probability."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba * self.class_weight_, axis=1)]
