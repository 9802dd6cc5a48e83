"""The ``sklearn-focal`` command line.

::

    sklearn-focal compare --dataset digits --out results/digits [--quick]
    sklearn-focal compare --csv data.csv --target label --out results/mine
    sklearn-focal datasets

``compare`` runs :func:`sklearn_focal.compare_calibration`, prints the table
and writes ``results.csv``, ``results.md``, ``reliability.png`` (the methods'
reliability diagrams side by side) and ``gamma_sweep.png`` (ECE, curvature
and accuracy against gamma from the focal search) to the output folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Settings of --quick: a smaller network, fewer epochs, a smaller grid.
QUICK = {
    "estimator_params": {"hidden_layer_sizes": (128,), "max_iter": 40},
    "gammas": (0.5, 1.0, 2.0, 3.0),
    "cv": 2,
}


class _UsageError(Exception):
    """A problem with the user's input: one line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    from .compare import METHODS

    parser = argparse.ArgumentParser(
        prog="sklearn-focal",
        description="Calibrated neural classifiers: focal loss against post-hoc "
        "calibration.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser(
        "compare", help="compare focal training with post-hoc calibration on a data set"
    )
    source = compare.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--dataset", help="a bundled data set (see: sklearn-focal datasets)"
    )
    source.add_argument("--csv", type=Path, help="a CSV file with a header row")
    compare.add_argument("--target", help="the label column of --csv")
    compare.add_argument(
        "--out", type=Path, required=True, help="folder for the results"
    )
    compare.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS,
        default=None,
        metavar="METHOD",
        help=f"subset of: {' '.join(METHODS)} (default: all)",
    )
    compare.add_argument(
        "--quick",
        action="store_true",
        help="smaller network, 40 epochs, gamma in {0.5, 1, 2, 3}, 2 folds",
    )
    compare.add_argument(
        "--device", default="auto", help="auto, cpu, cuda, cuda:1, ..."
    )
    compare.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    compare.add_argument(
        "--n-jobs", type=int, default=None, help="parallel fits of the search"
    )
    compare.add_argument("--test-size", type=float, default=0.25)
    compare.add_argument("--n-bins", type=int, default=15)
    commands.add_parser("datasets", help="list the bundled data sets")
    return parser


def _load(args):
    import pandas as pd

    from .datasets import load_dataset

    if args.dataset is not None:
        if args.target is not None:
            raise _UsageError(
                "--target is only for --csv; bundled data sets know theirs."
            )
        try:
            return load_dataset(args.dataset)
        except (ValueError, ImportError) as exc:
            raise _UsageError(str(exc)) from exc
    if args.target is None:
        raise _UsageError("--csv needs --target, the name of the label column.")
    try:
        frame = pd.read_csv(args.csv)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise _UsageError(f"cannot read {args.csv}: {exc}") from exc
    if args.target not in frame.columns:
        raise _UsageError(
            f"{args.csv} has no column {args.target!r}; its columns are "
            f"{', '.join(map(str, frame.columns))}."
        )
    frame = frame.dropna(subset=[args.target])
    y = frame.pop(args.target)
    if y.nunique() < 2:
        raise _UsageError(f"column {args.target!r} holds fewer than 2 classes.")
    return frame, y


def _write_figures(details, out: Path) -> list[Path]:
    try:
        import matplotlib
    except ImportError:
        print(
            "matplotlib is not installed: no figures (pip install matplotlib)",
            file=sys.stderr,
        )
        return []
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .display import CalibrationComparisonDisplay, GammaSweepDisplay

    written = []
    comparison = CalibrationComparisonDisplay.from_estimators(
        details.estimators, details.X_test, details.y_test
    )
    path = out / "reliability.png"
    comparison.figure_.savefig(path, dpi=110, bbox_inches="tight")
    written.append(path)
    if details.gamma_search is not None:
        sweep = GammaSweepDisplay.from_cv_results(
            details.gamma_search, param="classifier__gamma"
        )
        path = out / "gamma_sweep.png"
        sweep.figure_.savefig(path, dpi=110, bbox_inches="tight")
        written.append(path)
    plt.close("all")
    return written


def _compare(args) -> None:
    from .compare import compare_calibration

    X, y = _load(args)
    options = QUICK if args.quick else {}
    try:
        table, details = compare_calibration(
            X,
            y,
            methods=args.methods,
            test_size=args.test_size,
            n_bins=args.n_bins,
            random_state=args.seed,
            n_jobs=args.n_jobs,
            device=args.device,
            verbose=1,
            return_estimators=True,
            **options,
        )
    except ValueError as exc:
        if "device" in str(exc) or "CUDA" in str(exc):
            raise _UsageError(str(exc)) from exc
        raise
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "results.csv")
    markdown = table.to_markdown(floatfmt=".4f")
    (args.out / "results.md").write_text(markdown + "\n")
    print(markdown)
    figures = _write_figures(details, args.out)
    written = ["results.csv", "results.md", *(p.name for p in figures)]
    print(f"\nwrote {', '.join(written)} to {args.out}")


def _datasets() -> None:
    from .datasets import list_datasets

    print(list_datasets().to_markdown())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "compare":
            _compare(args)
        else:
            _datasets()
    except _UsageError as exc:
        print(f"sklearn-focal: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
