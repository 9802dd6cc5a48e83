"""
=============================================
Choosing gamma: accuracy, ECE and curvature
=============================================

Focal loss has one knob, gamma. A grid search with the package's scorers
reports, for every gamma, the accuracy, the calibration error and the
curvature of the loss surface on held-out folds, and
:class:`~sklearn_focal.display.GammaSweepDisplay` draws them against gamma.
"""

# %%
# A grid search with calibration and curvature scorers
# -----------------------------------------------------
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV

from sklearn_focal import FocalClassifier
from sklearn_focal.datasets import load_dataset
from sklearn_focal.display import GammaSweepDisplay
from sklearn_focal.scoring import calibration_scoring

X, y = load_dataset("digits")
X = X / 16.0

search = GridSearchCV(
    FocalClassifier(hidden_layer_sizes=(128,), max_iter=40, random_state=0),
    {"gamma": [0.0, 0.5, 1.0, 2.0, 3.0, 5.0]},
    scoring=calibration_scoring(curvature=True),
    refit="neg_ece",  # keep the best-calibrated model
    cv=3,
).fit(X, y)

# %%
# Scores are "greater is better", so errors and curvature come negated.
columns = [
    "param_gamma",
    "mean_test_accuracy",
    "mean_test_neg_ece",
    "mean_test_neg_hessian_trace",
]
print(pd.DataFrame(search.cv_results_)[columns].round(4))
print("selected gamma:", search.best_params_["gamma"])

# %%
# The sweep
# ---------
# ECE, Hessian trace and accuracy against gamma, ± one standard deviation
# over the folds; the dashed line marks the gamma of lowest ECE.
GammaSweepDisplay.from_cv_results(search)
plt.show()
