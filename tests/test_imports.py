"""The package's layout: lazy imports (the numpy parts and the command
line's help need no torch), no import cycle, no module importing the
package's ``__init__``, private names kept private, modules of one job."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_focal

PACKAGE = Path(sklearn_focal.__file__).parent
#: Every module of the package, subfolders included.
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path):
    """The dotted module name of a file of the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path):
    name = _name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _resolve(path, node):
    """The absolute module an ``ImportFrom`` node imports from."""
    if node.level == 0:
        return node.module or ""
    base = _package_of(path).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


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


@pytest.mark.parametrize("module", ["sklearn_focal.metrics", "sklearn_focal.display"])
def test_metrics_and_displays_import_without_torch(module):
    modules, _ = _imported(f"import sklearn_focal, {module}")
    assert "sklearn_focal" in modules
    assert not {"torch", "skorch", "matplotlib"} & modules


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
    own_modules = {p.stem for p in MODULES} | {p.parent.name for p in MODULES}
    offences = []
    for path in MODULES:
        if path.name == "_compat.py":
            continue
        tree = ast.parse(path.read_text())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".")
                external = node.level == 0 and parts[0] != "sklearn_focal"
                if external and any(p.startswith("_") for p in parts[1:]):
                    offences.append(f"{_name(path)}: from {node.module} import ...")
                source = parts[-1] if not external else None
                shared = source is not None and source.startswith("_")
                for alias in node.names:
                    name = alias.name
                    if name in own_modules and not external:
                        modules.add(alias.asname or name)
                    elif name.startswith("_") and not name.startswith("__"):
                        if not shared:  # a library's, or a public module's
                            offences.append(f"{_name(path)}: import of {name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if any(p.startswith("_") for p in alias.name.split(".")[1:]):
                        offences.append(f"{_name(path)}: import {alias.name}")
                    modules.add((alias.asname or alias.name).split(".")[0])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                offences.append(f"{_name(path)}: {node.value.id}.{node.attr}")
    assert not offences, offences


def _imports_at_import_time(path):
    """The package's modules that ``path`` imports when it is imported
    (not those imported inside functions, which load on use)."""
    modules = {_name(p) for p in MODULES}
    found = set()
    for node in ast.parse(path.read_text()).body:
        nodes = [node]
        if isinstance(node, ast.If):  # if TYPE_CHECKING: ... is not run
            continue
        for statement in nodes:
            if isinstance(statement, ast.ImportFrom):
                source = _resolve(path, statement)
                for alias in statement.names:
                    child = f"{source}.{alias.name}"
                    found.add(child if child in modules else source)
            elif isinstance(statement, ast.Import):
                found |= {a.name for a in statement.names}
    own = {m for m in found if m.split(".")[0] == "sklearn_focal"}
    # importing a.b.c runs a/__init__ and a/b/__init__ first
    parents = {
        ".".join(m.split(".")[:i]) for m in own for i in range(2, len(m.split(".")))
    }
    # ... but its own packages are being imported already
    name = _name(path).split(".")
    own_packages = {".".join(name[:i]) for i in range(1, len(name) + 1)}
    return (own | parents) & modules - own_packages


def test_no_import_cycle_and_no_module_imports_the_packages_init():
    modules = {_name(p) for p in MODULES}
    upward = []
    for path in MODULES:
        if path == PACKAGE / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and _resolve(path, node) == "sklearn_focal"
            ):
                names = [a.name for a in node.names]
                upward += [
                    f"{_name(path)}: {n}"
                    for n in names
                    if f"sklearn_focal.{n}" not in modules
                ]
            elif isinstance(node, ast.Import):
                upward += [
                    f"{_name(path)}: import {a.name}"
                    for a in node.names
                    if a.name == "sklearn_focal"
                ]
    assert upward == [], f"imports of the package's __init__: {upward}"
    graph = {_name(path): _imports_at_import_time(path) for path in MODULES}
    state = {}

    def visit(module, stack):
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                raise AssertionError(f"import cycle: {' -> '.join([*stack, other])}")
            if other not in state:
                visit(other, [*stack, other])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_every_module_is_short_and_few_private_modules_sit_at_the_top():
    """One job per module: none over 500 lines but the curvature and the
    command line (650); the private engines live in their folders."""
    lengths = {_name(p): len(p.read_text().splitlines()) for p in MODULES}
    long = {name: n for name, n in lengths.items() if n > 500}
    assert set(long) <= {"sklearn_focal.curvature", "sklearn_focal.cli"}, long
    assert all(n <= 650 for n in long.values()), long
    top = {p.stem for p in PACKAGE.glob("_*.py")} - {
        "__init__",
        "__main__",
        "_compat",
        "_warnings",
        "_version",
    }
    assert len(top) <= 4, top
