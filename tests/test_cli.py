"""The sklearn-focal command line."""

import json
import os
import shutil
import signal
import stat
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
    assert card["classes"] == [0, 1, 2] == model.classes_.tolist()  # their type
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
    assert card["classes"] == [0, 1, 2] and (tmp_path / "m.joblib").exists()


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


# -- --save-model: the report's guarantees for the model and its card ----------
def _small(out, *extra):
    """A quick comparison of two methods, in this process (one job)."""
    args = ["compare", "--dataset", "wine", "--quick", "--repeats", "1"]
    args += ["--methods", "cross_entropy", "logistic_regression", "--n-jobs", "1"]
    return [*args, "--out", str(out), *map(str, extra)]


def _files(folder):
    """Every file under ``folder`` (temporary ones included) -> its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _earlier_run(tmp_path):
    """A report, a model and its card from an earlier run, as bytes."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("results.md", "results.csv", "summary.csv", "paired.csv"):
        (out / name).write_text(f"EARLIER {name}")
    (tmp_path / "m.joblib").write_bytes(b"old model")
    (tmp_path / "m.json").write_text("old card")
    return out, _files(tmp_path)


def test_save_model_paths_that_would_lose_files_are_refused_before_training(
    tmp_path, capsys, monkeypatch
):
    out, before = _earlier_run(tmp_path)
    data = tmp_path / "data.csv"
    data.write_text("a,b,label\n1,2,x\n")
    (tmp_path / "folder.json").mkdir()
    before = _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    cases = {
        # 1: an existing model (and card) without --overwrite
        "existing model": (
            _small(tmp_path / "new", "--save-model", tmp_path / "m.joblib"),
            "m.joblib already exists; pass --overwrite",
        ),
        "existing card": (
            _small(tmp_path / "new", "--save-model", tmp_path / "m.pkl"),
            "m.json already exists; pass --overwrite",
        ),
        # 2: the model where the report goes
        "model is --out": (
            _small(tmp_path / "new", "--save-model", tmp_path / "new"),
            "lies in --out",
        ),
        # 3: a model named like its card
        "json model": (
            _small(tmp_path / "new", "--save-model", tmp_path / "model.json"),
            "ends in .json, the name of the model's card",
        ),
        # 4: the model over the user's data
        "model is --csv": (
            [
                *_small(tmp_path / "new", "--save-model", data, "--overwrite"),
                "--target",
                "label",
            ],
            "is the --csv input",
        ),
        # 5: inside the report folder that --overwrite replaces
        "model in --out": (
            _small(out, "--overwrite", "--save-model", out / "m.joblib"),
            "lies in --out",
        ),
        # 6: the card's path is a folder
        "card is a folder": (
            _small(tmp_path / "new", "--overwrite", "--save-model", "folder.joblib"),
            "folder.json is a folder",
        ),
    }
    cases["model is --csv"][0][1:3] = ["--csv", str(data)]  # not --dataset
    for name, (args, message) in cases.items():
        status = main(args)
        captured = capsys.readouterr()
        assert status == 2, (name, captured.err)
        assert len(captured.err.strip().splitlines()) == 1, (name, captured.err)
        assert message in captured.err, (name, captured.err)
        assert captured.out == ""
        assert _files(tmp_path) == before, name  # nothing written, nothing lost
    assert not (tmp_path / "new").exists()


def test_overwrite_replaces_report_model_and_card_with_the_umasks_modes(
    tmp_path, capsys
):
    out, _ = _earlier_run(tmp_path)
    previous = os.umask(0o022)
    try:
        args = _small(out, "--overwrite", "--save-model", tmp_path / "m.joblib")
        assert main(args) == 0, capsys.readouterr().err
    finally:
        os.umask(previous)
    assert json.loads((tmp_path / "m.json").read_text())["dataset"] == "wine"
    import joblib

    assert joblib.load(tmp_path / "m.joblib").predict_proba(
        pd.DataFrame(np.zeros((1, 13)), columns=_wine_columns())
    ).shape == (1, 3)
    assert (out / "results.md").read_text().startswith("# Calibration comparison")
    # 17: the modes a new file and folder get, not mkdtemp's private ones
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    for path in (tmp_path / "m.joblib", tmp_path / "m.json", out / "results.md"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib", "m.json", "out"]


def _wine_columns():
    from sklearn.datasets import load_wine

    return load_wine(as_frame=True).data.columns


@pytest.mark.parametrize("where", ["card", "commit"])
def test_interrupted_or_failed_run_leaves_report_model_and_card_as_they_were(
    tmp_path, capsys, monkeypatch, where
):
    """7: Ctrl-C after the refit has saved the model (while the card is
    written), or a failure while the outputs are moved into place."""
    from sklearn_focal import cli
    from sklearn_focal._comparison import _staging

    out, before = _earlier_run(tmp_path)
    if where == "card":

        def interrupt(*args):
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "_write_card", interrupt)
        expected = 130
    else:  # the last move fails, after the report and the model moved in
        replace, calls = os.replace, []

        def failing_replace(source, destination):
            calls.append(destination)
            if len(calls) == 6:  # report aside, in; model aside, in; card aside, in
                raise OSError("disk full")
            replace(source, destination)

        monkeypatch.setattr(_staging.os, "replace", failing_replace)
        expected = 1
    args = _small(out, "--overwrite", "--save-model", tmp_path / "m.joblib")
    if expected == 1:
        with pytest.raises(OSError, match="disk full"):
            main(args)
    else:
        assert main(args) == expected
    capsys.readouterr()
    assert _files(tmp_path) == before  # and no temporary file left


def test_staged_commit_moves_all_or_none(tmp_path, monkeypatch):
    from sklearn_focal._comparison import _staging

    (tmp_path / "a.txt").write_text("old a")
    staged = _staging.Staged()
    staged.file(tmp_path / "a.txt").write_text("new a")
    staged.file(tmp_path / "b.txt").write_text("new b")
    folder = staged.folder(tmp_path / "c")
    (folder / "x").write_text("new x")
    staged.commit()
    assert _files(tmp_path) == {"a.txt": b"new a", "b.txt": b"new b", "c/x": b"new x"}

    staged = _staging.Staged()
    staged.file(tmp_path / "a.txt").write_text("newer a")
    staged.file(tmp_path / "d.txt").write_text("new d")
    folder = staged.folder(tmp_path / "c")
    replace = os.replace

    def fail_on_the_folder(source, destination):
        if Path(destination) == tmp_path / "c" and Path(source) == folder:
            raise OSError("no")
        replace(source, destination)

    monkeypatch.setattr(_staging.os, "replace", fail_on_the_folder)
    with pytest.raises(OSError):
        staged.commit()
    assert _files(tmp_path) == {"a.txt": b"new a", "b.txt": b"new b", "c/x": b"new x"}


def test_a_csv_with_two_target_columns_is_refused(tmp_path, capsys):
    """14: pandas would rename the second 'label' to 'label.1', a feature
    that copies the label."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 2)), columns=["a", "b"])
    frame["label"] = np.arange(60) % 2
    frame["label_copy"] = frame["label"]
    csv = tmp_path / "twice.csv"
    frame.to_csv(csv, index=False, header=["a", "b", "label", "label"])
    args = ["compare", "--csv", str(csv), "--target", "label"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "has 2 columns named 'label'" in err and "label.1" in err
    assert not (tmp_path / "out").exists()
