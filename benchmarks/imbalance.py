"""Focal loss and class weights on imbalanced data, 5 seeds, mean ± std.

On each bundled imbalanced data set (minority class <= 10 %) and seed: a
stratified 70/30 train/test split, the package's preprocessing, and these
networks (the default (256, 256) MLP with early stopping on the validation
log loss):

* ``cross_entropy``: gamma = 0;
* ``ce_balanced`` / ``ce_balanced_raw``: gamma = 0, ``class_weight="balanced"``,
  with and without ``prior_correction`` (one network, scored both ways);
* ``focal``: gamma searched over {0.5, 1, 2, 3} (2 folds, lowest ECE);
* ``focal_balanced`` / ``focal_balanced_raw``: the same search with
  ``class_weight="balanced"``, with and without the correction;
* ``ce_temperature``: cross-entropy on 80 % of the training part,
  temperature-scaled on the other 20 %.

Scored on the test part: balanced accuracy and accuracy (of ``predict``: the
weighted decision rule for the balanced networks), average precision of the
minority class, ECE (15 bins), log loss, and the mean predicted probability
of the minority class against its test frequency.

    python benchmarks/imbalance.py [--datasets default caravan] [--seeds 5]
        [--csv runs.csv] [--rst docs/benchmark_imbalance_table.rst]
    python benchmarks/imbalance.py --from-csv benchmarks/results/imbalance_runs.csv
        --facts docs/benchmark_imbalance_facts.rst
    python benchmarks/imbalance.py --from-csv runs.csv   # tabulate saved runs
"""

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd
from _table import mean_std_table
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from sklearn_focal import FocalClassifier
from sklearn_focal.compare import make_preprocessor
from sklearn_focal.datasets import load_dataset
from sklearn_focal.metrics import (
    average_precision,
    expected_calibration_error,
    log_loss,
)
from sklearn_focal.scoring import ece_scorer

GAMMAS = [0.5, 1.0, 2.0, 3.0]
COLUMNS = [
    "balanced_accuracy",
    "accuracy",
    "average_precision",
    "ece",
    "nll",
    "mean_p_minority",
    "minority_rate",
]


def network(X_train, seed, **params):
    return Pipeline(
        [
            ("preprocess", make_preprocessor(X_train)),
            ("classifier", FocalClassifier(random_state=seed, **params)),
        ]
    )


def focal_search(X_train, y_train, seed, **params):
    search = GridSearchCV(
        network(X_train, seed, **params),
        {"classifier__gamma": GAMMAS},
        scoring=ece_scorer,
        cv=StratifiedKFold(2, shuffle=True, random_state=seed),
    )
    return search.fit(X_train, y_train).best_estimator_


def scores(model, X, y, minority):
    proba = model.predict_proba(X)
    pred = model.predict(X)
    column = list(model.classes_).index(minority)
    return {
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "accuracy": accuracy_score(y, pred),
        "average_precision": average_precision(
            y == minority, proba[:, column], labels=[False, True]
        ),
        "ece": expected_calibration_error(y, proba),
        "nll": log_loss(y, proba),
        "mean_p_minority": proba[:, column].mean(),
        "minority_rate": np.mean(y == minority),
    }


def uncorrected(model):
    """The same fitted network, scored without prior correction."""
    model[-1].set_params(prior_correction=False)
    return model


def run_one(name, seed):
    X, y = load_dataset(name)
    y = np.asarray(y)
    minority = pd.Series(y).value_counts().idxmin()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    rows, models = [], {}
    start = time.perf_counter()
    models["cross_entropy"] = network(X_train, seed, gamma=0.0).fit(X_train, y_train)
    balanced = network(X_train, seed, gamma=0.0, class_weight="balanced")
    models["ce_balanced"] = balanced.fit(X_train, y_train)
    models["focal"] = focal_search(X_train, y_train, seed)
    models["focal_balanced"] = focal_search(
        X_train, y_train, seed, class_weight="balanced"
    )
    X_fit, X_cal, y_fit, y_cal = train_test_split(
        X_train, y_train, test_size=0.2, stratify=y_train, random_state=seed
    )
    base = network(X_fit, seed, gamma=0.0).fit(X_fit, y_fit)
    models["ce_temperature"] = CalibratedClassifierCV(
        FrozenEstimator(base), method="temperature"
    ).fit(X_cal, y_cal)
    for method, model in models.items():
        rows.append({"method": method, **scores(model, X_test, y_test, minority)})
        if method.endswith("_balanced"):
            raw = uncorrected(model)
            rows.append(
                {"method": f"{method}_raw", **scores(raw, X_test, y_test, minority)}
            )
    seconds = time.perf_counter() - start
    for row in rows:
        row.update(dataset=name, seed=seed, run_seconds=seconds)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["default", "caravan"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--csv", help="also write the per-run results here")
    parser.add_argument("--rst", help="also write the table as reStructuredText")
    parser.add_argument("--from-csv", help="tabulate saved per-run results")
    parser.add_argument(
        "--facts", help="also write the prose's numbers (substitutions) here"
    )
    args = parser.parse_args()
    if args.from_csv:
        results = pd.read_csv(args.from_csv)
    else:
        rows = []
        for name in args.datasets:
            for seed in range(args.seeds):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    rows += run_one(name, seed)
                print(f"{name} seed {seed} done", file=sys.stderr, flush=True)
        results = pd.DataFrame(rows)
        if args.csv:
            results.to_csv(args.csv, index=False)
    print(mean_std_table(results, ["dataset", "method"], COLUMNS, digits=3))
    if args.rst:
        with open(args.rst, "w") as f:
            f.write(rst(results))
    if args.facts:
        from _facts import write

        write(args.facts, facts(results))


def rst(results) -> str:
    """The docs' table (``--rst``)."""
    return mean_std_table(results, ["dataset", "method"], COLUMNS, 3, "rst") + "\n"


def facts(results):
    """The numbers of the user guide's imbalance section (see ``_facts``)."""
    from _facts import series

    mean = results.groupby(["dataset", "method"], sort=False).mean(numeric_only=True)
    datasets = list(dict.fromkeys(results["dataset"]))

    def value(dataset, method, column):
        return mean.loc[(dataset, method), column]

    def ratios(column):
        values = [
            value(d, f"{m}_raw", column) / value(d, "cross_entropy", column)
            for d in datasets
            for m in ("ce_balanced", "focal_balanced")
        ]
        return f"{min(values):.1f} to {max(values):.1f}"

    def pairs(column, method, digits=3):
        return series(
            f"{value(d, method, column):.{digits}f} against "
            f"{value(d, 'cross_entropy', column):.{digits}f} ({d})"
            for d in datasets
        )

    raw = [
        value(d, f"{m}_raw", "mean_p_minority")
        for d in datasets
        for m in ("ce_balanced", "focal_balanced")
    ]
    true = [value(d, "cross_entropy", "minority_rate") for d in datasets]
    corrected = [
        abs(value(d, m, "mean_p_minority") - value(d, m, "minority_rate"))
        for d in datasets
        for m in ("ce_balanced", "focal_balanced")
    ]
    focal = [
        value(d, "focal", "ece") / value(d, "cross_entropy", "ece") for d in datasets
    ]
    return {
        "imb_balanced_gain": series(
            f"from {value(d, 'cross_entropy', 'balanced_accuracy'):.2f} to "
            f"{value(d, 'ce_balanced', 'balanced_accuracy'):.2f} ({d})"
            for d in datasets
        ),
        "imb_raw_ece_ratio": ratios("ece"),
        "imb_raw_nll_ratio": ratios("nll"),
        "imb_raw_p": f"{min(raw):.2f} to {max(raw):.2f}",
        "imb_true_p": f"{min(true):.2f} to {max(true):.2f}",
        "imb_corrected_ece": pairs("ece", "ce_balanced"),
        "imb_corrected_nll": pairs("nll", "ce_balanced"),
        "imb_corrected_p_gap": f"{max(corrected):.3f}",
        "imb_focal_ece_ratio": f"{min(focal):.1f} to {max(focal):.1f}",
        "imb_seeds": str(results["seed"].nunique()),
    }


if __name__ == "__main__":
    main()
