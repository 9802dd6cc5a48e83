"""Speed of the calibration metrics against netcal 1.4, in one process.

Prints a Markdown table: seconds per call (best of ``--repeat``) and the
speed-up over netcal. Target: top-label ECE on 1e6 x 10 probabilities at
least 10x faster than ``netcal.metrics.ECE(bins=15).measure``.

The last rows time single passes over ``y_prob`` that any exact top-label
ECE with input validation must make (the row-wise max/argmax, and the row
sums checked against 1): together they bound the attainable speed-up on the
machine at hand.

    python benchmarks/metrics.py [--n 1000000] [--classes 10] [--repeat 3]
"""

import argparse
import time

import numpy as np
import torch
from netcal.metrics import ECE, MCE

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

    rows = [
        (
            "ECE (top label, uniform)",
            lambda: ECE(bins=b).measure(y_prob, y_true),
            lambda: expected_calibration_error(y_true, y_prob, n_bins=b),
        ),
        (
            "MCE (top label, uniform)",
            lambda: MCE(bins=b).measure(y_prob, y_true),
            lambda: expected_calibration_error(y_true, y_prob, n_bins=b, norm="max"),
        ),
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
            "calibration_bins (top label)",
            None,
            lambda: calibration_bins(y_true, y_prob, n_bins=b),
        ),
        (
            "floor: one row-wise max + argmax pass",
            None,
            lambda: torch.from_numpy(y_prob.view(np.int64)).max(dim=1),
        ),
        (
            "floor: one row-sum pass",
            None,
            lambda: torch.from_numpy(y_prob).sum(dim=1),
        ),
    ]
    print(f"{args.n} x {args.classes} probabilities, {b} bins, best of {args.repeat}\n")
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
