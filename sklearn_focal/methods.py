"""The comparison's methods as public, unfitted scikit-learn estimators.

:func:`~sklearn_focal.make_method` builds each method of
:func:`~sklearn_focal.compare_calibration` from scikit-learn's pieces and the
package's estimators, so that the model a comparison recommends is one
``make_method(name, ...).fit(X, y)`` away, and what the comparison measured
is what a user deploys (the comparison evaluates exactly these
estimators). Every method takes raw tabular data: a
:class:`~sklearn_focal.methods.TabularPreprocessor` comes first.

* ``cross_entropy``: ``FocalClassifier(gamma=0)``;
* ``focal``: :class:`~sklearn_focal.GammaSearchClassifier`;
* ``focal_sd53``: ``FocalClassifier(loss="focal_sd53")``;
* ``adafocal``: :class:`~sklearn_focal.AdaFocalClassifier`;
* ``temperature``, ``isotonic``, ``sigmoid``: ``cross_entropy`` in a
  :class:`~sklearn.calibration.CalibratedClassifierCV` of that method;
* ``focal+temperature``, ``adafocal+temperature``: ``focal`` and
  ``adafocal`` temperature-scaled the same way;
* ``refine_then_calibrate``: cross-entropy early-stopped on the
  temperature-scaled validation log loss, then temperature-scaled (Berta et
  al., 2025);
* ``logistic_regression``, ``hist_gradient_boosting``: scikit-learn's,
  default settings; ``...+isotonic``: the same in
  ``CalibratedClassifierCV(method="isotonic", cv=cv)``.

The calibrated networks get their calibration rows by ``calibration``:

* ``"holdout"``: the network trains on ``1 - calibration_size`` of the rows
  and the calibrator on the rest (one network; ``CalibratedClassifierCV``
  with a single stratified shuffle split);
* ``"cross_fit"``: ``cv`` networks give out-of-fold logits for the
  calibrator, and the network that is kept trains on every row
  (``CalibratedClassifierCV(..., ensemble=False)``): no row is lost, at the
  price of ``cv`` more network fits.

Every method's ``fit`` takes ``sample_weight``, and the network trains with
it (a :class:`~sklearn_focal.methods.MethodPipeline` hands it to its final
step). With ``class_weight``, every method predicts by one decision rule,
the class of the largest class weight times probability: the networks'
``predict`` does so itself, and the other methods are wrapped in a
:class:`~sklearn_focal.methods.WeightedDecisionClassifier`.

The parameters that a method's name decides (``loss``, ``gamma``) and those
with an argument of their own (``class_weight``, ``random_state``,
``device``) are refused in ``estimator_params``; every network's parameters
are checked when the method is built, by the network's own constraints.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    TransformerMixin,
    clone,
)
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from ._compat import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    _fit_context,
    validate_parameters,
    validate_params,
)
from ._methods import CALIBRATIONS, METHODS, NETWORKS, POST_HOC, SHARES_FITS_WITH
from .gamma_search import DEFAULT_SELECT_BY, SELECT_BY

__all__ = [
    "CALIBRATIONS",
    "DEFAULT_CALIBRATION",
    "DEFAULT_GAMMAS",
    "METHODS",
    "NETWORKS",
    "POST_HOC",
    "SHARES_FITS_WITH",
    "MethodPipeline",
    "TabularPreprocessor",
    "WeightedDecisionClassifier",
    "make_method",
    "make_preprocessor",
]

#: The gamma grid of ``focal``: 0 lets focal loss fall back to cross-entropy.
DEFAULT_GAMMAS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)
#: How the calibrated networks get their calibration rows by default,
#: chosen by ``benchmarks/compare.py`` (see the user guide).
DEFAULT_CALIBRATION = "cross_fit"


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


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    """:func:`~sklearn_focal.methods.make_preprocessor` as a transformer:
    the columns of the data it is fitted on decide the preprocessing.

    Attributes
    ----------
    preprocessor_ : fitted transformer
        ``make_preprocessor(X)``, fitted on ``X``.
    n_features_in_ : int

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_focal.methods import TabularPreprocessor
    >>> X = pd.DataFrame({"age": [30, None, 50], "city": ["a", "b", None]})
    >>> TabularPreprocessor().fit_transform(X).shape
    (3, 4)
    """

    _parameter_constraints: dict = {}

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
        self.preprocessor_ = make_preprocessor(X).fit(X)
        self.n_features_in_ = self.preprocessor_.n_features_in_
        if hasattr(self.preprocessor_, "feature_names_in_"):
            self.feature_names_in_ = self.preprocessor_.feature_names_in_
        return self

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
        return self.preprocessor_.transform(X)

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
        from ._targets import class_weights

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


#: Parameters of ``estimator_params`` that another argument decides, and
#: what to pass instead.
_DECIDED_ELSEWHERE = {
    "loss": "the method's name decides the loss (cross_entropy, focal, "
    "focal_sd53, adafocal, ...); choose the method instead",
    "gamma": "the method's name decides gamma (0 for cross_entropy; focal "
    "searches it over the grid `gammas`); pass gammas=[...] instead",
    "class_weight": "pass class_weight=... itself, so that every method, its "
    "decision rule and the report know it",
    "random_state": "pass random_state=... itself (compare_calibration draws "
    "a seed per repeat from it)",
    "device": "pass device=... itself",
}


def _network_parameter_error(exc, name):
    """scikit-learn's error for a parameter of a method's estimator, with the
    method named after the estimator: "The 'max_iter' parameter of
    FocalClassifier (in method 'temperature') must be ...". The words
    between the estimator and "must be" also keep scikit-learn's
    ``validate_params`` of a calling function (``compare_calibration``,
    ``cross_val_predict``) from renaming the estimator after itself."""
    message = str(exc).replace(" must be", f" (in method {name!r}) must be", 1)
    return InvalidParameterError(message)


@validate_params(
    {
        "name": [StrOptions(set(METHODS))],
        "preprocessor": [StrOptions({"auto"}), HasMethods(["fit", "transform"]), None],
        "estimator_params": [dict, None],
        "gammas": ["array-like"],
        "select_gamma_by": [StrOptions(set(SELECT_BY))],
        "calibration": [StrOptions(set(CALIBRATIONS))],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "calibration_size": [Interval(Real, 0, 1, closed="neither")],
        "class_weight": [None, StrOptions({"balanced"}), dict],
        "device": [str],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
    },
    prefer_skip_nested_validation=True,
)
def make_method(
    name,
    *,
    preprocessor="auto",
    estimator_params=None,
    gammas=DEFAULT_GAMMAS,
    select_gamma_by=DEFAULT_SELECT_BY,
    calibration=DEFAULT_CALIBRATION,
    cv=3,
    calibration_size=0.2,
    class_weight=None,
    device="auto",
    random_state=None,
):
    """The unfitted estimator of a comparison method.

    See the module docs for what each method is. The parameters are those
    of :func:`~sklearn_focal.compare_calibration`, which evaluates exactly
    these estimators.

    Parameters
    ----------
    name : str
        One of :data:`~sklearn_focal.methods.METHODS`.
    preprocessor : "auto", transformer or None, default="auto"
        ``"auto"``: a :class:`~sklearn_focal.methods.TabularPreprocessor`
        first; a transformer is
        cloned; None: the data are used as they are.
    estimator_params : dict, default=None
        Parameters of every network (``hidden_layer_sizes``, ``max_iter``,
        ...), as in :class:`~sklearn_focal.FocalClassifier`.
    gammas : sequence of float, default=(0, 0.5, 1, 2, 3, 5)
        The grid of ``focal`` (and ``focal+temperature``).
    select_gamma_by : {"ece", "log_loss"}, default="log_loss"
        The held-out metric that picks gamma.
    calibration : {"holdout", "cross_fit"}, default="cross_fit"
        Where the calibrated networks get their calibration rows (module
        docs).
    cv : int, default=3
        Folds of ``calibration="cross_fit"`` and of the ``+isotonic``
        baselines.
    calibration_size : float, default=0.2
        Share of the rows held out by ``calibration="holdout"``.
    class_weight : dict, "balanced" or None, default=None
        Passed to every network; the scikit-learn baselines stay unweighted.
    device : str, default="auto"
        Device of every network.
    random_state : int or None, default=None
        Seeds the networks, the gamma search's and the calibration splits,
        and gradient boosting; an int makes the fit reproducible.

    Returns
    -------
    estimator : unfitted classifier
        Clonable, picklable, with ``fit`` / ``predict_proba`` / ``predict``
        on raw tabular data.

    Examples
    --------
    >>> from sklearn_focal.methods import make_method
    >>> model = make_method("temperature", calibration="holdout", random_state=0)
    >>> type(model).__name__, model.method
    ('CalibratedClassifierCV', 'temperature')
    """
    decided = sorted(set(estimator_params or {}) & set(_DECIDED_ELSEWHERE))
    if decided:
        raise ValueError(
            f"The 'estimator_params' parameter may not set {decided[0]!r}: "
            f"{_DECIDED_ELSEWHERE[decided[0]]}."
        )
    network_params = {
        **(estimator_params or {}),
        "device": device,
        "class_weight": class_weight,
        "random_state": random_state,
    }
    settings = _Settings(
        preprocessor=preprocessor,
        network=network_params,
        gammas=tuple(gammas),
        select_gamma_by=select_gamma_by,
        calibration=calibration,
        cv=cv,
        calibration_size=calibration_size,
        random_state=random_state,
    )
    estimator = _BUILDERS[name](settings, name)
    try:  # the networks' own checks, now rather than deep inside a fit
        validate_parameters(estimator)
    except InvalidParameterError as exc:
        raise _network_parameter_error(exc, name) from None
    if class_weight is not None and name not in NETWORKS:
        return WeightedDecisionClassifier(estimator, class_weight=class_weight)
    return estimator


class _Settings:
    """What the builders read (``make_method``'s checked arguments)."""

    def __init__(self, **kwargs):
        vars(self).update(kwargs)

    def pipeline(self, estimator):
        """``estimator`` behind the preprocessing, as a Pipeline."""
        if self.preprocessor is None:
            steps = []
        elif self.preprocessor == "auto":
            steps = [("preprocess", TabularPreprocessor())]
        else:
            steps = [("preprocess", clone(self.preprocessor))]
        return MethodPipeline([*steps, ("classifier", estimator)])

    def calibrated(self, base, method):
        """``base`` calibrated by ``method`` on rows it did not train on."""
        if self.calibration == "holdout":
            split = StratifiedShuffleSplit(
                n_splits=1,
                test_size=self.calibration_size,
                random_state=self.random_state,
            )
            return CalibratedClassifierCV(base, method=method, cv=split, ensemble=True)
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        return CalibratedClassifierCV(base, method=method, cv=folds, ensemble=False)

    def focal(self, **params):
        from .focal import FocalClassifier

        return FocalClassifier(**{**self.network, **params})

    def gamma_search(self):
        from .gamma_search import GammaSearchClassifier

        network = self.focal()
        return GammaSearchClassifier(
            network,
            gammas=self.gammas,
            select_by=self.select_gamma_by,
            validation_fraction=network.validation_fraction,
            random_state=self.random_state,
        )

    def adafocal(self):
        from .adafocal import AdaFocalClassifier

        return AdaFocalClassifier(**self.network)


def _cross_entropy(settings, name):
    return settings.pipeline(settings.focal(gamma=0.0))


def _focal(settings, name):
    return settings.pipeline(settings.gamma_search())


def _focal_sd53(settings, name):
    return settings.pipeline(settings.focal(loss="focal_sd53"))


def _adafocal(settings, name):
    return settings.pipeline(settings.adafocal())


def _post_hoc(settings, name):
    return settings.calibrated(_cross_entropy(settings, name), name)


def _temperature_scaled(settings, name):
    base = name.partition("+")[0]
    return settings.calibrated(_BUILDERS[base](settings, base), "temperature")


def _refine_then_calibrate(settings, name):
    network = settings.focal(
        gamma=0.0,
        early_stopping=True,  # it needs the validation split
        early_stopping_monitor="temperature_scaled_log_loss",
    )
    return settings.calibrated(settings.pipeline(network), "temperature")


def _baseline(settings, name):
    model, _, calibration = name.partition("+")
    if model == "logistic_regression":
        estimator = LogisticRegression(max_iter=1000)
    else:
        estimator = HistGradientBoostingClassifier(random_state=settings.random_state)
    pipeline = settings.pipeline(estimator)
    if not calibration:
        return pipeline
    folds = StratifiedKFold(
        settings.cv, shuffle=True, random_state=settings.random_state
    )
    return CalibratedClassifierCV(pipeline, method=calibration, cv=folds)


#: Method name -> builder; adding a method is adding an entry here and its
#: name to ``_methods.METHODS`` (which the command line reads without
#: scikit-learn).
_BUILDERS = {
    "cross_entropy": _cross_entropy,
    "focal": _focal,
    "focal_sd53": _focal_sd53,
    "adafocal": _adafocal,
    **dict.fromkeys(POST_HOC, _post_hoc),
    "focal+temperature": _temperature_scaled,
    "adafocal+temperature": _temperature_scaled,
    "refine_then_calibrate": _refine_then_calibrate,
    "logistic_regression": _baseline,
    "logistic_regression+isotonic": _baseline,
    "hist_gradient_boosting": _baseline,
    "hist_gradient_boosting+isotonic": _baseline,
}
