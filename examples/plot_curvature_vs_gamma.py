"""
=========================================
Curvature and calibration against gamma
=========================================

Kimura & Naganuma (2025) argue that focal loss calibrates because it flattens
the loss surface: the larger gamma, the lower the curvature at the solution,
and lower curvature goes with lower calibration error. This example runs their
experiment on tabular data: the same network is trained with
gamma in {0, 0.5, 1, 2, 3, 5} for a fixed number of epochs (no early stopping),
and for each fit we measure, on the test set,

* the expected calibration error (15 bins),
* the trace and the top eigenvalue of the Hessian of the cross-entropy with
  respect to the weights (the same loss for every gamma, so the numbers are
  comparable), with :mod:`sklearn_focal.curvature`;
* the trace of the Hessian of each network's own training loss (focal loss
  with its gamma): the curvature the paper shows falling with gamma. The
  two need not move together.

Run it on another bundled data set with
``python examples/plot_curvature_vs_gamma.py DATASET``.
"""

# %%
# Train one network per gamma and seed
# -------------------------------------
import sys

import matplotlib.pyplot as plt
import pandas as pd
from scipy.stats import spearmanr
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_focal import FocalClassifier
from sklearn_focal.compare import make_preprocessor
from sklearn_focal.curvature import hessian_top_eigenvalue, hessian_trace
from sklearn_focal.datasets import load_dataset
from sklearn_focal.display import GammaSweepDisplay
from sklearn_focal.metrics import expected_calibration_error

dataset = (
    sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "digits"
)
gammas = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0]
seeds = [0, 1, 2]
X, y = load_dataset(dataset)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

rows = []
for seed in seeds:
    for gamma in gammas:
        model = make_pipeline(
            make_preprocessor(X_train),
            FocalClassifier(
                gamma=gamma,
                max_iter=60,
                early_stopping=False,
                random_state=seed,
            ),
        ).fit(X_train, y_train)
        rows.append(
            {
                "seed": seed,
                "gamma": gamma,
                "accuracy": model.score(X_test, y_test),
                "ece": expected_calibration_error(y_test, model.predict_proba(X_test)),
                "trace": hessian_trace(model, X_test, y_test).value,
                "trace_training": hessian_trace(
                    model, X_test, y_test, loss="training"
                ).value,
                "top_eigenvalue": hessian_top_eigenvalue(
                    model, X_test, y_test, tol=1e-3, random_state=0
                ).value,
            }
        )
results = pd.DataFrame(rows)
summary = results.drop(columns="seed").groupby("gamma").agg(["mean", "std"])
print(summary.round(4).to_string())

# %%
# Does curvature fall with gamma, and does it track the calibration error?
# --------------------------------------------------------------------------
# Spearman rank correlations over all fits (gamma x seed).
for a, b in [
    ("gamma", "trace"),
    ("gamma", "trace_training"),
    ("gamma", "top_eigenvalue"),
    ("trace", "ece"),
    ("top_eigenvalue", "ece"),
]:
    rho, p_value = spearmanr(results[a], results[b])
    print(f"Spearman({a}, {b}) = {rho:+.2f}  (p = {p_value:.2g})")

# %%
# The figure: ECE, both curvatures and accuracy against gamma (± 1 std)
# -----------------------------------------------------------------------
columns = {  # the metric names of sklearn_focal.metrics.METRICS
    "ece": "ece",
    "hessian_trace": "trace",
    "training_hessian_trace": "trace_training",
    "accuracy": "accuracy",
}
display = GammaSweepDisplay.from_results(
    gammas,
    {name: summary[(column, "mean")] for name, column in columns.items()},
    {name: summary[(column, "std")] for name, column in columns.items()},
)
display.figure_.suptitle(f"{dataset}: {len(seeds)} seeds per gamma", fontsize="medium")
display.figure_.tight_layout()
plt.show()
