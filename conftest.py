"""Collecting the docstring examples under ``src/neuronlab`` and the helpers under ``tests/``: a module that
cannot be imported without an optional dependency is left out when that dependency is not installed,
as a test module that needs one skips itself with ``pytest.importorskip``."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).parent

#: path (relative to this folder) -> the module it cannot be imported without
NEEDS = {
    "src/neuronlab/sklearn": "sklearn",
    "tests/oracles.py": "torch",
}


def pytest_ignore_collect(collection_path, config):
    try:
        rel = Path(collection_path).resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return None
    for prefix, module in NEEDS.items():
        if (rel == prefix or rel.startswith(prefix + "/")) and importlib.util.find_spec(module) is None:
            return True
    return None
