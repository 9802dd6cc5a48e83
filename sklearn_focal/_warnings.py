"""Warnings that point at the user's line, however deep the package's
call stack (fits go through scikit-learn's wrappers, the fit cache and the
net builder, so no fixed ``stacklevel`` fits every path)."""

from __future__ import annotations

import inspect
import os
import sys
import warnings

__all__ = ["warn_caller"]


def _folders():
    """The package's folder, scikit-learn's and joblib's: frames in them are
    the package's fits and the meta-estimators (Pipeline,
    CalibratedClassifierCV) and loops that call them, not the user's code."""
    import joblib
    import sklearn

    package = sys.modules[__name__.rpartition(".")[0]]
    return tuple(
        os.path.dirname(m.__file__) + os.sep for m in (package, sklearn, joblib)
    )


def warn_caller(message: str, category=UserWarning) -> None:
    """``warnings.warn`` at the first frame outside the package and
    scikit-learn."""
    internal = _folders()
    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and frame.f_code.co_filename.startswith(internal):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)
