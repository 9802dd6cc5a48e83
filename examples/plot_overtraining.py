"""
=======================================================
Over-training: where focal loss earns its keep
=======================================================

The papers behind focal-loss calibration (Mukhoti et al. 2020; Ghosh et al.
2022, AdaFocal) train networks long past the point where their training
loss is small. Cross-entropy then keeps pushing the probabilities of the
training rows towards 0 and 1, and the network turns over-confident on new
data. Focal loss stops rewarding that push once a row is fitted.

The package's default recipe stops early, on the validation log loss, and
its networks are then rarely over-confident (see the user guide's science
section). This example trains a network on 2,000 rows of the ``churn`` data
in both regimes:

* **early stopping**: the default recipe;
* **over-training**: 100 epochs, no early stopping, no dropout, no weight
  decay (cross-entropy's training loss ends close to 0).

For each network: the test ECE, and the Hessian trace of the
cross-entropy and of the training loss at the fitted weights (the two
curvatures can disagree, see :mod:`sklearn_focal.scoring`). Runs in well
under a minute on a laptop CPU.
"""

# %%
# Train the networks
# ------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.compare import make_preprocessor
from sklearn_focal.curvature import hessian_trace
from sklearn_focal.datasets import load_dataset
from sklearn_focal.display import CalibrationComparisonDisplay
from sklearn_focal.metrics import expected_calibration_error

X, y = load_dataset("churn")
X, _, y, _ = train_test_split(X, y, train_size=2000, stratify=y, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
preprocessor = make_preprocessor(X_train).fit(X_train)
X_train = preprocessor.transform(X_train).astype(np.float32)
X_test = preprocessor.transform(X_test).astype(np.float32)

over_training = {
    "early_stopping": False,
    "max_iter": 100,
    "dropout": 0.0,
    "weight_decay": 0.0,
}
models = {
    "cross-entropy, early stopping": FocalClassifier(gamma=0),
    "cross-entropy, over-trained": FocalClassifier(gamma=0, **over_training),
    "focal gamma=2, over-trained": FocalClassifier(gamma=2, **over_training),
    "FLSD-53, over-trained": FocalClassifier(loss="focal_sd53", **over_training),
    "AdaFocal, over-trained": AdaFocalClassifier(**over_training),
}
rows = []
for name, model in models.items():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The validation split has")
        model.set_params(random_state=0).fit(X_train, y_train)
    rows.append(
        {
            "model": name,
            "epochs": model.n_iter_,
            "accuracy": model.score(X_test, y_test),
            "ECE": expected_calibration_error(y_test, model.predict_proba(X_test)),
            "trace (cross-entropy)": hessian_trace(model, X_test, y_test).value,
            "trace (training loss)": hessian_trace(
                model, X_test, y_test, loss="training"
            ).value,
        }
    )
print(pd.DataFrame(rows).set_index("model").round(3).to_string())

# %%
# Over-trained cross-entropy is over-confident; focal losses pull it back
# -------------------------------------------------------------------------
# Reliability diagrams on the test part: bars below the diagonal are
# over-confident bins.
display = CalibrationComparisonDisplay.from_estimators(models, X_test, y_test)
display.figure_.tight_layout()
plt.show()
