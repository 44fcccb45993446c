"""Optimizers on one flat buffer equal torch.optim; schedules equal torch's lr_scheduler."""
import io

import numpy as np
import pytest

from neuronlab import optimizers as O
from neuronlab.errors import HyperparameterError, ModelFileError, ShapeError, UnknownNameError

N_PARAMS = 257
N_STEPS = 10
TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}

# (our config, torch class name, torch kwargs)
CASES = [
    ({"name": "sgd", "learning_rate": 0.1}, "SGD", dict(lr=0.1)),
    ({"name": "sgd", "learning_rate": 0.05, "momentum": 0.9}, "SGD", dict(lr=0.05, momentum=0.9)),
    ({"name": "sgd", "learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
     "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ({"name": "sgd", "learning_rate": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1},
     "SGD", dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.1)),
    ({"name": "sgd", "learning_rate": 0.1, "weight_decay": 0.01}, "SGD", dict(lr=0.1, weight_decay=0.01)),
    ({"name": "adam", "use_numba": False}, "Adam", dict()),
    ({"name": "adam", "learning_rate": 0.01, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "use_numba": False},
     "Adam", dict(lr=0.01, betas=(0.5, 0.9), eps=1e-6)),
    ({"name": "adam", "learning_rate": 0.01, "weight_decay": 0.1, "use_numba": False},
     "Adam", dict(lr=0.01, weight_decay=0.1)),
    ({"name": "adamw", "use_numba": False}, "AdamW", dict()),
    ({"name": "adamw", "learning_rate": 0.01, "beta1": 0.8, "weight_decay": 0.1, "use_numba": False},
     "AdamW", dict(lr=0.01, betas=(0.8, 0.999), weight_decay=0.1)),
    ({"name": "rmsprop"}, "RMSprop", dict()),
    ({"name": "rmsprop", "learning_rate": 0.001, "alpha": 0.9, "eps": 1e-6},
     "RMSprop", dict(lr=0.001, alpha=0.9, eps=1e-6)),
    ({"name": "rmsprop", "centered": True}, "RMSprop", dict(centered=True)),
    ({"name": "rmsprop", "momentum": 0.9}, "RMSprop", dict(momentum=0.9)),
    ({"name": "rmsprop", "momentum": 0.5, "centered": True, "weight_decay": 0.01},
     "RMSprop", dict(momentum=0.5, centered=True, weight_decay=0.01)),
]
CASE_IDS = [
    "-".join(f"{k}={v}" for k, v in cfg.items() if k not in ("use_numba",)).replace("name=", "")
    for cfg, _, _ in CASES
]


def _problem(dtype, n=N_PARAMS, steps=N_STEPS, seed=0):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(n).astype(dtype)
    grads = [rng.standard_normal(n).astype(dtype) for _ in range(steps)]
    return p0, grads


def _run(opt, p0, grads, lr_at=None):
    p = p0.copy()
    for i, g in enumerate(grads):
        if lr_at is not None and i in lr_at:
            opt.learning_rate = lr_at[i]
        opt.step(p, g)
    return p


def _run_torch(cls_name, kwargs, p0, grads, lr_at=None):
    torch = pytest.importorskip("torch")
    param = torch.tensor(p0.copy(), requires_grad=True)
    opt = getattr(torch.optim, cls_name)([param], **kwargs)
    for i, g in enumerate(grads):
        if lr_at is not None and i in lr_at:
            opt.param_groups[0]["lr"] = lr_at[i]
        param.grad = torch.tensor(g)
        opt.step()
    return param.detach().numpy()


# ---------------------------------------------------------------------------------------
# Equality with torch.optim
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg, torch_cls, torch_kwargs", CASES, ids=CASE_IDS)
def test_ten_steps_equal_torch(cfg, torch_cls, torch_kwargs, dtype):
    p0, grads = _problem(dtype)
    kept = [g.copy() for g in grads]
    ours = _run(O.get(cfg), p0, grads)
    theirs = _run_torch(torch_cls, torch_kwargs, p0, grads)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, theirs, **TOL[dtype])
    for g, k in zip(grads, kept):  # the gradient buffer is only read
        np.testing.assert_array_equal(g, k)


@pytest.mark.parametrize("cfg, torch_cls, torch_kwargs",
                         [CASES[2], CASES[7], CASES[9], CASES[14]], ids=["sgd", "adam", "adamw", "rmsprop"])
def test_learning_rate_changed_between_steps_equals_torch(cfg, torch_cls, torch_kwargs):
    p0, grads = _problem(np.float64)
    lr_at = {4: 0.003, 7: 0.0005}
    np.testing.assert_allclose(_run(O.get(cfg), p0, grads, lr_at),
                               _run_torch(torch_cls, torch_kwargs, p0, grads, lr_at), **TOL[np.float64])


def test_params_views_are_updated_in_place():
    buf = np.zeros(6)
    W, b = buf[:4].reshape(2, 2), buf[4:]
    O.SGD(learning_rate=0.5).step(buf, np.arange(6.0))
    np.testing.assert_array_equal(W, [[0.0, -0.5], [-1.0, -1.5]])
    np.testing.assert_array_equal(b, [-2.0, -2.5])


def test_step_allocates_state_once():
    p0, grads = _problem(np.float32)
    opt = O.Adam(use_numba=False)
    p = p0.copy()
    opt.step(p, grads[0])
    buffers = {k: id(v) for k, v in {**opt._state, **opt._scratch}.items()}
    for g in grads[1:]:
        opt.step(p, g)
    assert {k: id(v) for k, v in {**opt._state, **opt._scratch}.items()} == buffers
    assert opt.iterations == N_STEPS


# ---------------------------------------------------------------------------------------
# The numba kernel
# ---------------------------------------------------------------------------------------

@pytest.fixture
def with_numba(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.delenv("NEURONLAB_NO_NUMBA", raising=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cfg", [
    {"name": "adam"}, {"name": "adam", "weight_decay": 0.1, "beta1": 0.5},
    {"name": "adamw"}, {"name": "adamw", "weight_decay": 0.0, "learning_rate": 0.05},
], ids=["adam", "adam-l2", "adamw", "adamw-no-decay"])
def test_numba_kernel_equals_numpy_path(with_numba, cfg, dtype):
    p0, grads = _problem(dtype, n=1000)
    fast, slow = O.get(cfg, use_numba=True), O.get(cfg, use_numba=False)
    assert fast.uses_numba(p0.size) and not slow.uses_numba(p0.size)
    got = _run(fast, p0, grads, lr_at={5: 3e-4})
    ref = _run(slow, p0, grads, lr_at={5: 3e-4})
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
    p0, grads = _problem(np.float32)
    whole = _run(O.get(cfg), p0, grads)

    first = O.get(cfg)
    p = _run(first, p0, grads[:5])
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
    p0, grads = _problem(np.float64)
    opt = O.Adam()
    assert opt.state_dict() == {"step": 0, "learning_rate": 1e-3}
    p = _run(opt, p0, grads[:3])
    state = opt.state_dict()
    saved = state["exp_avg"].copy()
    opt.step(p, grads[3])
    np.testing.assert_array_equal(state["exp_avg"], saved)
    opt.reset()
    assert opt.iterations == 0 and opt.state_dict() == {"step": 0, "learning_rate": 1e-3}
    np.testing.assert_array_equal(_run(opt, p0, grads), _run(O.Adam(), p0, grads))


def test_load_state_dict_restores_learning_rate_and_rejects_bad_state():
    p0, grads = _problem(np.float64)
    opt = O.SGD(learning_rate=0.1, momentum=0.9)
    _run(opt, p0, grads[:2])
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
    p0, grads = _problem(np.float64)
    opt = O.RMSprop()
    _run(opt, p0, grads[:2])
    with pytest.raises(ShapeError, match="reset"):
        opt.step(np.zeros(10), np.zeros(10))
    opt.reset()
    opt.step(np.zeros(10), np.ones(10))


@pytest.mark.parametrize("params, grads, match", [
    (np.zeros(4), np.zeros(5), "same size"),
    (np.zeros((2, 2)), np.zeros((2, 2)), "1-D"),
    (np.zeros(4), np.zeros(4, dtype=np.float32), "dtype"),
    (np.zeros(4, dtype=int), np.zeros(4, dtype=int), "float"),
])
def test_step_checks_its_buffers(params, grads, match):
    with pytest.raises(ShapeError, match=match):
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

@pytest.mark.parametrize("ours, torch_name, torch_kwargs", [
    (O.StepDecay(step_size=3, gamma=0.5), "StepLR", dict(step_size=3, gamma=0.5)),
    (O.StepDecay(step_size=1), "StepLR", dict(step_size=1)),
    (O.ExponentialDecay(gamma=0.9), "ExponentialLR", dict(gamma=0.9)),
    (O.CosineDecay(t_max=20), "CosineAnnealingLR", dict(T_max=20)),
    (O.CosineDecay(t_max=7, min_lr=1e-3), "CosineAnnealingLR", dict(T_max=7, eta_min=1e-3)),
], ids=["step", "step-1", "exponential", "cosine", "cosine-restart"])
def test_schedules_equal_torch_over_20_epochs(ours, torch_name, torch_kwargs):
    torch = pytest.importorskip("torch")
    base_lr = 0.1
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base_lr)
    sched = getattr(torch.optim.lr_scheduler, torch_name)(opt, **torch_kwargs)
    expected = []
    for _ in range(20):
        expected.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    got = [ours(epoch, base_lr) for epoch in range(20)]
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-15)


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
