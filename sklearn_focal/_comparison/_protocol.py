"""The comparison's protocol, on checked inputs: splits, jobs, results.

:func:`run_comparison` runs what :func:`~sklearn_focal.compare_calibration`
promises on the dict of
:func:`~sklearn_focal.compare.check_comparison_inputs`; the command line
calls the two in turn, so that its inputs are checked once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

from .._compat import _safe_indexing
from .._version import __version__
from ..metrics import METRICS
from . import _runner, _stats
from ._result import CalibrationComparison

__all__ = ["DEFAULT_N_BOOTSTRAP", "METRICS_COLUMNS", "OOD_COLUMNS", "run_comparison"]

#: Resamples of each test part for the intervals, by default.
DEFAULT_N_BOOTSTRAP = 100

#: The columns of ``runs`` and ``summary``, in order; the OOD columns
#: follow when OOD rows are given.
METRICS_COLUMNS = (
    *(m.name for m in METRICS.values() if m.in_comparison and m.response != "ood"),
    *_runner.EXTRA_COLUMNS,
)
OOD_COLUMNS = tuple(
    m.name for m in METRICS.values() if m.in_comparison and m.response == "ood"
)


def run_comparison(
    X, checked, *, n_bootstrap, random_state, n_jobs, verbose, return_estimators
):
    """The comparison of ``checked`` (``check_comparison_inputs``' dict) on
    ``X``: a :class:`~sklearn_focal.compare.CalibrationComparison`."""
    n_repeats, test_size = checked["n_repeats"], checked["test_size"]
    X_ood, method_params = checked["X_ood"], checked["method_params"]
    methods, y, labels = checked["methods"], checked["y"], checked["labels"]
    n_samples = len(y)
    rng = check_random_state(random_state)
    seeds = rng.randint(2**31 - 1, size=(n_repeats, 3))  # split, networks, resamples
    indices = np.arange(n_samples)
    splits = [
        train_test_split(indices, test_size=test_size, stratify=y, random_state=s[0])
        for s in seeds
    ]
    settings = _runner.Settings(
        method_params=method_params,
        n_bins=checked["n_bins"],
        n_bootstrap=n_bootstrap,
        labels=labels,
        keep=return_estimators,
    )
    jobs = _runner.schedule(n_repeats, methods)
    tasks = (
        delayed(_runner.run_job)(X, y, splits[r], seeds[r], group, settings, X_ood)
        for r, group in jobs
    )
    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    progress = tqdm(
        outputs, total=len(jobs), desc="compare", disable=verbose < 1, leave=False
    )
    results = {}
    for (repeat, _), output in zip(jobs, progress, strict=True):
        results |= {(repeat, m): result for m, result in output.items()}

    columns = ["repeat", "method", *METRICS_COLUMNS]
    columns += list(OOD_COLUMNS) if X_ood is not None else []
    runs = pd.DataFrame(
        [
            {"repeat": r, "method": m, **results[(r, m)].point}
            for r in range(n_repeats)
            for m in methods
        ],
        columns=columns,
    )
    n_test = len(splits[0][1])
    info = {
        "n_samples": n_samples,
        "n_train": n_samples - n_test,
        "n_test": n_test,
        "n_classes": len(labels),
        "n_repeats": n_repeats,
        "n_bootstrap": n_bootstrap,
        "random_state": random_state,
        "version": __version__,
        "select_gamma_by": method_params["select_gamma_by"],
        "calibration": method_params["calibration"],
        "class_weight": method_params["class_weight"],
        "sample_shape": tuple(np.shape(X)[1:]) if np.ndim(X) > 2 else None,
    }
    comparison = CalibrationComparison(
        runs,
        {key: result.replicates for key, result in results.items()},
        reference=checked["reference"],
        kappa=_stats.overlap_factor([test for _, test in splits], n_samples),
        info=info,
        method_params=method_params,
        seeds=seeds[:, 1],
    )
    comparison.train_indices = [train for train, _ in splits]
    comparison.test_indices = [test for _, test in splits]
    if return_estimators:
        comparison.X_test = [_safe_indexing(X, test) for _, test in splits]
        comparison.y_test = [y[test] for _, test in splits]
        comparison.estimators = [
            {m: results[(r, m)].model for m in methods} for r in range(n_repeats)
        ]
    return comparison
