"""The result of a comparison: runs, intervals, paired verdicts, the
recommendation and the model to deploy."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

from ..methods import make_method
from ..metrics import METRICS
from . import _runner, _stats
from ._recommend import DEFAULT_RULE, RECOMMENDATION_RULES
from ._report import markdown

__all__ = ["PAIRED_METRICS", "CalibrationComparison"]

#: The metrics of the paired comparison with the reference.
PAIRED_METRICS = ("ece", "log_loss")


class CalibrationComparison:
    """The result of :func:`~sklearn_focal.compare_calibration`.

    Attributes
    ----------
    runs : DataFrame
        One row per (``repeat``, ``method``): every metric on that repeat's
        test part (the registry's names), ``fit_seconds`` and ``gamma``,
        then the ``ood_*`` columns when OOD rows were given.
    summary : DataFrame
        Indexed by method. For every metric ``m``: ``m`` (mean over
        repeats), ``m_ci_low`` and ``m_ci_high`` (95 % interval of the mean:
        the spread over repeats combined with the bootstrap noise of the
        test parts, see :mod:`sklearn_focal._comparison._stats`, clipped to the metric's
        range; curvature, fit seconds, gamma and OOD scores from the spread
        over repeats only, NaN with one repeat).
    paired : DataFrame
        Indexed by method (the reference left out). For ``ece`` and
        ``log_loss``: ``m_diff`` (mean of method minus reference over the
        same splits), ``m_diff_ci_low``, ``m_diff_ci_high`` (95 %, paired
        bootstrap) and ``m_verdict``; ``verdict``: "better" when one of the
        two is clearly better and neither clearly worse, "worse" the other
        way round, else "no clear difference".
    recommendation : str
        One sentence: the method to use and why (the default rule of
        :meth:`recommend`).
    recommended : str
        The method the recommendation names.
    reference : str
        The reference method of ``paired``.
    paired_metrics : tuple of str
        The metrics of ``paired``.
    info : dict
        ``n_samples``, ``n_train``, ``n_test``, ``n_classes``,
        ``n_repeats``, ``n_bootstrap``, ``random_state``, ``version``,
        ``select_gamma_by``, ``calibration``, ``class_weight``,
        ``sample_shape`` (a sample's shape when samples have more than one
        dimension, else None).
    method_params : dict
        The keywords of :func:`~sklearn_focal.make_method` (but
        ``random_state``) that built every method.
    seeds : ndarray of shape (n_repeats,)
        The ``random_state`` of each repeat's estimators.
    estimators : list of dict or None
        With ``return_estimators=True``: per repeat, method -> fitted model.
    X_test, y_test : list or None
        With ``return_estimators=True``: per repeat, its test part.
    train_indices, test_indices : list of ndarray
        Per repeat, the positions in ``X`` of its training and test rows,
        in the order the models saw them.
    """

    paired_metrics = PAIRED_METRICS

    def __init__(
        self,
        runs,
        replicates,
        *,
        reference,
        kappa,
        info,
        method_params=None,
        seeds=None,
    ):
        self.runs = runs
        self.reference = reference
        self.info = info
        self.method_params = method_params or {}
        self.seeds = seeds
        self._replicates = replicates  # (repeat, method) -> metric -> array
        self._kappa = kappa
        self.estimators = None
        self.X_test = self.y_test = None
        self.train_indices = self.test_indices = None
        self.summary = self._summarize()
        self.paired = self._pair()
        self.recommended, self.recommendation = self.recommend()

    @property
    def methods(self) -> list[str]:
        return list(dict.fromkeys(self.runs["method"]))

    @property
    def metrics(self) -> list[str]:
        return [c for c in self.runs.columns if c not in ("repeat", "method")]

    def _values(self, method, metric):
        """Per-repeat values and bootstrap replicates (or None)."""
        rows = self.runs[self.runs["method"] == method]
        values = rows[metric].to_numpy(dtype=np.float64)
        replicates = [
            self._replicates[(repeat, method)].get(metric) for repeat in rows["repeat"]
        ]
        if any(r is None for r in replicates):
            return values, None
        return values, np.vstack(replicates)

    @staticmethod
    def _bounds(metric):
        if metric in METRICS:
            return METRICS[metric].bounds
        return _runner.EXTRA_COLUMNS.get(metric, (-np.inf, np.inf))

    def _summarize(self):
        table = {}
        for method in self.methods:
            row = {}
            for metric in self.metrics:
                values, replicates = self._values(method, metric)
                mean, low, high = _stats.interval(
                    values, replicates, kappa=self._kappa, bounds=self._bounds(metric)
                )
                row |= {
                    metric: mean,
                    f"{metric}_ci_low": low,
                    f"{metric}_ci_high": high,
                }
            table[method] = row
        return pd.DataFrame.from_dict(table, orient="index").rename_axis("method")

    def difference(self, method, other, metric):
        """Mean of ``method - other`` in ``metric`` over the same splits, and
        its paired 95 % interval: ``(mean, low, high)``."""
        values, replicates = self._values(method, metric)
        base, base_replicates = self._values(other, metric)
        paired = None if replicates is None else replicates - base_replicates
        return _stats.interval(values - base, paired, kappa=self._kappa)

    def _pair(self):
        table = {}
        for method in self.methods:
            if method == self.reference:
                continue
            row = {}
            for metric in self.paired_metrics:
                mean, low, high = self.difference(method, self.reference, metric)
                row |= {
                    f"{metric}_diff": mean,
                    f"{metric}_diff_ci_low": low,
                    f"{metric}_diff_ci_high": high,
                    f"{metric}_verdict": _stats.verdict(low, high, metric),
                }
            row["verdict"] = _stats.combined_verdict(
                row[f"{m}_verdict"] for m in self.paired_metrics
            )
            table[method] = row
        columns = [
            f"{m}_{part}"
            for m in self.paired_metrics
            for part in ("diff", "diff_ci_low", "diff_ci_high", "verdict")
        ] + ["verdict"]
        return pd.DataFrame.from_dict(
            table, orient="index", columns=columns
        ).rename_axis("method")

    def recommend(self, rule=DEFAULT_RULE):
        """The method a rule recommends, and the sentence that says why.

        Parameters
        ----------
        rule : str, default="lowest_log_loss"
            One of :data:`~sklearn_focal.compare.RECOMMENDATION_RULES`
            (the user guide lists them with what each does); the default is
            the rule of lowest regret on fresh data in
            ``benchmarks/verdicts.py``.

        Returns
        -------
        method, sentence : str, str
        """
        if rule not in RECOMMENDATION_RULES:
            raise ValueError(
                f"Unknown recommendation rule {rule!r}; choose from "
                f"{sorted(RECOMMENDATION_RULES)}."
            )
        return RECOMMENDATION_RULES[rule](self)

    def make_method(self, method=None, *, repeat=0):
        """The unfitted estimator that the comparison fitted for ``method``
        in ``repeat`` (default: the recommended method)."""
        method = self.recommended if method is None else method
        n_repeats = len(self.seeds)
        if isinstance(repeat, bool) or not (
            isinstance(repeat, Integral) and 0 <= repeat < n_repeats
        ):
            raise ValueError(
                f"The 'repeat' parameter must be an int in [0, {n_repeats - 1}] "
                f"(the comparison ran {n_repeats} repeat"
                f"{'s' * (n_repeats != 1)}); got {repeat!r}."
            )
        if method not in self.methods:
            raise ValueError(
                f"The 'method' parameter, {method!r}, is not one of the compared "
                f"methods {self.methods}."
            )
        return make_method(
            method, **self.method_params, random_state=int(self.seeds[repeat])
        )

    def fit_recommended(self, X, y):
        """Fit the recommended method on all the rows.

        The estimator is the one the comparison evaluated
        (:meth:`make_method`, with the first repeat's seed), trained on
        every row of ``X`` rather than a training part.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        estimator : fitted classifier
        """
        return self.make_method().fit(X, np.asarray(y))

    def to_markdown(self, *, dataset=None, digits=3) -> str:
        """The report: set-up, mean ± half-width of the 95 % interval (best
        per column in bold), paired differences, recommendation."""
        return markdown(self, dataset=dataset, digits=digits)

    def __repr__(self) -> str:
        return (
            f"<CalibrationComparison: {len(self.methods)} methods x "
            f"{self.info['n_repeats']} repeats; recommended: {self.recommended}>"
        )
