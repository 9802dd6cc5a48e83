"""Well-calibrated neural classifiers for scikit-learn.

The public names load on first use (PEP 562): ``import sklearn_focal`` and
``import sklearn_focal.metrics`` do not import torch or skorch, and the
command line answers ``--help`` without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

__all__ = [
    "AdaFocalClassifier",
    "FocalClassifier",
    "GammaSearchClassifier",
    "__version__",
    "compare_calibration",
    "make_method",
]

#: Public name -> module that defines it.
_LAZY = {
    "AdaFocalClassifier": ".adafocal",
    "FocalClassifier": ".focal",
    "GammaSearchClassifier": ".gamma_search",
    "compare_calibration": ".compare",
    "make_method": ".methods",
}

if TYPE_CHECKING:
    from .adafocal import AdaFocalClassifier
    from .compare import compare_calibration
    from .focal import FocalClassifier
    from .gamma_search import GammaSearchClassifier
    from .methods import make_method


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
