"""The sklearn-focal command line."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sklearn_focal.cli import main

pytest.importorskip("matplotlib")


def test_datasets_lists_the_bundled_sets(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("digits", "wine", "churn", "diamonds"):
        assert name in out


def test_compare_writes_table_and_figures(tmp_path, capsys):
    out = tmp_path / "wine"
    status = main(
        [
            "compare",
            "--dataset",
            "wine",
            "--quick",
            "--out",
            str(out),
            "--methods",
            "cross_entropy",
            "focal",
            "temperature",
            "--seed",
            "1",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out / "results.csv", index_col=0)
    assert table.index.tolist() == ["cross_entropy", "focal", "temperature"]
    assert (out / "results.md").read_text().splitlines()[0].startswith("| method")
    assert (out / "results.md").read_text() in printed
    for figure in ("reliability.png", "gamma_sweep.png"):
        assert (out / figure).stat().st_size > 10_000


def test_compare_on_a_csv(tmp_path, capsys):
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    frame["target"] = frame["target"].map({0: "a", 1: "b", 2: "c"})
    csv = tmp_path / "wine.csv"
    frame.to_csv(csv, index=False)
    status = main(
        [
            "compare",
            "--csv",
            str(csv),
            "--target",
            "target",
            "--quick",
            "--out",
            str(tmp_path / "res"),
            "--methods",
            "cross_entropy",
        ]
    )
    assert status == 0
    assert pd.read_csv(tmp_path / "res" / "results.csv").shape[0] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "iris"], "Unknown data set 'iris'"),
        (["--csv", "{missing}"], "--csv needs --target"),
        (["--csv", "{missing}", "--target", "y"], "cannot read"),
        (["--csv", "{garbage}", "--target", "y"], "cannot read"),
        (["--csv", "{good}", "--target", "label"], "has no column 'label'"),
        (["--dataset", "wine", "--target", "x"], "--target is only for --csv"),
    ],
)
def test_bad_input_is_one_line_on_stderr(tmp_path, capsys, args, message):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\xff\xfe\x00\x01" * 100)
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n3,4\n")
    args = [
        a.format(missing=tmp_path / "nope.csv", garbage=garbage, good=good)
        for a in args
    ]
    status = main(["compare", *args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("sklearn-focal: error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_module_and_console_script_entry_points():
    run = subprocess.run(
        [sys.executable, "-m", "sklearn_focal", "datasets"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and "breast_cancer" in run.stdout
    # pip installs the console script beside the interpreter
    script = Path(sys.executable).parent / "sklearn-focal"
    if not script.exists():
        script = shutil.which("sklearn-focal")
    if script is None:
        pytest.skip("package not installed with its console script")
    run = subprocess.run(
        [script, "compare", "--dataset", "nope", "--out", "x"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
