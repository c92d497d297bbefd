#!/usr/bin/env python3
"""NumPy side of `Bench` (Tools/Bench): times the same operations on the same sizes.

Usage: bench_numpy.py --cases gemm_nn:256,dot:1000000 [--reps 7] [--min-time 0.02]
       bench_numpy.py --serve       (reads "op n reps min_time" lines on stdin, one reply each)

The thread count is whatever the caller put in OPENBLAS_NUM_THREADS / OMP_NUM_THREADS /
MKL_NUM_THREADS for this process (they must be set before NumPy is imported). Prints one JSON
object per line: first {"info": {...}}, then per case
{"op", "n", "threads", "median_s", "reps", "inner"} or {"op", "n", "unsupported": reason}.
With --serve the process stays alive (the Swift bench keeps one per thread count, so NumPy's
start-up is paid once and the two sides can alternate case by case).
If NumPy is missing, prints {"error": "numpy-missing"} and exits with status 3.
Each repetition runs the operation `inner` times (chosen so a repetition lasts at least
--min-time seconds) and records the mean; the median over repetitions is reported, after one
warm-up repetition.
"""
import argparse
import json
import os
import sys
import time


def emit(obj):
    print(json.dumps(obj), flush=True)


try:
    import numpy as np
except ImportError:
    emit({"error": "numpy-missing"})
    sys.exit(3)

_scipy = {}


def scipy_linalg():
    """scipy.linalg, imported on first use (it is optional and slow to import), or None."""
    if "linalg" not in _scipy:
        try:
            import scipy.linalg
            _scipy["linalg"] = scipy.linalg
        except ImportError:
            _scipy["linalg"] = None
    return _scipy["linalg"]


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        b = cfg["Build Dependencies"]["blas"]
        return f'{b.get("name", "?")} {b.get("version", "")}'.strip()
    except Exception:
        return "unknown"


def spd(rng, n):
    g = rng.standard_normal((n, n))
    return g @ g.T + n * np.eye(n)


def make_case(op, n, rng):
    """Returns a zero-argument callable running one instance of the operation, or a string saying
    why it is unsupported."""
    if op in ("gemm_nn", "gemm_nt", "gemm_tn"):
        a = rng.standard_normal((n, n))
        b = rng.standard_normal((n, n))
        c = np.empty((n, n))
        x = a.T if op == "gemm_tn" else a
        y = b.T if op == "gemm_nt" else b
        return lambda: np.matmul(x, y, out=c)
    if op == "gemv":
        a = rng.standard_normal((n, n))
        v = rng.standard_normal(n)
        return lambda: a @ v
    if op == "gemv_t":
        a = rng.standard_normal((n, 1275))
        v = rng.standard_normal(n)
        return lambda: a.T @ v
    if op == "dot":
        x = rng.standard_normal(n)
        y = rng.standard_normal(n)
        return lambda: np.dot(x, y)
    if op == "axpy":
        x = rng.standard_normal(n)
        y = rng.standard_normal(n)
        sla = scipy_linalg()
        if sla is not None:
            daxpy = sla.blas.daxpy
            return lambda: daxpy(x, y, a=1e-9)  # in place on y (BLAS daxpy)
        return lambda: np.add(y, 1e-9 * x, out=y)
    if op == "cholesky":
        a = spd(rng, n)
        return lambda: np.linalg.cholesky(a)
    if op == "lu":
        sla = scipy_linalg()
        if sla is None:
            return "scipy not installed"
        a = rng.standard_normal((n, n))
        return lambda: sla.lu_factor(a)
    if op == "qr":
        a = rng.standard_normal((n, n))
        return lambda: np.linalg.qr(a, mode="raw")
    if op == "eigh":
        a = rng.standard_normal((n, n))
        a = a + a.T
        return lambda: np.linalg.eigh(a)
    if op == "svd":
        a = rng.standard_normal((n, n))
        return lambda: np.linalg.svd(a, full_matrices=False)
    if op == "svdvals":
        a = rng.standard_normal((n, n))
        return lambda: np.linalg.svd(a, compute_uv=False)
    return f"unknown operation {op}"


def time_case(fn, reps, min_time):
    t0 = time.perf_counter()
    fn()  # warm-up
    once = max(time.perf_counter() - t0, 1e-7)
    inner = max(1, min(10000, int(min_time / once) + 1)) if once < min_time else 1
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    times.sort()
    mid = len(times) // 2
    median = times[mid] if len(times) % 2 else 0.5 * (times[mid - 1] + times[mid])
    return median, inner


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cases", default="", help="comma-separated op:n pairs")
    p.add_argument("--serve", action="store_true", help="read cases from stdin")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--min-time", type=float, default=0.02)
    p.add_argument("--seed", type=int, default=12345)
    args = p.parse_args()
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    emit({"info": {"numpy": np.__version__, "blas": blas_name(), "threads": threads}})
    rng = np.random.default_rng(args.seed)

    def run(op, n, reps, min_time):
        case = make_case(op, n, rng)
        if isinstance(case, str):
            emit({"op": op, "n": n, "unsupported": case})
            return
        median, inner = time_case(case, reps, min_time)
        emit({"op": op, "n": n, "threads": threads, "median_s": median, "reps": reps, "inner": inner})

    if args.serve:
        for line in sys.stdin:
            parts = line.split()
            if not parts:
                continue
            try:
                run(parts[0], int(parts[1]), int(parts[2]), float(parts[3]))
            except Exception as e:  # report and keep serving
                emit({"op": parts[0], "error": repr(e)})
        return
    for item in filter(None, args.cases.split(",")):
        op, n = item.split(":")
        run(op, int(n), args.reps, args.min_time)


if __name__ == "__main__":
    main()
