"""Well-calibrated neural classifiers for scikit-learn."""

from .focal import FocalClassifier

__version__ = "0.1.0.dev0"

__all__ = ["FocalClassifier", "__version__"]
