"""The names of the comparison's methods.

A module of its own, free of heavy imports, so that the command line can
list them (``--help``, ``--methods`` choices) without loading scikit-learn
or torch. The estimators behind the names are built by
:func:`sklearn_focal.methods.make_method`.
"""

#: Method names accepted by :func:`sklearn_focal.compare_calibration` and
#: :func:`sklearn_focal.methods.make_method`, in table order: networks
#: trained to be calibrated, then a cross-entropy network calibrated
#: afterwards, then the scikit-learn baselines.
METHODS = (
    "cross_entropy",
    "focal",
    "focal_sd53",
    "adafocal",
    "temperature",
    "isotonic",
    "sigmoid",
    "focal+temperature",
    "adafocal+temperature",
    "refine_then_calibrate",
    "logistic_regression",
    "logistic_regression+isotonic",
    "hist_gradient_boosting",
    "hist_gradient_boosting+isotonic",
)

#: The methods that calibrate a cross-entropy network afterwards.
POST_HOC = ("temperature", "isotonic", "sigmoid")

#: The methods whose model is a network (its curvature is measured).
NETWORKS = ("cross_entropy", "focal", "focal_sd53", "adafocal")

#: How the post-hoc methods get rows to calibrate on: a held-out part of the
#: training rows, or out-of-fold predictions with the kept network trained
#: on every row (``CalibratedClassifierCV(..., ensemble=False)``).
CALIBRATIONS = ("holdout", "cross_fit")

#: Method -> the method whose fits it reuses (the same network trained on
#: the same rows): the comparison runs them in one job so that each such
#: network is trained once.
SHARES_FITS_WITH = {
    **dict.fromkeys(POST_HOC, "cross_entropy"),
    "focal+temperature": "focal",
    "adafocal+temperature": "adafocal",
}

#: The methods from simplest to most involved, for the recommendation rule
#: that prefers the simplest of the methods it cannot tell apart.
SIMPLICITY = (
    "logistic_regression",
    "hist_gradient_boosting",
    "cross_entropy",
    "temperature",
    "sigmoid",
    "isotonic",
    "logistic_regression+isotonic",
    "hist_gradient_boosting+isotonic",
    "focal_sd53",
    "focal",
    "refine_then_calibrate",
    "adafocal",
    "focal+temperature",
    "adafocal+temperature",
)
