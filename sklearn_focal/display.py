"""Displays: reliability diagrams and the gamma sweep.

They follow scikit-learn's Display API (see
:class:`sklearn.calibration.CalibrationDisplay`): ``from_estimator`` gets the
predictions, ``from_predictions`` computes the numbers with
:func:`sklearn_focal.metrics.calibration_bins`, and ``plot`` only draws.
matplotlib is imported when drawing (``pip install sklearn-focal[plot]``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._compat import check_matplotlib_support
from .metrics import (
    METRICS,
    calibration_bins,
    classwise_calibration_error,
    expected_calibration_error,
)
from .scoring import get_scorer

__all__ = [
    "CalibrationComparisonDisplay",
    "GammaSweepDisplay",
    "PairedDifferenceDisplay",
    "ReliabilityDisplay",
]


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


def _check_models(cls, models, name: str) -> None:
    if not isinstance(models, dict) or not models:
        raise ValueError(
            f"{cls.__name__}: {name} must be a non-empty dict of model name -> "
            f"{'probabilities' if name == 'y_probs' else 'fitted classifier'}; got "
            f"{models!r}."
        )


class CalibrationComparisonDisplay(_DisplayMixin):
    """Reliability diagrams of several models side by side.

    One cell per model: its top-label reliability diagram above its
    confidence histogram (share of samples per bin, on a common 0-1 scale),
    titled with the model's name, its ECE in the legend. Rows hold
    ``n_cols`` models each.

    Parameters
    ----------
    displays : list of ReliabilityDisplay
        One per model (not yet drawn).
    names : list of str
        Column titles.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (2 * n_rows, n_cols)
        Diagrams on even rows, their histograms on the odd rows below.
    figure_ : matplotlib Figure
    displays_ : list of ReliabilityDisplay
        The drawn diagrams.
    """

    def __init__(self, displays, names):
        self.displays = displays
        self.names = names

    def plot(self, *, n_cols=4, figsize=None, ref_line=True):
        """Draw the grid.

        Parameters
        ----------
        n_cols : int, default=4
            Models per row; more models wrap onto further rows.
        figsize : tuple, default=None
            Figure size; default 3.2 x 4.4 inches per model.
        ref_line : bool, default=True

        Returns
        -------
        display : CalibrationComparisonDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        n = len(self.displays)
        n_cols = min(n_cols, n)
        n_rows = -(-n // n_cols)
        figsize = figsize or (3.2 * n_cols, 4.4 * n_rows)
        self.figure_ = plt.figure(figsize=figsize)
        self.axes_, fixed = _cell_grid(self.figure_, n_rows, n_cols)
        self.displays_ = []
        for k, (display, name) in enumerate(
            zip(self.displays, self.names, strict=True)
        ):
            row, col = divmod(k, n_cols)
            top, bottom = self.axes_[2 * row, col], self.axes_[2 * row + 1, col]
            display.plot(ax=top, name=name, ref_line=ref_line, hist_ax=bottom)
            top.set_title(name, fontsize="medium")
            if display.kind == "top_label":
                # the title names the model; a long name in the legend too
                # ran past the diagram into the next cell
                display.line_.set_label(f"ECE = {display.ece:.3f}")
            top.set_xlabel("")
            top.tick_params(labelbottom=False)
            top.legend(loc="upper left", fontsize="x-small")
            bottom.set_xlabel("Confidence")
            bottom.set_ylim(0, 1)
            if col:
                top.set_ylabel("")
                bottom.set_ylabel("")
            self.displays_.append(display)
        for k in range(n, n_rows * n_cols):  # empty cells of the last row
            row, col = divmod(k, n_cols)
            self.axes_[2 * row, col].set_axis_off()
            self.axes_[2 * row + 1, col].set_axis_off()
        if not fixed:
            self.figure_.tight_layout()
        return self

    @classmethod
    def from_predictions(
        cls, y_true, y_probs, *, n_bins=15, strategy="uniform", labels=None
    ):
        """Compare models from their predicted probabilities.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
        y_probs : dict of str to array-like
            Model name -> predicted probabilities on the same samples.
        n_bins, strategy, labels
            As in :meth:`ReliabilityDisplay.from_predictions`.

        Returns
        -------
        display : CalibrationComparisonDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_predictions")
        _check_models(cls, y_probs, "y_probs")
        options = dict(n_bins=n_bins, strategy=strategy, labels=labels)
        displays = []
        for name, y_prob in y_probs.items():
            bins = calibration_bins(y_true, y_prob, **options)
            ece = expected_calibration_error(y_true, y_prob, **options)
            displays.append(ReliabilityDisplay(bins, ece, estimator_name=name))
        return cls(displays, list(y_probs)).plot()

    @classmethod
    def from_estimators(cls, estimators, X, y, *, n_bins=15, strategy="uniform"):
        """Compare fitted classifiers on ``(X, y)``.

        Parameters
        ----------
        estimators : dict of str to fitted classifier
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        n_bins, strategy
            As in :meth:`ReliabilityDisplay.from_predictions`.

        Returns
        -------
        display : CalibrationComparisonDisplay
        """
        _check_models(cls, estimators, "estimators")
        probs, labels = {}, None
        for name, estimator in estimators.items():
            probs[name], labels, _ = cls._probabilities(estimator, X, name)
        return cls.from_predictions(
            y, probs, n_bins=n_bins, strategy=strategy, labels=labels
        )


# ------------------------------------------------------------------------------
# Gamma sweep
# ------------------------------------------------------------------------------
#: The panels of a sweep when the caller names none, in order: each is drawn
#: when the search scored it (the ECE always).
_DEFAULT_PANELS = ("ece", "hessian_trace", "training_hessian_trace", "accuracy")

#: Old metric keys of the sweep, kept for one release: old -> registry name.
_OLD_KEYS = {
    "curvature": "hessian_trace",
    "training_curvature": "training_hessian_trace",
}


def _registry_name(key, owner):
    """A metric key, with the deprecated names mapped (and warned about)."""
    if key in _OLD_KEYS:
        warnings.warn(
            f"{owner}: the metric name {key!r} is deprecated and will be removed in "
            f"the next release; use {_OLD_KEYS[key]!r} (the names of "
            "sklearn_focal.metrics.METRICS).",
            FutureWarning,
            stacklevel=3,
        )
        return _OLD_KEYS[key]
    return key


def _label(metric):
    return METRICS[metric].label if metric in METRICS else metric


def _scorer_key(search, metric):
    """Name under which ``metric`` was scored, or None: the key of a scorer
    that computes it (found by what it computes, whatever the key), else the
    registry's scorer name, else ``metric`` itself as a key of
    ``cv_results_``."""
    results = search.cv_results_
    if metric in METRICS:
        reference = repr(get_scorer(METRICS[metric].scorer_name))
        scorers = search.scorer_ if isinstance(search.scorer_, dict) else {}
        for name, scorer in scorers.items():
            # by what they compute (their repr): get_scorer hands out copies
            if repr(scorer) == reference:
                return name
        if f"mean_test_{METRICS[metric].scorer_name}" in results:
            return METRICS[metric].scorer_name
    if f"mean_test_{metric}" in results:
        return metric
    return None


def _sign(metric, key):
    """What turns the scores of ``key`` back into ``metric``: the registry's
    errors and curvatures are scored negated."""
    if metric in METRICS and key != metric:
        return 1.0 if METRICS[metric].greater_is_better else -1.0
    return 1.0


def _swept_param(results, param):
    """The ``cv_results_`` column of ``param``, also inside a pipeline."""
    varied = sorted(k[len("param_") :] for k in results if k.startswith("param_"))
    if param in varied:
        return param
    nested = [name for name in varied if name.endswith(f"__{param}")]
    if len(nested) == 1:
        return nested[0]
    raise ValueError(
        f"The search did not vary {param!r}"
        + (
            f" (several parameters end in '__{param}': {nested}; pass one as param)"
            if nested
            else ""
        )
        + f"; its parameters are {varied}."
    )


class GammaSweepDisplay(_DisplayMixin):
    """Calibration, loss-surface curvature and accuracy against gamma.

    One panel per metric with gamma on the shared x-axis (the curvature of
    the cross-entropy and that of the training loss each in a panel of its
    own, labelled with its loss), fold spread (±1 standard deviation) as
    error bars, and the gamma of the best ECE (or of the first metric)
    marked in every panel. When the grid holds gamma = 0 (cross-entropy),
    its values are drawn across each panel as the reference. Errors and
    curvature are shown as they are (the scorers return them negated, see
    :mod:`sklearn_focal.scoring`).

    Prefer :meth:`from_cv_results` or :meth:`from_results`.

    Parameters
    ----------
    gammas : array-like of shape (n_gammas,)
    scores : dict of str to array-like
        Metric -> value per gamma. The names of
        :data:`sklearn_focal.metrics.METRICS` (``"ece"``, ``"log_loss"``,
        ``"hessian_trace"``, ``"accuracy"``, ...) get their labels; any other
        name is drawn under that name.
    errors : dict of str to array-like, default=None
        Metric -> spread per gamma (error bar half-length).
    param : str, default="gamma"
        x-axis label.
    best_by : str, default=None
        The metric whose best value marks the best gamma; default the ECE
        when drawn, else the first metric.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per metric, top to bottom in the order of ``scores``.
    ax_ : matplotlib Axes
        The first panel.
    figure_ : matplotlib Figure
    lines_ : dict of str to ErrorbarContainer
    best_gamma_ : float
        Gamma of the lowest ECE (or the best value of the first metric),
        marked in every panel.
    best_on_edge_ : bool
        Whether ``best_gamma_`` is the largest gamma of the grid (or the
        smallest, when the grid leaves out 0): the title then says, in red,
        that the best may lie beyond the grid.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_focal.display import GammaSweepDisplay
    >>> display = GammaSweepDisplay.from_results(
    ...     [0, 1, 2, 3],
    ...     {"ece": [0.05, 0.03, 0.02, 0.04], "hessian_trace": [90, 70, 55, 40],
    ...      "accuracy": [0.95, 0.95, 0.94, 0.93]})
    >>> display.best_gamma_
    2.0
    """

    def __init__(self, gammas, scores, errors=None, *, param="gamma", best_by=None):
        self.gammas = np.asarray(gammas, dtype=float)
        owner = type(self).__name__
        self.scores = {
            _registry_name(k, owner): np.asarray(v, dtype=float)
            for k, v in scores.items()
        }
        self.errors = {
            _registry_name(k, owner): np.asarray(v, dtype=float)
            for k, v in (errors or {}).items()
        }
        if not self.scores:
            raise ValueError("GammaSweepDisplay needs at least one metric in scores.")
        for kind, values in (("scores", self.scores), ("errors", self.errors)):
            for metric, v in values.items():
                if v.shape != self.gammas.shape:
                    raise ValueError(
                        f"{kind}[{metric!r}] has {v.size} values for "
                        f"{self.gammas.size} gammas; give one per gamma."
                    )
        # "classifier__gamma" in a pipeline is labelled "gamma"
        self.param = param.rsplit("__", 1)[-1]
        if best_by is not None and best_by not in self.scores:
            raise ValueError(
                f"best_by={best_by!r} is not one of the drawn metrics "
                f"{list(self.scores)}."
            )
        self.best_by = best_by

    def plot(self, axes=None, *, name=None, **kwargs):
        """Draw one panel per metric.

        Parameters
        ----------
        axes : sequence of matplotlib Axes, default=None
            One per metric; a new figure when None.
        name : str, default=None
            Legend label of the curves.
        **kwargs : dict
            Passed to :func:`matplotlib.pyplot.errorbar`.

        Returns
        -------
        display : GammaSweepDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        metrics = list(self.scores)
        if axes is None:
            self.figure_, axes = plt.subplots(
                len(metrics),
                1,
                sharex=True,
                figsize=(5, 2.2 * len(metrics)),
                squeeze=False,
            )
            axes = axes[:, 0]
        else:
            axes = np.ravel(axes)
            if len(axes) != len(metrics):
                raise ValueError(f"axes must hold {len(metrics)} Axes, one per metric.")
            self.figure_ = axes[0].figure
        self.axes_, self.ax_ = np.asarray(axes), axes[0]
        key = self.best_by or ("ece" if "ece" in self.scores else metrics[0])
        if np.isnan(self.scores[key]).all():
            raise ValueError(
                f"Every {_label(key)} value is NaN (did every fit of the search "
                "fail? see its error_score): nothing to draw."
            )
        higher = key in METRICS and METRICS[key].greater_is_better
        best = np.nanargmax if higher else np.nanargmin
        self.best_gamma_ = float(self.gammas[int(best(self.scores[key]))])
        # the best gamma on an edge of the grid that could be extended (gamma
        # cannot go below 0): the optimum may lie outside
        low, high = self.gammas.min(), self.gammas.max()
        edges = {high} | ({low} if low > 0 else set())
        self.best_on_edge_ = bool(len(self.gammas) > 1 and self.best_gamma_ in edges)
        reference = np.flatnonzero(self.gammas == 0)
        self.lines_ = {}
        for ax, metric in zip(axes, metrics, strict=True):
            self.lines_[metric] = ax.errorbar(
                self.gammas,
                self.scores[metric],
                yerr=self.errors.get(metric),
                **{"marker": "o", "capsize": 3, "label": name, **kwargs},
            )
            ax.axvline(self.best_gamma_, color="0.6", linestyle="--", linewidth=1)
            if len(reference):  # gamma = 0 is cross-entropy: the reference level
                ax.axhline(
                    self.scores[metric][reference[0]],
                    color="tab:gray",
                    linestyle=":",
                    linewidth=1,
                    label=f"{self.param} = 0 (cross-entropy)",
                )
            ax.set_ylabel(_label(metric))
        title = (
            f"{'highest' if higher else 'lowest'} {_label(key)} at "
            f"{self.param} = {self.best_gamma_:g}"
        )
        if self.best_on_edge_:
            title += "\non the edge of the grid: the best may lie beyond it"
        axes[0].set_title(
            title,
            fontsize="medium",
            **({"color": "tab:red"} if self.best_on_edge_ else {}),
        )
        axes[-1].set_xlabel(self.param)
        if name is not None or len(reference):
            axes[0].legend(fontsize="small")
        return self

    @classmethod
    def from_results(
        cls,
        gammas,
        scores=None,
        errors=None,
        *,
        param="gamma",
        axes=None,
        ece=None,
        curvature=None,
        accuracy=None,
        training_curvature=None,
        ece_std=None,
        curvature_std=None,
        accuracy_std=None,
        training_curvature_std=None,
        **kwargs,
    ):
        """Gamma sweep from precomputed results.

        Parameters
        ----------
        gammas : array-like of shape (n_gammas,)
        scores : dict of str to array-like
            Metric -> value per gamma, one panel each, top to bottom (see
            the class's ``scores``).
        errors : dict of str to array-like, default=None
            Metric -> error bar half-length per gamma.
        param : str, default="gamma"
        axes : sequence of matplotlib Axes, default=None
        ece, curvature, accuracy, training_curvature, ece_std, curvature_std, \
accuracy_std, training_curvature_std : array-like, default=None
            Deprecated: pass ``scores`` and ``errors`` (``curvature`` is
            ``"hessian_trace"``, ``training_curvature``
            ``"training_hessian_trace"``).
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : GammaSweepDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_results")
        old = {
            "ece": (ece, ece_std),
            "curvature": (curvature, curvature_std),
            "training_curvature": (training_curvature, training_curvature_std),
            "accuracy": (accuracy, accuracy_std),
        }
        if scores is not None and not isinstance(scores, Mapping):
            old["ece"] = (scores, ece_std)  # the old positional ece
            scores = None
        given = {k: v for k, v in old.items() if v[0] is not None}
        if given:
            warnings.warn(
                "GammaSweepDisplay.from_results: the keywords ece, curvature, "
                "accuracy, training_curvature and their *_std are deprecated and "
                "will be removed in the next release; pass scores={'ece': ..., "
                "'hessian_trace': ...} and errors={...} with the names of "
                "sklearn_focal.metrics.METRICS.",
                FutureWarning,
                stacklevel=2,
            )
            scores = {_OLD_KEYS.get(k, k): v for k, (v, _) in given.items()}
            errors = {
                _OLD_KEYS.get(k, k): e for k, (_, e) in given.items() if e is not None
            }
        if scores is None:
            raise ValueError("GammaSweepDisplay.from_results needs scores.")
        display = cls(gammas, scores, errors, param=param)  # checks the lengths
        order = np.argsort(display.gammas)
        display.gammas = display.gammas[order]
        display.scores = {k: v[order] for k, v in display.scores.items()}
        display.errors = {k: v[order] for k, v in display.errors.items()}
        return display.plot(axes=axes, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, *, metrics=None, axes=None, **kwargs):
        """Gamma sweep of a fitted :class:`~sklearn_focal.GammaSearchClassifier`.

        Its held-out scores per gamma (``validation_results_``), the gamma
        it chose marked.

        Parameters
        ----------
        estimator : fitted GammaSearchClassifier, or a Pipeline ending in one
        metrics : sequence of {"ece", "log_loss", "accuracy"}, default=None
            Panels, top to bottom; default all three.
        axes : sequence of matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : GammaSweepDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        search = estimator[-1] if hasattr(estimator, "steps") else estimator
        if not hasattr(search, "select_by"):
            raise TypeError(
                f"{cls.__name__}.from_estimator needs a fitted "
                f"GammaSearchClassifier; got {type(search).__name__}. For a "
                "GridSearchCV use from_cv_results."
            )
        check_is_fitted(search, "validation_results_")
        results = search.validation_results_
        metrics = list(metrics or ("ece", "log_loss", "accuracy"))
        unknown = [m for m in metrics if m not in results or m == "gamma"]
        if unknown:
            raise ValueError(
                f"The search holds no held-out {unknown} scores; choose from "
                "'ece', 'log_loss' and 'accuracy'."
            )
        display = cls(
            results["gamma"],
            {m: results[m] for m in metrics},
            best_by=search.select_by if search.select_by in metrics else None,
        )
        return display.plot(axes=axes, **kwargs)

    @classmethod
    def from_cv_results(
        cls,
        search,
        *,
        param="gamma",
        metrics=None,
        axes=None,
        **kwargs,
    ):
        """Gamma sweep from a fitted ``GridSearchCV``.

        A metric of :data:`sklearn_focal.metrics.METRICS` is found by its
        scorer object in ``search.scorer_``, whatever the keys of
        ``scoring=`` were (the ECE is the scorer of
        :func:`~sklearn_focal.metrics.expected_calibration_error` with
        uniform bins and l1 norm, e.g.
        ``sklearn_focal.scoring.ece_scorer``), failing that under its
        scorer name (``neg_ece``); negated scores are turned back into
        errors and curvatures. Any other name is looked up as a key of
        ``scoring=`` and drawn as scored. If the grid varies other
        parameters too, the rows where they equal ``search.best_params_``
        are used.

        Parameters
        ----------
        search : fitted GridSearchCV or RandomizedSearchCV
        param : str, default="gamma"
            The parameter on the x-axis. In a pipeline the one parameter
            ending in ``"__gamma"`` is found (``"classifier__gamma"``, say).
        metrics : sequence of str, default=None
            Panels, top to bottom: names of the registry (``"ece"``,
            ``"log_loss"``, ``"multiclass_brier_score"``, ``"hessian_trace"``,
            ...) or keys of the search's ``scoring``; each must have been
            scored. Default: the ECE, and the curvatures and accuracy the
            search scored.
        axes : sequence of matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : GammaSweepDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_cv_results")
        if not (
            hasattr(search, "cv_results_")
            or hasattr(search, "param_grid")
            or hasattr(search, "param_distributions")
        ):
            raise TypeError(
                f"{cls.__name__}.from_cv_results needs a fitted GridSearchCV or "
                f"RandomizedSearchCV; got {type(search).__name__}. For fitted "
                "classifiers use ReliabilityDisplay.from_estimator."
            )
        check_is_fitted(search, "cv_results_")
        results = search.cv_results_
        param = _swept_param(results, param)
        column = f"param_{param}"
        rows = np.ones(len(results["params"]), dtype=bool)
        best = getattr(search, "best_params_", None) or {}
        for other, value in best.items():
            if other != param:
                rows &= np.array([p.get(other) == value for p in results["params"]])
        gammas = np.asarray(results[column], dtype=float)[rows]
        if len(np.unique(gammas)) != len(gammas):
            raise ValueError(
                f"Several grid points share a value of {param!r}; refit the search so "
                "that best_params_ fixes the other parameters."
            )
        wanted = [_registry_name(m, cls.__name__) for m in (metrics or _DEFAULT_PANELS)]
        keys = {metric: _scorer_key(search, metric) for metric in wanted}
        # by default the ECE is needed (it marks the best gamma), the others
        # are drawn when the search scored them
        required = wanted if metrics is not None else ["ece"]
        missing = [metric for metric in required if keys[metric] is None]
        if missing:
            available = sorted(
                k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
            )
            raise ValueError(
                f"GammaSweepDisplay could not find the {missing} scores in "
                f"cv_results_ (scored: {available}). Run the search with "
                "scoring=sklearn_focal.scoring.calibration_scoring(curvature=True), "
                "or with the scorers of sklearn_focal.scoring under any names."
            )
        scores, errors = {}, {}
        for metric, key in keys.items():
            if key is None:
                continue  # not scored: the default panels show what was
            values = np.asarray(results[f"mean_test_{key}"], dtype=float)[rows]
            scores[metric] = _sign(metric, key) * values
            errors[metric] = np.asarray(results[f"std_test_{key}"], dtype=float)[rows]
        order = np.argsort(gammas)
        display = cls(
            gammas[order],
            {k: v[order] for k, v in scores.items()},
            {k: v[order] for k, v in errors.items()},
            param=param,
        )
        return display.plot(axes=axes, **kwargs)


_VERDICT_COLORS = {"better": "tab:green", "worse": "tab:red"}


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
        for ax, metric in zip(axes, metrics, strict=True):
            mean = self.paired[f"{metric}_diff"].to_numpy(dtype=float)
            low = self.paired[f"{metric}_diff_ci_low"].to_numpy(dtype=float)
            high = self.paired[f"{metric}_diff_ci_high"].to_numpy(dtype=float)
            verdicts = self.paired.get(f"{metric}_verdict", [None] * len(methods))
            for row, m, lo, hi, verdict in zip(
                rows, mean, low, high, verdicts, strict=True
            ):
                color = _VERDICT_COLORS.get(verdict, "0.45")
                ax.errorbar(
                    m,
                    row,
                    xerr=[[m - lo], [hi - m]] if np.isfinite(lo + hi) else None,
                    fmt="o",
                    color=color,
                    capsize=3,
                )
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
