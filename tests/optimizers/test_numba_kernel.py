"""The numba kernels (the fast extra) equal the NumPy path, and when they are used."""
import numpy as np
import pytest

pytest.importorskip("numba")

from neuronlab import optimizers as O  # noqa: E402
from neuronlab.errors import HyperparameterError  # noqa: E402
from neuronlab.optimizers import kernels  # noqa: E402
from neuronlab._util.extras import compiled  # noqa: E402

from optimizer_cases import problem, run  # noqa: E402

@pytest.fixture
def with_numba(monkeypatch):
    monkeypatch.delenv("NEURONLAB_NO_NUMBA", raising=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cfg", [
    {"name": "adam"}, {"name": "adam", "weight_decay": 0.1, "beta1": 0.5},
    {"name": "adamw"}, {"name": "adamw", "weight_decay": 0.0, "learning_rate": 0.05},
], ids=["adam", "adam-l2", "adamw", "adamw-no-decay"])
def test_numba_kernel_equals_numpy_path(with_numba, cfg, dtype):
    p0, grads = problem(dtype, n=1000)
    fast, slow = O.get(cfg, use_numba=True), O.get(cfg, use_numba=False)
    assert fast.uses_numba(p0.size) and not slow.uses_numba(p0.size)
    got = run(fast, p0, grads, lr_at={5: 3e-4})
    ref = run(slow, p0, grads, lr_at={5: 3e-4})
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-7)
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(fast.state_dict()[key], slow.state_dict()[key], rtol=1e-6, atol=1e-9)


def test_numba_choice(with_numba, monkeypatch):
    assert not O.Adam().uses_numba(100)                  # auto: small buffers stay in NumPy
    assert O.Adam().uses_numba(O.NUMBA_MIN_SIZE)
    assert not O.Adam(use_numba=False).uses_numba(10**6)
    monkeypatch.setenv("NEURONLAB_NO_NUMBA", "1")
    assert not O.Adam(use_numba=True).uses_numba(10**6)
    assert not O.numba_available()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_one_pass_kernel_equals_the_numpy_path(dtype, monkeypatch):
    monkeypatch.delenv("NEURONLAB_NO_NUMBA", raising=False)
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal(O.NUMBA_MIN_SIZE + 3).astype(dtype)
    g = rng.standard_normal(p0.size).astype(dtype)
    fast = p0.copy()
    compiled("sgd", kernels._sgd_loop)(fast, g, dtype(0.037))
    slow = p0.copy()
    O.SGD(learning_rate=0.037, use_numba=False).step(slow, g)
    np.testing.assert_array_equal(fast, slow)
    # SGD picks the kernel by itself on a buffer this large, with or without weight decay
    for wd in (0.0, 0.01):
        auto, numpy_only = p0.copy(), p0.copy()
        opt = O.SGD(learning_rate=0.037, weight_decay=wd)
        for _ in range(3):
            opt.step(auto, g)
            O.SGD(learning_rate=0.037, weight_decay=wd, use_numba=False).step(numpy_only, g)
        np.testing.assert_array_equal(auto, numpy_only)
    assert O.SGD(use_numba=True).config()["use_numba"] is True
    with pytest.raises(HyperparameterError, match="use_numba"):
        O.SGD(use_numba="yes")
