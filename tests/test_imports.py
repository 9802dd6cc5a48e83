"""Lazy imports: the numpy parts and the command line's help need no torch."""

import subprocess
import sys


def _imported(code):
    """Top-level modules imported by a fresh interpreter running ``code``."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line.split("|")[-1] for line in run.stderr.splitlines() if "|" in line]
    return {line.strip().split(".")[0] for line in lines}, run.stdout


def test_metrics_import_without_torch():
    modules, _ = _imported("import sklearn_focal, sklearn_focal.metrics")
    assert "sklearn_focal" in modules
    assert not {"torch", "skorch"} & modules


def test_public_names_still_load_on_use():
    modules, out = _imported(
        "import sklearn_focal; print(sklearn_focal.FocalClassifier.__name__)"
    )
    assert out.strip() == "FocalClassifier" and "torch" in modules


def test_command_line_help_without_torch():
    modules, out = _imported(
        "import sys; sys.argv = ['sklearn-focal', 'compare', '--help']\n"
        "from sklearn_focal.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "--methods" in out and "cross_entropy" in out
    assert not {"torch", "skorch", "sklearn"} & modules
