#!/usr/bin/env python
"""neuronlab vs PyTorch (eager) vs scikit-learn on the CPU, measured side by side.

    python benchmarks/compare.py              # full run (a few minutes), markdown on stdout
    python benchmarks/compare.py --quick      # seconds; what CI runs (asserts nothing about speed)
    python benchmarks/compare.py --coretype native   # re-run with OPENBLAS_CORETYPE unset
    python benchmarks/compare.py --coretype SkylakeX # ... or forced to another OpenBLAS kernel set

Workload: MLP 784-256-128-10, ReLU hidden, softmax + cross-entropy, 60,000
synthetic float32 samples (normal inputs, uniform labels 0-9, fixed seed), one epoch, batch
sizes 32/128/512, SGD (lr 0.01) and Adam (lr 1e-3).  Everything is timed in ONE process,
interleaved (neuronlab, PyTorch, scikit-learn, neuronlab, ...), >= 5 repetitions; tables
give median [min-max] and the median of the per-repetition ratios.  The GEMM limit is the
epoch's matmul time at the float32 throughput measured in the same run for the exact GEMM
shapes of one step.  The loops section times training steps with the workspace's compiled
loops (numba) and with the NumPy passes they replace, in alternating blocks.  Peak memory is
measured in separate processes (``--memory-child``).

PyTorch and scikit-learn are benchmark dependencies only; a missing one is skipped.
"""
from __future__ import annotations

import os
import sys

# --coretype must take effect before NumPy (and its OpenBLAS) is loaded: re-exec.
if "--coretype" in sys.argv and os.environ.get("_NL_BENCH_REEXEC") != "1":
    i = sys.argv.index("--coretype")
    core = sys.argv[i + 1] if i + 1 < len(sys.argv) else "native"
    env = dict(os.environ, _NL_BENCH_REEXEC="1")
    if core.lower() in ("native", "auto", "unset", ""):
        env.pop("OPENBLAS_CORETYPE", None)
    else:
        env["OPENBLAS_CORETYPE"] = core
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import argparse
import datetime
import gc
import json
import platform
import resource
import statistics
import subprocess
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))   # run from a checkout too
import neuronlab as nl  # noqa: E402

SIZES = [784, 256, 128, 10]
LR = {"sgd": 0.01, "adam": 1e-3}


# ---------------------------------------------------------------------------------------
# data and contenders
# ---------------------------------------------------------------------------------------

def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], n)
    return X, y


def try_import(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def nl_epoch(X, y, bs, opt, seed=0):
    net = nl.Network.mlp(SIZES, hidden="relu", output="softmax", seed=seed)
    t = time.perf_counter()
    net.fit(X, y, epochs=1, batch_size=bs, optimizer=opt, learning_rate=LR[opt])
    return time.perf_counter() - t


def torch_model(torch, sizes=SIZES):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_epoch(torch, Xt, yt, bs, opt, sizes=SIZES, seed=0):
    torch.manual_seed(seed)
    model = torch_model(torch, sizes)
    o = (torch.optim.SGD(model.parameters(), lr=LR[opt]) if opt == "sgd"
         else torch.optim.Adam(model.parameters(), lr=LR[opt]))
    loss_fn = torch.nn.CrossEntropyLoss()
    n = Xt.shape[0]
    t = time.perf_counter()
    perm = torch.randperm(n)
    for lo in range(0, n, bs):
        idx = perm[lo:lo + bs]
        xb, yb = Xt[idx], yt[idx]
        o.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        o.step()
    return time.perf_counter() - t


def sk_model(bs, opt, max_iter=1):
    from sklearn.neural_network import MLPClassifier
    kw = dict(momentum=0.0, nesterovs_momentum=False) if opt == "sgd" else {}
    return MLPClassifier(hidden_layer_sizes=tuple(SIZES[1:-1]), activation="relu", solver=opt,
                         alpha=0.0, batch_size=bs, learning_rate_init=LR[opt], max_iter=max_iter,
                         shuffle=True, random_state=0, tol=0.0, **kw)


def sk_epoch(X, y, bs, opt):
    from sklearn.exceptions import ConvergenceWarning
    m = sk_model(bs, opt)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit(X, y)
    return time.perf_counter() - t


class JaxContender:
    """JAX with optax, on the same workload: a jitted train step called once per batch
    (``step``), and the whole epoch as one jitted ``lax.scan`` over the batches (``scan``).
    Compilation happens before the clock starts (ahead of time, for the exact shapes), so
    the times are of running compiled code only, as a user's second epoch would be."""

    def __init__(self, jax, optax, X, y):
        self.jax, self.optax, self.jnp = jax, optax, jax.numpy
        self.X, self.y = jax.device_put(X), jax.device_put(y.astype(np.int32))
        self.compiled = {}

    def params(self, seed):
        key, out = self.jax.random.PRNGKey(seed), []
        for i in range(len(SIZES) - 1):
            key, sub = self.jax.random.split(key)
            bound = 1.0 / np.sqrt(SIZES[i])
            out.append((self.jax.random.uniform(sub, (SIZES[i], SIZES[i + 1]), minval=-bound, maxval=bound),
                        self.jnp.zeros(SIZES[i + 1])))
        return out

    def optimizer(self, opt):
        return self.optax.sgd(LR[opt]) if opt == "sgd" else self.optax.adam(LR[opt])

    def _step_fn(self, opt):
        jax, jnp, optax, tx = self.jax, self.jnp, self.optax, self.optimizer(opt)

        def loss(params, xb, yb):
            a = xb
            for i, (w, b) in enumerate(params):
                a = a @ w + b
                if i < len(params) - 1:
                    a = jax.nn.relu(a)
            return optax.softmax_cross_entropy_with_integer_labels(a, yb).mean()

        def step(params, state, X, y, idx):          # the data are arguments, never baked-in constants
            value, grads = jax.value_and_grad(loss)(params, X[idx], y[idx])
            updates, state = tx.update(grads, state, params)
            return optax.apply_updates(params, updates), state, value
        return step

    def _compile(self, kind, opt, bs, n_batches, params, state):
        key = (kind, opt, bs, n_batches)
        if key not in self.compiled:
            step = self._step_fn(opt)
            if kind == "step":
                fn = self.jax.jit(step)
                args = (params, state, self.X, self.y, self.jnp.zeros(bs, self.jnp.int32))
            else:
                def epoch(params, state, X, y, rows):
                    def body(carry, idx):
                        p, s, v = step(carry[0], carry[1], X, y, idx)
                        return (p, s), v
                    (params, state), values = self.jax.lax.scan(body, (params, state), rows)
                    return params, state, values.mean()
                fn = self.jax.jit(epoch)
                args = (params, state, self.X, self.y, self.jnp.zeros((n_batches, bs), self.jnp.int32))
            self.compiled[key] = fn.lower(*args).compile()
        return self.compiled[key]

    def epoch(self, kind, bs, opt, seed=0):
        """One epoch's seconds: ``kind`` is ``step`` or ``scan``; a partial last batch is one
        more jitted step in both."""
        jnp, n = self.jnp, self.X.shape[0]
        params = self.params(seed)
        state = self.optimizer(opt).init(params)
        full, rest = divmod(n, bs)
        step_fn = self._compile("step", opt, bs, 1, params, state)
        rest_fn = self._compile("step", opt, rest, 1, params, state) if rest else None
        scan_fn = self._compile("scan", opt, bs, full, params, state) if kind == "scan" else None
        t = time.perf_counter()
        perm = jnp.asarray(np.random.default_rng(seed).permutation(n).astype(np.int32))
        if kind == "scan":
            params, state, value = scan_fn(params, state, self.X, self.y, perm[:full * bs].reshape(full, bs))
        else:
            for lo in range(0, full * bs, bs):
                params, state, value = step_fn(params, state, self.X, self.y, perm[lo:lo + bs])
        if rest_fn is not None:
            params, state, value = rest_fn(params, state, self.X, self.y, perm[full * bs:])
        value.block_until_ready()
        return time.perf_counter() - t

    def predictor(self):
        """A jitted forward pass + softmax with fixed weights, and its warm-up."""
        params = self.params(0)

        def proba(xb):
            a = xb
            for i, (w, b) in enumerate(params):
                a = a @ w + b
                if i < len(params) - 1:
                    a = self.jax.nn.relu(a)
            return self.jax.nn.softmax(a, axis=1)
        return self.jax.jit(proba)


def jax_contender(X, y):
    """The JAX contender, or None (with the reason) when JAX or optax is not installed."""
    jax, optax = try_import("jax"), try_import("optax")
    if jax is None or optax is None:
        return None, "JAX and/or optax not installed (pip install -e '.[bench]'): their columns are skipped"
    return JaxContender(jax, optax, X, y), f"jax {jax.__version__}, optax {optax.__version__}"


# ---------------------------------------------------------------------------------------
# the GEMM limit
# ---------------------------------------------------------------------------------------

def step_gemms(bs):
    """The (m, k, n, transA, transB) GEMMs of one training step: forward, dW, dL/dx."""
    g = []
    for i in range(len(SIZES) - 1):
        g.append(("fwd", bs, SIZES[i], SIZES[i + 1]))              # x @ W
    for i in range(len(SIZES) - 2, -1, -1):
        g.append(("dW", SIZES[i], bs, SIZES[i + 1]))               # xᵀ @ δ
        if i > 0:
            g.append(("dx", bs, SIZES[i + 1], SIZES[i]))           # δ @ Wᵀ
    return g


def epoch_flops(n):
    per_sample = 0
    for i in range(len(SIZES) - 1):
        mk = SIZES[i] * SIZES[i + 1]
        per_sample += 2 * mk * (3 if i > 0 else 2)
    return per_sample * n


def gemm_epoch_time(n, bs, repeats=5):
    """Seconds an epoch's matmuls take at the best measured throughput (same shapes, same
    transposed views and out= buffers as the training step)."""
    rng = np.random.default_rng(1)
    f32 = np.float32
    total = 0.0
    sizes_and_counts = [(bs, n // bs)] + ([(n % bs, 1)] if n % bs else [])
    for b, count in sizes_and_counts:
        step = 0.0
        for kind, m, k, nn in step_gemms(b):
            if kind == "fwd":
                A, B = rng.standard_normal((m, k), dtype=f32), rng.standard_normal((k, nn), dtype=f32)
            elif kind == "dW":
                A, B = rng.standard_normal((k, m), dtype=f32).T, rng.standard_normal((k, nn), dtype=f32)
            else:
                A, B = rng.standard_normal((m, k), dtype=f32), rng.standard_normal((nn, k), dtype=f32).T
            C = np.empty((m, nn), f32)
            reps = max(3, int(2e8 / (2 * m * k * nn)))
            step += _best(lambda: np.matmul(A, B, out=C), reps, repeats)
        total += step * count
    return total


# ---------------------------------------------------------------------------------------
# measurements
# ---------------------------------------------------------------------------------------

SETTLE_S = 0.25


def settle():
    """Pause between contenders: OpenBLAS worker threads spin ~0.1 s after a call and
    OpenMP (PyTorch) workers spin too; on a 2-core machine a spinning pool of the previous
    contender would otherwise slow down the next one."""
    time.sleep(SETTLE_S)


def stats(xs):
    return statistics.median(xs), min(xs), max(xs)


def fmt(xs, unit="s", scale=1.0, digits=3):
    med, lo, hi = stats([x * scale for x in xs])
    return f"{med:.{digits}f} [{lo:.{digits}f}–{hi:.{digits}f}]"


def ratio_med(a, b):
    return statistics.median([x / y for x, y in zip(a, b)])


def cell(xs):
    """A table cell: median [min–max] seconds, or a dash for a contender that did not run."""
    return fmt(xs) if xs else "–"


def ratio_cell(a, b):
    """The median of the per-repetition ratios a/b, or a dash."""
    return f"{ratio_med(a, b):.2f}" if a and b else "–"


def bench_epochs(X, y, torch, jc, batch_sizes, opts, reps, with_sklearn, log):
    rows = []
    Xt = yt = None
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    n = len(X)
    for opt in opts:
        for bs in batch_sizes:
            # warm-up (imports, numba compile, first-touch of buffers)
            nl_epoch(X[:2048], y[:2048], bs, opt)
            if torch is not None:
                torch_epoch(torch, Xt[:2048], yt[:2048], bs, opt)
            t_nl, t_pt, t_sk, t_gemm, t_js, t_jl = [], [], [], [], [], []
            for r in range(reps):
                gc.collect()
                settle()
                t_nl.append(nl_epoch(X, y, bs, opt, seed=r))
                if torch is not None:
                    settle()
                    t_pt.append(torch_epoch(torch, Xt, yt, bs, opt, seed=r))
                if with_sklearn:
                    settle()
                    t_sk.append(sk_epoch(X, y, bs, opt))
                if jc is not None:
                    settle()
                    t_js.append(jc.epoch("step", bs, opt, seed=r))
                    settle()
                    t_jl.append(jc.epoch("scan", bs, opt, seed=r))
                settle()
                t_gemm.append(gemm_epoch_time(n, bs, repeats=2))
            row = dict(opt=opt, bs=bs, nl=t_nl, torch=t_pt, sk=t_sk, gemm=t_gemm, jax_step=t_js, jax_scan=t_jl)
            rows.append(row)
            log(f"  epoch {opt:4s} bs={bs:3d}: neuronlab {fmt(t_nl)}"
                + (f"  torch {fmt(t_pt)}" if t_pt else "") + (f"  sklearn {fmt(t_sk)}" if t_sk else "")
                + (f"  jax step {fmt(t_js)}  jax scan {fmt(t_jl)}" if t_js else "")
                + f"  gemm-limit {min(t_gemm):.3f}")
    return rows


def bench_inference(X, torch, sklearn, jc, reps, n_batches, log):
    bs = 1024
    batches = [X[i * bs:(i + 1) * bs] for i in range(n_batches)]
    total = bs * n_batches
    y = np.random.default_rng(0).integers(0, 10, len(X))
    net = nl.Network.mlp(SIZES, seed=0)
    net.predict_proba(batches[0])
    model = None
    if torch is not None:
        torch.manual_seed(0)
        model = torch_model(torch).eval()
        tb = [torch.from_numpy(b) for b in batches]
        with torch.inference_mode():
            torch.softmax(model(tb[0]), dim=1)
    skm = None
    if sklearn is not None:
        from sklearn.exceptions import ConvergenceWarning
        skm = sk_model(256, "adam")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            skm.fit(X[:4096], y[:4096])
        skm.predict_proba(batches[0])
    proba = None
    if jc is not None:
        proba = jc.predictor()
        jb = [jc.jax.device_put(b) for b in batches]
        proba(jb[0]).block_until_ready()
    r_nl, r_pt, r_sk, r_jx = [], [], [], []
    for _ in range(reps):
        settle()
        t = time.perf_counter()
        for b in batches:
            net.predict_proba(b)
        r_nl.append(total / (time.perf_counter() - t))
        if model is not None:
            settle()
            t = time.perf_counter()
            with torch.inference_mode():
                for b in tb:
                    torch.softmax(model(b), dim=1)
            r_pt.append(total / (time.perf_counter() - t))
        if skm is not None:
            settle()
            t = time.perf_counter()
            for b in batches:
                skm.predict_proba(b)
            r_sk.append(total / (time.perf_counter() - t))
        if proba is not None:
            settle()
            t = time.perf_counter()
            for b in jb:
                proba(b).block_until_ready()          # one batch at a time, as the others
            r_jx.append(total / (time.perf_counter() - t))
    log(f"  inference: neuronlab {statistics.median(r_nl):,.0f}/s"
        + (f"  torch {statistics.median(r_pt):,.0f}/s" if r_pt else "")
        + (f"  sklearn {statistics.median(r_sk):,.0f}/s" if r_sk else "")
        + (f"  jax {statistics.median(r_jx):,.0f}/s" if r_jx else ""))
    return dict(nl=r_nl, torch=r_pt, sk=r_sk, jax=r_jx)


def bench_overhead(torch, reps, n_steps, log):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_steps, 8), dtype=np.float32)
    y = rng.integers(0, 8, n_steps)
    sizes = [8, 8, 8]
    Xt = yt = None
    if torch is not None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    t_nl, t_pt = [], []

    def nl_run():
        net = nl.Network.mlp(sizes, seed=0)
        t = time.perf_counter()
        net.fit(X, y, epochs=1, batch_size=1, optimizer="sgd", learning_rate=0.01)
        return (time.perf_counter() - t) / n_steps

    nl_run()
    if torch is not None:
        torch_epoch(torch, Xt[:100], yt[:100], 1, "sgd", sizes=sizes)
    for _ in range(reps):
        settle()
        t_nl.append(nl_run())
        if torch is not None:
            settle()
            t_pt.append(torch_epoch(torch, Xt, yt, 1, "sgd", sizes=sizes) / n_steps)
    log(f"  overhead (8-8-8, batch 1): neuronlab {statistics.median(t_nl) * 1e6:.1f} µs/step"
        + (f"  torch {statistics.median(t_pt) * 1e6:.1f} µs/step" if t_pt else ""))
    return dict(nl=t_nl, torch=t_pt)


def bench_loops(X, y, batch_sizes, opts, blocks, log):
    """What the workspace's compiled loops (numba) buy: training steps and one-sample
    predictions with them and with the NumPy passes, in alternating blocks of steps on two
    twin networks (the order flips every block), as the median of the paired ratios.
    Nothing but the loops differs: the optimizers keep their kernels on both sides."""
    import neuronlab.workspace as W
    if not W.fused_loops(10 ** 9):
        log("  loops: numba missing or NEURONLAB_NO_NUMBA set; skipped")
        return None
    rows = []
    order = np.random.default_rng(1).permutation(len(X))
    for bs in batch_sizes:
        for opt in opts:
            runs = {}
            real = W.fused_loops
            for mode in ("numpy", "loops"):
                W.fused_loops = real if mode == "loops" else (lambda n: False)
                try:
                    ws = W.Workspace(nl.Network.mlp(SIZES, seed=0), bs, training=True)
                finally:
                    W.fused_loops = real
                runs[mode] = (ws, nl.optimizers.get({"name": opt, "learning_rate": LR[opt]}), [])
            steps = max(4, 4096 // bs)
            loss, hit = np.empty(len(X), X.dtype), np.empty(len(X), bool)
            with np.errstate(all="ignore"):
                for block in range(blocks):
                    lo0 = (block * steps * bs) % (len(X) - steps * bs + 1)
                    for mode in (("numpy", "loops") if block % 2 else ("loops", "numpy")):
                        ws, o, times = runs[mode]
                        t = time.perf_counter()
                        for s in range(steps):
                            lo = lo0 + s * bs
                            ws.train_step(X, y, order[lo:lo + bs], None, o, 0.0, 0.0, loss[lo:lo + bs], hit[lo:lo + bs])
                        times.append((time.perf_counter() - t) / steps)
            a, b = runs["numpy"][2], runs["loops"][2]
            rows.append(dict(opt=opt, bs=bs, numpy=statistics.median(a), loops=statistics.median(b),
                             ratio=statistics.median([y_ / x_ for x_, y_ in zip(a, b)])))
            log(f"  loops {opt:4s} bs={bs:3d}: {rows[-1]['numpy'] * 1e6:.0f} → {rows[-1]['loops'] * 1e6:.0f} µs/step "
                f"({rows[-1]['ratio']:.3f})")
    return rows


def bench_latency(X, torch, jc, reps, n_calls, log):
    """Seconds per call of predict_proba on ONE sample (the 784-256-128-10 network), the
    latency a service answering single requests sees."""
    rows = [X[i:i + 1] for i in range(n_calls)]
    net = nl.Network.mlp(SIZES, seed=0)
    calls = {"nl": lambda: [net.predict_proba(r) for r in rows]}
    if torch is not None:
        torch.manual_seed(0)
        model = torch_model(torch).eval()
        trows = [torch.from_numpy(r) for r in rows]

        def torch_calls():
            with torch.inference_mode():
                for r in trows:
                    torch.softmax(model(r), dim=1)
        calls["torch"] = torch_calls
    if jc is not None:
        proba, jrows = jc.predictor(), [jc.jax.device_put(r) for r in rows]
        calls["jax"] = lambda: [proba(r).block_until_ready() for r in jrows]
    for run in calls.values():
        run()                                              # warm-up (and JAX's compilation)
    times = {k: [] for k in calls}
    for _ in range(reps):
        for k, run in calls.items():
            settle()
            t = time.perf_counter()
            run()
            times[k].append((time.perf_counter() - t) / n_calls)
    log("  latency (batch 1): " + "  ".join(f"{k} {statistics.median(v) * 1e6:.1f} µs" for k, v in times.items()))
    return {k: times.get(k, []) for k in ("nl", "torch", "jax")}


def bench_blas(torch, bs, log):
    """NumPy's and PyTorch's float32 GEMM rates (GFLOP/s) on one training step's shapes at
    batch ``bs``: where torch's BLAS multiplies faster, that, not neuronlab, sets the limit."""
    if torch is None:
        return None
    rng = np.random.default_rng(1)
    flops = t_np = t_pt = 0.0
    for kind, m, k, n in step_gemms(bs):
        A, B = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
        At, Bt, C = torch.from_numpy(A), torch.from_numpy(B), np.empty((m, n), np.float32)
        reps = max(3, int(2e8 / (2 * m * k * n)))
        t_np += _best(lambda: np.matmul(A, B, out=C), reps)
        settle()
        t_pt += _best(lambda: torch.mm(At, Bt), reps)
        flops += 2.0 * m * k * n
    rates = dict(numpy=flops / t_np / 1e9, torch=flops / t_pt / 1e9)
    log(f"  GEMM rates at batch {bs}: NumPy {rates['numpy']:.0f} GFLOP/s, torch {rates['torch']:.0f} GFLOP/s")
    return rates


def _best(call, reps, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(reps):
            call()
        best = min(best, (time.perf_counter() - t) / reps)
    return best


def peak_rss_mib():
    """Peak resident memory of this process in MiB: VmHWM (the high-water mark of this
    process image, reset by exec) where /proc has it, else getrusage's ru_maxrss (which on
    Linux also counts the parent's memory at fork time, hence the preference)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (2**20 if sys.platform == "darwin" else 1024.0)


def memory_child(who, n, bs, opt):
    """Run in a fresh process: build the dataset, train one epoch, report peak RSS (MiB)."""
    rss = peak_rss_mib
    X, y = make_data(n)
    data_mib = (X.nbytes + y.nbytes) / 2**20
    if who == "torch":
        import torch
        base = rss()
        torch_epoch(torch, torch.from_numpy(X), torch.from_numpy(y), bs, opt)
        model_bytes = sum(p.numel() * 4 for p in torch_model(torch).parameters())
    else:
        base = rss()
        net = nl.Network.mlp(SIZES, seed=0)
        net.fit(X, y, epochs=1, batch_size=bs, optimizer=opt, learning_rate=LR[opt])
        model_bytes = net.parameters.nbytes
    peak = rss()
    print(json.dumps(dict(who=who, opt=opt, data_mib=data_mib, before_fit_mib=base, peak_mib=peak,
                          model_mib=model_bytes / 2**20)))


def bench_memory(n, bs, opts, with_torch, log):
    out = []
    for opt in opts:
        variants = [("neuronlab", {})]
        # both optimizers import numba for their fused kernels when it is installed: show the
        # cost of that import beside the NumPy-only run
        variants.append(("neuronlab", {"NEURONLAB_NO_NUMBA": "1"}))
        if with_torch:
            variants.append(("torch", {}))
        for who, extra_env in variants:
            cmd = [sys.executable, os.path.abspath(__file__), "--memory-child", who, "--n", str(n),
                   "--bs", str(bs), "--opt", opt]
            env = dict(os.environ, _NL_BENCH_REEXEC="1", **extra_env)
            res = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if res.returncode != 0:
                log(f"  memory child {who} failed: {res.stderr[-500:]}")
                continue
            d = json.loads(res.stdout.strip().splitlines()[-1])
            if extra_env:
                d["who"] += " (" + ", ".join(f"{k}={v}" for k, v in extra_env.items()) + ")"
            out.append(d)
            log(f"  memory {who:9s} {opt:4s}: peak {d['peak_mib']:.0f} MiB, dataset {d['data_mib']:.0f} MiB, "
                f"over dataset {d['peak_mib'] - d['data_mib']:.0f} MiB, fit added {d['peak_mib'] - d['before_fit_mib']:.0f} MiB")
    return out


# ---------------------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------------------

def header(torch, sklearn):
    lines = []
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    lines.append(f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    lines.append(f"- machine: {cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}")
    lines.append(f"- python {platform.python_version()}, numpy {np.__version__}, neuronlab {nl.__version__}"
                 + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ", torch: missing")
                 + (f", scikit-learn {sklearn.__version__}" if sklearn else ", scikit-learn: missing"))
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        lines.append(f"- NumPy BLAS (np.show_config): {blas.get('name')} {blas.get('version')}")
    except Exception as err:  # pragma: no cover - old NumPy
        lines.append(f"- NumPy BLAS: np.show_config unavailable ({err})")
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("user_api") == "blas" and "numpy" in info.get("filepath", ""):
                lines.append(f"- NumPy's BLAS at runtime (threadpoolctl): {info.get('internal_api')} "
                             f"{info.get('version')}, core type **{info.get('architecture')}**, "
                             f"{info.get('num_threads')} threads")
    except ImportError:
        lines.append("- threadpoolctl not installed: runtime BLAS info unavailable")
    env = {k: v for k, v in sorted(os.environ.items())
           if k == "OPENBLAS_CORETYPE" or k.endswith("_NUM_THREADS")}
    lines.append(f"- environment: {env or 'no OPENBLAS_CORETYPE / *_NUM_THREADS set'}")
    try:
        from neuronlab import optimizers
        lines.append(f"- numba kernels available: {optimizers.numba_available()}")
    except Exception:
        pass
    return lines


# ---------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny sizes and few repetitions (CI)")
    ap.add_argument("--reps", type=int, default=None, help="repetitions (default 5; 2 with --quick)")
    ap.add_argument("--n", type=int, default=None, help="samples (default 60000; 4096 with --quick)")
    ap.add_argument("--no-sklearn", action="store_true", help="skip scikit-learn")
    ap.add_argument("--sections", default="epoch,inference,blas,loops,overhead,memory")
    ap.add_argument("--coretype", default=None, help="OPENBLAS_CORETYPE for this run ('native' = unset)")
    ap.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--bs", type=int, default=128, help=argparse.SUPPRESS)
    ap.add_argument("--opt", default="sgd", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.memory_child:
        memory_child(args.memory_child, args.n or 60000, args.bs, args.opt)
        return 0

    quick = args.quick
    reps = args.reps or (2 if quick else 5)
    n = args.n or (4096 if quick else 60000)
    batch_sizes = [128] if quick else [32, 128, 512]
    opts = ["sgd", "adam"]
    sections = set(args.sections.split(","))
    torch = try_import("torch")
    sklearn = try_import("sklearn")
    if torch is None or sklearn is None:
        if not quick:
            print("note: torch and/or scikit-learn missing; their columns are skipped", file=sys.stderr)
    with_sklearn = sklearn is not None and not args.no_sklearn

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    out = ["# neuronlab speed: measured side by side", ""] + header(torch, sklearn)
    out += [f"- workload: MLP {'-'.join(map(str, SIZES))}, ReLU, softmax + cross-entropy, {n:,} float32 samples, "
            f"one epoch; {reps} interleaved repetitions; times are median [min–max]", ""]
    X, y = make_data(n)
    jc, jax_note = jax_contender(X, y)
    out.insert(len(out) - 2, f"- JAX: {jax_note}")
    if jc is None:
        print(f"note: {jax_note}", file=sys.stderr)
    t0 = time.perf_counter()

    if "epoch" in sections:
        rows = bench_epochs(X, y, torch, jc, batch_sizes, opts, reps, with_sklearn, log)
        flops = epoch_flops(n)
        out += ["## Training: one epoch", "",
                "| optimizer | batch | neuronlab s | PyTorch s | scikit-learn s | JAX step s | JAX scan s "
                "| ÷ PyTorch (target ≤ 0.5) | ÷ JAX scan (target ≤ 1) | ÷ JAX step | ÷ sklearn "
                "| GEMM limit s | fraction of GEMM limit | GEMM GFLOP/s |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            g = min(r["gemm"])
            times = " | ".join(cell(r[k]) for k in ("nl", "torch", "sk", "jax_step", "jax_scan"))
            ratios = " | ".join(ratio_cell(r["nl"], r[k]) for k in ("torch", "jax_scan", "jax_step", "sk"))
            out.append(f"| {r['opt']} | {r['bs']} | {times} | {ratios} | {g:.3f} | "
                       f"{g / statistics.median(r['nl']):.0%} | {flops / g / 1e9:.0f} |")
        out.append("")

    if "inference" in sections:
        inf = bench_inference(X, torch, sklearn if with_sklearn else None, jc, reps, max(1, min(40, n // 1024)), log)
        rate = lambda xs: f"{statistics.median(xs):,.0f}" if xs else "–"       # noqa: E731
        out += ["## Inference: predict_proba, batch 1024", "",
                "| neuronlab samples/s | PyTorch (inference_mode) | JAX (jitted) | scikit-learn "
                "| ÷ PyTorch (target ≥ 2) | ÷ JAX (target ≥ 1) | ÷ sklearn |",
                "|---|---|---|---|---|---|---|",
                f"| {rate(inf['nl'])} | {rate(inf['torch'])} | {rate(inf['jax'])} | {rate(inf['sk'])} | "
                + " | ".join(ratio_cell(inf["nl"], inf[k]) for k in ("torch", "jax", "sk")) + " |", ""]

    if "inference" in sections:
        lat = bench_latency(X, torch, jc, reps, 200 if quick else 2000, log)
        us = lambda xs: fmt(xs, scale=1e6, digits=1) if xs else "–"       # noqa: E731
        out += ["## Latency: predict_proba on one sample", "",
                "| neuronlab µs | PyTorch µs | JAX µs | torch ÷ neuronlab (target ≥ 3) | JAX ÷ neuronlab |",
                "|---|---|---|---|---|",
                f"| {us(lat['nl'])} | {us(lat['torch'])} | {us(lat['jax'])} | "
                f"{ratio_cell(lat['torch'], lat['nl'])} | {ratio_cell(lat['jax'], lat['nl'])} |", ""]

    if "blas" in sections:
        out += ["## The BLAS: float32 GEMM rates on one training step's shapes", ""]
        for bs in batch_sizes:
            rates = bench_blas(torch, bs, log)
            if rates is None:
                out.append("- torch missing: no comparison")
                break
            verdict = ("NumPy's BLAS is slower than torch's here: that sets the limit this machine allows"
                       if rates["numpy"] < 0.95 * rates["torch"] else "NumPy's BLAS is as fast as torch's here, or faster")
            out.append(f"- batch {bs}: NumPy {rates['numpy']:.0f} GFLOP/s, torch {rates['torch']:.0f} GFLOP/s "
                       f"({rates['numpy'] / rates['torch']:.2f}×): {verdict}")
        out.append("")

    if "loops" in sections:
        rows = bench_loops(X, y, batch_sizes, opts, 6 if quick else 30, log)
        out += ["## The compiled loops: training steps with and without them", ""]
        if rows is None:
            out += ["- numba missing (or NEURONLAB_NO_NUMBA set): the NumPy passes run; nothing to compare", ""]
        else:
            out += ["| optimizer | batch | NumPy passes µs/step | compiled loops µs/step | loops ÷ NumPy |",
                    "|---|---|---|---|---|"]
            out += [f"| {r['opt']} | {r['bs']} | {r['numpy'] * 1e6:.0f} | {r['loops'] * 1e6:.0f} | {r['ratio']:.3f} |"
                    for r in rows]
            out.append("")

    if "overhead" in sections:
        ov = bench_overhead(torch, reps, 300 if quick else 3000, log)
        med = statistics.median
        out += ["## Per-step overhead: 8-8-8 network, batch 1, SGD", "",
                "| neuronlab µs/step (target ≤ 40) | PyTorch µs/step | ÷ PyTorch |", "|---|---|---|",
                f"| {fmt(ov['nl'], scale=1e6, digits=1)} | "
                + (f"{fmt(ov['torch'], scale=1e6, digits=1)} | {ratio_med(ov['nl'], ov['torch']):.2f} |"
                   if ov["torch"] else "– | – |"), ""]

    if "memory" in sections:
        mem = bench_memory(n, 128, ["sgd"] if quick else opts, torch is not None, log)
        out += ["## Peak resident memory of one training epoch (batch 128, separate processes)", "",
                "| contender | optimizer | dataset MiB | peak RSS MiB | peak − dataset MiB "
                "| target: 64 MiB + 4× model | added by fit MiB |",
                "|---|---|---|---|---|---|---|"]
        for d in mem:
            budget = 64 + 4 * d["model_mib"]
            out.append(f"| {d['who']} | {d['opt']} | {d['data_mib']:.0f} | {d['peak_mib']:.0f} | "
                       f"{d['peak_mib'] - d['data_mib']:.0f} | {budget:.1f} | {d['peak_mib'] - d['before_fit_mib']:.0f} |")
        out.append("")

    out.append(f"_total benchmark time {time.perf_counter() - t0:.0f} s_")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
