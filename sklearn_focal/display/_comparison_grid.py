"""Reliability diagrams of several models side by side, in one grid."""

from __future__ import annotations

from .._compat import check_matplotlib_support
from ..metrics import (
    calibration_bins,
    expected_calibration_error,
)
from ._base import (
    _cell_grid,
    _DisplayMixin,
)
from ._reliability import (
    ReliabilityDisplay,
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
                # the title names the model: the legend, inside the
                # diagram, gives the ECE alone, however long the name
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
