"""The wheel a stranger installs: its licence, its type marker, and the
package working outside the repository."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_carries_its_licence_and_works_outside_the_repository(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("sklearn_focal-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sklearn_focal/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))
    )
    assert b"License-Expression: BSD-3-Clause" in metadata
    assert b"Programming Language :: Python :: 3.11" in metadata
    # installed alone into a folder outside the repository (its dependencies
    # are this environment's), and run from another folder
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "-t", site, wheel],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "MPLBACKEND": "Agg"}

    def run(*args):
        done = subprocess.run(
            [sys.executable, *args], cwd=work, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    where = run("-c", "import sklearn_focal; print(sklearn_focal.__file__)")
    assert where.startswith(str(site)), where
    run(
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
    )
    card = json.loads((work / "model.json").read_text())
    loaded = run(
        "-c",
        "import joblib; from sklearn.datasets import load_wine; "
        "X, y = load_wine(return_X_y=True, as_frame=True); "
        "model = joblib.load('model.joblib'); "
        "print(model.classes_.tolist(), (model.predict(X.to_numpy()) == y).mean())",
    )
    classes, accuracy = loaded.rsplit(maxsplit=1)
    assert json.loads(classes) == card["classes"] == [0, 1, 2]
    assert float(accuracy) > 0.8
