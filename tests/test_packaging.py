"""The wheel a stranger installs: its licence and type marker, and the
README's blocks run as written from it, outside the repository."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _readme_blocks():
    """(line, code) of every Python block of the README."""
    readme = (ROOT / "README.md").read_text()
    return [
        (
            readme[: match.start()].count("\n") + 1,
            re.sub(r"(?m)^  ", "", match.group(1)),  # blocks inside a list
        )
        for match in re.finditer(r"```python\n(.*?)```", readme, re.S)
    ]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built from this checkout."""
    folder = tmp_path_factory.mktemp("wheels")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", folder, ROOT],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (path,) = folder.glob("sklearn_focal-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A run(*args, cwd) in which ``import sklearn_focal`` is the wheel's,
    installed alone into a folder outside the repository (its dependencies
    are this environment's)."""
    site = tmp_path_factory.mktemp("site")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "-t", site, wheel],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(site), "MPLBACKEND": "Agg"}

    def run(*args, cwd):
        done = subprocess.run(
            [sys.executable, *map(str, args)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    where = run("-c", "import sklearn_focal; print(sklearn_focal.__file__)", cwd=site)
    assert where.startswith(str(site)), where
    return run


def test_the_wheel_carries_its_licence_and_type_marker(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "sklearn_focal/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))
    )
    assert b"License-Expression: BSD-3-Clause" in metadata
    assert b"Programming Language :: Python :: 3.11" in metadata


@pytest.mark.parametrize(
    "line, code", _readme_blocks(), ids=[f"README.md:{n}" for n, _ in _readme_blocks()]
)
def test_readme_blocks_run_as_written_from_the_wheel(installed, line, code, tmp_path):
    """As a user pastes it: unmodified, a script in a fresh process, in an
    empty folder; the block that loads the model of ``make demo`` finds the
    one the same command saves (on one method and one repeat)."""
    if "joblib.load" in code:
        installed(
            "-m",
            "sklearn_focal",
            "compare",
            "--dataset",
            "digits",
            "--quick",
            "--repeats",
            "1",
            "--methods",
            "logistic_regression",
            "--reference",
            "logistic_regression",
            "--out",
            "results/digits",
            "--save-model",
            "results/digits-model.joblib",
            cwd=tmp_path,
        )
    (tmp_path / "snippet.py").write_text(code)
    installed("snippet.py", cwd=tmp_path)


def test_a_saved_model_from_the_wheel_takes_numpy_rows(installed, tmp_path):
    installed(
        "-m",
        "sklearn_focal",
        "compare",
        "--dataset",
        "wine",
        "--quick",
        "--repeats",
        "1",
        "--methods",
        "cross_entropy",
        "logistic_regression",
        "--out",
        "report",
        "--save-model",
        "model.joblib",
        cwd=tmp_path,
    )
    card = json.loads((tmp_path / "model.json").read_text())
    loaded = installed(
        "-c",
        "import joblib; from sklearn.datasets import load_wine; "
        "X, y = load_wine(return_X_y=True, as_frame=True); "
        "model = joblib.load('model.joblib'); "
        "print(model.classes_.tolist(), (model.predict(X.to_numpy()) == y).mean())",
        cwd=tmp_path,
    )
    classes, accuracy = loaded.rsplit(maxsplit=1)
    assert json.loads(classes) == card["classes"] == [0, 1, 2]
    assert float(accuracy) > 0.8
