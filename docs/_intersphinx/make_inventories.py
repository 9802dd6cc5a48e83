"""Write the small intersphinx inventories the docs cite, for offline builds.

The docs build without network access, so intersphinx cannot download the
projects' ``objects.inv``. This script writes one small inventory per
project, holding exactly the objects the docs link to, with their real
addresses; ``docs/conf.py`` points intersphinx at these files. A link to
an object missing here is a warning in the nitpicky build (``make docs``
and CI run ``sphinx-build -n -W``): add the object below and run

    python docs/_intersphinx/make_inventories.py
"""

import zlib
from pathlib import Path

#: project -> (base address, version, [(name, domain:role, address), ...]);
#: an address ending in "#" gets the object's name appended.
PROJECTS = {
    "python": (
        "https://docs.python.org/3/",
        "3",
        [
            *(
                (name, "py:class", "library/functions.html#")
                for name in ("float", "int", "str", "bool", "dict", "list", "tuple")
            ),
            ("callable", "py:function", "library/functions.html#"),
            ("KeyboardInterrupt", "py:exception", "library/exceptions.html#"),
            ("ValueError", "py:exception", "library/exceptions.html#"),
            ("TypeError", "py:exception", "library/exceptions.html#"),
            ("FutureWarning", "py:exception", "library/exceptions.html#"),
            (
                "collections.abc.Callable",
                "py:class",
                "library/collections.abc.html#",
            ),
            (
                "collections.abc.Sequence",
                "py:class",
                "library/collections.abc.html#",
            ),
            ("UserWarning", "py:exception", "library/exceptions.html#"),
        ],
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        "2",
        [
            ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#"),
            # the abbreviation of type hints
            (
                "np.ndarray",
                "py:class",
                "reference/generated/numpy.ndarray.html#numpy.ndarray",
            ),
        ],
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        "1",
        [
            (
                "scipy.sparse.linalg.eigsh",
                "py:function",
                "reference/generated/scipy.sparse.linalg.eigsh.html#",
            ),
        ],
    ),
    "pandas": (
        "https://pandas.pydata.org/docs/",
        "2",
        [
            ("pandas.DataFrame", "py:class", "reference/api/pandas.DataFrame.html#"),
            ("pandas.Series", "py:class", "reference/api/pandas.Series.html#"),
        ],
    ),
    "sklearn": (
        "https://scikit-learn.org/stable/",
        "1.8",
        [
            *(
                (
                    f"sklearn.{name}",
                    "py:class",
                    f"modules/generated/sklearn.{name}.html#",
                )
                for name in (
                    "neural_network.MLPClassifier",
                    "calibration.CalibratedClassifierCV",
                    "calibration.CalibrationDisplay",
                    "model_selection.GridSearchCV",
                    "model_selection.RandomizedSearchCV",
                    "model_selection.StratifiedKFold",
                    "model_selection.StratifiedShuffleSplit",
                    "ensemble.HistGradientBoostingClassifier",
                    "linear_model.LogisticRegression",
                    "pipeline.Pipeline",
                    "compose.ColumnTransformer",
                    "preprocessing.OneHotEncoder",
                    "preprocessing.StandardScaler",
                    "impute.SimpleImputer",
                    "frozen.FrozenEstimator",
                    "exceptions.DataConversionWarning",
                )
            ),
            *(
                (
                    f"sklearn.{name}",
                    "py:function",
                    f"modules/generated/sklearn.{name}.html#",
                )
                for name in (
                    "metrics.make_scorer",
                    "metrics.get_scorer",
                    "metrics.log_loss",
                    "metrics.accuracy_score",
                    "metrics.balanced_accuracy_score",
                    "metrics.average_precision_score",
                    "metrics.roc_auc_score",
                    "metrics.brier_score_loss",
                    "model_selection.cross_validate",
                    "utils.estimator_checks.parametrize_with_checks",
                )
            ),
            # a label that scikit-learn's own docstrings cite (ClassifierMixin.score)
            (
                "accuracy_score",
                "std:label",
                "modules/model_evaluation.html#accuracy-score",
            ),
        ],
    ),
    "torch": (
        "https://docs.pytorch.org/docs/stable/",
        "2",
        [
            ("torch.nn.Module", "py:class", "generated/torch.nn.Module.html#"),
            ("torch.device", "py:class", "tensor_attributes.html#"),
            ("torch.dtype", "py:class", "tensor_attributes.html#"),
            ("torch.Tensor", "py:class", "tensors.html#"),
            ("torch.nn.functional", "py:module", "nn.functional.html#module-"),
            (
                "torch.nn.functional.log_softmax",
                "py:function",
                "generated/torch.nn.functional.log_softmax.html#",
            ),
            (
                "torch.set_num_threads",
                "py:function",
                "generated/torch.set_num_threads.html#",
            ),
            (
                "torch.get_num_threads",
                "py:function",
                "generated/torch.get_num_threads.html#",
            ),
        ],
    ),
    "skorch": (
        "https://skorch.readthedocs.io/en/stable/",
        "1.2",
        [
            (
                "skorch.NeuralNetClassifier",
                "py:class",
                "classifier.html#skorch.classifier.NeuralNetClassifier",
            ),
            ("skorch.classifier.NeuralNetClassifier", "py:class", "classifier.html#"),
            ("skorch.callbacks.Callback", "py:class", "callbacks.html#"),
            ("skorch.callbacks.EarlyStopping", "py:class", "callbacks.html#"),
            ("skorch.History", "py:class", "history.html#skorch.history.History"),
            ("skorch.history.History", "py:class", "history.html#"),
        ],
    ),
    "matplotlib": (
        "https://matplotlib.org/stable/",
        "3",
        [
            (
                "matplotlib.axes.Axes",
                "py:class",
                "api/_as_gen/matplotlib.axes.Axes.html#",
            ),
            (
                "matplotlib.figure.Figure",
                "py:class",
                "api/_as_gen/matplotlib.figure.Figure.html#",
            ),
            (
                "matplotlib.lines.Line2D",
                "py:class",
                "api/_as_gen/matplotlib.lines.Line2D.html#",
            ),
            (
                "matplotlib.container.BarContainer",
                "py:class",
                "api/container_api.html#",
            ),
            (
                "matplotlib.container.ErrorbarContainer",
                "py:class",
                "api/container_api.html#",
            ),
            (
                "matplotlib.pyplot.plot",
                "py:function",
                "api/_as_gen/matplotlib.pyplot.plot.html#",
            ),
            (
                "matplotlib.pyplot.errorbar",
                "py:function",
                "api/_as_gen/matplotlib.pyplot.errorbar.html#",
            ),
        ],
    ),
}


def inventory(project, version, objects) -> bytes:
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = "".join(
        f"{name} {role} 1 {address + name if address.endswith('#') else address} -\n"
        for name, role, address in sorted(objects)
    )
    return header.encode() + zlib.compress(lines.encode())


def main():
    folder = Path(__file__).parent
    for project, (_, version, objects) in PROJECTS.items():
        (folder / f"{project}.inv").write_bytes(inventory(project, version, objects))


if __name__ == "__main__":
    main()
