"""Types for users: the package says it is typed, its public signatures carry annotations,
``Network.fit`` lists its options, and mypy passes on ``src/`` and on user code."""
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import neuronlab as nl

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = ["neuronlab", "neuronlab.inspect", "neuronlab.plots", "neuronlab.datasets", "neuronlab.activations",
                  "neuronlab.losses", "neuronlab.optimizers", "neuronlab.initializers", "neuronlab.callbacks",
                  "neuronlab.training", "neuronlab.serialize", "neuronlab.sweep"]


def test_the_package_ships_its_py_typed_marker():
    assert (Path(nl.__file__).parent / "py.typed").is_file()
    assert '"py.typed"' in (ROOT / "pyproject.toml").read_text()      # in the package data: wheels carry it


def test_network_fit_takes_every_option_of_training_fit_by_name():
    from neuronlab.training import fit
    method = list(inspect.signature(nl.Network.fit).parameters.values())[1:]       # without self
    function = list(inspect.signature(fit).parameters.values())[1:]               # without network
    assert [(p.name, p.kind, p.default) for p in method] == [(p.name, p.kind, p.default) for p in function]
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in method)


def _public_callables():
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr, None)
            if inspect.isfunction(obj):
                yield f"{name}.{attr}", obj
            elif inspect.isclass(obj) and obj.__module__.startswith("neuronlab"):
                for member, value in vars(obj).items():
                    if member.startswith("_") and member != "__init__":
                        continue
                    function = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
                    if inspect.isfunction(function):
                        yield f"{name}.{attr}.{member}", function


def test_every_public_function_and_method_annotates_its_parameters_and_result():
    missing = []
    for where, function in _public_callables():
        signature = inspect.signature(function)
        missing += [f"{where}({p.name})" for p in signature.parameters.values()
                    if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
        if signature.return_annotation is inspect.Signature.empty and function.__name__ != "__init__":
            missing.append(f"{where} -> ?")
    assert not missing, "unannotated: " + ", ".join(missing)


def test_mypy_passes_on_the_source_and_on_code_written_against_it():
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "src", "tests/typing/usage.py"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout
