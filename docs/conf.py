"""Sphinx configuration for sklearn-focal."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # for _intersphinx

import sklearn_focal

project = "sklearn-focal"
author = "sklearn-focal developers"
copyright = "2026, sklearn-focal developers"
release = sklearn_focal.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True}
# An override without a docstring (a loss's forward) shows none, rather than
# torch's text about its own Module class.
autodoc_inherit_docstrings = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# numpydoc's cross-references of parameter types: our prose types ("fitted
# classifier", "array-like of shape ...") are not targets.
numpydoc_xref_param_type = False

# No network access at build time: intersphinx reads the small inventories
# of _intersphinx/ (the objects the docs cite, made by
# _intersphinx/make_inventories.py), and links to the projects' sites.
intersphinx_mapping = {
    project: (base, f"_intersphinx/{project}.inv")
    for project, (base, _, _) in __import__(
        "_intersphinx.make_inventories", fromlist=["PROJECTS"]
    ).PROJECTS.items()
}

# Nitpicky (-n -W in the Makefile): every cross-reference must resolve.
# numpydoc's parameter types stay prose (numpydoc_xref_param_type = False).
nitpicky = True

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    # SPHINX_GALLERY_RUN=0 (or -D plot_gallery=0) renders without executing.
    "plot_gallery": os.environ.get("SPHINX_GALLERY_RUN", "True"),
    "download_all_examples": False,
    "remove_config_comments": True,
}

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "benchmark_compare*.rst",  # included by user_guide.rst
    "benchmark_imbalance*.rst",
    "benchmark_calibrators*.rst",
    "science_tables.rst",  # included by science.rst
    "*_facts.rst",  # generated numbers, included by the pages
]
html_theme = "pydata_sphinx_theme"
html_title = "sklearn-focal"
html_theme_options = {"navigation_with_keys": False}
suppress_warnings = ["config.cache"]


def _write_recommendation_rules():
    """docs/generated/recommendation_rules.inc: the recommendation rules of
    ``RECOMMENDATION_RULES``, each with the first paragraph of its
    docstring, for the user guide (written at every build, so that the
    list is the code's)."""
    import inspect
    from pathlib import Path

    from sklearn_focal.compare import DEFAULT_RULE, RECOMMENDATION_RULES

    lines = []
    for name, rule in RECOMMENDATION_RULES.items():
        summary = inspect.getdoc(rule).split("\n\n")[0].replace("\n", " ")
        default = " (the default)" if name == DEFAULT_RULE else ""
        lines += [f"``{name}``{default}", f"    {summary}", ""]
    folder = Path(__file__).parent / "generated"
    folder.mkdir(exist_ok=True)
    (folder / "recommendation_rules.inc").write_text("\n".join(lines))


_write_recommendation_rules()
