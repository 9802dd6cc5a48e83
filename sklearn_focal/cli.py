"""The ``sklearn-focal`` command line.

::

    sklearn-focal compare --dataset digits --out results/digits [--quick]
    sklearn-focal compare --csv data.csv --target label --out results/mine
    sklearn-focal datasets

``compare`` runs :func:`sklearn_focal.compare_calibration`, prints the table
and writes ``results.csv``, ``results.md``, ``reliability.png`` (the methods'
reliability diagrams side by side) and ``gamma_sweep.png`` (ECE, curvature
and accuracy against gamma from the focal search) to the output folder.

The report is written atomically: into a temporary folder beside ``--out``,
moved into place once complete. An existing report is replaced whole, and
only with ``--overwrite``. Arguments and the output folder are checked before
any training. Bad input is one line on stderr and exit status 2; Ctrl-C is
one line and exit status 130, and leaves no report behind.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: Settings of --quick: a smaller network, fewer epochs, a smaller grid.
QUICK = {
    "estimator_params": {"hidden_layer_sizes": (128,), "max_iter": 40},
    "gammas": (0.5, 1.0, 2.0, 3.0),
    "cv": 2,
}


#: The files of a report: what --overwrite may replace.
REPORT_FILES = ("results.csv", "results.md", "reliability.png", "gamma_sweep.png")


class _UsageError(Exception):
    """A problem with the user's input: one line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    from ._methods import METHODS

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
        "--overwrite",
        action="store_true",
        help="replace the report already in --out (only report files)",
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


def _check_args(args) -> None:
    """Numbers the parser accepts but the comparison cannot use."""
    if args.n_bins < 1:
        raise _UsageError(f"--n-bins must be a positive integer; got {args.n_bins}.")
    if not 0 < args.test_size < 1:
        raise _UsageError(
            "--test-size must lie strictly between 0 and 1 (the share of samples "
            f"held out for scoring); got {args.test_size}."
        )
    if not 0 <= args.seed < 2**32:
        raise _UsageError(
            f"--seed must be an integer in [0, 2**32 - 1]; got {args.seed}."
        )
    if args.n_jobs is not None and args.n_jobs == 0:
        raise _UsageError(
            "--n-jobs must be a number of parallel fits (1, 2, ...) or -1 for "
            "all cores; got 0."
        )


def _check_target(X, y, name: str, test_size: float) -> None:
    """Is ``y`` a classification target a stratified comparison can split?"""
    from sklearn.utils.multiclass import type_of_target

    if X.shape[1] == 0:
        raise _UsageError(
            f"the data hold no feature columns besides the target {name!r}."
        )
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass"):
        example = next(iter(y))
        raise _UsageError(
            f"column {name!r} is not a class label column: its values are "
            f"{kind} (e.g. {example!r}); compare needs a few discrete classes."
        )
    counts = y.value_counts()
    if counts.min() < 2:
        raise _UsageError(
            f"class {counts.idxmin()!r} of column {name!r} has a single sample; "
            "every class needs at least 2 (one to train on, one to test)."
        )
    n_test = math.ceil(test_size * len(y))
    if min(n_test, len(y) - n_test) < len(counts):
        raise _UsageError(
            f"column {name!r} has {len(counts)} classes but the split leaves "
            f"{n_test} test and {len(y) - n_test} training samples: each part "
            "needs one sample per class. Use fewer classes or more samples."
        )


class _Report:
    """The output folder, written atomically.

    Files go to a temporary folder beside ``out``; :meth:`commit` moves it
    into place (replacing an earlier report whole), :meth:`discard` removes
    it. Created before any training, so an unwritable ``--out`` fails first.
    """

    def __init__(self, out: Path, overwrite: bool):
        if out.exists() and not out.is_dir():
            raise _UsageError(f"--out {out} is a file, not a folder.")
        if out.is_dir() and any(out.iterdir()):
            others = sorted(p.name for p in out.iterdir() if p.name not in REPORT_FILES)
            if others:
                raise _UsageError(
                    f"--out {out} holds files that are not a report "
                    f"({', '.join(others[:3])}{', ...' if len(others) > 3 else ''}); "
                    "choose an empty or new folder."
                )
            if not overwrite:
                raise _UsageError(
                    f"--out {out} already holds a report; pass --overwrite to "
                    "replace it, or choose another folder."
                )
        self.out = out
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        except OSError as exc:
            raise _UsageError(f"cannot write to --out {out}: {exc}") from exc

    def commit(self) -> None:
        old = None
        if self.out.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{self.out.name}.old.", dir=self.out.parent)
            )
            os.replace(self.out, old / "report")
        os.replace(self.tmp, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


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
    _check_target(frame, y, args.target, args.test_size)
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

    _check_args(args)
    report = _Report(args.out, args.overwrite)
    try:
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
        table.to_csv(report.tmp / "results.csv")
        markdown = table.to_markdown(floatfmt=".4f")
        (report.tmp / "results.md").write_text(markdown + "\n")
        figures = _write_figures(details, report.tmp)
        report.commit()
    except BaseException:
        report.discard()
        raise
    print(markdown)
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
    except KeyboardInterrupt:
        print("sklearn-focal: interrupted; no report written.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
