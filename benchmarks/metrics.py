"""Speed of the calibration metrics against netcal 1.4, in one process.

Prints a Markdown table: seconds per call (best of ``--repeat``) and the
speed-up over netcal. Target: top-label ECE on 1e6 x 10 probabilities at
least 10x faster than ``netcal.metrics.ECE(bins=15).measure``.

Top-label uniform binning has two implementations: vectorised numpy/torch
(always there) and one compiled pass (numba, the ``[fast]`` extra, used from
2**20 probabilities on). Both are timed; "default" is what a call does with
the packages installed. The last rows time single vectorised passes over
``y_prob`` (the row-wise max/argmax, the row sums) that bound the numpy
path: together they already take more than a tenth of netcal's time.

    python benchmarks/metrics.py [--n 1000000] [--classes 10] [--repeat 3]
"""

import argparse
import contextlib
import time

import numpy as np
import torch
from netcal.metrics import ECE, MCE

from sklearn_focal import metrics
from sklearn_focal.metrics import (
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
    saved = metrics._KERNEL_MIN_SIZE
    metrics._KERNEL_MIN_SIZE = float("inf")
    try:
        yield
    finally:
        metrics._KERNEL_MIN_SIZE = saved


def on_numpy_path(fn):
    def run():
        with numpy_path():
            return fn()

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--bins", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

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

    compiled = metrics._load_kernel() is not None
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
    ]
    print(
        f"{args.n} x {args.classes} probabilities, {b} bins, best of "
        f"{args.repeat}, {torch.get_num_threads()} threads; compiled pass "
        f"{'available' if compiled else 'NOT available (pip install numba)'}\n"
    )
    print(
        "| metric | netcal 1.4 (s) | sklearn-focal (s) | speed-up | abs. difference |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, reference, ours in rows:
        t_ours, v_ours = best_time(ours, args.repeat)
        if reference is None:
            print(f"| {name} | - | {t_ours:.3f} | - | - |")
            continue
        t_ref, v_ref = best_time(reference, args.repeat)
        print(
            f"| {name} | {t_ref:.3f} | {t_ours:.3f} | {t_ref / t_ours:.1f}x "
            f"| {abs(v_ref - v_ours):.1e} |"
        )


if __name__ == "__main__":
    main()
