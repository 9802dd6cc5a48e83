"""Each method's paired difference to the reference, with its interval
and verdict: the comparison's forest plot."""

from __future__ import annotations

import numpy as np

from .._compat import check_matplotlib_support
from ._base import (
    _DisplayMixin,
    _label,
)

_VERDICT_COLORS = {"better": "tab:green", "worse": "tab:red"}


#: An interval wider than this many times the median width is clipped, so
#: that it does not squeeze every other interval to a dot.
_CLIP_RATIO = 5.0


def _readable_limits(mean, low, high):
    """The x-range that keeps the typical intervals readable, or None when
    every interval fits: the intervals (and 0) of the rows whose width is
    within ``_CLIP_RATIO`` times the median width, padded by 15 %."""
    finite = np.isfinite(low) & np.isfinite(high)
    if finite.sum() < 2:
        return None
    width = (high - low)[finite]
    typical = width <= _CLIP_RATIO * max(np.median(width), 1e-12)
    if typical.all():
        return None
    kept = np.concatenate([low[finite][typical], high[finite][typical], [0.0]])
    left, right = kept.min(), kept.max()
    pad = 0.15 * max(right - left, 1e-12)
    return left - pad, right + pad


def _draw_clipped(ax, row, mean, low, high, limits, color):
    """An interval cut at the axis' edge: the visible part, a triangle at
    each cut end, and the whole interval written at the cut."""
    left, right = limits
    shown = np.clip([low, mean, high], left, right)
    ax.plot([shown[0], shown[2]], [row, row], color=color, linewidth=1.5)
    if left <= mean <= right:
        ax.plot(mean, row, "o", color=color)
    if low < left:
        ax.plot(left, row, "<", color=color, markersize=8, clip_on=False)
    if high > right:
        ax.plot(right, row, ">", color=color, markersize=8, clip_on=False)
    ax.annotate(
        f"{mean:+.3g} [{low:+.3g}, {high:+.3g}]",
        (right if high > right else left, row),
        xytext=(0, 6),
        textcoords="offset points",
        ha="right" if high > right else "left",
        fontsize="x-small",
        color=color,
    )


class PairedDifferenceDisplay(_DisplayMixin):
    """Forest plot of each method's paired difference to a reference.

    One panel per metric (ECE and log loss by default); one row per method
    with its mean difference ``method - reference`` over the repeats and the
    95 % interval, coloured by the verdict (green better, red worse, grey no
    clear difference), and a line at 0.

    Prefer :meth:`from_comparison`.

    Parameters
    ----------
    paired : DataFrame
        The ``paired`` table of a
        :class:`~sklearn_focal.compare.CalibrationComparison`: indexed by
        method, with
        ``{m}_diff``, ``{m}_diff_ci_low``, ``{m}_diff_ci_high`` and
        ``{m}_verdict`` for each metric ``m``.
    reference : str
        The reference's name, for the axis labels.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
    ax_ : matplotlib Axes
        The first panel.
    figure_ : matplotlib Figure
    clipped_ : dict of str to list of str
        Per metric, the methods whose interval is over five times the median
        width and is cut at the panel's edge (a triangle marks each cut end,
        and the whole interval is written at the cut), so that the others
        stay readable.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sklearn_focal.display import PairedDifferenceDisplay
    >>> paired = pd.DataFrame(
    ...     {"ece_diff": [-0.02], "ece_diff_ci_low": [-0.03],
    ...      "ece_diff_ci_high": [-0.01], "ece_verdict": ["better"]},
    ...     index=["temperature"])
    >>> display = PairedDifferenceDisplay(paired, reference="cross_entropy").plot()
    >>> display.ax_.get_xlabel()
    'ECE: method - cross_entropy'
    """

    def __init__(self, paired, *, reference):
        self.paired = paired
        self.reference = reference

    def plot(self, axes=None, *, metrics=("ece", "log_loss")):
        """Draw one panel per metric.

        Parameters
        ----------
        axes : sequence of matplotlib Axes, default=None
            One per metric; a new figure when None.
        metrics : sequence of str, default=("ece", "log_loss")
            Metrics of ``paired`` to draw (those it has).

        Returns
        -------
        display : PairedDifferenceDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        metrics = [m for m in metrics if f"{m}_diff" in self.paired.columns]
        if not metrics:
            raise ValueError(
                "paired holds none of the metrics to draw; expected columns such "
                "as 'ece_diff' and 'log_loss_diff'."
            )
        methods = list(self.paired.index)
        if axes is None:
            self.figure_, axes = plt.subplots(
                1,
                len(metrics),
                sharey=True,
                figsize=(4 * len(metrics), 0.35 * len(methods) + 1.2),
                squeeze=False,
            )
            axes = axes[0]
        else:
            axes = np.ravel(axes)
            if len(axes) != len(metrics):
                raise ValueError(f"axes must hold {len(metrics)} Axes, one per metric.")
            self.figure_ = axes[0].figure
        self.axes_, self.ax_ = np.asarray(axes), axes[0]
        rows = np.arange(len(methods))[::-1]  # first method on top
        self.clipped_ = {}
        for ax, metric in zip(axes, metrics, strict=True):
            mean = self.paired[f"{metric}_diff"].to_numpy(dtype=float)
            low = self.paired[f"{metric}_diff_ci_low"].to_numpy(dtype=float)
            high = self.paired[f"{metric}_diff_ci_high"].to_numpy(dtype=float)
            verdicts = self.paired.get(f"{metric}_verdict", [None] * len(methods))
            limits = _readable_limits(mean, low, high)
            self.clipped_[metric] = []
            for row, method, m, lo, hi, verdict in zip(
                rows, methods, mean, low, high, verdicts, strict=True
            ):
                color = _VERDICT_COLORS.get(verdict, "0.45")
                if (
                    limits is not None
                    and not limits[0] <= min(lo, m) <= max(hi, m) <= limits[1]
                ):
                    self.clipped_[metric].append(method)
                    _draw_clipped(ax, row, m, lo, hi, limits, color)
                    continue
                ax.errorbar(
                    m,
                    row,
                    xerr=[[m - lo], [hi - m]] if np.isfinite(lo + hi) else None,
                    fmt="o",
                    color=color,
                    capsize=3,
                )
            if limits is not None:
                ax.set_xlim(*limits)
            ax.axvline(0, color="0.3", linewidth=1)
            ax.set_xlabel(f"{_label(metric)}: method - {self.reference}")
            ax.grid(axis="x", alpha=0.3)
        axes[0].set_yticks(rows, methods)
        axes[0].set_title(
            "paired difference, 95 % interval (green better, red worse)",
            fontsize="medium",
            loc="left",
        )
        return self

    @classmethod
    def from_comparison(cls, comparison, *, axes=None, **kwargs):
        """Forest plot of a :class:`~sklearn_focal.compare.CalibrationComparison`.

        Parameters
        ----------
        comparison : CalibrationComparison
        axes : sequence of matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : PairedDifferenceDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_comparison")
        display = cls(comparison.paired, reference=comparison.reference)
        return display.plot(axes=axes, **kwargs)
