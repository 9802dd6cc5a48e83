"""Well-calibrated neural classifiers for scikit-learn."""

from .adafocal import AdaFocalClassifier
from .compare import compare_calibration
from .focal import FocalClassifier

__version__ = "0.1.0.dev0"

__all__ = [
    "AdaFocalClassifier",
    "FocalClassifier",
    "__version__",
    "compare_calibration",
]
