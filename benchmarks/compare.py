"""compare_calibration on every bundled data set: 5 repeats, 95 % intervals.

Three parts, all with :func:`sklearn_focal.compare_calibration`'s defaults
(the (256, 256) MLP, gamma in {0, 0.5, 1, 2, 3, 5} by 3-fold search, 15
bins, 100 bootstrap resamples per test part), ``random_state=0``:

1. **The comparison**: every method, ``--repeats`` repeats, on each bundled
   data set (larger ones subsampled, stratified, to ``--max-samples`` rows).
   Tables: ECE and log loss per method and data set (mean ± half-width of
   the 95 % interval), the verdicts against cross-entropy, and each data
   set's recommendation.
2. **How to pick gamma** (``select_gamma_by``): on the same splits, the
   focal network refitted with the gamma of the lowest cross-validated log
   loss, against the one of the lowest cross-validated ECE (the search runs
   once; a second fit only where the two differ). The criterion with the
   lower mean test ECE is the default.
3. **OOD detection**: on each multiclass set, the last class is held out
   of training and its rows are the out-of-distribution rows; AUROC of the
   maximum probability and of the entropy.

Writes CSVs to ``--out`` (``compare_runs.csv``, ``compare_summary.csv``,
``compare_paired.csv``, ``compare_recommendations.csv``,
``compare_gamma_criterion.csv``, ``compare_ood.csv``) and, with ``--rst``,
the docs' tables.

    python benchmarks/compare.py [--datasets ...] [--repeats 5] [--n-jobs 2]
        [--out benchmarks/results] [--rst docs/benchmark_compare_table.rst]
    python benchmarks/compare.py --tabulate   # the tables from saved CSVs
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from sklearn_focal import compare_calibration
from sklearn_focal.datasets import list_datasets, load_dataset
from sklearn_focal.metrics import expected_calibration_error, log_loss

#: The methods of the OOD part: one of each family (the gamma search of
#: ``focal`` is left out to keep the run within its time budget).
OOD_METHODS = [
    "cross_entropy",
    "focal_sd53",
    "adafocal",
    "temperature",
    "adafocal+temperature",
    "logistic_regression",
    "hist_gradient_boosting",
]


def _load(dataset, max_samples):
    X, y = load_dataset(dataset)
    if len(y) > max_samples:
        X, _, y, _ = train_test_split(
            X, y, train_size=max_samples, stratify=y, random_state=0
        )
    return X.reset_index(drop=True), np.asarray(y)


def _gamma_criterion(dataset, comparison, X, y):
    """Test ECE and log loss of focal with gamma picked by ECE and by log loss."""
    rows = []
    for repeat, search in enumerate(comparison.gamma_searches):
        test = comparison.test_indices[repeat]
        train = np.setdiff1d(np.arange(len(y)), test)
        results = search.cv_results_
        by_ll = results["params"][int(np.argmin(results["rank_test_neg_log_loss"]))]
        gamma_ll = float(by_ll["classifier__gamma"])
        gamma_ece = float(search.best_params_["classifier__gamma"])
        model_ece = search.best_estimator_
        model_ll = model_ece
        if gamma_ll != gamma_ece:  # what refit="neg_log_loss" would have fitted
            model_ll = clone(model_ece).set_params(classifier__gamma=gamma_ll)
            model_ll.fit(X.iloc[train], y[train])
        row = {"dataset": dataset, "repeat": repeat}
        for name, gamma, model in (
            ("ece", gamma_ece, model_ece),
            ("log_loss", gamma_ll, model_ll),
        ):
            proba = model.predict_proba(X.iloc[test])
            row[f"gamma_by_{name}"] = gamma
            row[f"test_ece_by_{name}"] = expected_calibration_error(y[test], proba)
            row[f"test_log_loss_by_{name}"] = log_loss(y[test], proba)
        rows.append(row)
    return rows


def run(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs, summaries, paired, recommendations, criterion, ood = [], [], [], [], [], []
    for dataset in args.datasets:
        start = time.perf_counter()
        X, y = _load(dataset, args.max_samples)
        comparison = compare_calibration(
            X,
            y,
            n_repeats=args.repeats,
            select_gamma_by="ece",
            random_state=0,
            n_jobs=args.n_jobs,
            device=args.device,
            verbose=0,
            return_estimators=True,
        )
        runs.append(comparison.runs.assign(dataset=dataset))
        summaries.append(comparison.summary.reset_index().assign(dataset=dataset))
        paired.append(comparison.paired.reset_index().assign(dataset=dataset))
        recommendations.append(
            {
                "dataset": dataset,
                "n_samples": len(y),
                "recommended": comparison.recommended,
                "recommendation": comparison.recommendation,
            }
        )
        criterion += _gamma_criterion(dataset, comparison, X, y)
        del comparison
        if len(np.unique(y)) > 2:
            held_out = np.unique(y)[-1]
            inside = y != held_out
            comparison = compare_calibration(
                X[inside],
                y[inside],
                X_ood=X[~inside],
                methods=OOD_METHODS,
                n_repeats=args.repeats,
                random_state=0,
                n_jobs=args.n_jobs,
                device=args.device,
                verbose=0,
            )
            ood.append(
                comparison.summary.reset_index().assign(
                    dataset=dataset, held_out=str(held_out)
                )
            )
        print(
            f"done: {dataset} in {time.perf_counter() - start:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        # written after every data set: an interrupted run keeps what it did
        for name, frames in (
            ("runs", runs),
            ("summary", summaries),
            ("paired", paired),
            ("ood", ood),
        ):
            if frames:
                pd.concat(frames).to_csv(out / f"compare_{name}.csv", index=False)
        pd.DataFrame(recommendations).to_csv(
            out / "compare_recommendations.csv", index=False
        )
        pd.DataFrame(criterion).to_csv(out / "compare_gamma_criterion.csv", index=False)


def _cell(row, metric, digits=3):
    mean = row[metric]
    half = row[f"{metric}_ci_high"] - mean
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def tables(out, fmt="pipe"):
    """The benchmark's tables, from the CSVs in ``out``."""
    out = Path(out)
    summary = pd.read_csv(out / "compare_summary.csv")
    paired = pd.read_csv(out / "compare_paired.csv")
    recommendations = pd.read_csv(out / "compare_recommendations.csv")
    datasets = list(dict.fromkeys(summary["dataset"]))
    methods = list(dict.fromkeys(summary["method"]))
    parts = []
    for metric in ("ece", "log_loss", "accuracy"):
        table = pd.DataFrame(index=methods, columns=datasets, dtype=object)
        for _, row in summary.iterrows():
            table.loc[row["method"], row["dataset"]] = _cell(row, metric)
        parts.append(
            (
                f"{metric}: mean ± half-width of the 95 % interval",
                table.rename_axis("method").to_markdown(tablefmt=fmt),
            )
        )
    verdicts = (
        paired.groupby("method", sort=False)["verdict"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=["better", "no clear difference", "worse"], fill_value=0)
    )
    parts.append(
        (
            "verdict against cross_entropy (ECE and log loss, paired): data sets",
            verdicts.rename_axis("method").to_markdown(tablefmt=fmt),
        )
    )
    parts.append(
        (
            "recommendation per data set",
            recommendations[["dataset", "n_samples", "recommended"]].to_markdown(
                index=False, tablefmt=fmt
            ),
        )
    )
    criterion_path = out / "compare_gamma_criterion.csv"
    if criterion_path.exists():
        criterion = pd.read_csv(criterion_path)
        by_dataset = criterion.groupby("dataset", sort=False)[
            [
                "test_ece_by_ece",
                "test_ece_by_log_loss",
                "test_log_loss_by_ece",
                "test_log_loss_by_log_loss",
            ]
        ].mean()
        by_dataset.loc["mean"] = by_dataset.mean()
        parts.append(
            (
                "select_gamma_by: test ECE and log loss of focal (mean over repeats)",
                by_dataset.round(4).to_markdown(tablefmt=fmt),
            )
        )
    ood_path = out / "compare_ood.csv"
    if ood_path.exists():
        ood = pd.read_csv(ood_path)
        table = pd.DataFrame(
            index=list(dict.fromkeys(ood["method"])),
            columns=list(dict.fromkeys(ood["dataset"])),
            dtype=object,
        )
        for _, row in ood.iterrows():
            table.loc[row["method"], row["dataset"]] = _cell(row, "ood_auroc_entropy")
        held = ", ".join(
            f"{d}: {h}"
            for d, h in ood.groupby("dataset", sort=False)["held_out"].first().items()
        )
        parts.append(
            (
                f"OOD AUROC (entropy), one class held out ({held})",
                table.rename_axis("method").to_markdown(tablefmt=fmt),
            )
        )
    return parts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(list_datasets().index))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max-samples", type=int, default=10_000)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--tabulate", action="store_true", help="run nothing")
    parser.add_argument(
        "--rst", help="also write the tables, in reStructuredText, here"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    if not args.tabulate:
        run(args)
        print(f"total: {time.perf_counter() - start:.0f} s\n")
    for title, table in tables(args.out):
        print(f"{title}\n\n{table}\n")
    if args.rst:
        Path(args.rst).write_text(
            "\n".join(
                f"**{title}**\n\n{table}\n" for title, table in tables(args.out, "rst")
            )
        )


if __name__ == "__main__":
    main()
