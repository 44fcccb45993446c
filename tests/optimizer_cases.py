"""Optimizer test cases: configurations (with the torch.optim class that computes the same steps), a flat
parameter buffer with a run of gradients, and the loop that steps it."""
import numpy as np

N_PARAMS = 257
N_STEPS = 10

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


def problem(dtype, n=N_PARAMS, steps=N_STEPS, seed=0):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(n).astype(dtype)
    grads = [rng.standard_normal(n).astype(dtype) for _ in range(steps)]
    return p0, grads


def run(opt, p0, grads, lr_at=None):
    p = p0.copy()
    for i, g in enumerate(grads):
        if lr_at is not None and i in lr_at:
            opt.learning_rate = lr_at[i]
        opt.step(p, g)
    return p
