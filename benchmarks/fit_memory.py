"""Peak memory of fitting on 1,000,000 x 32 float32 rows (target: < 2 GB RSS).

Measures the process's peak resident set size (``ru_maxrss``) before and
after one fit of each estimator (default recipe: validation split, early
stopping), with the data already in memory. Run each estimator in its own
process, since the peak only grows:

    python benchmarks/fit_memory.py FocalClassifier
    python benchmarks/fit_memory.py AdaFocalClassifier

``/usr/bin/time -v python benchmarks/fit_memory.py ...`` reports the same
peak ("Maximum resident set size").
"""

import resource
import sys
import time

import numpy as np

from sklearn_focal import AdaFocalClassifier, FocalClassifier


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "FocalClassifier"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    estimator = {
        "FocalClassifier": FocalClassifier,
        "AdaFocalClassifier": AdaFocalClassifier,
    }[name](max_iter=1, random_state=0, device="cpu")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 32), dtype=np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    before = peak_mb()
    start = time.perf_counter()
    estimator.fit(X, y)
    seconds = time.perf_counter() - start
    after = peak_mb()
    print(
        "| estimator | rows | data MB | peak RSS MB, before fit | after fit | fit s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    data_mb = X.nbytes / 2**20
    cells = [
        name,
        f"{n:,}",
        f"{data_mb:.0f}",
        f"{before:.0f}",
        f"{after:.0f}",
        f"{seconds:.1f}",
    ]
    print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
