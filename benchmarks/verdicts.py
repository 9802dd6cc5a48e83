"""Do the comparison's verdicts and recommendation hold on fresh data?

A user has a few hundred or thousand rows and asks ``compare_calibration``
which method to use. Here the larger bundled data sets play the world: a
stratified sample of ``--sizes`` rows is the user's data, the comparison
runs on it (its defaults, ``--repeats`` repeats), and every repeat's fitted
models are then scored on the rest of the set, rows the comparison never
saw (at most ``--max-fresh`` of them). A method's *fresh* log loss is the
mean over the repeats' models.

Reported, per sample size:

* **regret of each recommendation rule** (``RECOMMENDATION_RULES``): the
  fresh log loss of the method it recommends minus the lowest fresh log
  loss of any method, in nats and in % of the lowest;
* **verdicts**: how often a paired "better" / "worse" (ECE or log loss
  against cross-entropy) is contradicted by the fresh difference (the
  fresh difference has the other sign), and how often the fresh difference
  falls inside the comparison's 95 % interval;
* **each method**, under the first calibration mode (the default's): its
  fresh log loss above the draw's best and against cross-entropy, how often
  it is recommended, how many of its paired verdicts the fresh data
  contradicts, its fit seconds and the seconds of its ``predict_proba`` on
  the fresh rows (the prediction cost);
* **focal loss against the best post-hoc calibrator**: per sample size and
  number of classes, on how many draws the best focal method (alone or
  calibrated) has a lower fresh log loss than the best post-hoc calibrator
  of the cross-entropy network, and by how much;
* **calibration rows** (with ``--calibrations cross_fit_ensemble cross_fit
  holdout``): the fresh log loss, fit and predict seconds of the calibrated
  networks under each mode (the other methods do not depend on it), and
  each mode against the first.

Writes ``verdicts_runs.csv`` (per draw, method and calibration: fresh
metrics, the comparison's summary and paired numbers, the recommendation of
each rule) to ``--out``; ``--tabulate`` prints the tables from it.

    python benchmarks/verdicts.py [--datasets ...] [--sizes 500 1000 2000]
        [--draws 1] [--repeats 3]
        [--calibrations cross_fit_ensemble cross_fit holdout]
        [--n-jobs 2] [--out benchmarks/results]
    python benchmarks/verdicts.py --tabulate [--rst docs/benchmark_verdicts_table.rst]
        [--facts docs/benchmark_verdicts_facts.rst]
"""

import argparse
import functools
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from sklearn_focal import compare_calibration
from sklearn_focal._comparison._method_table import CALIBRATED, POST_HOC, RECORDS
from sklearn_focal.compare import RECOMMENDATION_RULES
from sklearn_focal.datasets import load_dataset
from sklearn_focal.metrics import expected_calibration_error, log_loss

#: The bundled sets with at least 4,000 rows: room for fresh rows.
LARGE = ("churn", "telco_churn", "credit", "wvs", "diamonds", "default", "caravan")


def _draw(dataset, size, draw, max_fresh):
    """The user's sample and the fresh rows of one draw."""
    X, y = load_dataset(dataset)
    X, y = X.reset_index(drop=True), np.asarray(y)
    seed = 1000 * draw + size
    user, fresh = train_test_split(
        np.arange(len(y)), train_size=size, stratify=y, random_state=seed
    )
    if len(fresh) > max_fresh:
        fresh, _ = train_test_split(
            fresh, train_size=max_fresh, stratify=y[fresh], random_state=seed
        )
    return X.iloc[user], y[user], X.iloc[fresh], y[fresh], seed


def _fresh_scores(comparison, X_fresh, y_fresh):
    """Per method: the per-repeat fresh log loss and ECE of the repeats'
    models, and the mean seconds of their ``predict_proba`` on the fresh
    rows (the prediction cost)."""
    scores = {}
    for method in comparison.methods:
        losses, eces, seconds = [], [], []
        for models in comparison.estimators:
            start = time.perf_counter()
            proba = models[method].predict_proba(X_fresh)
            seconds.append(time.perf_counter() - start)
            labels = models[method].classes_
            losses.append(log_loss(y_fresh, proba, labels=labels))
            eces.append(expected_calibration_error(y_fresh, proba, labels=labels))
        scores[method] = (np.array(losses), np.array(eces), np.mean(seconds))
    return scores


def _write(rows, calibrations, path):
    """The rows, those of the first mode of ``calibrations`` (the default's,
    which the regret and verdict tables read) first."""
    frame = pd.DataFrame(rows)
    rank = frame["calibration"].map({c: i for i, c in enumerate(calibrations)})
    order = np.argsort(rank.fillna(len(calibrations)).to_numpy(), kind="stable")
    frame.iloc[order].to_csv(path, index=False)


def run(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "verdicts_runs.csv"
    rows = pd.read_csv(path).to_dict("records") if args.resume and path.exists() else []
    done = {(r["dataset"], r["size"], r["draw"], r["calibration"]) for r in rows}
    for dataset in args.datasets:
        for size in args.sizes:
            for draw in range(args.draws):
                X, y, X_fresh, y_fresh, seed = _draw(
                    dataset, size, draw, args.max_fresh
                )
                for calibration in args.calibrations:
                    if (dataset, size, draw, calibration) in done:
                        continue
                    start = time.perf_counter()
                    first = calibration == args.calibrations[0]
                    methods = None if first else ["cross_entropy", *CALIBRATED]
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        comparison = compare_calibration(
                            X,
                            y,
                            methods=methods,
                            n_repeats=args.repeats,
                            calibration=calibration,
                            random_state=seed,
                            n_jobs=args.n_jobs,
                            verbose=0,
                            return_estimators=True,
                        )
                    fresh = _fresh_scores(comparison, X_fresh, y_fresh)
                    rules = {
                        rule: comparison.recommend(rule)[0]
                        for rule in RECOMMENDATION_RULES
                    }
                    reference = fresh[comparison.reference]
                    for method in comparison.methods:
                        summary = comparison.summary.loc[method]
                        row = {
                            "dataset": dataset,
                            "size": size,
                            "draw": draw,
                            "calibration": calibration,
                            "method": method,
                            "n_fresh": len(y_fresh),
                            "fresh_log_loss": fresh[method][0].mean(),
                            "fresh_ece": fresh[method][1].mean(),
                            "log_loss": summary["log_loss"],
                            "ece": summary["ece"],
                            "accuracy": summary["accuracy"],
                            "fit_seconds": summary["fit_seconds"],
                            "predict_seconds": fresh[method][2],
                            **{
                                f"recommended_by_{r}": m == method
                                for r, m in rules.items()
                            },
                        }
                        if method != comparison.reference:
                            paired = comparison.paired.loc[method]
                            for metric, index in (("log_loss", 0), ("ece", 1)):
                                row |= {
                                    f"{metric}_diff_ci_low": paired[
                                        f"{metric}_diff_ci_low"
                                    ],
                                    f"{metric}_diff_ci_high": paired[
                                        f"{metric}_diff_ci_high"
                                    ],
                                    f"{metric}_verdict": paired[f"{metric}_verdict"],
                                    f"fresh_{metric}_diff": (
                                        fresh[method][index] - reference[index]
                                    ).mean(),
                                }
                        rows.append(row)
                    _write(rows, args.calibrations, path)
                    print(
                        f"done: {dataset} n={size} draw={draw} {calibration} in "
                        f"{time.perf_counter() - start:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )


#: One user's draw: a data set, a sample size and a draw number.
KEYS = ["dataset", "size", "draw"]
#: The methods that train with focal loss, alone or calibrated afterwards.
FOCAL = tuple(
    r.name
    for r in RECORDS
    if r.family in ("network", "calibrated_network")
    and r.name not in ("cross_entropy", "refine_then_calibrate")
)


def default_mode(runs):
    """The rows of the run's first calibration mode (the default's)."""
    return runs[runs["calibration"] == runs["calibration"].iloc[0]]


def with_regret(runs):
    """The rows of the default's calibration mode, with each method's
    regret: its fresh log loss minus the draw's best, and that best."""
    primary = default_mode(runs)
    best = primary.groupby(KEYS)["fresh_log_loss"].transform("min")
    return primary.assign(regret=primary["fresh_log_loss"] - best, best=best)


def mean_regrets(runs):
    """Each recommendation rule's mean regret over every draw."""
    primary = with_regret(runs)
    return {
        rule: primary.loc[primary[f"recommended_by_{rule}"], "regret"].mean()
        for rule in RECOMMENDATION_RULES
    }


def verdict_checks(paired, metric):
    """The paired differences of ``metric`` (rows with a verdict) against the
    fresh data: how many, how many "better"/"worse" calls, how many of those
    the fresh difference contradicts (its sign is the other way), and how
    many fresh differences lie inside the 95 % interval."""
    called = paired[paired[f"{metric}_verdict"] != "no clear difference"]
    diff = called[f"fresh_{metric}_diff"]
    contradicted = np.where(called[f"{metric}_verdict"] == "better", diff > 0, diff < 0)
    inside = paired[f"fresh_{metric}_diff"].between(
        paired[f"{metric}_diff_ci_low"], paired[f"{metric}_diff_ci_high"]
    )
    return len(paired), len(called), int(contradicted.sum()), int(inside.sum())


def per_method(runs):
    """Each method under the run's first (the default) calibration: its
    fresh log loss against the draw's best and against cross-entropy, how
    often the default rule recommends it, how often its paired verdicts
    (log loss and ECE) are contradicted by the fresh data, and its fit and
    prediction seconds."""
    from sklearn_focal.compare import DEFAULT_RULE

    primary = with_regret(runs)
    reference = primary[primary["method"] == "cross_entropy"].set_index(KEYS)
    rows = []
    for method, part in primary.groupby("method", sort=False):
        ce = reference.loc[part.set_index(KEYS).index, "fresh_log_loss"].to_numpy()
        calls = contradicted = 0
        for metric in ("log_loss", "ece"):
            paired = part.dropna(subset=[f"{metric}_verdict"])
            if len(paired):
                _, n_calls, n_wrong, _ = verdict_checks(paired, metric)
                calls, contradicted = calls + n_calls, contradicted + n_wrong
        rows.append(
            {
                "method": method,
                "regret %": 100 * (part["regret"] / part["best"]).mean(),
                "best on fresh data": (part["regret"] == 0).mean(),
                "vs cross_entropy %": 100 * (part["fresh_log_loss"] / ce - 1).mean(),
                "recommended": int(part[f"recommended_by_{DEFAULT_RULE}"].sum()),
                "verdicts": calls,
                "contradicted": contradicted,
                "fit s": part["fit_seconds"].mean(),
                "predict s": part["predict_seconds"].mean(),
            }
        )
    return pd.DataFrame(rows).sort_values("regret %")


@functools.cache
def _n_classes(dataset):
    """The number of classes of a bundled data set (loaded once per run)."""
    return len(np.unique(load_dataset(dataset)[1]))


def focal_against_post_hoc(runs):
    """Per draw: the lowest fresh log loss of the focal methods (alone or
    calibrated) and of the post-hoc calibrators of the cross-entropy
    network (each picked with hindsight, on the fresh rows), the focal
    one's difference in % (negative: focal better), and the data set's
    number of classes."""
    primary = default_mode(runs)
    best = {
        family: primary[primary["method"].isin(methods)]
        .groupby(KEYS)["fresh_log_loss"]
        .min()
        for family, methods in (("focal", FOCAL), ("post_hoc", POST_HOC))
    }
    draws = pd.DataFrame(best)
    draws["difference %"] = 100 * (draws["focal"] / draws["post_hoc"] - 1)
    draws["classes"] = [_n_classes(d) for d in draws.index.get_level_values("dataset")]
    return draws.reset_index()


def _focal_table(draws):
    rows = []
    for by in ("size", "classes"):
        for value, part in draws.groupby(by):
            rows.append(
                {
                    "draws": f"{by} {value}",
                    "n": len(part),
                    "focal better": int((part["difference %"] < 0).sum()),
                    "mean difference %": part["difference %"].mean(),
                    "best focal gain %": -part["difference %"].min(),
                    "worst focal loss %": part["difference %"].max(),
                }
            )
    return pd.DataFrame(rows)


def mode_log_losses(calibrated):
    """Fresh log loss per draw and calibrated method, a column per mode."""
    return calibrated.pivot_table(
        index=[*KEYS, "method"], columns="calibration", values="fresh_log_loss"
    )


def tables(out, fmt="pipe"):
    """The benchmark's tables from ``verdicts_runs.csv``."""
    runs = pd.read_csv(Path(out) / "verdicts_runs.csv")
    parts = []
    primary = with_regret(runs)
    regret_rows = []
    for rule in RECOMMENDATION_RULES:
        chosen = primary[primary[f"recommended_by_{rule}"]]
        for size, part in [*chosen.groupby("size"), ("all", chosen)]:
            regret_rows.append(
                {
                    "rule": rule,
                    "size": size,
                    "draws": len(part),
                    "mean regret": part["regret"].mean(),
                    "mean regret %": 100 * (part["regret"] / part["best"]).mean(),
                    "max regret %": 100 * (part["regret"] / part["best"]).max(),
                    "best on fresh data": (part["regret"] == 0).mean(),
                }
            )
    regret = pd.DataFrame(regret_rows)
    parts.append(
        (
            "regret of each recommendation rule: fresh log loss of the recommended "
            "method minus the best method's",
            regret.round(4).to_markdown(index=False, tablefmt=fmt),
        )
    )
    verdict_rows = []
    for metric in ("log_loss", "ece"):
        paired = primary.dropna(subset=[f"{metric}_verdict"])
        for size, part in [*paired.groupby("size"), ("all", paired)]:
            n, calls, contradicted, inside = verdict_checks(part, metric)
            verdict_rows.append(
                {
                    "metric": metric,
                    "size": size,
                    "paired differences": n,
                    "better/worse calls": calls,
                    "contradicted by fresh data": contradicted,
                    "fresh difference inside the 95 % interval": inside / n,
                }
            )
    parts.append(
        (
            "paired verdicts against cross_entropy, checked on fresh data",
            pd.DataFrame(verdict_rows).round(3).to_markdown(index=False, tablefmt=fmt),
        )
    )
    parts.append(
        (
            f"each method on fresh data ({runs['calibration'].iloc[0]}): log loss "
            "% above the draw's best and against cross_entropy, times recommended "
            "by the default rule, paired verdicts and how many the fresh data "
            "contradicts, mean fit and predict seconds",
            per_method(runs).round(3).to_markdown(index=False, tablefmt=fmt),
        )
    )
    parts.append(
        (
            "focal loss (alone or calibrated) against the best post-hoc calibrator "
            "of the cross-entropy network, each the best of its kind on the fresh "
            "rows: draws where focal is better, and its fresh log loss difference "
            "in % (negative: focal better)",
            _focal_table(focal_against_post_hoc(runs))
            .round(2)
            .to_markdown(index=False, tablefmt=fmt),
        )
    )
    if runs["calibration"].nunique() > 1:
        calibrated = runs[runs["method"].isin(CALIBRATED)]
        table = calibrated.pivot_table(
            index="method",
            columns="calibration",
            values=["fresh_log_loss", "fit_seconds", "predict_seconds"],
            aggfunc="mean",
            sort=False,
        )
        short = {
            "fresh_log_loss": "log loss",
            "fit_seconds": "fit s",
            "predict_seconds": "predict s",
        }
        table.columns = [f"{short[v]} ({c})" for v, c in table.columns]
        parts.append(
            (
                "calibrated networks under each calibration mode (mean over draws)",
                table.round(4).to_markdown(tablefmt=fmt),
            )
        )
        parts.append(
            (
                "each calibration mode against the default, per calibrated network: "
                "share of draws with the lower fresh log loss, and the mean "
                "difference in %",
                mode_comparison(calibrated).round(3).to_markdown(tablefmt=fmt),
            )
        )
    return parts


def mode_comparison(calibrated):
    """Per calibrated method, each other mode against the first (the
    default): the share of draws where it has the lower fresh log loss and
    its mean difference in %."""
    losses = mode_log_losses(calibrated)[list(calibrated["calibration"].unique())]
    default, others = losses.columns[0], losses.columns[1:]
    columns = {}
    for mode in others:
        pair = losses[[default, mode]].dropna()
        by_method = pair.groupby("method", sort=False)
        columns[f"{mode} lower"] = by_method.apply(
            lambda g, m=mode: (g[m] < g[default]).mean()
        )
        columns[f"{mode} difference %"] = by_method.apply(
            lambda g, m=mode: 100 * (g[m] / g[default] - 1).mean()
        )
    return pd.DataFrame(columns)


def facts(out):
    """The numbers of the user guide's prose (see ``_facts``)."""
    from _facts import count, series

    from sklearn_focal.compare import DEFAULT_RULE

    runs = pd.read_csv(Path(out) / "verdicts_runs.csv")
    primary = with_regret(runs)
    regrets = mean_regrets(runs)
    checks = [
        verdict_checks(primary.dropna(subset=[f"{metric}_verdict"]), metric)
        for metric in ("log_loss", "ece")
    ]
    total, calls, contradicted, inside = (int(n) for n in np.sum(checks, axis=0))
    result = {
        "vrd_regret_default": f"{regrets[DEFAULT_RULE]:.4f}",
        "vrd_regret_simplest": f"{regrets['simplest_within_noise']:.4f}",
        "vrd_calls": str(calls),
        "vrd_contradicted": "none" if contradicted == 0 else str(contradicted),
        "vrd_contradicted_ll": count(checks[0][2], checks[0][1]),
        "vrd_inside": f"{100 * inside / total:.0f} %",
        "vrd_draws": str(primary.groupby(KEYS).ngroups),
    }
    calibrated = runs[runs["method"].isin(CALIBRATED)]
    modes = mode_log_losses(calibrated).dropna()
    fit = calibrated.groupby("calibration")["fit_seconds"].mean()
    predict = calibrated.groupby("calibration")["predict_seconds"].mean()
    temperature = calibrated[calibrated["method"] == "temperature"]
    means = temperature.groupby("calibration")[["fresh_log_loss", "fresh_ece"]].mean()
    for mode in modes.columns:
        result[f"vrd_{mode}_ll"] = f"{means.loc[mode, 'fresh_log_loss']:.4f}"
        result[f"vrd_{mode}_ece"] = f"{means.loc[mode, 'fresh_ece']:.4f}"
    # each pair of modes: on how many draws the first has the lower fresh log
    # loss, its mean change in %, and its fit and predict seconds as ratios
    for first, second, name in (
        ("cross_fit", "holdout", "crossfit"),
        ("cross_fit_ensemble", "cross_fit", "ensemble"),
    ):
        if {first, second} <= set(modes.columns):
            a, b = modes[first], modes[second]
            per_set = (100 * (a / b - 1)).groupby("dataset").mean()
            worse = per_set[per_set > 0].sort_values()
            result |= {
                f"vrd_{name}_worse_sets": series(
                    f"{d} ({v:+.1f} %)" for d, v in worse.items()
                ),
                f"vrd_{name}_wins": count(int((a < b).sum()), len(modes)),
                f"vrd_{name}_change": f"{100 * (a / b - 1).mean():+.1f} %",
                f"vrd_{name}_cost": f"{fit[first] / fit[second]:.1f}",
                f"vrd_{name}_predict_cost": f"{predict[first] / predict[second]:.1f}",
            }
    default = primary.set_index([*KEYS, "method"])["fresh_log_loss"].unstack()
    ms_gain = 100 * (1 - default["matrix_scaling"] / default["temperature"])
    draws = focal_against_post_hoc(runs)
    focal_wins = draws["difference %"] < 0
    per_set = draws.groupby("dataset")["difference %"].mean()
    result |= {
        "vrd_ms_wins": count(int((ms_gain > 0).sum()), len(ms_gain)),
        "vrd_ms_gain_mean": f"{ms_gain.mean():+.2f} %",
        "vrd_focal_wins": count(int(focal_wins.sum()), len(draws)),
        "vrd_focal_win_sets": series(sorted(per_set.index[per_set < 0])),
        "vrd_focal_mean": f"{draws['difference %'].mean():+.2f} %",
        "vrd_lowest_regret": series(
            f"``{method}`` ({regret:.1f} %)"
            for method, regret in per_method(runs)
            .head(3)[["method", "regret %"]]
            .itertuples(index=False)
        ),
    }
    return result


def rst(out) -> str:
    """The docs' tables (``--rst``)."""
    from _facts import sections

    return sections(tables(out, "rst"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(LARGE))
    parser.add_argument("--sizes", nargs="+", type=int, default=[500, 1000, 2000])
    parser.add_argument("--draws", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--calibrations",
        nargs="+",
        default=["cross_fit_ensemble", "cross_fit", "holdout"],
        help="the first is the default's: its rows give the regret and verdicts",
    )
    parser.add_argument("--max-fresh", type=int, default=20_000)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--resume", action="store_true", help="skip finished draws")
    parser.add_argument("--tabulate", action="store_true", help="run nothing")
    parser.add_argument("--rst", help="also write the tables, in reStructuredText")
    parser.add_argument(
        "--facts", help="also write the prose's numbers (substitutions) here"
    )
    args = parser.parse_args()
    if not args.tabulate:
        start = time.perf_counter()
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
