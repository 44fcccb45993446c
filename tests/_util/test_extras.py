"""Optional dependencies: require() returns the module, or one error with one install hint."""
import sys

import pytest

import neuronlab as nl
from neuronlab._util.extras import install_hint, require

HINT = "pip install 'neuronlab[plot]' (from a checkout: pip install -e '.[plot]')"


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
    assert str(err.value).endswith(f"install it with: pip install 'neuronlab[{extra}]' "
                                   f"(from a checkout: pip install -e '.[{extra}]')")


def test_an_optional_accelerator_is_the_module_or_none(monkeypatch):
    from neuronlab._util.extras import optional
    import json
    assert optional("json") is json
    monkeypatch.setitem(sys.modules, "numba", None)
    assert optional("numba") is None
