"""Optimizers on one flat buffer equal torch.optim step for step; schedules equal torch's lr_scheduler."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import oracles  # noqa: E402
from neuronlab import optimizers as O  # noqa: E402

from optimizer_cases import CASE_IDS, CASES, problem, run  # noqa: E402

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}



# ---------------------------------------------------------------------------------------
# Equality with torch.optim
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg, torch_cls, torch_kwargs", CASES, ids=CASE_IDS)
def test_ten_steps_equal_torch(cfg, torch_cls, torch_kwargs, dtype):
    p0, grads = problem(dtype)
    kept = [g.copy() for g in grads]
    ours = run(O.get(cfg), p0, grads)
    theirs = oracles.optimizer_steps(torch_cls, torch_kwargs, p0, grads)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, theirs, **TOL[dtype])
    for g, k in zip(grads, kept):  # the gradient buffer is only read
        np.testing.assert_array_equal(g, k)


@pytest.mark.parametrize("cfg, torch_cls, torch_kwargs",
                         [CASES[2], CASES[7], CASES[9], CASES[14]], ids=["sgd", "adam", "adamw", "rmsprop"])
def test_learning_rate_changed_between_steps_equals_torch(cfg, torch_cls, torch_kwargs):
    p0, grads = problem(np.float64)
    lr_at = {4: 0.003, 7: 0.0005}
    np.testing.assert_allclose(run(O.get(cfg), p0, grads, lr_at),
                               oracles.optimizer_steps(torch_cls, torch_kwargs, p0, grads, lr_at), **TOL[np.float64])


# ---------------------------------------------------------------------------------------
# Schedules
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("ours, torch_name, torch_kwargs", [
    (O.StepDecay(step_size=3, gamma=0.5), "StepLR", dict(step_size=3, gamma=0.5)),
    (O.StepDecay(step_size=1), "StepLR", dict(step_size=1)),
    (O.ExponentialDecay(gamma=0.9), "ExponentialLR", dict(gamma=0.9)),
    (O.CosineDecay(t_max=20), "CosineAnnealingLR", dict(T_max=20)),
    (O.CosineDecay(t_max=7, min_lr=1e-3), "CosineAnnealingLR", dict(T_max=7, eta_min=1e-3)),
], ids=["step", "step-1", "exponential", "cosine", "cosine-restart"])
def test_schedules_equal_torch_over_20_epochs(ours, torch_name, torch_kwargs):
    base_lr = 0.1
    expected = oracles.schedule_rates(torch_name, torch_kwargs, base_lr, epochs=20)
    got = [ours(epoch, base_lr) for epoch in range(20)]
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-15)
