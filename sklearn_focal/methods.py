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
"""

from __future__ import annotations

from numbers import Integral, Real

import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, StrOptions, validate_params
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
    "TabularPreprocessor",
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
    categorical = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ],
        verbose_feature_names_out=False,
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
    network_params = {
        "device": device,
        "class_weight": class_weight,
        "random_state": random_state,
        **(estimator_params or {}),
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
    return _BUILDERS[name](settings, name)


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
        return Pipeline([*steps, ("classifier", estimator)])

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
