"""What the displays share: the checks of ``plot``, the predictions of
``from_estimator``, axis labels from the metric registry, and the grid of
reliability cells laid out in inches."""

from __future__ import annotations

import numpy as np

from .._compat import check_matplotlib_support
from ..metrics import (
    METRICS,
)

#: Margins of a grid of reliability cells, in inches: room for the tick
#: labels and axis labels (left, bottom), the titles (top, between rows).
_GRID_MARGINS = {"left": 0.75, "right": 0.15, "bottom": 0.5, "top": 0.3}
_GRID_GAPS = {"width": 0.55, "height": 0.8, "in_cell": 0.2}


def _cell_grid(figure, n_rows, n_cols):
    """Axes of ``n_rows x n_cols`` cells, each a diagram over its histogram
    (heights 3:1), as an array of shape ``(2 * n_rows, n_cols)``, and
    whether their margins are fixed.

    The margins and gaps are fixed in inches, so the layout costs no drawing
    (``tight_layout`` measures every tick label: 2.5 s for the 28 axes of a
    14-method comparison). In a figure too small for them they are not, and
    the caller lays the drawn grid out with ``tight_layout``.
    """
    width, height = figure.get_size_inches()
    m, gap = _GRID_MARGINS, _GRID_GAPS
    cell_width = (width - m["left"] - m["right"] - (n_cols - 1) * gap["width"]) / n_cols
    cell_height = (
        height - m["bottom"] - m["top"] - (n_rows - 1) * gap["height"]
    ) / n_rows
    if cell_width < 1.0 or cell_height < 1.5:
        axes = figure.subplots(
            2 * n_rows,
            n_cols,
            squeeze=False,
            sharex=True,
            gridspec_kw={"height_ratios": [3, 1] * n_rows},
        )
        return axes, False
    outer = figure.add_gridspec(
        n_rows,
        n_cols,
        left=m["left"] / width,
        right=1 - m["right"] / width,
        bottom=m["bottom"] / height,
        top=1 - m["top"] / height,
        wspace=gap["width"] / cell_width,
        hspace=gap["height"] / cell_height,
    )
    # a gridspec's hspace is a gap over the mean height of its axes
    in_cell = 2 * gap["in_cell"] / (cell_height - gap["in_cell"])
    axes = np.empty((2 * n_rows, n_cols), dtype=object)
    for row in range(n_rows):
        for col in range(n_cols):
            cell = outer[row, col].subgridspec(
                2, 1, height_ratios=[3, 1], hspace=in_cell
            )
            top = figure.add_subplot(cell[0])
            axes[2 * row, col] = top
            axes[2 * row + 1, col] = figure.add_subplot(cell[1], sharex=top)
    return axes, True


def _histogram_axes(ax):
    """The histogram axes under ``ax``: appended on first use, then found again.

    The appended axes carry a gid naming ``ax``, so later ``plot`` calls on
    the same ``ax`` stack their histograms there; no state outside the figure.
    """
    gid = f"sklearn_focal-histogram-{id(ax)}"
    for other in ax.figure.axes:
        if other.get_gid() == gid:
            return other
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    hist = make_axes_locatable(ax).append_axes("bottom", size="30%", pad=0.1, sharex=ax)
    hist.set_gid(gid)
    ax.tick_params(labelbottom=False)
    return hist


class _DisplayMixin:
    """Checks shared by the displays."""

    def _validate_plot_params(self, *, ax=None, name=None):
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.axes import Axes

        if ax is None:
            _, ax = plt.subplots()
        elif not isinstance(ax, Axes):
            raise TypeError(
                f"ax must be a matplotlib Axes or None; got {type(ax).__name__} {ax!r}."
            )
        if name is None:
            name = getattr(self, "estimator_name", None)
        return ax, ax.figure, name

    @classmethod
    def _probabilities(cls, estimator, X, name=None):
        """``predict_proba``, class labels and a name from a fitted classifier."""
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if not hasattr(estimator, "predict_proba"):
            raise TypeError(
                f"{cls.__name__} needs a classifier with predict_proba; got "
                f"{type(estimator).__name__}."
            )
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        if name is None:
            name = type(final).__name__
        return estimator.predict_proba(X), final.classes_, name


def _label(metric):
    """A metric's name on axes: the registry's label, else the key itself."""
    return METRICS[metric].label if metric in METRICS else metric
