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
* ``matrix_scaling``: ``cross_entropy`` in a
  :class:`~sklearn_focal.calibration.LogitScalingClassifierCV`: structured
  matrix scaling of its log-probabilities for three or more classes, an
  affine map of its logit for two (probmetrics' implementation);
* ``focal+temperature``, ``adafocal+temperature``: ``focal`` and
  ``adafocal`` temperature-scaled the same way; ``focal+matrix_scaling``:
  ``focal`` matrix-scaled;
* ``refine_then_calibrate``: cross-entropy early-stopped on the
  temperature-scaled validation log loss, then temperature-scaled (Berta et
  al., 2025);
* ``logistic_regression``, ``hist_gradient_boosting``: scikit-learn's,
  default settings; ``logistic_regression+isotonic`` and
  ``hist_gradient_boosting+isotonic``: the same in
  ``CalibratedClassifierCV(method="isotonic", cv=cv)``.

The calibrated networks get their calibration rows by ``calibration``:

* ``"holdout"``: the network trains on ``1 - calibration_size`` of the rows
  and the calibrator on the rest (one network; ``CalibratedClassifierCV``
  with a single stratified shuffle split);
* ``"cross_fit"``: ``cv`` networks give out-of-fold logits for the
  calibrator, and the network that is kept trains on every row
  (``CalibratedClassifierCV(..., ensemble=False)``): no row is lost, at the
  price of ``cv`` more network fits;
* ``"cross_fit_ensemble"`` (the default): the same ``cv`` fold networks,
  each calibrated on the fold it did not train on, are kept and their
  calibrated probabilities averaged (``CalibratedClassifierCV(...,
  ensemble=True)``): the calibration map is fitted to the very network it
  is applied to, no network trains on every row, and a prediction costs
  ``cv`` networks. It had the lowest fresh log loss in
  ``benchmarks/verdicts.py``; the user guide says where it does not.

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

from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

from ._comparison._estimators import (
    MethodPipeline,
    TabularPreprocessor,
    WeightedDecisionClassifier,
    check_column_types,
    make_preprocessor,
)
from ._comparison._method_table import (
    CALIBRATIONS,
    METHODS,
    NETWORKS,
    POST_HOC,
    SHARES_FITS_WITH,
    record,
)
from ._compat import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameters,
    validate_params,
)
from .calibration import METHODS as LOGIT_SCALING
from .calibration import LogitScalingClassifierCV
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
    "check_column_types",
    "make_method",
    "make_preprocessor",
]

#: The gamma grid of ``focal``: 0 lets focal loss fall back to cross-entropy.
DEFAULT_GAMMAS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)
#: How the calibrated networks get their calibration rows by default,
#: chosen by ``benchmarks/compare.py`` (see the user guide).
DEFAULT_CALIBRATION = "cross_fit_ensemble"


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
    calibration : {"holdout", "cross_fit", "cross_fit_ensemble"}, \
            default="cross_fit_ensemble"
        Where the calibrated networks get their calibration rows (module
        docs).
    cv : int, default=3
        Folds of the cross-fitted calibrations and of the ``+isotonic``
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
    estimator = settings.build(name)
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

    def pipeline(self, estimator, *, flatten=False):
        """``estimator`` behind the preprocessing, as a Pipeline; with
        ``flatten``, samples of more than one dimension become rows (the
        scikit-learn baselines on images)."""
        if self.preprocessor is None:
            steps = []
        elif self.preprocessor == "auto":
            steps = [("preprocess", TabularPreprocessor(flatten=flatten))]
        else:
            steps = [("preprocess", clone(self.preprocessor))]
        return MethodPipeline([*steps, ("classifier", estimator)])

    def calibrated(self, base, method):
        """``base`` calibrated by ``method`` on rows it did not train on:
        scikit-learn's ``CalibratedClassifierCV`` for its methods,
        :class:`~sklearn_focal.calibration.LogitScalingClassifierCV` for
        matrix scaling."""
        if self.calibration == "holdout":
            cv = StratifiedShuffleSplit(
                n_splits=1,
                test_size=self.calibration_size,
                random_state=self.random_state,
            )
        else:
            cv = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        ensemble = self.calibration != "cross_fit"
        if method in LOGIT_SCALING:
            return LogitScalingClassifierCV(
                base, method=method, cv=cv, ensemble=ensemble
            )
        return CalibratedClassifierCV(base, method=method, cv=cv, ensemble=ensemble)

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

    def baseline(self, model):
        """scikit-learn's ``model`` with default settings, behind the
        preprocessing."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression

        if model == "logistic_regression":
            return self.pipeline(LogisticRegression(max_iter=1000), flatten=True)
        return self.pipeline(
            HistGradientBoostingClassifier(random_state=self.random_state),
            flatten=True,
        )

    def cross_validated(self, base, method):
        """``base`` calibrated by ``method`` in scikit-learn's cross-validated
        ensemble (``cv`` folds), as the baselines are."""
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        return CalibratedClassifierCV(base, method=method, cv=folds)

    def build(self, name):
        """The unfitted estimator of method ``name``, by its record."""
        return record(name).build(self)
