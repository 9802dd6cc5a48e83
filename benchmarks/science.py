"""The papers' claims on the bundled data sets, in two training regimes.

Kimura & Naganuma (2025): focal loss lowers the curvature of the loss
surface, and lower curvature goes with better calibration. Mukhoti et al.
(2020) and Ghosh et al. (2022, AdaFocal): focal loss (FLSD-53, AdaFocal)
calibrates networks that cross-entropy leaves over-confident. Which
curvature falls, and in which regime does focal loss pay?

For every bundled data set (subsampled, stratified, to ``--max-samples``
rows), 5 seeds (a new stratified 75/25 split and new network seeds each),
networks with gamma in {0, 0.5, 1, 2, 3, 5}, FLSD-53 and AdaFocal, in two
regimes:

* ``early_stopping``: the package's default recipe (early stopping on the
  validation log loss, dropout 0.1, weight decay 1e-4, at most 100 epochs);
* ``over_training``: no early stopping, no dropout, no weight decay,
  ``--epochs`` epochs (cross-entropy's training loss ends close to 0; the
  tables report it).

On the test part: accuracy, ECE, smooth ECE, log loss; the Hessian trace of
the cross-entropy and of the training loss, and the top eigenvalue of the
training loss. Per seed, the Spearman correlation over the six gammas of
gamma with each curvature, and of each curvature with the ECE; mean ± std
over seeds.

Writes ``science_runs.csv`` to ``--out``, prints one table per regime and a
summary, and with ``--rst`` / ``--figures`` writes the docs' tables and
gamma-sweep figures (``GammaSweepDisplay``) of ``--figure-dataset``.

    python benchmarks/science.py [--datasets ...] [--seeds 5] [--n-jobs 2]
    python benchmarks/science.py --tabulate [--rst docs/science_tables.rst]
        [--facts docs/science_facts.rst] [--figures docs/_static]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.stats import spearmanr
from sklearn.model_selection import train_test_split

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.compare import make_preprocessor
from sklearn_focal.curvature import hessian_top_eigenvalue, hessian_trace
from sklearn_focal.datasets import list_datasets, load_dataset
from sklearn_focal.metrics import (
    expected_calibration_error,
    log_loss,
    smooth_calibration_error,
)

GAMMAS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)
REGIMES = {
    "early_stopping": {},
    "over_training": {"early_stopping": False, "dropout": 0.0, "weight_decay": 0.0},
}


def _models(regime, epochs, seed):
    params = {"random_state": seed, **REGIMES[regime]}
    if regime == "over_training":
        params["max_iter"] = epochs
    models = {f"gamma={g:g}": FocalClassifier(gamma=g, **params) for g in GAMMAS}
    models["focal_sd53"] = FocalClassifier(loss="focal_sd53", **params)
    models["adafocal"] = AdaFocalClassifier(**params)
    return models


def _job(dataset, X, y, seed, regime, epochs):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    preprocessor = make_preprocessor(X_train).fit(X_train)
    X_train = preprocessor.transform(X_train).astype(np.float32)
    X_test = preprocessor.transform(X_test).astype(np.float32)
    rows = []
    for name, model in _models(regime, epochs, seed).items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            # on small sets AdaFocal uses fewer bins (n_bins_)
            warnings.filterwarnings("ignore", "The validation split has")
            model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        proba = model.predict_proba(X_test)
        # the cross-entropy on the training part, whatever the training loss
        train_nll = log_loss(y_train, model.predict_proba(X_train))
        rows.append(
            {
                "dataset": dataset,
                "regime": regime,
                "seed": seed,
                "model": name,
                "gamma": float(name.split("=")[1]) if "=" in name else np.nan,
                "epochs": model.n_iter_,
                "train_nll": train_nll,
                "accuracy": float(np.mean(model.predict(X_test) == y_test)),
                "ece": expected_calibration_error(y_test, proba),
                "smooth_ece": smooth_calibration_error(y_test, proba),
                "log_loss": log_loss(y_test, proba),
                "trace_ce": hessian_trace(model, X_test, y_test).value,
                "trace_training": hessian_trace(
                    model, X_test, y_test, loss="training"
                ).value,
                "top_eigenvalue_training": hessian_top_eigenvalue(
                    model, X_test, y_test, loss="training", random_state=0, tol=1e-2
                ).value,
                "fit_seconds": seconds,
            }
        )
    return rows


def run(args):
    jobs = []
    for dataset in args.datasets:
        X, y = load_dataset(dataset)
        y = np.asarray(y)
        if len(y) > args.max_samples:
            X, _, y, _ = train_test_split(
                X, y, train_size=args.max_samples, stratify=y, random_state=0
            )
        for seed in range(args.seeds):
            for regime in REGIMES:
                jobs.append(delayed(_job)(dataset, X, y, seed, regime, args.epochs))
    rows = []
    outputs = Parallel(n_jobs=args.n_jobs, return_as="generator")(jobs)
    for done, output in enumerate(outputs, 1):
        rows += output
        print(f"{done}/{len(jobs)} jobs", file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def _spearman(frame, x, y):
    """Spearman correlation of x and y over the gammas, per seed: mean, std."""
    values = []
    for _, group in frame.groupby("seed"):
        rho = spearmanr(group[x], group[y]).statistic
        values.append(rho)
    values = np.asarray(values, dtype=float)
    return np.nanmean(values), np.nanstd(values, ddof=1) if len(values) > 1 else 0.0


def _fmt(mean, std, digits=2):
    return f"{mean:+.{digits}f} ± {std:.{digits}f}"


def regime_table(runs, regime, fmt="pipe"):
    """Per data set: ECE of gamma = 0, of the best fixed gamma, FLSD-53 and
    AdaFocal; Spearman correlations over the gammas."""
    rows = []
    part = runs[runs["regime"] == regime]
    for dataset, frame in part.groupby("dataset", sort=False):
        fixed = frame[frame["gamma"].notna()]
        ece = fixed.groupby("gamma")["ece"].mean()
        best = ece.idxmin()
        mean = frame.groupby("model")["ece"].mean()
        ce_train = frame[frame["model"] == "gamma=0"]["train_nll"].mean()
        rows.append(
            {
                "dataset": dataset,
                "CE train NLL": f"{ce_train:.3f}",
                "ECE gamma=0": f"{ece[0.0]:.3f}",
                "best gamma": f"{best:g}",
                "ECE best gamma": f"{ece[best]:.3f}",
                "ECE FLSD-53": f"{mean['focal_sd53']:.3f}",
                "ECE AdaFocal": f"{mean['adafocal']:.3f}",
                "rho(gamma, tr CE)": _fmt(*_spearman(fixed, "gamma", "trace_ce")),
                "rho(gamma, tr train)": _fmt(
                    *_spearman(fixed, "gamma", "trace_training")
                ),
                "rho(gamma, top-eig train)": _fmt(
                    *_spearman(fixed, "gamma", "top_eigenvalue_training")
                ),
                "rho(tr CE, ECE)": _fmt(*_spearman(fixed, "trace_ce", "ece")),
                "rho(tr train, ECE)": _fmt(*_spearman(fixed, "trace_training", "ece")),
            }
        )
    return pd.DataFrame(rows).to_markdown(index=False, tablefmt=fmt)


def summary_table(runs, fmt="pipe"):
    """Per regime, over data sets: how often each claim holds."""
    rows = []
    for regime, part in runs.groupby("regime", sort=False):
        counts = {
            "training-loss trace falls with gamma": 0,
            "training-loss top eigenvalue falls with gamma": 0,
            "cross-entropy trace falls with gamma": 0,
            "ECE lowest at gamma = 0": 0,
            "some gamma > 0 beats gamma = 0 in ECE by > 0.01": 0,
            "FLSD-53 beats gamma = 0 in ECE": 0,
            "AdaFocal beats the best fixed gamma in ECE": 0,
        }
        datasets = list(dict.fromkeys(part["dataset"]))
        for _, frame in part.groupby("dataset", sort=False):
            fixed = frame[frame["gamma"].notna()]
            ece = fixed.groupby("gamma")["ece"].mean()
            mean = frame.groupby("model")["ece"].mean()
            counts["training-loss trace falls with gamma"] += (
                _spearman(fixed, "gamma", "trace_training")[0] < 0
            )
            counts["training-loss top eigenvalue falls with gamma"] += (
                _spearman(fixed, "gamma", "top_eigenvalue_training")[0] < 0
            )
            counts["cross-entropy trace falls with gamma"] += (
                _spearman(fixed, "gamma", "trace_ce")[0] < 0
            )
            counts["ECE lowest at gamma = 0"] += ece.idxmin() == 0.0
            counts["some gamma > 0 beats gamma = 0 in ECE by > 0.01"] += (
                ece.drop(0.0).min() < ece[0.0] - 0.01
            )
            counts["FLSD-53 beats gamma = 0 in ECE"] += mean["focal_sd53"] < ece[0.0]
            counts["AdaFocal beats the best fixed gamma in ECE"] += (
                mean["adafocal"] < ece.min()
            )
        rows.append(
            {"regime": regime}
            | {k: f"{int(v)} of {len(datasets)}" for k, v in counts.items()}
        )
    return pd.DataFrame(rows).set_index("regime").T.to_markdown(tablefmt=fmt)


def _per_dataset(runs, regime):
    """Per data set of a regime: the numbers the prose cites."""
    rows = {}
    for dataset, frame in runs[runs["regime"] == regime].groupby("dataset", sort=False):
        fixed = frame[frame["gamma"].notna()]
        ece = fixed.groupby("gamma")["ece"].mean()
        mean = frame.groupby("model")["ece"].mean()
        rows[dataset] = {
            "train_nll": frame[frame["model"] == "gamma=0"]["train_nll"].mean(),
            "ece0": ece[0.0],
            "best_gamma": ece.idxmin(),
            "best_ece": ece.min(),
            "best_positive_ece": ece.drop(0.0).min(),
            "sd53": mean["focal_sd53"],
            "ada": mean["adafocal"],
            "rho_trace": _spearman(fixed, "gamma", "trace_training")[0],
            "rho_eig": _spearman(fixed, "gamma", "top_eigenvalue_training")[0],
            "rho_trace_ce": _spearman(fixed, "gamma", "trace_ce")[0],
            "rho_trace_ece": _spearman(fixed, "trace_training", "ece")[0],
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def facts(runs):
    """The numbers of docs/science.rst, as substitutions (see ``_facts``)."""
    from _facts import count, series, signed

    over, early = (
        _per_dataset(runs, "over_training"),
        _per_dataset(runs, "early_stopping"),
    )
    n = len(over)
    memorised = over["train_nll"] < 0.01
    helped = over[over["best_positive_ece"] < over["ece0"] - 0.01]
    tracks = over[(over["rho_trace"] < 0) & (over["rho_trace_ece"] > 0.5)]
    opposite = over[(over["rho_trace"] < 0) & (over["rho_trace_ece"] < -0.5)]
    falls = {
        name: frame["rho_trace"] < 0
        for name, frame in (("over", over), ("early", early))
    }
    ada_helped = over[over["ada"] < over["ece0"] - 0.01]
    return {
        "seeds": str(runs["seed"].nunique()),
        "fit_minutes": f"{runs['fit_seconds'].sum() / 60:.0f}",
        "memorised": count(int(memorised.sum()), n),
        "not_memorised": series(over.index[~memorised]),
        "over_trace_falls": count(int(falls["over"].sum()), n),
        "over_trace_rho": (
            f"{signed(over['rho_trace'].max())} to {signed(over['rho_trace'].min())}"
        ),
        "over_eig_falls": count(int((over["rho_eig"] < 0).sum()), n),
        "over_eig_rho": (
            f"{signed(over['rho_eig'].max())} to {signed(over['rho_eig'].min())}"
        ),
        "early_trace_falls": count(int(falls["early"].sum()), n),
        "early_eig_falls": count(int((early["rho_eig"] < 0).sum()), n),
        "over_helped_ce": series(f"{v:.3f} ({d})" for d, v in helped["ece0"].items()),
        "over_helped_best": series(f"{v:.3f}" for v in helped["best_ece"]),
        "over_helped": count(len(helped), n),
        "over_sd53_beats": count(int((over["sd53"] < over["ece0"]).sum()), n),
        "tracks": series(tracks.index),
        "tracks_rho": (
            f"{signed(tracks['rho_trace_ece'].min())} to "
            f"{signed(tracks['rho_trace_ece'].max())}"
        ),
        "over_ce_trace_falls": count(int((over["rho_trace_ce"] < 0).sum()), n),
        "early_ce_trace_falls": count(int((early["rho_trace_ce"] < 0).sum()), n),
        "early_ce_trace_rises": count(int((early["rho_trace_ce"] > 0).sum()), n),
        "early_ce_trace_max": signed(early["rho_trace_ce"].max()),
        "early_ece_range": f"{early['ece0'].min():.3f} to {early['ece0'].max():.3f}",
        "early_best_gain": f"{(early['ece0'] - early['best_ece']).max():.3f}",
        "early_sd53_beats": count(int((early["sd53"] < early["ece0"]).sum()), n),
        "early_lowest_at_0": count(int((early["best_gamma"] == 0).sum()), n),
        "early_rho_trace_ece": (
            f"{signed(early['rho_trace_ece'].min())} to "
            f"{signed(early['rho_trace_ece'].max())}"
        ),
        "opposite": series(opposite.index),
        "opposite_rho": series(signed(v) for v in opposite["rho_trace_ece"]),
        "early_ada_beats": count(int((early["ada"] < early["best_ece"]).sum()), n),
        "over_ada_beats": count(int((over["ada"] < over["best_ece"]).sum()), n),
        "over_ada_helped": count(len(ada_helped), n),
        "over_ada_vs_best": series(
            f"{d} {row['ada']:.3f} against {row['best_ece']:.3f}"
            for d, row in ada_helped.iterrows()
        ),
        "over_edge": count(int((over["best_gamma"] == max(GAMMAS)).sum()), n),
    }


def tables(runs):
    """(title, function of the table format) for every table."""
    return [
        (f"regime: {regime}", lambda fmt, r=regime: regime_table(runs, r, fmt))
        for regime in REGIMES
    ] + [("summary", lambda fmt: summary_table(runs, fmt))]


def rst(runs) -> str:
    """The docs' tables (``--rst``)."""
    from _facts import sections

    return sections((title, table("rst")) for title, table in tables(runs))


def figures(runs, dataset, folder):
    """Gamma sweeps of ``dataset`` in both regimes, with the package's display."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_focal.display import GammaSweepDisplay

    written = []
    for regime, part in runs[runs["dataset"] == dataset].groupby("regime"):
        fixed = part[part["gamma"].notna()].groupby("gamma")
        mean, std = fixed.mean(numeric_only=True), fixed.std(numeric_only=True)
        columns = {  # the metric names of sklearn_focal.metrics.METRICS
            "ece": "ece",
            "hessian_trace": "trace_ce",
            "training_hessian_trace": "trace_training",
            "accuracy": "accuracy",
        }
        display = GammaSweepDisplay.from_results(
            mean.index,
            {name: mean[column] for name, column in columns.items()},
            {name: std[column] for name, column in columns.items()},
        )
        display.figure_.tight_layout()
        display.figure_.suptitle(
            f"{dataset}, {regime.replace('_', ' ')} (mean ± std over seeds)",
            y=1.03,
        )
        path = Path(folder) / f"science_{regime}.png"
        display.figure_.savefig(path, dpi=100, bbox_inches="tight")
        written.append(path)
    plt.close("all")
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(list_datasets().index))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-samples", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--tabulate", action="store_true", help="run nothing")
    parser.add_argument("--rst", help="also write the tables, in reStructuredText")
    parser.add_argument(
        "--facts", help="also write the prose's numbers (substitutions) here"
    )
    parser.add_argument("--figures", help="folder for the gamma-sweep figures")
    parser.add_argument("--figure-dataset", default="churn")
    args = parser.parse_args()

    path = Path(args.out) / "science_runs.csv"
    if args.tabulate:
        runs = pd.read_csv(path)
    else:
        start = time.perf_counter()
        runs = run(args)
        path.parent.mkdir(parents=True, exist_ok=True)
        runs.to_csv(path, index=False)
        print(f"total: {time.perf_counter() - start:.0f} s\n")
    for title, table in tables(runs):
        print(f"{title}\n\n{table('pipe')}\n")
    if args.rst:
        Path(args.rst).write_text(rst(runs))
    if args.facts:
        from _facts import write

        write(args.facts, facts(runs))
    if args.figures:
        for written in figures(runs, args.figure_dataset, args.figures):
            print(f"wrote {written}")


if __name__ == "__main__":
    main()
