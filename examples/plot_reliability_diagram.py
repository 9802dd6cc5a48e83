"""
=====================================
Reliability diagrams for multiclass
=====================================

scikit-learn's :class:`~sklearn.calibration.CalibrationDisplay` draws the
reliability curve of a *binary* classifier.
:class:`~sklearn_focal.display.ReliabilityDisplay` draws it for any number of
classes: the *top-label*
diagram bins the probability of the predicted class and compares it with the
accuracy in each bin; the *classwise* diagram does the same for every class's
probability.

We train the same network with cross-entropy and with focal loss on the
handwritten digits and compare their calibration on held-out data.
"""

# %%
# Two networks, one data set
# --------------------------
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from sklearn_focal import FocalClassifier
from sklearn_focal.datasets import load_dataset
from sklearn_focal.display import CalibrationComparisonDisplay, ReliabilityDisplay

X, y = load_dataset("digits")
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

recipe = dict(max_iter=60, early_stopping=False, random_state=0)
cross_entropy = FocalClassifier(gamma=0.0, **recipe).fit(X_train, y_train)
focal = FocalClassifier(gamma=2.0, **recipe).fit(X_train, y_train)

# %%
# Top-label reliability diagram
# -----------------------------
# Bars show the accuracy per confidence bin, hatched bars the gap to the mean
# confidence; the legend gives the ECE, and the panel below how the
# confidences are distributed. Call ``plot`` (or ``from_estimator``) again on
# the same axes to add a model.
display = ReliabilityDisplay.from_estimator(
    cross_entropy, X_test, y_test, name="cross-entropy"
)
ReliabilityDisplay.from_estimator(
    focal, X_test, y_test, name="focal, gamma=2", ax=display.ax_, show_gaps=False
)
plt.show()

# %%
# Classwise reliability diagram
# -----------------------------
# One faint curve per class; the bold curve pools all classes.
ReliabilityDisplay.from_estimator(focal, X_test, y_test, kind="classwise", n_bins=10)
plt.show()

# %%
# Side by side
# ------------
# The comparison report of ``sklearn-focal compare`` uses this layout.
CalibrationComparisonDisplay.from_estimators(
    {"cross-entropy": cross_entropy, "focal, gamma=2": focal}, X_test, y_test
)
plt.show()
