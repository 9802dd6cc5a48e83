"""The sklearn-focal command line."""

import json
import shutil
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_focal.cli import main

pytest.importorskip("matplotlib")


def test_datasets_lists_the_bundled_sets(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("digits", "wine", "churn", "diamonds"):
        assert name in out


@pytest.mark.slow
def test_compare_writes_the_report_and_figures(tmp_path, capsys):
    out = tmp_path / "wine"
    status = main(
        [
            "compare",
            "--dataset",
            "wine",
            "--quick",
            "--repeats",
            "2",
            "--out",
            str(out),
            "--methods",
            "cross_entropy",
            "focal",
            "temperature",
            "--seed",
            "1",
            "--save-model",
            str(tmp_path / "model.joblib"),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    runs = pd.read_csv(out / "results.csv")
    assert runs["method"].tolist() == ["cross_entropy", "focal", "temperature"] * 2
    summary = pd.read_csv(out / "summary.csv", index_col=0)
    assert {"ece", "ece_ci_low", "ece_ci_high"} <= set(summary.columns)
    paired = pd.read_csv(out / "paired.csv", index_col=0)
    assert paired.index.tolist() == ["focal", "temperature"]
    report = (out / "results.md").read_text()
    assert report.startswith("# Calibration comparison: wine")
    assert "2 repeats" in report and "random_state=1" in report
    assert "## Recommendation" in report and report in printed
    for figure in ("reliability.png", "gamma_sweep.png", "forest.png"):
        assert (out / figure).stat().st_size > 10_000
    # the recommended model, fitted on every row, and its card
    import joblib
    from sklearn.datasets import load_wine

    model = joblib.load(tmp_path / "model.joblib")
    card = json.loads((tmp_path / "model.json").read_text())
    X, y = load_wine(return_X_y=True, as_frame=True)
    proba = model.predict_proba(X)
    assert proba.shape == (178, 3) and np.allclose(proba.sum(axis=1), 1)
    assert (model.predict(X) == y).mean() > 0.8
    recommended = report.split("## Recommendation")[1]
    assert f"Use {card['method']}" in recommended
    assert card["n_samples"] == 178 and card["dataset"] == "wine"
    assert card["classes"] == ["0", "1", "2"]
    assert card["sklearn_focal_version"] in report
    assert f"saved the recommended model ({card['method']}" in printed
    row = summary.loc[card["method"]]
    assert card["test_metrics"]["log_loss"]["mean"] == pytest.approx(row["log_loss"])

    # a second run into the same folder: refused, then replaced whole
    rerun = ["compare", "--dataset", "wine", "--quick", "--out", str(out)]
    rerun += ["--methods", "cross_entropy", "--repeats", "1"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(rerun) == 2
    assert "already holds a report; pass --overwrite" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main([*rerun, "--overwrite"]) == 0
    assert pd.read_csv(out / "results.csv").shape[0] == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "paired.csv",
        "reliability.png",
        "results.csv",
        "results.md",
        "summary.csv",
    ]  # the old gamma sweep and forest plot are gone
    # no temporary folders
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.joblib",
        "model.json",
        "wine",
    ]
    (out / "notes.txt").write_text("mine")
    assert main([*rerun, "--overwrite"]) == 2
    assert "holds files that are not a report (notes.txt)" in capsys.readouterr().err


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
            "--repeats",
            "1",
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


def test_without_matplotlib_the_report_and_model_are_written_without_figures(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    args = ["compare", "--dataset", "wine", "--quick", "--repeats", "1"]
    args += ["--methods", "cross_entropy", "logistic_regression", "--n-jobs", "1"]
    args += ["--out", str(tmp_path / "out"), "--save-model", str(tmp_path / "m.joblib")]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "matplotlib is not installed: no figures" in captured.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "paired.csv",
        "results.csv",
        "results.md",
        "summary.csv",
    ]
    card = json.loads((tmp_path / "m.json").read_text())
    assert card["classes"] == ["0", "1", "2"] and (tmp_path / "m.joblib").exists()


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


# -- the command run as a user runs it -----------------------------------------
def _command(*args):
    return [sys.executable, "-m", "sklearn_focal", *map(str, args)]


def test_bad_arguments_and_targets_are_one_line_before_any_training(
    tmp_path, capsys, monkeypatch
):
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(400, 3)), columns=["a", "b", "c"])
    csvs = {
        "many_classes": features.assign(label=np.arange(400) % 200),
        "singleton": features.assign(label=[0] * 399 + [1]).replace(
            {"label": {0: "x", 1: "y"}}
        ),
        "float_target": features.assign(label=rng.normal(size=400)),
        "only_target": features[[]].assign(label=np.arange(400) % 2),
        "ok": features.assign(label=np.arange(400) % 2),
    }
    for name, frame in csvs.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    pd.DataFrame(rng.normal(size=(120, 2)), columns=["a", "b"]).assign(
        label=np.arange(120) % 3
    ).to_csv(tmp_path / "three.csv", index=False)
    ok = ["--csv", tmp_path / "ok.csv", "--target", "label", "--quick"]
    out = ["--out", tmp_path / "out"]
    three = ["--csv", tmp_path / "three.csv", "--target", "label", "--quick"]
    cases = {
        "test_size_too_small": (
            [*three, *out, "--test-size", "0.01"],
            "test_size=0.01 gives 2 test and 118 training rows",
        ),
        "device": ([*ok, *out, "--device", "banana"], "'device' parameter must be"),
        "network": (
            [*ok, *out, "--methods", "cross_entropy", "focal"],
            None,  # fine: the control case, run below with a bad model path
        ),
        "argparse": ([*ok, *out, "--repeats", "x"], "argument --repeats: invalid"),
        "model_folder": (
            [*ok, *out, "--save-model", tmp_path / "nowhere" / "model.joblib"],
            "the folder",
        ),
        "model_is_a_folder": ([*ok, *out, "--save-model", tmp_path], "is a folder"),
        "out_is_the_current_folder": (
            [*ok, "--out", "."],
            "is the current folder (or holds it)",
        ),
        "many_classes": (
            ["--csv", tmp_path / "many_classes.csv", "--target", "label", *out],
            "Class 0 of y has 2 samples; with test_size=0.25 and cv=3",
        ),
        "singleton": (
            ["--csv", tmp_path / "singleton.csv", "--target", "label", *out],
            "Class 'y' of y has 1 sample; with",
        ),
        "float_target": (
            ["--csv", tmp_path / "float_target.csv", "--target", "label", *out],
            "column 'label' is not a class label column: its values are continuous",
        ),
        "only_target": (
            ["--csv", tmp_path / "only_target.csv", "--target", "label", *out],
            "no feature columns besides the target 'label'",
        ),
        "n_bins": ([*ok, *out, "--n-bins", "0"], "--n-bins must be a positive"),
        "test_size": ([*ok, *out, "--test-size", "2"], "--test-size must lie"),
        "seed": ([*ok, *out, "--seed", "-1"], "--seed must be an integer in"),
        "n_jobs": ([*ok, *out, "--n-jobs", "0"], "--n-jobs must be a number"),
        "repeats": ([*ok, *out, "--repeats", "0"], "--repeats must be a positive"),
        "reference": (
            [*ok, *out, "--methods", "temperature"],
            "The 'reference' parameter, 'cross_entropy', is not one of",
        ),
        "out_is_a_file": (
            [*ok, "--out", tmp_path / "ok.csv"],
            "is a file, not a folder",
        ),
        "out_cannot_be_created": (
            [*ok, "--out", tmp_path / "ok.csv" / "results"],
            "cannot write to --out",
        ),
    }
    del cases["network"]
    # in this process (a process each spent 4 s importing torch; the entry
    # points' test runs the command as its own process)
    monkeypatch.chdir(tmp_path)
    for name, (args, message) in cases.items():
        status = main(["compare", *map(str, args)])
        captured = capsys.readouterr()
        assert status == 2, (name, captured.err)
        # one line, no traceback, and no progress bar: nothing was trained
        assert len(captured.err.strip().splitlines()) == 1, (name, captured.err)
        assert captured.err.startswith("sklearn-focal: error: ")
        assert message in captured.err, (name, captured.err)
        assert captured.out == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_ctrl_c_exits_130_and_leaves_no_report(tmp_path):
    out = tmp_path / "digits"
    process = subprocess.Popen(
        _command("compare", "--dataset", "digits", "--out", out),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Ctrl-C's default action, as a terminal gives it: a process started
        # in the background (``cmd &``) passes SIGINT on ignored
        preexec_fn=partial(signal.signal, signal.SIGINT, signal.SIG_DFL),
    )
    # wait until training runs (the progress bar over the methods shows)
    seen = b""
    while b"compare" not in seen:
        chunk = process.stderr.read1(4096)
        assert chunk, "the command ended before training"
        seen += chunk
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    lines = stderr.decode().strip().splitlines()
    assert lines[-1].endswith("sklearn-focal: interrupted; no report written.")
    assert "Traceback" not in stderr.decode()
    assert stdout == b""
    assert list(tmp_path.iterdir()) == []  # no report, no temporary folder
