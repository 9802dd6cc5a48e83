"""The names of the comparison's methods.

A module of its own, free of heavy imports, so that the command line can
list them (``--help``, ``--methods`` choices) without loading torch.
"""

#: Method names accepted by :func:`sklearn_focal.compare_calibration`, in
#: table order.
METHODS = (
    "cross_entropy",
    "focal",
    "focal_sd53",
    "adafocal",
    "temperature",
    "isotonic",
    "sigmoid",
)

#: The methods that calibrate a frozen cross-entropy network afterwards.
POST_HOC = ("temperature", "isotonic", "sigmoid")
