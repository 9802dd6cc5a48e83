"""compare_calibration on every bundled data set, 3 seeds, mean ± std.

Runs :func:`sklearn_focal.compare_calibration` with its defaults (the
(256, 256) MLP, gamma searched over {0.5, 1, 2, 3, 5} with 3 folds, 15 bins)
on each data set and seed, and prints one Markdown table: accuracy, ECE,
adaptive ECE, classwise ECE, log loss, multiclass Brier score, test-set
Hessian trace and fit seconds, mean ± std over seeds.

Data sets larger than ``--max-samples`` rows (diamonds) are subsampled,
stratified, so that the whole run fits in well under an hour on 2 CPU cores.

    python benchmarks/compare.py [--datasets ...] [--seeds 3] [--max-samples 10000]
        [--csv runs.csv] [--rst docs/benchmark_compare_table.rst]
    python benchmarks/compare.py --from-csv runs.csv   # tabulate saved runs
"""

import argparse
import sys
from pathlib import Path

import pandas as pd
from _table import mean_std_table
from sklearn.model_selection import train_test_split

from sklearn_focal import compare_calibration
from sklearn_focal.datasets import list_datasets, load_dataset

COLUMNS = [
    "accuracy",
    "ece",
    "adaptive_ece",
    "classwise_ece",
    "log_loss",
    "multiclass_brier_score",
    "hessian_trace",
    "fit_seconds",
]


def run(args):
    frames = []
    for dataset in args.datasets:
        X, y = load_dataset(dataset)
        if len(y) > args.max_samples:
            X, _, y, _ = train_test_split(
                X, y, train_size=args.max_samples, stratify=y, random_state=0
            )
        for seed in range(args.seeds):
            table = compare_calibration(
                X, y, random_state=seed, device=args.device, verbose=0
            )
            frames.append(table.assign(dataset=dataset, seed=seed).reset_index())
            print(f"done: {dataset} seed {seed}", file=sys.stderr, flush=True)
    return pd.concat(frames, ignore_index=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(list_datasets().index))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-samples", type=int, default=10_000)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--csv", help="also write the per-run results to this CSV")
    parser.add_argument(
        "--from-csv", help="tabulate saved per-run results, run nothing"
    )
    parser.add_argument("--rst", help="also write the table, in reStructuredText, here")
    args = parser.parse_args()

    results = pd.read_csv(args.from_csv) if args.from_csv else run(args)
    if args.csv:
        results.to_csv(args.csv, index=False)
    n_seeds = results["seed"].nunique()
    print(f"{n_seeds} seeds; at most {args.max_samples} rows per data set\n")
    print(mean_std_table(results, ["dataset", "method"], COLUMNS, digits=3))
    if args.rst:
        Path(args.rst).write_text(
            mean_std_table(results, ["dataset", "method"], COLUMNS, digits=3, fmt="rst")
            + "\n"
        )
    gamma = results[results.method == "focal"].groupby("dataset", sort=False)["gamma"]
    print("\ngamma selected by the search (per seed):")
    for dataset, values in gamma:
        print(f"- {dataset}: {', '.join(f'{v:g}' for v in values)}")
    print("\nmean rank of each method by ECE (1 = best), over data sets and seeds:")
    ranks = results.groupby(["dataset", "seed"])["ece"].rank()
    print(
        results.assign(rank=ranks)
        .groupby("method")["rank"]
        .mean()
        .sort_values()
        .round(2)
        .to_markdown()
    )


if __name__ == "__main__":
    main()
