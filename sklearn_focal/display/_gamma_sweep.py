"""Calibration, curvature and accuracy against gamma: the papers' central
figure, from a grid search, a gamma search or precomputed results."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._compat import check_matplotlib_support
from ..metrics import (
    METRICS,
)
from ..scoring import get_scorer
from ._base import (
    _DisplayMixin,
    _label,
)

#: The panels of a sweep when the caller names none, in order: each is drawn
#: when the search scored it (the ECE always).
_DEFAULT_PANELS = ("ece", "hessian_trace", "training_hessian_trace", "accuracy")


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
        self.scores = {k: np.asarray(v, dtype=float) for k, v in scores.items()}
        self.errors = {k: np.asarray(v, dtype=float) for k, v in (errors or {}).items()}
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
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : GammaSweepDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_results")
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
        wanted = list(metrics or _DEFAULT_PANELS)
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
