"""Shared fixtures.  The suite runs with warnings as errors (pyproject) and NumPy
floating-point overflow/invalid/divide raised as errors, so any numerical warning fails."""
import os

# scikit-learn runs its array-API estimator checks only when SciPy's array-API mode is on, and
# SciPy reads the variable once, at import: set it before anything imports them
os.environ.setdefault("SCIPY_ARRAY_API", "1")
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _numpy_errors_are_failures():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
