"""The comparison's report: Markdown tables from a CalibrationComparison.

Only presentation lives here: which columns, how numbers are written, which
value is marked best. The numbers come from the comparison's ``summary``
and ``paired`` tables; labels and directions from the metric registry.
"""

from __future__ import annotations

import numpy as np

from ..metrics import METRICS

__all__ = ["markdown"]

#: Written for an interval that cannot be estimated (one repeat and no
#: resamples): "no interval" rather than "[nan, nan]".
_NO_INTERVAL = "n/a"


def markdown(comparison, *, dataset=None, digits=3) -> str:
    """The report: set-up, mean ± half-width of the 95 % interval (best per
    column in bold), paired differences, recommendation."""
    info = comparison.info
    title = "Calibration comparison" + (f": {dataset}" if dataset else "")
    rule = (
        " Every method predicts by the weighted decision rule (the class "
        "with the largest class weight times probability), since "
        "class_weight was given; accuracy and balanced accuracy score those "
        "predictions."
        if info.get("class_weight") is not None
        else ""
    )
    if info.get("sample_shape") is not None:
        rule += (
            f" The samples have shape {tuple(info['sample_shape'])}: the "
            "networks took them as they are, the scikit-learn baselines as "
            "flattened rows."
        )
    lines = [
        f"# {title}",
        "",
        f"{info['n_samples']} rows, {info['n_classes']} classes; "
        f"{info['n_repeats']} repeats of a stratified split into "
        f"{info['n_train']} training and {info['n_test']} test rows; "
        f"random_state={info['random_state']}; calibration={info['calibration']}; "
        f"sklearn-focal {info['version']}. Mean over repeats ± half-width of "
        "the 95 % interval (spread over repeats and bootstrap of the test "
        f"rows); the best value per column in bold.{rule}",
        "",
        _summary_table(comparison, digits),
        "",
        f"## Against {comparison.reference}, paired over the same splits",
        "",
        "Difference method - reference (negative: lower error), 95 % interval.",
        "",
        _paired_table(comparison, digits),
        "",
        "## Recommendation",
        "",
        comparison.recommendation,
        "",
    ]
    return "\n".join(lines)


def _summary_table(comparison, digits):
    summary = comparison.summary
    columns = [m for m in comparison.metrics if m != "gamma"]
    rows = []
    for method in summary.index:
        cells = [method]
        for metric in columns:
            mean = summary.loc[method, metric]
            half = summary.loc[method, f"{metric}_ci_high"] - mean
            cell = "—" if np.isnan(mean) else f"{mean:.{digits}f}"
            if not np.isnan(mean) and not np.isnan(half):
                cell += f" ± {half:.{digits}f}"
            record = METRICS.get(metric)
            if record is not None and record.ranked and not np.isnan(mean):
                means = summary[metric]
                best = means.max() if record.greater_is_better else means.min()
                if mean == best:
                    cell = f"**{cell}**"
            cells.append(cell)
        rows.append(cells)
    return _table(["method", *columns], rows)


def _paired_table(comparison, digits):
    metrics = comparison.paired_metrics
    header = ["method"]
    for metric in metrics:
        header += [f"{metric} diff", f"{metric} verdict"]
    header.append("verdict")
    rows = []
    for method, row in comparison.paired.iterrows():
        cells = [method]
        for metric in metrics:
            low, high = row[f"{metric}_diff_ci_low"], row[f"{metric}_diff_ci_high"]
            interval = (
                _NO_INTERVAL
                if np.isnan(low) or np.isnan(high)
                else f"[{low:+.{digits}f}, {high:+.{digits}f}]"
            )
            cells.append(f"{row[f'{metric}_diff']:+.{digits}f} {interval}")
            cells.append(row[f"{metric}_verdict"])
        cells.append(row["verdict"])
        rows.append(cells)
    return _table(header, rows)


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)
