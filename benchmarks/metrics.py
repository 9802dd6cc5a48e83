"""Speed of the calibration metrics against netcal 1.4, in one process.

Prints a Markdown table: seconds per call (best of ``--repeat``) and the
speed-up over netcal. Target: top-label ECE on 1e6 x 10 probabilities at
least 10x faster than ``netcal.metrics.ECE(bins=15).measure``.

Top-label uniform binning has two implementations: vectorised numpy/torch
(always there) and one compiled pass (numba, a dependency, used from
2**20 probabilities on). Both are timed; "default" is what a call does with
the packages installed. The last rows time single vectorised passes over
``y_prob`` (the row-wise max/argmax, the row sums): the floor under the
numpy path, which pays for them before it bins anything.

The last row times the comparison's bootstrap of one test part (450 rows
of 10 classes, 100 resamples: every metric of the registry, once per
resample, through the public functions with 2-D ``sample_weight``).

With ``--out`` the timings go to ``metrics_speed.csv``; ``--tabulate``
prints the table from it and ``--facts`` writes the numbers the user guide
cites.

    python benchmarks/metrics.py [--n 1000000] [--classes 10] [--repeat 3]
        [--out benchmarks/results]
    python benchmarks/metrics.py --tabulate [--facts docs/benchmark_metrics_facts.rst]
"""

import argparse
import contextlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from netcal.metrics import ECE, MCE

from sklearn_focal._comparison import _stats
from sklearn_focal.metrics import (
    _binning,
    calibration_bins,
    classwise_calibration_error,
    expected_calibration_error,
)


def best_time(fn, repeat):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


@contextlib.contextmanager
def numpy_path():
    """Force the vectorised path for top-label uniform binning."""
    saved = _binning._KERNEL_MIN_SIZE
    _binning._KERNEL_MIN_SIZE = float("inf")
    try:
        yield
    finally:
        _binning._KERNEL_MIN_SIZE = saved


def on_numpy_path(fn):
    def run():
        with numpy_path():
            return fn()

    return run


def bootstrap():
    """The comparison's scoring of one test part with 100 resamples."""
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.full(10, 0.3), size=450)
    y = rng.integers(0, 10, size=450)
    counts = _stats.bootstrap_counts(450, 100, 0)
    return lambda: _stats.score_test_part(
        y, proba, proba.argmax(axis=1), n_bins=15, counts=counts
    )


def facts(out):
    """The numbers of the user guide (see ``_facts``)."""
    times = pd.read_csv(Path(out) / "metrics_speed.csv").set_index("metric")
    default = times.loc["ECE (top label, uniform), default"]
    numpy = times.loc["ECE, vectorised numpy path"]
    return {
        "met_compiled_ms": f"{1000 * default['ours_s']:.0f}",
        "met_numpy_ms": f"{1000 * numpy['ours_s']:.0f}",
        "met_netcal_ms": f"{1000 * default['netcal_s']:.0f}",
    }


def table(rows):
    lines = [
        "| metric | netcal 1.4 (s) | sklearn-focal (s) | speed-up | abs. difference |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows.itertuples():
        if np.isnan(row.netcal_s):
            lines.append(f"| {row.metric} | - | {row.ours_s:.3f} | - | - |")
        else:
            lines.append(
                f"| {row.metric} | {row.netcal_s:.3f} | {row.ours_s:.3f} | "
                f"{row.netcal_s / row.ours_s:.1f}x | {row.difference:.1e} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--bins", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="folder for metrics_speed.csv")
    parser.add_argument("--tabulate", action="store_true", help="run nothing")
    parser.add_argument("--facts", help="write the user guide's numbers here")
    args = parser.parse_args()
    if args.tabulate:
        out = args.out or "benchmarks/results"
        print(table(pd.read_csv(Path(out) / "metrics_speed.csv")))
        if args.facts:
            from _facts import write

            write(args.facts, facts(out))
        return

    rng = np.random.default_rng(0)
    y_prob = rng.dirichlet(np.full(args.classes, 0.3), size=args.n)
    y_true = rng.integers(0, args.classes, size=args.n)
    b = args.bins

    def ece():
        return expected_calibration_error(y_true, y_prob, n_bins=b)

    def mce():
        return expected_calibration_error(y_true, y_prob, n_bins=b, norm="max")

    def netcal_ece():
        return ECE(bins=b).measure(y_prob, y_true)

    def netcal_mce():
        return MCE(bins=b).measure(y_prob, y_true)

    compiled = _binning._load_kernel() is not None
    ece()  # load (or compile) the kernel outside the timings
    rows = [
        ("ECE (top label, uniform), default", netcal_ece, ece),
        ("ECE, vectorised numpy path", netcal_ece, on_numpy_path(ece)),
        ("MCE (top label, uniform), default", netcal_mce, mce),
        ("MCE, vectorised numpy path", netcal_mce, on_numpy_path(mce)),
        (
            "adaptive ECE (quantile)",
            None,
            lambda: expected_calibration_error(
                y_true, y_prob, n_bins=b, strategy="quantile"
            ),
        ),
        (
            "classwise ECE",
            None,
            lambda: classwise_calibration_error(y_true, y_prob, n_bins=b),
        ),
        (
            "calibration_bins (top label), default",
            None,
            lambda: calibration_bins(y_true, y_prob, n_bins=b),
        ),
        (
            "numpy floor: one row-wise max + argmax pass",
            None,
            lambda: torch.from_numpy(y_prob.view(np.int64)).max(dim=1),
        ),
        (
            "numpy floor: one row-sum pass",
            None,
            lambda: torch.from_numpy(y_prob).sum(dim=1),
        ),
        ("bootstrap of a test part (450 x 10, 100 resamples)", None, bootstrap()),
    ]
    print(
        f"{args.n} x {args.classes} probabilities, {b} bins, best of "
        f"{args.repeat}, {torch.get_num_threads()} threads; compiled pass "
        f"{'available' if compiled else 'NOT available (pip install numba)'}\n"
    )
    results = []
    for name, reference, ours in rows:
        t_ours, v_ours = best_time(ours, args.repeat)
        t_ref, difference = np.nan, np.nan
        if reference is not None:
            t_ref, v_ref = best_time(reference, args.repeat)
            difference = abs(v_ref - v_ours)
        results.append(
            {
                "metric": name,
                "netcal_s": t_ref,
                "ours_s": t_ours,
                "difference": difference,
            }
        )
    results = pd.DataFrame(results)
    print(table(results))
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        results.to_csv(Path(args.out) / "metrics_speed.csv", index=False)


if __name__ == "__main__":
    main()
