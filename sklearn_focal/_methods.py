"""The names of the comparison's methods.

A module of its own, free of heavy imports, so that the command line can
list them (``--help``, ``--methods`` choices) without loading torch.
"""

#: Method names accepted by :func:`sklearn_focal.compare_calibration`, in
#: table order: networks trained to be calibrated, then a cross-entropy
#: network calibrated afterwards, then the scikit-learn baselines.
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

#: The methods that calibrate a frozen cross-entropy network afterwards.
POST_HOC = ("temperature", "isotonic", "sigmoid")

#: The methods from simplest to most involved: when the recommendation finds
#: no clear difference, the simplest method wins. A model with fewer moving
#: parts first (a linear model, boosting with its defaults, one network),
#: then one calibration step, then searches, schedules and combinations.
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
