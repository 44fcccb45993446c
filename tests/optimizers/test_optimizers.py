"""Optimizers step one flat buffer in place, keep and restore their state, and name bad hyperparameters;
schedules are registered and checked (the agreement with torch.optim and torch's lr_scheduler is in
``test_torch_agreement.py``, the numba kernel in ``test_numba_kernel.py``)."""
import io

import numpy as np
import pytest

from neuronlab import optimizers as O
from neuronlab.errors import ArgumentTypeError, HyperparameterError, ModelFileError, ShapeError, UnknownNameError

from optimizer_cases import CASE_IDS, CASES, N_STEPS, problem, run

def test_params_views_are_updated_in_place():
    buf = np.zeros(6)
    W, b = buf[:4].reshape(2, 2), buf[4:]
    O.SGD(learning_rate=0.5).step(buf, np.arange(6.0))
    np.testing.assert_array_equal(W, [[0.0, -0.5], [-1.0, -1.5]])
    np.testing.assert_array_equal(b, [-2.0, -2.5])


def test_step_allocates_state_once():
    p0, grads = problem(np.float32)
    opt = O.Adam(use_numba=False)
    p = p0.copy()
    opt.step(p, grads[0])
    buffers = {k: id(v) for k, v in {**opt._state, **opt._scratch}.items()}
    for g in grads[1:]:
        opt.step(p, g)
    assert {k: id(v) for k, v in {**opt._state, **opt._scratch}.items()} == buffers
    assert opt.iterations == N_STEPS


# ---------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------

def _roundtrip_without_pickle(state):
    f = io.BytesIO()
    np.savez(f, **state)
    f.seek(0)
    with np.load(f, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("cfg", [c for c, _, _ in CASES], ids=CASE_IDS)
def test_state_dict_roundtrip_continues_exactly(cfg):
    p0, grads = problem(np.float32)
    whole = run(O.get(cfg), p0, grads)

    first = O.get(cfg)
    p = run(first, p0, grads[:5])
    state = first.state_dict()
    assert state["step"] == 5 and isinstance(state["step"], int)
    assert all(isinstance(v, (int, float, np.ndarray)) for v in state.values())
    loaded = _roundtrip_without_pickle(state)

    second = O.get(first.config())
    second.load_state_dict(loaded)
    assert second.iterations == 5
    for g in grads[5:]:
        second.step(p, g)
    np.testing.assert_array_equal(p, whole)


def test_state_dict_is_a_snapshot_and_reset_forgets():
    p0, grads = problem(np.float64)
    opt = O.Adam()
    assert opt.state_dict() == {"step": 0, "learning_rate": 1e-3}
    p = run(opt, p0, grads[:3])
    state = opt.state_dict()
    saved = state["exp_avg"].copy()
    opt.step(p, grads[3])
    np.testing.assert_array_equal(state["exp_avg"], saved)
    opt.reset()
    assert opt.iterations == 0 and opt.state_dict() == {"step": 0, "learning_rate": 1e-3}
    np.testing.assert_array_equal(run(opt, p0, grads), run(O.Adam(), p0, grads))


def test_load_state_dict_restores_learning_rate_and_rejects_bad_state():
    p0, grads = problem(np.float64)
    opt = O.SGD(learning_rate=0.1, momentum=0.9)
    run(opt, p0, grads[:2])
    opt.learning_rate = 0.02
    other = O.SGD(learning_rate=0.1, momentum=0.9)
    other.load_state_dict(opt.state_dict())
    assert other.learning_rate == 0.02
    with pytest.raises(ModelFileError, match="step"):
        other.load_state_dict({"learning_rate": 0.1})
    with pytest.raises(ModelFileError, match="exp_avg"):
        other.load_state_dict({"step": 3, "exp_avg": np.zeros(3)})
    with pytest.raises(ModelFileError, match="momentum_buffer"):
        other.load_state_dict({"step": 3})


def test_state_of_another_size_is_refused_at_the_next_step():
    p0, grads = problem(np.float64)
    opt = O.RMSprop()
    run(opt, p0, grads[:2])
    with pytest.raises(ShapeError, match="reset"):
        opt.step(np.zeros(10), np.zeros(10))
    opt.reset()
    opt.step(np.zeros(10), np.ones(10))


@pytest.mark.parametrize("params, grads, error, match", [
    (np.zeros(4), np.zeros(5), ShapeError, "same size"),
    (np.zeros((2, 2)), np.zeros((2, 2)), ShapeError, "1-D"),
    (np.zeros(4), np.zeros(4, dtype=np.float32), ArgumentTypeError, "dtype"),
    (np.zeros(4, dtype=int), np.zeros(4, dtype=int), ArgumentTypeError, "float"),
])
def test_step_checks_its_buffers(params, grads, error, match):
    with pytest.raises(error, match=match):
        O.Adam().step(params, grads)


# ---------------------------------------------------------------------------------------
# Registry and hyperparameters
# ---------------------------------------------------------------------------------------

def test_names_and_config_roundtrip():
    assert O.names() == ["adam", "adamw", "rmsprop", "sgd"]
    for cfg, _, _ in CASES:
        opt = O.get(cfg)
        assert opt.name == cfg["name"]
        assert O.get(opt.config()).config() == opt.config()
        assert {k: v for k, v in opt.config().items() if k in cfg} == cfg
    adam = O.Adam()
    assert O.get(adam) is adam
    assert O.get("AdamW").weight_decay == 0.01
    assert O.get({"name": "sgd", "momentum": 0.9}, learning_rate=0.5).config() == {
        "name": "sgd", "learning_rate": 0.5, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0,
        "use_numba": None}
    assert repr(O.SGD()) == ("SGD(learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=0.0, "
                             "use_numba=None)")


def test_unknown_optimizer_lists_the_known_names():
    with pytest.raises(UnknownNameError) as err:
        O.get("adma")
    msg = str(err.value)
    assert "did you mean 'adam'" in msg
    assert all(name in msg for name in O.names())
    assert isinstance(err.value, ValueError)
    with pytest.raises(UnknownNameError, match="no 'name'"):
        O.get({"learning_rate": 0.1})
    with pytest.raises(TypeError, match="known names"):
        O.get(3)


def test_get_rejects_unknown_or_misplaced_hyperparameters():
    with pytest.raises(HyperparameterError, match="momentum") as err:
        O.get("adam", momentum=0.9)
    assert "beta1" in str(err.value)
    with pytest.raises(HyperparameterError, match="name"):
        O.get(O.SGD(), learning_rate=0.1)


@pytest.mark.parametrize("cls, kwargs, names", [
    (O.SGD, dict(learning_rate=0), ["learning_rate", "> 0"]),
    (O.SGD, dict(learning_rate=-0.1), ["learning_rate"]),
    (O.SGD, dict(learning_rate="fast"), ["learning_rate", "number"]),
    (O.SGD, dict(learning_rate=float("nan")), ["learning_rate", "finite"]),
    (O.SGD, dict(momentum=-0.5), ["momentum", "[0, 1)"]),
    (O.SGD, dict(momentum=1.5), ["momentum", "[0, 1)"]),
    (O.SGD, dict(nesterov=True), ["nesterov", "momentum > 0"]),
    (O.SGD, dict(weight_decay=-1e-4), ["weight_decay", ">= 0"]),
    (O.Adam, dict(beta1=1.0), ["beta1", "[0, 1)"]),
    (O.Adam, dict(beta2=-0.1), ["beta2", "[0, 1)"]),
    (O.Adam, dict(eps=0.0), ["eps", "> 0"]),
    (O.Adam, dict(weight_decay=-1), ["weight_decay"]),
    (O.Adam, dict(use_numba="yes"), ["use_numba"]),
    (O.AdamW, dict(weight_decay=-0.01), ["adamw weight_decay", ">= 0"]),
    (O.AdamW, dict(learning_rate=0), ["adamw learning_rate"]),
    (O.RMSprop, dict(alpha=1.0), ["alpha", "[0, 1)"]),
    (O.RMSprop, dict(eps=-1e-8), ["eps"]),
    (O.RMSprop, dict(momentum=-1), ["momentum"]),
    (O.RMSprop, dict(momentum=1.0), ["rmsprop momentum", "[0, 1)"]),
    (O.RMSprop, dict(centered="yes"), ["centered"]),
])
def test_bad_hyperparameters_are_named(cls, kwargs, names):
    with pytest.raises(HyperparameterError) as err:
        cls(**kwargs)
    for part in names:
        assert part in str(err.value)


# ---------------------------------------------------------------------------------------
# Schedules
# ---------------------------------------------------------------------------------------

def test_schedule_registry():
    assert O.schedule_names() == ["cosine", "exponential", "step"]
    s = O.get_schedule("step", step_size=2, gamma=0.5)
    assert s(3, 0.1) == pytest.approx(0.05) and s(4, 0.1) == pytest.approx(0.025)
    assert O.get_schedule(s.config()) == s
    assert O.get_schedule({"name": "cosine", "t_max": 10}).config() == {"name": "cosine", "t_max": 10, "min_lr": 0.0}
    assert O.get_schedule(s) is s
    fn = lambda epoch, lr: lr / (1 + epoch)  # noqa: E731
    assert O.get_schedule(fn) is fn
    assert repr(O.ExponentialDecay(0.5)) == "ExponentialDecay(gamma=0.5)"
    with pytest.raises(HyperparameterError, match="step_size"):
        O.get_schedule("step")
    with pytest.raises(HyperparameterError, match="t_max"):
        O.get_schedule("cosine", T_max=3)
    with pytest.raises(UnknownNameError, match="did you mean 'cosine'"):
        O.get_schedule("cosin")


@pytest.mark.parametrize("build, name", [
    (lambda: O.StepDecay(0), "step_size"),
    (lambda: O.StepDecay(2.5), "step_size"),
    (lambda: O.StepDecay(2, gamma=0), "gamma"),
    (lambda: O.ExponentialDecay(1.5), "gamma"),
    (lambda: O.CosineDecay(0), "t_max"),
    (lambda: O.CosineDecay(5, min_lr=-1), "min_lr"),
])
def test_bad_schedule_parameters_are_named(build, name):
    with pytest.raises(HyperparameterError, match=name):
        build()


def test_schedule_epoch_must_be_a_nonnegative_int():
    with pytest.raises(HyperparameterError, match="epoch"):
        O.ExponentialDecay(0.9)(-1, 0.1)
