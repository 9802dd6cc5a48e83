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


def test_no_module_reads_another_modules_private_names():
    """Libraries' private names are imported in one place only,
    ``_compat.py``, and public modules share no private names: elsewhere,
    an import of a library's private name (or from its private module), of
    a private name of the package's public modules, or an attribute
    ``module._name`` of an imported module, fails this test. The package's
    private modules (``_base``, ``_data``, ``_compat``, ...) are where
    shared helpers live, private names included."""
    import ast
    from pathlib import Path

    import sklearn_focal

    package = Path(sklearn_focal.__file__).parent
    own_modules = {p.stem for p in package.glob("*.py")}
    offences = []
    for path in sorted(package.glob("*.py")):
        if path.name == "_compat.py":
            continue
        tree = ast.parse(path.read_text())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".")
                external = node.level == 0 and parts[0] != "sklearn_focal"
                if external and any(p.startswith("_") for p in parts[1:]):
                    offences.append(f"{path.name}: from {node.module} import ...")
                source = parts[-1] if not external else None
                shared = source is not None and source.startswith("_")
                for alias in node.names:
                    name = alias.name
                    if name in own_modules and not external:
                        modules.add(alias.asname or name)
                    elif name.startswith("_") and not name.startswith("__"):
                        if not shared:  # a library's, or a public module's
                            offences.append(f"{path.name}: import of {name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if any(p.startswith("_") for p in alias.name.split(".")[1:]):
                        offences.append(f"{path.name}: import {alias.name}")
                    modules.add((alias.asname or alias.name).split(".")[0])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                offences.append(f"{path.name}: {node.value.id}.{node.attr}")
    assert not offences, offences
