"""Sphinx configuration: the API reference from the docstrings (numpydoc), the README's tour and the
notebooks of the learning path as tutorials.  Build: ``python -m sphinx -W -b html docs docs/_build/html``."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import neuronlab  # noqa: E402

project = "neuronlab"
author = "the neuronlab maintainers"
copyright = "the neuronlab maintainers"
release = version = neuronlab.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc", "myst_nb"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nb_execution_mode = "force"          # the tutorials show what the notebooks print and draw
nb_execution_timeout = 300
nb_execution_raise_on_error = True
autosummary_generate = True
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_typehints = "none"           # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_enable_extensions = ["colon_fence"]
html_theme = "alabaster"
html_title = f"neuronlab {release}"
suppress_warnings = ["myst.header"]


def _copy_notebooks(app) -> None:
    """The learning path's notebooks are the tutorials: copied in from ``examples/`` at each build
    (copies of notebooks since renamed or removed go first, so that none is left outside the toctree)."""
    import shutil
    target = Path(app.srcdir) / "tutorials"
    target.mkdir(exist_ok=True)
    for old in target.glob("*.ipynb"):
        old.unlink()
    for nb in sorted((ROOT / "examples").glob("*.ipynb")):
        shutil.copyfile(nb, target / nb.name)


def _skip(app, what, name, obj, skip, options):
    """scikit-learn's generated metadata-routing methods (``set_fit_request`` …) are its own, not ours."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app) -> None:
    app.connect("builder-inited", _copy_notebooks)
    app.connect("autodoc-skip-member", _skip)
