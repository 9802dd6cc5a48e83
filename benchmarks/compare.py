"""compare_calibration on every bundled data set: 5 repeats, 95 % intervals.

Three parts, all with :func:`sklearn_focal.compare_calibration`'s defaults
(the (256, 256) MLP, gamma in {0, 0.5, 1, 2, 3, 5} by the validation-split
search, post-hoc calibration of 3 cross-fitted fold networks, averaged
(``cross_fit_ensemble``), 15 bins, 100 bootstrap resamples per test part),
``random_state=0``:

1. **The comparison**: every method, ``--repeats`` repeats, on each bundled
   data set (larger ones subsampled, stratified, to ``--max-samples`` rows).
   Tables: ECE, log loss and accuracy per method and data set (mean ±
   half-width of the 95 % interval), the verdicts against cross-entropy,
   and each data set's recommendation (every rule).
2. **The gamma search**: its cost in network fits (``focal``'s fit seconds
   over ``cross_entropy``'s), and its test ECE and log loss against those
   of the cross-validated grid search it replaced (the committed
   ``gamma_search_before.csv``: that search's results in the earlier
   benchmark run); on the same splits, gamma picked by the held-out log
   loss against the held-out ECE (a second search only where the two
   differ).
3. **OOD detection**: on each multiclass set, the last class is held out
   of training and its rows are the out-of-distribution rows; AUROC of the
   maximum probability and of the entropy.

Writes CSVs to ``--out`` (``compare_runs.csv``, ``compare_summary.csv``,
``compare_paired.csv``, ``compare_recommendations.csv``,
``compare_gamma_criterion.csv``, ``compare_ood.csv``) and, with ``--rst``
and ``--facts``, the docs' tables and the numbers of their prose.

    python benchmarks/compare.py [--datasets ...] [--repeats 5] [--n-jobs 2]
        [--out benchmarks/results]
    python benchmarks/compare.py --tabulate [--rst docs/benchmark_compare_table.rst]
        [--facts docs/benchmark_compare_facts.rst]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from sklearn_focal import compare_calibration
from sklearn_focal.compare import DEFAULT_RULE, RECOMMENDATION_RULES
from sklearn_focal.datasets import list_datasets, load_dataset
from sklearn_focal.gamma_search import SELECT_BY
from sklearn_focal.metrics import expected_calibration_error, log_loss

#: The earlier search's run (its summary rows), committed with the results.
BEFORE = Path(__file__).resolve().parent / "results" / "gamma_search_before.csv"

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
    """Test ECE and log loss of focal with gamma picked by the held-out ECE
    and by the held-out log loss (one of them the comparison's own)."""
    rows = []
    for repeat, models in enumerate(comparison.estimators):
        train, test = comparison.train_indices[repeat], comparison.test_indices[repeat]
        fitted = models["focal"]
        results = fitted[-1].validation_results_
        row = {"dataset": dataset, "repeat": repeat}
        for name in SELECT_BY:
            gamma = float(results["gamma"][np.argmin(results[name])])
            model = fitted
            if name != fitted[-1].select_by and gamma != fitted[-1].best_gamma_:
                model = clone(fitted).set_params(classifier__select_by=name)
                model.fit(X.iloc[train], y[train])
            proba = model.predict_proba(X.iloc[test])
            row[f"gamma_by_{name}"] = gamma
            row[f"test_ece_by_{name}"] = expected_calibration_error(y[test], proba)
            row[f"test_log_loss_by_{name}"] = log_loss(y[test], proba)
        rows.append(row)
    return rows


def best_criterion(criterion):
    """The ``select_by`` under which focal had the lower mean test ECE over
    the data sets: the package's default (tests/test_docs.py checks)."""
    means = {name: criterion[f"test_ece_by_{name}"].mean() for name in SELECT_BY}
    return min(means, key=means.get)


def _wins(criterion, metric):
    by_set = criterion.groupby("dataset")[
        [f"{metric}_by_ece", f"{metric}_by_log_loss"]
    ].mean()
    ece, ll = by_set[f"{metric}_by_ece"], by_set[f"{metric}_by_log_loss"]
    close = np.isclose(ece, ll, rtol=0, atol=1e-12)
    return (
        f"lower on {int(((ll < ece) & ~close).sum())}, higher on "
        f"{int(((ll > ece) & ~close).sum())} and equal on {int(close.sum())}"
    )


def run(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs, summaries, paired, recommendations, criterion, ood = [], [], [], [], [], []
    for dataset in args.datasets:
        start = time.perf_counter()
        X, y = _load(dataset, args.max_samples)
        with warnings.catch_warnings():  # AdaFocal's fewer bins on small data
            warnings.simplefilter("ignore", UserWarning)
            comparison = compare_calibration(
                X,
                y,
                n_repeats=args.repeats,
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
                **{
                    f"recommended_by_{rule}": comparison.recommend(rule)[0]
                    for rule in RECOMMENDATION_RULES
                },
                "recommendation": comparison.recommendation,
            }
        )
        criterion += _gamma_criterion(dataset, comparison, X, y)
        del comparison
        if len(np.unique(y)) > 2:
            held_out = np.unique(y)[-1]
            inside = y != held_out
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
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


def gamma_search_table(out, summary):
    """Per data set: the search's fit seconds in cross-entropy fits, and its
    test ECE and log loss with the earlier search's 95 % intervals."""
    before = pd.read_csv(BEFORE).set_index(["dataset", "method"])
    after = summary.set_index(["dataset", "method"])
    rows = []
    for dataset in dict.fromkeys(summary["dataset"]):
        if (dataset, "focal") not in before.index:
            continue
        old, new = before.loc[(dataset, "focal")], after.loc[(dataset, "focal")]
        row = {"dataset": dataset}
        for label, table in (("before", before), ("after", after)):
            row[f"fits {label}"] = (
                table.loc[(dataset, "focal"), "fit_seconds"]
                / table.loc[(dataset, "cross_entropy"), "fit_seconds"]
            )
        for metric in ("ece", "log_loss"):
            low, high = old[f"{metric}_ci_low"], old[f"{metric}_ci_high"]
            row[f"{metric} before [95 %]"] = (
                f"{old[metric]:.3f} [{low:.3f}, {high:.3f}]"
            )
            row[f"{metric} after"] = f"{new[metric]:.3f}"
            row[f"{metric} inside"] = bool(low <= new[metric] <= high)
        rows.append(row)
    return pd.DataFrame(rows).round(1)


def facts(out):
    """The numbers of the user guide's benchmark prose (see ``_facts``)."""
    from _facts import count, series

    out = Path(out)
    summary = pd.read_csv(out / "compare_summary.csv")
    runs = pd.read_csv(out / "compare_runs.csv")
    paired = pd.read_csv(out / "compare_paired.csv")
    recommendations = pd.read_csv(out / "compare_recommendations.csv")
    criterion = pd.read_csv(out / "compare_gamma_criterion.csv")
    n = summary["dataset"].nunique()
    verdicts = paired.groupby(["method", "verdict"]).size().unstack(fill_value=0)

    def verdict(method, kind):
        return int(verdicts.loc[method].get(kind, 0))

    focal = runs[runs["method"] == "focal"]
    search = gamma_search_table(out, summary)
    ranks = summary.groupby("dataset")["ece"].rank().groupby(summary["method"]).mean()
    ranks = ranks.sort_values()
    chosen = recommendations[f"recommended_by_{DEFAULT_RULE}"].value_counts()
    ood = (
        pd.read_csv(out / "compare_ood.csv")
        if (out / "compare_ood.csv").exists()
        else None
    )
    result = {
        "cmp_datasets": str(n),
        "cmp_repeats": str(runs["repeat"].nunique()),
        "cmp_fit_minutes": f"{runs['fit_seconds'].sum() / 60:.0f}",
        "cmp_focal_unclear": count(verdict("focal", "no clear difference"), n),
        "cmp_temperature_unclear": count(
            verdict("temperature", "no clear difference"), n
        ),
        "cmp_sd53_worse": count(verdict("focal_sd53", "worse"), n),
        "cmp_adafocal_worse": count(verdict("adafocal", "worse"), n),
        "cmp_gamma0": f"{int((focal['gamma'] == 0).sum())} of {len(focal)}",
        "cmp_gamma_max": f"{focal['gamma'].max():g}",
        "cmp_ece_ranks": series(
            f"{method} {rank:.1f}" for method, rank in ranks.head(4).items()
        ),
        "cmp_ce_ece_rank": f"{ranks['cross_entropy']:.1f}",
        "cmp_methods": str(summary["method"].nunique()),
        "cmp_recommended": series(
            f"{method} on {count(int(k), n)}" for method, k in chosen.items()
        ),
        "cmp_search_fits": (
            f"{search['fits after'].min():.1f} to {search['fits after'].max():.1f}"
        ),
        # issue #25's target: the search within 4 cross-entropy fits
        "cmp_search_within_4": count(
            int((search["fits after"] <= 4).sum()), len(search)
        ),
        "cmp_search_fits_before": (
            f"{search['fits before'].min():.0f} to {search['fits before'].max():.0f}"
        ),
        "cmp_search_ece_inside": count(int(search["ece inside"].sum()), len(search)),
        "cmp_search_ll_inside": count(
            int(search["log_loss inside"].sum()), len(search)
        ),
        "cmp_criterion_ece": (
            f"{criterion['test_ece_by_ece'].mean():.4f} against "
            f"{criterion['test_ece_by_log_loss'].mean():.4f}"
        ),
        "cmp_criterion_ll": (
            f"{criterion['test_log_loss_by_ece'].mean():.3f} against "
            f"{criterion['test_log_loss_by_log_loss'].mean():.3f}"
        ),
        "cmp_criterion_best": f'``"{best_criterion(criterion)}"``',
        "cmp_criterion_ece_wins": _wins(criterion, "test_ece"),
        "cmp_criterion_ll_wins": _wins(criterion, "test_log_loss"),
    }
    if ood is not None:
        auroc = ood.groupby("dataset")["ood_auroc_entropy"]
        result["cmp_ood_range"] = series(
            f"{d}: {low:.3f} to {high:.3f}"
            for d, low, high in zip(
                auroc.min().index, auroc.min(), auroc.max(), strict=True
            )
        )
    return result


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
    rules = [f"recommended_by_{rule}" for rule in RECOMMENDATION_RULES]
    table = recommendations[["dataset", "n_samples", *rules]].rename(
        columns={f"recommended_by_{rule}": rule for rule in RECOMMENDATION_RULES}
    )
    parts.append(
        (
            f"recommendation per data set, by each rule (the default: {DEFAULT_RULE})",
            table.to_markdown(index=False, tablefmt=fmt),
        )
    )
    parts.append(
        (
            "the gamma search: cost in network fits and test errors, against the "
            "cross-validated grid search it replaced (before)",
            gamma_search_table(out, summary).to_markdown(index=False, tablefmt=fmt),
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


def rst(out) -> str:
    """The docs' tables (``--rst``)."""
    from _facts import sections

    return sections(tables(out, "rst"))


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
    parser.add_argument(
        "--facts", help="also write the prose's numbers (substitutions) here"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    if not args.tabulate:
        run(args)
        print(f"total: {time.perf_counter() - start:.0f} s\n")
    for title, table in tables(args.out):
        print(f"{title}\n\n{table}\n")
    if args.rst:
        Path(args.rst).write_text(rst(args.out))
    if args.facts:
        from _facts import write

        write(args.facts, facts(args.out))


if __name__ == "__main__":
    main()
