"""Optional dependencies: require() returns the module, or one error with one install hint."""
import ast
import sys
from pathlib import Path

import pytest

import neuronlab as nl
from neuronlab._util.extras import install_hint, require

HINT = ("pip install 'neuronlab[plot]' (from a checkout: pip install -e '.[plot]'; "
        "from a built wheel: pip install '<wheel file>[plot]')")


def test_an_installed_module_is_returned():
    import json
    assert require("json", extra=None) is json


def test_a_dotted_name_returns_the_submodule():
    import os.path
    assert require("os.path", extra=None) is os.path


def test_a_missing_module_is_a_missing_extra_error_and_an_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(nl.MissingExtraError) as err:
        require("matplotlib", extra="plot", what="neuronlab.plots")
    assert isinstance(err.value, ImportError)
    assert isinstance(err.value, nl.NeuronLabError)
    assert str(err.value) == f"neuronlab.plots needs matplotlib; install it with: {HINT}"


def test_the_message_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match=r"^the thing needs scikit-learn; install it with: pip install "
                                          r"'neuronlab\[sklearn\]'"):
        require("sklearn", extra="sklearn", what="the thing", package="scikit-learn")


def test_a_package_no_extra_installs_is_named_plainly():
    with pytest.raises(nl.MissingExtraError) as err:
        require("neuronlab_no_such_module_here", extra=None, what="this test")
    assert str(err.value) == ("this test needs neuronlab_no_such_module_here; install it with: "
                              "pip install neuronlab_no_such_module_here")


def test_the_hint_works_from_an_installation_and_from_a_checkout():
    assert install_hint("plot") == HINT
    assert install_hint(None, "pandas") == "pip install pandas"


def test_the_original_import_error_is_kept_as_the_cause(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(nl.MissingExtraError) as err:
        require("tqdm", extra="cli")
    assert isinstance(err.value.__cause__, ImportError)
    assert "install it with: pip install 'neuronlab[cli]'" in str(err.value)


@pytest.mark.parametrize("name, extra", [("matplotlib", "plot"), ("sklearn", "sklearn"), ("distributed", "sweep")])
def test_every_face_uses_the_one_hint(monkeypatch, name, extra):
    monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(nl.MissingExtraError) as err:
        require(name, extra=extra)
    assert str(err.value).endswith(f"install it with: {install_hint(extra)}")
    assert f"pip install -e '.[{extra}]'" in str(err.value) and f"'<wheel file>[{extra}]'" in str(err.value)


def test_an_optional_accelerator_is_the_module_or_none(monkeypatch):
    from neuronlab._util.extras import optional
    import json
    assert optional("json") is json
    monkeypatch.setitem(sys.modules, "numba", None)
    assert optional("numba") is None


ROOT = Path(__file__).resolve().parents[2]


def _extras_named_in_the_source():
    """Every ``extra=`` that a ``require``/``missing``/``install_hint`` call in src/ names."""
    named = set()
    for path in (ROOT / "src" / "neuronlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                    "require", "missing", "install_hint"):
                values = [k.value for k in node.keywords if k.arg == "extra"]
                if getattr(node.func, "id", None) == "install_hint" and node.args:
                    values.append(node.args[0])
                named |= {v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
    return named


def test_every_extra_a_hint_names_exists_in_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    named = _extras_named_in_the_source()
    assert {"plot", "sklearn", "sweep", "cli"} <= named
    assert named <= set(extras), sorted(named - set(extras))


def test_the_readme_quotes_the_hint_as_the_code_spells_it():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"install it with: {install_hint('plot')}" in readme
