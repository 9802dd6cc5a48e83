"""Shared by the benchmark scripts: mean ± std tables."""

import numpy as np
import pandas as pd


def mean_std_table(results: pd.DataFrame, index, columns, digits=4, fmt="pipe") -> str:
    """Table of ``mean ± std`` over the rows sharing ``index``.

    ``results`` holds one row per run (seed); ``index`` names the columns
    that identify a table row, ``columns`` the measured ones. Cells whose
    values are all missing print as "-". ``fmt`` is a tabulate format:
    "pipe" (Markdown) or "rst".
    """
    grouped = results.groupby(index, sort=False)[list(columns)]
    mean, std = grouped.mean(), grouped.std(ddof=1).fillna(0.0)
    cells = mean.copy().astype(object)
    for column in columns:
        cells[column] = [
            "-" if np.isnan(m) else f"{m:.{digits}f} ± {s:.{digits}f}"
            for m, s in zip(mean[column], std[column], strict=True)
        ]
    return cells.reset_index().to_markdown(index=False, tablefmt=fmt)
