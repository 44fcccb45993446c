"""The reference sweep, run once one run after another in this process."""
import pytest

from neuronlab.sweep import sweep

from sweep_cases import KW


@pytest.fixture(scope="session")
def reference():
    """The sweep run one run after another in this process."""
    return sweep(**KW, executor="serial")
