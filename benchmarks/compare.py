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
shapes of one step.  Peak memory is measured in separate processes (``--memory-child``).

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
            best = float("inf")
            for _ in range(repeats):
                t = time.perf_counter()
                for _ in range(reps):
                    np.matmul(A, B, out=C)
                best = min(best, (time.perf_counter() - t) / reps)
            step += best
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


def bench_epochs(X, y, torch, sklearn, batch_sizes, opts, reps, with_sklearn, log):
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
            t_nl, t_pt, t_sk, t_gemm = [], [], [], []
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
                settle()
                t_gemm.append(gemm_epoch_time(n, bs, repeats=2))
            row = dict(opt=opt, bs=bs, nl=t_nl, torch=t_pt, sk=t_sk, gemm=t_gemm)
            rows.append(row)
            log(f"  epoch {opt:4s} bs={bs:3d}: neuronlab {fmt(t_nl)}"
                + (f"  torch {fmt(t_pt)}" if t_pt else "") + (f"  sklearn {fmt(t_sk)}" if t_sk else "")
                + f"  gemm-limit {min(t_gemm):.3f}")
    return rows


def bench_inference(X, torch, sklearn, reps, n_batches, log):
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
    r_nl, r_pt, r_sk = [], [], []
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
    log(f"  inference: neuronlab {statistics.median(r_nl):,.0f}/s"
        + (f"  torch {statistics.median(r_pt):,.0f}/s" if r_pt else "")
        + (f"  sklearn {statistics.median(r_sk):,.0f}/s" if r_sk else ""))
    # forward GEMM limit at batch 1024
    return dict(nl=r_nl, torch=r_pt, sk=r_sk)


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
    ap.add_argument("--sections", default="epoch,inference,overhead,memory")
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
    t0 = time.perf_counter()

    if "epoch" in sections:
        rows = bench_epochs(X, y, torch, sklearn, batch_sizes, opts, reps, with_sklearn, log)
        flops = epoch_flops(n)
        out += ["## Training: one epoch", "",
                "| optimizer | batch | neuronlab s | PyTorch s | scikit-learn s | ÷ PyTorch (target ≤ 0.6) "
                "| ÷ sklearn (≤ 0.5) | GEMM limit s | fraction of GEMM limit | GEMM GFLOP/s |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            g = min(r["gemm"])
            out.append(
                f"| {r['opt']} | {r['bs']} | {fmt(r['nl'])} | {fmt(r['torch']) if r['torch'] else '–'} | "
                f"{fmt(r['sk']) if r['sk'] else '–'} | "
                f"{ratio_med(r['nl'], r['torch']):.2f} | " if r['torch'] else
                f"| {r['opt']} | {r['bs']} | {fmt(r['nl'])} | – | {fmt(r['sk']) if r['sk'] else '–'} | – | ")
            out[-1] += (f"{ratio_med(r['nl'], r['sk']):.2f} | " if r["sk"] else "– | ")
            out[-1] += f"{g:.3f} | {g / statistics.median(r['nl']):.0%} | {flops / g / 1e9:.0f} |"
        out.append("")

    if "inference" in sections:
        inf = bench_inference(X, torch, sklearn if with_sklearn else None, reps, max(1, min(40, n // 1024)), log)
        med = statistics.median
        out += ["## Inference: predict_proba, batch 1024", "",
                "| neuronlab samples/s | PyTorch (inference_mode) | scikit-learn | ÷ PyTorch (target ≥ 2) | ÷ sklearn |",
                "|---|---|---|---|---|",
                f"| {med(inf['nl']):,.0f} | {med(inf['torch']):,.0f} | " if inf["torch"] else
                f"| {med(inf['nl']):,.0f} | – | "]
        out[-1] += (f"{med(inf['sk']):,.0f} | " if inf["sk"] else "– | ")
        out[-1] += (f"{ratio_med(inf['nl'], inf['torch']):.2f} | " if inf["torch"] else "– | ")
        out[-1] += (f"{ratio_med(inf['nl'], inf['sk']):.2f} |" if inf["sk"] else "– |")
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
