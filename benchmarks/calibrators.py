"""Post-hoc calibrators of one network, judged on fresh rows.

On each data set of :mod:`sklearn_focal.datasets`, a stratified sample of
``--size`` rows (at most 60 % of the set) is the user's data and the rest
(at most ``--max-fresh`` rows) the world. The package's default
cross-entropy network (``make_method("cross_entropy")``) is calibrated on
the user's rows by each calibrator, in each way of finding calibration
rows, and every model is scored on the fresh rows:

* calibrators: scikit-learn's temperature scaling and isotonic regression
  (``CalibratedClassifierCV``), and probmetrics' matrix scaling (structured
  for three or more classes, affine for two), vector scaling and
  temperature scaling mixed with the uniform distribution
  (:class:`~sklearn_focal.calibration.LogitScalingClassifierCV`); also the
  focal network (gamma searched) with temperature and with matrix scaling;
* calibration rows: ``holdout`` (the network trains on 80 %, the
  calibrator on 20 %), ``cross_fit`` (out-of-fold probabilities of 3
  networks calibrate the network trained on every row: the package's
  default) and ``cross_fit_ensemble`` (each fold network calibrated on its
  own held-out rows, their probabilities averaged: scikit-learn's
  ``ensemble=True``).

Networks are trained once per (data set, seed) and shared by the
calibrators (``shared_fits``). The calibrators' own fit time is measured
apart, on 10,000 rows x 10 classes of logits on one thread.

    python benchmarks/calibrators.py [--datasets ...] [--seeds 3] [--size 2000]
        [--n-jobs 2] [--out benchmarks/results]
    python benchmarks/calibrators.py --tabulate
        [--rst docs/benchmark_calibrators_table.rst]
        [--facts docs/benchmark_calibrators_facts.rst]
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.special import softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold, train_test_split

from sklearn_focal import make_method
from sklearn_focal._network._shared_fits import shared_fits
from sklearn_focal.calibration import LogitScalingClassifierCV
from sklearn_focal.datasets import list_datasets, load_dataset
from sklearn_focal.metrics import expected_calibration_error, log_loss

#: Calibrator -> how it wraps a network for the given cv and ensemble.
CALIBRATORS = {
    "temperature": lambda base, cv, ensemble: CalibratedClassifierCV(
        base, method="temperature", cv=cv, ensemble=ensemble
    ),
    "isotonic": lambda base, cv, ensemble: CalibratedClassifierCV(
        base, method="isotonic", cv=cv, ensemble=ensemble
    ),
    **{
        name: (
            lambda base, cv, ensemble, name=name: LogitScalingClassifierCV(
                base, method=name, cv=cv, ensemble=ensemble
            )
        )
        for name in ("matrix_scaling", "vector_scaling", "temperature_mixture")
    },
}
MODES = ("holdout", "cross_fit", "cross_fit_ensemble")


def _draw(dataset, seed, size, max_fresh):
    X, y = load_dataset(dataset)
    y = np.asarray(y)
    size = min(size, int(0.6 * len(y)))
    user, fresh = train_test_split(
        np.arange(len(y)), train_size=size, stratify=y, random_state=seed
    )
    if len(fresh) > max_fresh:
        fresh, _ = train_test_split(
            fresh, train_size=max_fresh, stratify=y[fresh], random_state=seed
        )
    return X.iloc[user], y[user], X.iloc[fresh], y[fresh]


def _cv(mode, seed):
    if mode == "holdout":
        from sklearn.model_selection import StratifiedShuffleSplit

        return StratifiedShuffleSplit(1, test_size=0.2, random_state=seed), True
    return StratifiedKFold(3, shuffle=True, random_state=seed), mode.endswith(
        "ensemble"
    )


def run_one(dataset, seed, size, max_fresh):
    """Rows of one (data set, seed): every (base, calibrator, mode)."""
    import torch

    torch.set_num_threads(1)
    X, y, X_fresh, y_fresh = _draw(dataset, seed, size, max_fresh)
    labels = np.unique(y)
    rows = []

    def score(base, calibrator, mode, model, seconds):
        proba = model.predict_proba(X_fresh)
        rows.append(
            {
                "dataset": dataset,
                "seed": seed,
                "n_classes": len(labels),
                "base": base,
                "calibrator": calibrator,
                "mode": mode,
                "fresh_log_loss": log_loss(y_fresh, proba, labels=labels),
                "fresh_ece": expected_calibration_error(y_fresh, proba, labels=labels),
                "fresh_accuracy": float(np.mean(labels[proba.argmax(1)] == y_fresh)),
                "fit_seconds": seconds,
            }
        )

    with shared_fits(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for base in ("cross_entropy", "focal"):
            network = make_method(base, random_state=seed)
            start = time.perf_counter()
            network.fit(X, y)
            score(base, "none", "all_rows", network, time.perf_counter() - start)
            calibrators = (
                CALIBRATORS
                if base == "cross_entropy"
                else {k: CALIBRATORS[k] for k in ("temperature", "matrix_scaling")}
            )
            for mode in MODES if base == "cross_entropy" else ("cross_fit",):
                cv, ensemble = _cv(mode, seed)
                for name, wrap in calibrators.items():
                    model = wrap(make_method(base, random_state=seed), cv, ensemble)
                    start = time.perf_counter()
                    model.fit(X, y)
                    score(base, name, mode, model, time.perf_counter() - start)
    return rows


def calibrator_seconds(n=10_000, n_classes=10, repeats=3):
    """Fit seconds of each calibrator alone on fixed logits (one thread)."""
    import torch
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.frozen import FrozenEstimator

    torch.set_num_threads(1)

    class Given(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def predict_proba(self, X):
            return PROBA[np.asarray(X, dtype=int).ravel()]

        def predict(self, X):
            return self.predict_proba(X).argmax(1)

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(n, n_classes)) * 3
    truth = softmax(logits / 2, axis=1)
    y = (truth.cumsum(axis=1) > rng.uniform(size=(n, 1))).argmax(axis=1)
    PROBA = softmax(logits, axis=1)
    X = np.arange(n).reshape(-1, 1)
    frozen = FrozenEstimator(Given().fit(X, y))
    seconds = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, wrap in CALIBRATORS.items():
            # cv=2, ensemble=False: the calibrator fits once, on every row
            model = wrap(frozen, StratifiedKFold(2), False)
            model.fit(X, y)  # warm-up (imports)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                model.fit(X, y)
                times.append(time.perf_counter() - start)
            seconds[name] = min(times)
    return seconds


def _frames(out: Path):
    """The committed runs and speeds, and the per-set means of the default
    (cross-fitted) calibrators of the cross-entropy network."""
    runs = pd.read_csv(out / "calibrators_runs.csv")
    speed = pd.read_csv(out / "calibrators_speed.csv")
    ce = runs[runs["base"] == "cross_entropy"]
    default = ce[ce["mode"] == "cross_fit"]
    mean = default.groupby(["dataset", "calibrator"])["fresh_log_loss"].mean().unstack()
    mean["network alone"] = (
        ce[ce["calibrator"] == "none"].groupby("dataset")["fresh_log_loss"].mean()
    )
    return runs, speed, ce, mean


def tables(out: Path, fmt="pipe"):
    """(title, table) of each result; ``fmt`` is a tabulate format."""
    runs, speed, ce, mean = _frames(out)
    gain = (
        100
        * (mean[["temperature"]].to_numpy() - mean)
        / mean[["temperature"]].to_numpy()
    )
    gain = gain.drop(columns="temperature")
    gain.insert(0, "classes", runs.groupby("dataset")["n_classes"].first())
    post_hoc = mean.drop(columns="network alone")
    best = post_hoc.min(axis=1)
    focal = runs[runs["base"] == "focal"]
    focal = focal[focal["mode"].isin(["cross_fit", "all_rows"])]
    focal_mean = focal.groupby(["dataset", "calibrator"])["fresh_log_loss"].mean()
    focal_mean = focal_mean.unstack()
    versus = pd.DataFrame(
        {
            f"focal{'' if c == 'none' else '+' + c}": 100
            * (best - focal_mean[c])
            / best
            for c in focal_mean.columns
        }
    )
    versus.insert(0, "best post-hoc calibrator", post_hoc.idxmin(axis=1))
    modes = ce[ce["calibrator"].isin(["temperature", "matrix_scaling"])]
    by_mode = modes.groupby(["calibrator", "mode"])[["fresh_log_loss", "fresh_ece"]]
    per_set = modes.groupby(["dataset", "calibrator", "mode"])["fresh_log_loss"].mean()
    winner = per_set.unstack("mode").idxmin(axis=1)
    won = winner.groupby("calibrator").value_counts().rename("data sets won")
    table = by_mode.mean().join(won.rename_axis(["calibrator", "mode"])).fillna(0)
    table["data sets won"] = table["data sets won"].astype(int)

    def show(frame):
        return frame.round(3).reset_index().to_markdown(index=False, tablefmt=fmt)

    return [
        (
            "Fresh log loss of each calibrator of the cross-entropy network, in "
            "% better than temperature scaling (cross-fitted; negative: worse; "
            "mean over seeds)",
            show(gain.round(2)),
        ),
        (
            "Focal loss (gamma searched), alone or calibrated, against the best "
            "post-hoc calibrator of the cross-entropy network: fresh log loss, % "
            "better (negative: worse)",
            show(versus.round(2)),
        ),
        (
            "Calibration rows: mean fresh log loss and ECE over data sets and "
            "seeds, and the data sets on which each way had the lowest fresh "
            "log loss",
            show(table.round(4)),
        ),
        (
            "Fit seconds of each calibrator alone, 10,000 rows x 10 classes, "
            "one thread",
            speed.round(3).to_markdown(index=False, tablefmt=fmt),
        ),
    ]


def rst(out: Path) -> str:
    """The docs' tables (``--rst``)."""
    from _facts import sections

    return sections(tables(out, "rst"))


def facts(out: Path) -> str:
    """The prose's numbers (``--facts``)."""
    from _facts import series, substitutions

    runs, speed, ce, mean = _frames(out)
    gain = 100 * (mean["temperature"] - mean["matrix_scaling"]) / mean["temperature"]
    multiclass = runs.groupby("dataset")["n_classes"].first() > 2
    post_hoc = mean.drop(columns="network alone")
    focal = runs[
        (runs["base"] == "focal") & (runs["mode"].isin(["cross_fit", "all_rows"]))
    ]
    focal_best = focal.groupby(["dataset", "calibrator"])["fresh_log_loss"].mean()
    focal_best = focal_best.unstack().min(axis=1)
    focal_wins = focal_best < post_hoc.min(axis=1)
    margin = 100 * (1 - focal_best / post_hoc.min(axis=1))  # > 0: focal better

    def span(values):
        return f"{values.min():.1f} to {values.max():.1f} %"

    isotonic = 100 * (mean["isotonic"] - mean["temperature"]) / mean["temperature"]
    seconds = speed.set_index("calibrator")["fit_seconds"]
    # the calibrated fold networks (cross_fit_ensemble) against the cross-fitted
    # map on the network trained on every row, temperature scaling
    temperature = ce[ce["calibrator"] == "temperature"]
    modes = temperature.groupby(["dataset", "mode"])["fresh_log_loss"].mean().unstack()
    change = 100 * (modes["cross_fit_ensemble"] / modes["cross_fit"] - 1)
    lost = change.index[change > 0]
    # vector scaling against matrix scaling, % lower fresh log loss
    vs_over_ms = 100 * (1 - mean["vector_scaling"] / mean["matrix_scaling"])
    return substitutions(
        {
            "cal_sets": str(len(mean)),
            "cal_seeds": str(runs["seed"].nunique()),
            "cal_ms_wins": str(int((gain > 0).sum())),
            "cal_ms_wins_multiclass": f"{int((gain[multiclass] > 0).sum())} of "
            f"{int(multiclass.sum())}",
            "cal_ms_gain_max": f"{gain.max():.1f} %",
            "cal_focal_wins": str(int(focal_wins.sum())),
            "cal_focal_win_sets": ", ".join(sorted(focal_wins.index[focal_wins]))
            or "none",
            "cal_focal_wins_multiclass": f"{int(focal_wins[multiclass].sum())} of "
            f"{int(multiclass.sum())}",
            "cal_focal_gain": span(margin[focal_wins]),
            "cal_focal_loss": span(-margin[~focal_wins]),
            "cal_isotonic_worse": str(int((isotonic > 0).sum())),
            "cal_isotonic_range": f"{isotonic.min():.0f} to {isotonic.max():.0f} %",
            "cal_ms_seconds": f"{seconds['matrix_scaling']:.2f} s",
            "cal_vs_best": str(
                int((post_hoc.idxmin(axis=1) == "vector_scaling").sum())
            ),
            "cal_vs_over_ms": span(vs_over_ms),
            "cal_tsmix_worse_than_ms": str(
                int((mean["temperature_mixture"] > mean["matrix_scaling"]).sum())
            ),
            "cal_ensemble_wins": f"{int((change < 0).sum())} of {len(change)}",
            "cal_ensemble_lost": series(
                f"{d} ({change[d]:+.1f} %)" for d in sorted(lost, key=change.get)
            ),
        }
    )


def tabulate(out: Path) -> str:
    return "\n\n".join(f"{title}:\n\n{table}" for title, table in tables(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(list_datasets().index))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--max-fresh", type=int, default=10_000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--tabulate", action="store_true")
    parser.add_argument("--rst", type=Path, help="also write the docs' tables")
    parser.add_argument("--facts", type=Path, help="also write the prose's numbers")
    args = parser.parse_args()
    if not args.tabulate:
        args.out.mkdir(parents=True, exist_ok=True)
        jobs = [(d, s) for d in args.datasets for s in range(args.seeds)]
        results = Parallel(n_jobs=args.n_jobs, verbose=5)(
            delayed(run_one)(d, s, args.size, args.max_fresh) for d, s in jobs
        )
        pd.DataFrame([r for rows in results for r in rows]).to_csv(
            args.out / "calibrators_runs.csv", index=False
        )
        seconds = calibrator_seconds()
        pd.DataFrame(
            {"calibrator": list(seconds), "fit_seconds": list(seconds.values())}
        ).to_csv(args.out / "calibrators_speed.csv", index=False)
    print(tabulate(args.out))
    if args.rst:
        args.rst.write_text(rst(args.out))
    if args.facts:
        args.facts.write_text(facts(args.out))


if __name__ == "__main__":
    main()
