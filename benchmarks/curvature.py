"""Cost of the curvature estimates, in one process.

A FocalClassifier with the default (256, 256) MLP is trained briefly on
20,000 x 32 synthetic rows (5 classes); then the Hessian trace and top
eigenvalue of the cross-entropy at its weights, on the same rows, are
computed by every method. PyHessian (``pip install pyhessian``; not a
dependency) is timed for reference when installed, on the same network and
data, on the chosen device. Target: the exact trace under 10 s on the CPU.

    python benchmarks/curvature.py [--n 20000] [--device cpu|cuda] [--probes 50]

Prints a Markdown table: value (± standard error), Hessian-vector products,
seconds, and seconds relative to the exact trace.
"""

import argparse
import copy
import time

import numpy as np
import torch
from sklearn.datasets import make_classification

from sklearn_focal import FocalClassifier
from sklearn_focal.curvature import hessian_top_eigenvalue, hessian_trace


def timed(fn):
    start = time.perf_counter()
    value = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return value, time.perf_counter() - start


def pyhessian_rows(clf, X, y, device, probes):
    try:
        from pyhessian import hessian
    except ImportError:
        return [("PyHessian (not installed)", None, None, None, None)]
    model = copy.deepcopy(clf.net_.module_).to(device).eval()
    inputs = torch.as_tensor(X, dtype=torch.float32)
    targets = torch.as_tensor(np.searchsorted(clf.classes_, y))
    rows = []
    torch.manual_seed(0)
    engine, t_setup = timed(
        lambda: hessian(
            model,
            torch.nn.CrossEntropyLoss(),
            data=(inputs, targets),
            cuda=device == "cuda",
        )
    )
    # PyHessian's trace runs Hutchinson until the relative change of the
    # running mean is below tol, up to maxIter probes.
    trace, t_trace = timed(lambda: engine.trace(maxIter=probes, tol=1e-3))
    samples = np.asarray(trace)
    se = (
        samples.std(ddof=1) / np.sqrt(len(samples))
        if len(samples) > 1
        else float("nan")
    )
    rows.append(
        (
            "PyHessian trace (Hutchinson)",
            samples.mean(),
            se,
            len(samples),
            t_setup + t_trace,
        )
    )
    (eigenvalues, _), t_eig = timed(lambda: engine.eigenvalues(maxIter=200, tol=1e-4))
    rows.append(("PyHessian top eigenvalue (power)", eigenvalues[0], None, None, t_eig))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--probes", type=int, default=50)
    args = parser.parse_args()

    X, y = make_classification(
        args.n, args.features, n_informative=16, n_classes=5, random_state=0
    )
    clf = FocalClassifier(max_iter=5, device=args.device, random_state=0).fit(X, y)
    n_params = sum(p.numel() for p in clf.net_.module_.parameters())
    rows = []
    exact, t_exact = timed(lambda: hessian_trace(clf, X, y, method="exact"))
    rows.append(("trace, exact (Linear/ReLU identity)", exact.value, None, 0, t_exact))
    hutch, t = timed(
        lambda: hessian_trace(
            clf, X, y, method="hutchinson", n_probes=args.probes, random_state=0
        )
    )
    rows.append(
        (
            f"trace, Hutchinson ({args.probes} probes)",
            hutch.value,
            hutch.std_error,
            hutch.n_hvp,
            t,
        )
    )
    lanczos, t = timed(
        lambda: hessian_top_eigenvalue(clf, X, y, tol=1e-4, random_state=0)
    )
    rows.append(("top eigenvalue, Lanczos", lanczos.value, None, lanczos.n_hvp, t))
    power, t = timed(
        lambda: hessian_top_eigenvalue(
            clf, X, y, method="power", tol=1e-4, random_state=0
        )
    )
    rows.append(("top eigenvalue, power iteration", power.value, None, power.n_hvp, t))
    rows += pyhessian_rows(clf, X, y, args.device, args.probes)

    device = torch.cuda.get_device_name() if args.device == "cuda" else "CPU"
    print(
        f"{args.n} x {args.features} rows, 5 classes, MLP (256, 256): {n_params} "
        f"parameters; {device}, {torch.get_num_threads()} threads\n"
    )
    print("| method | value | std. error | HVPs | seconds | vs exact trace |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, value, se, n_hvp, seconds in rows:
        if value is None:
            print(f"| {name} | - | - | - | - | - |")
            continue
        se_text = "-" if se is None else f"{se:.3g}"
        hvp_text = "-" if n_hvp is None else str(n_hvp)
        print(
            f"| {name} | {value:.4g} | {se_text} | {hvp_text} | {seconds:.2f} "
            f"| {seconds / t_exact:.1f}x |"
        )


if __name__ == "__main__":
    main()
