"""Warnings that point at the user's line, however deep the package's
call stack (fits go through scikit-learn's wrappers, the fit cache and the
net builder, so no fixed ``stacklevel`` fits every path)."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn_caller"]

#: Frames in these folders belong to the package or to the libraries that
#: call into it (scikit-learn's fit wrappers, joblib), not to the user.
_INTERNAL = tuple(
    os.path.dirname(module.__file__) + os.sep
    for module in (sys.modules[__name__.rpartition(".")[0]],)
)


def warn_caller(message: str, category=UserWarning) -> None:
    """``warnings.warn`` at the first frame outside the package and
    scikit-learn's ``base.py`` (its ``_fit_context`` wrapper)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        frame.f_code.co_filename.startswith(_INTERNAL)
        or frame.f_code.co_filename.endswith(os.path.join("sklearn", "base.py"))
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)
