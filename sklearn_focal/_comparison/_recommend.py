"""The comparison's recommendation: one small function per rule.

Each rule takes a :class:`~sklearn_focal.compare.CalibrationComparison` and
returns the method it recommends and the sentence that says why.
``benchmarks/verdicts.py`` measures every rule's regret on fresh data; the
default is the rule of the lowest mean regret.
"""

from __future__ import annotations

import numpy as np

from . import _stats
from ._method_table import SIMPLICITY

__all__ = ["DEFAULT_RULE", "RECOMMENDATION_RULES"]


def _eligible(comparison):
    """Methods with mean accuracy within 1 point of the best, and a note."""
    summary = comparison.summary
    best = summary["accuracy"].max()
    eligible = list(summary.index[summary["accuracy"] >= best - 0.01])
    return eligible, f"accuracy within 1 point of the best ({best:.3f})"


def _log_loss_intervals(comparison, best, candidates):
    """The paired 95 % interval of each other candidate's log loss minus
    ``best``'s: method -> (low, high), NaN without an interval."""
    return {
        method: comparison.difference(method, best, "log_loss")[1:]
        for method in candidates
        if method != best
    }


def _unclear(comparison, best, eligible):
    """The eligible methods whose log loss the paired intervals cannot
    separate from ``best``'s (methods without an interval are not among
    them: nothing says they are within the noise)."""
    return [
        method
        for method, (low, high) in _log_loss_intervals(
            comparison, best, eligible
        ).items()
        if not np.isnan(low) and _stats.verdict(low, high, "log_loss") == _stats.UNCLEAR
    ]


def _interval(row, metric):
    low, high = row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
    if np.isnan(low) or np.isnan(high):
        return f"{row[metric]:.4f}; no interval from one repeat"
    return f"{row[metric]:.4f}, 95 % interval {low:.4f} to {high:.4f}"


def _ties(comparison, best, candidates):
    """The sentence's end: which candidates the paired intervals cannot
    separate from ``best``, and which have no interval at all."""
    intervals = _log_loss_intervals(comparison, best, candidates)
    if not intervals:
        return "; it is the only method compared."
    order = list(comparison.summary.index).index
    unknown = sorted(
        (m for m, (low, _) in intervals.items() if np.isnan(low)), key=order
    )
    if len(unknown) == len(intervals):
        return (
            ". Its differences to the other methods have no interval (one "
            "repeat and no bootstrap resamples), so whether they are real is "
            "not known: run more repeats, or keep n_bootstrap > 0."
        )
    tied = sorted(_unclear(comparison, best, candidates), key=order)
    if unknown:
        end = (
            f" The differences to {', '.join(unknown)} have no interval, so "
            "whether they are real is not known."
        )
    else:
        end = ""
    if not tied:
        return (
            "; the paired 95 % intervals of its difference to every other "
            f"method with an interval exclude 0.{end}"
            if unknown
            else "; the paired 95 % intervals of every other method's difference "
            "to it exclude 0."
        )
    return (
        f". No clear difference from {', '.join(tied)}: the paired 95 % intervals "
        "of their differences to it include 0, so any of them is a defensible "
        "choice; this one has the lowest expected loss on new data "
        f"(benchmarks/verdicts.py).{end}"
    )


def _lowest_log_loss(comparison):
    """The lowest mean log loss of all methods; the sentence gives its
    accuracy and says which others are within the noise of it."""
    summary = comparison.summary
    best = summary["log_loss"].idxmin()
    row = summary.loc[best]
    accuracy = (
        f", accuracy {row['accuracy']:.3f} (the best: {summary['accuracy'].max():.3f})"
        if row["accuracy"] < summary["accuracy"].max()
        else f", and the best accuracy ({row['accuracy']:.3f})"
    )
    return best, (
        f"Use {best}: the lowest mean log loss ({_interval(row, 'log_loss')})"
        f"{accuracy}" + _ties(comparison, best, list(summary.index))
    )


def _lowest_log_loss_accurate(comparison):
    """The lowest mean log loss among the methods within 1 point of the best
    accuracy."""
    eligible, accuracy = _eligible(comparison)
    best = comparison.summary.loc[eligible, "log_loss"].idxmin()
    row = comparison.summary.loc[best]
    if len(eligible) == 1:
        return best, (
            f"Use {best}: the only method with {accuracy}; its log loss is "
            f"{_interval(row, 'log_loss')}."
        )
    return best, (
        f"Use {best}: the lowest mean log loss ({_interval(row, 'log_loss')}) "
        f"among the methods with {accuracy}" + _ties(comparison, best, eligible)
    )


def _simplest_within_noise(comparison):
    """Among the methods within 1 point of the best accuracy that the paired
    intervals cannot separate from the lowest log loss, the simplest (by
    the methods' ``simplicity`` rank in ``_method_table``)."""
    best, sentence = _lowest_log_loss_accurate(comparison)
    eligible, accuracy = _eligible(comparison)
    tied = _unclear(comparison, best, eligible)
    if not tied:
        return best, sentence
    candidates = [best, *tied]
    simplest = min(candidates, key=SIMPLICITY.index)
    names = ", ".join(sorted(candidates, key=SIMPLICITY.index))
    return simplest, (
        f"No clear difference in log loss between {names} (the paired 95 % "
        f"intervals of their difference to {best}, the lowest, include 0), "
        f"all with {accuracy}: use the simplest, {simplest}."
    )


def _lowest_upper_bound(comparison):
    """The lowest upper end of the log loss's 95 % interval among the
    methods within 1 point of the best accuracy: the safest bet."""
    eligible, accuracy = _eligible(comparison)
    best = comparison.summary.loc[eligible, "log_loss_ci_high"].idxmin()
    row = comparison.summary.loc[best]
    return best, (
        f"Use {best}: of the methods with {accuracy}, its log loss has the lowest "
        f"upper 95 % bound ({_interval(row, 'log_loss')})."
    )


#: Rule name -> function of a comparison returning (method, sentence).
RECOMMENDATION_RULES = {
    "lowest_log_loss": _lowest_log_loss,
    "lowest_log_loss_accurate": _lowest_log_loss_accurate,
    "simplest_within_noise": _simplest_within_noise,
    "lowest_upper_bound": _lowest_upper_bound,
}
#: The rule of ``recommendation``: the one of lowest mean regret on fresh
#: data in ``benchmarks/verdicts.py``.
DEFAULT_RULE = "lowest_log_loss"
