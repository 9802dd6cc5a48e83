"""The reliability diagram of one model: top-label or classwise, with
gap bars, the ECE in the legend and a confidence histogram."""

from __future__ import annotations

import numpy as np

from .._compat import check_matplotlib_support
from ..metrics import (
    calibration_bins,
    classwise_calibration_error,
    expected_calibration_error,
)
from ._base import (
    _DisplayMixin,
    _histogram_axes,
)


class ReliabilityDisplay(_DisplayMixin):
    """Reliability diagram for binary and multiclass classifiers.

    ``kind="top_label"`` plots, per confidence bin, the accuracy against the
    mean confidence of the predicted class, with bars for the accuracy and
    hatched bars for the gap to the mean confidence; ``kind="classwise"``
    plots one curve per class (predicted probability of the class against its
    observed frequency). The legend shows the (classwise) ECE, and a
    histogram under the diagram shows how many samples fall in each bin.

    Prefer :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    bins : CalibrationBins
        Output of :func:`~sklearn_focal.metrics.calibration_bins`.
    ece : float
        Expected (top-label or classwise) calibration error, for the legend.
    kind : {"top_label", "classwise"}, default="top_label"
        Which binning ``bins`` holds.
    class_labels : array-like, default=None
        Class labels, for the legend of a classwise diagram.
    estimator_name : str, default=None
        Name in the legend.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The diagram.
    figure_ : matplotlib Figure
    line_ : matplotlib Line2D or list of Line2D
        The reliability curve; one per class for ``kind="classwise"``.
    pooled_line_ : matplotlib Line2D or None
        For ``kind="classwise"`` with uniform bins: all classes pooled.
    bars_ : matplotlib BarContainer or None
        Accuracy per bin (top label only).
    gaps_ : matplotlib BarContainer or None
        Gap from accuracy to mean confidence per bin (top label only).
    hist_ax_ : matplotlib Axes or None
        The confidence histogram.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_focal.display import ReliabilityDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=1000).fit(X, y)
    >>> display = ReliabilityDisplay.from_estimator(clf, X, y, n_bins=10)
    >>> display.line_.get_label()  # doctest: +ELLIPSIS
    'LogisticRegression (ECE = 0.0...)'
    """

    def __init__(
        self, bins, ece, *, kind="top_label", class_labels=None, estimator_name=None
    ):
        self.bins = bins
        self.ece = ece
        self.kind = kind
        self.class_labels = class_labels
        self.estimator_name = estimator_name

    def plot(
        self,
        ax=None,
        *,
        name=None,
        ref_line=True,
        show_gaps=True,
        show_histogram=True,
        hist_ax=None,
        **kwargs,
    ):
        """Draw the diagram.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None. Call ``plot`` again with
            the same ``ax`` to add models.
        name : str, default=None
            Legend name; default ``estimator_name``.
        ref_line : bool, default=True
            Draw the diagonal of perfect calibration.
        show_gaps : bool, default=True
            Draw accuracy and gap bars (top label only).
        show_histogram : bool, default=True
            Draw the confidence histogram under the diagram.
        hist_ax : matplotlib Axes, default=None
            Axes for the histogram; by default one is appended under ``ax``
            (and reused by later calls on the same ``ax``).
        **kwargs : dict
            Passed to :func:`matplotlib.pyplot.plot` for the curve.

        Returns
        -------
        display : ReliabilityDisplay
        """
        created_figure = ax is None
        self.ax_, self.figure_, name = self._validate_plot_params(ax=ax, name=name)
        ax = self.ax_
        ref_label = "Perfectly calibrated"
        if ref_line and ref_label not in ax.get_legend_handles_labels()[1]:
            ax.plot([0, 1], [0, 1], "k:", label=ref_label)
        draw = {"top_label": self._draw_top_label, "classwise": self._draw_classwise}
        self.bars_ = self.gaps_ = self.pooled_line_ = None
        histogram = draw[self.kind](
            ax, name if name is not None else "model", show_gaps, ref_line, **kwargs
        )
        ax.set(xlim=(0, 1), ylim=(0, 1.02))
        if isinstance(self.line_, list) and len(self.line_) > 5:
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="x-small")
            if created_figure:  # make room for the legend beside the axes
                self.figure_.set_size_inches(8.5, self.figure_.get_size_inches()[1])
                self.figure_.subplots_adjust(right=0.7)
        else:
            ax.legend(loc="upper left", fontsize="small")

        self.hist_ax_ = None
        if show_histogram:
            counts, edges, color = histogram
            self.hist_ax_ = hist_ax if hist_ax is not None else _histogram_axes(ax)
            self.hist_ax_.stairs(counts / counts.sum(), edges, color=color, label=name)
            self.hist_ax_.set(
                xlim=(0, 1),
                xlabel=ax.get_xlabel(),
                ylabel="Share of samples",
            )
            if hist_ax is None:
                ax.set_xlabel("")
        return self

    def _draw_top_label(self, ax, name, show_gaps, ref_line, **kwargs):
        """Accuracy per confidence bin, with accuracy and gap bars.

        Returns the histogram's (counts, edges, colour).
        """
        bins = self.bins
        label = f"{name} (ECE = {self.ece:.3f})"
        nonempty = bins.count > 0
        self.line_ = ax.plot(
            bins.confidence[nonempty],
            bins.accuracy[nonempty],
            **{"marker": "o", "label": label, **kwargs},
        )[0]
        color = self.line_.get_color()
        if show_gaps:
            left, width = bins.edges[:-1], np.diff(bins.edges)
            self.bars_ = ax.bar(
                left,
                bins.accuracy,
                width=width,
                align="edge",
                color=color,
                alpha=0.25,
                edgecolor=color,
                linewidth=0.5,
            )
            gap = np.where(bins.count > 0, bins.confidence - bins.accuracy, 0)
            gap_label = "Gap to confidence"
            self.gaps_ = ax.bar(
                left,
                gap,
                bottom=bins.accuracy,
                width=width,
                align="edge",
                color="none",
                edgecolor="tab:red",
                hatch="//",
                linewidth=0.5,
                # labelled with the reference line, once however many models
                # share the axes
                label=gap_label
                if ref_line and gap_label not in ax.get_legend_handles_labels()[1]
                else None,
            )
        ax.set(
            xlabel="Confidence (probability of the predicted class)",
            ylabel="Accuracy",
        )
        return bins.count, bins.edges, color

    def _draw_classwise(self, ax, name, show_gaps, ref_line, **kwargs):
        """One faint curve per class, and the pooled curve in bold.

        Returns the histogram's (counts, edges, colour): all classes pooled.
        """
        bins = self.bins
        # two lines: the label sits in a list of classes
        label = f"{name}\n(classwise ECE = {self.ece:.3f})"
        labels = self.class_labels
        if labels is None:
            labels = np.arange(len(bins.count))
        self.line_ = []
        for k, class_label in enumerate(labels):
            nonempty = bins.count[k] > 0
            style = {
                "marker": ".",
                "linewidth": 1,
                "alpha": 0.6,
                "label": f"class {class_label}",
            }
            self.line_.append(
                ax.plot(
                    bins.confidence[k][nonempty], bins.accuracy[k][nonempty], **style
                )[0]
            )
        if np.allclose(bins.edges, bins.edges[0]):  # shared edges: pool the classes
            count = bins.count.sum(axis=0)
            nonempty = count > 0
            with np.errstate(invalid="ignore"):
                conf = (bins.count * bins.confidence).sum(axis=0)[nonempty] / count[
                    nonempty
                ]
                acc = (bins.count * bins.accuracy).sum(axis=0)[nonempty] / count[
                    nonempty
                ]
            style = {
                "marker": "o",
                "linewidth": 2,
                "color": "k",
                "label": label,
                **kwargs,
            }
            self.pooled_line_ = ax.plot(conf, acc, **style)[0]
        else:
            self.line_[0].set_label(f"class {labels[0]} - {label}")
        ax.set(
            xlabel="Predicted probability of the class",
            ylabel="Observed frequency of the class",
        )
        return bins.count.sum(0), bins.edges[0], "0.3"

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_prob,
        *,
        n_bins=15,
        strategy="uniform",
        kind="top_label",
        labels=None,
        name=None,
        ax=None,
        ref_line=True,
        show_histogram=True,
        **kwargs,
    ):
        """Reliability diagram from labels and predicted probabilities.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
            Predicted probabilities (see :mod:`sklearn_focal.metrics`).
        n_bins : int, default=15
        strategy : {"uniform", "quantile"}, default="uniform"
        kind : {"top_label", "classwise"}, default="top_label"
        labels : array-like, default=None
            All class labels (columns of ``y_prob`` in sorted order).
        name : str, default=None
            Legend name.
        ax : matplotlib Axes, default=None
        ref_line : bool, default=True
        show_histogram : bool, default=True
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ReliabilityDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_predictions")
        options = dict(n_bins=n_bins, strategy=strategy, labels=labels)
        bins = calibration_bins(y_true, y_prob, kind=kind, **options)
        class_labels = np.unique(y_true if labels is None else labels)
        error = (
            classwise_calibration_error
            if kind == "classwise"
            else expected_calibration_error
        )
        display = cls(
            bins,
            error(y_true, y_prob, **options),
            kind=kind,
            class_labels=class_labels,
            estimator_name=name,
        )
        return display.plot(
            ax=ax, ref_line=ref_line, show_histogram=show_histogram, **kwargs
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        n_bins=15,
        strategy="uniform",
        kind="top_label",
        name=None,
        ax=None,
        ref_line=True,
        show_histogram=True,
        **kwargs,
    ):
        """Reliability diagram of a fitted classifier on ``(X, y)``.

        Parameters
        ----------
        estimator : fitted classifier or Pipeline
            Anything with ``predict_proba`` and ``classes_`` (on its last
            step for a Pipeline).
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        n_bins, strategy, kind, name, ax, ref_line, show_histogram, **kwargs
            As in :meth:`from_predictions`; ``name`` defaults to the
            estimator's class name.

        Returns
        -------
        display : ReliabilityDisplay
        """
        y_prob, classes, name = cls._probabilities(estimator, X, name)
        return cls.from_predictions(
            y,
            y_prob,
            n_bins=n_bins,
            strategy=strategy,
            kind=kind,
            labels=classes,
            name=name,
            ax=ax,
            ref_line=ref_line,
            show_histogram=show_histogram,
            **kwargs,
        )
