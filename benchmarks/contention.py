"""Speed on a busy machine: fits and the demo comparison, idle and with
one or two busy background processes.

Every measurement runs in a fresh process (imports excluded from the fit
times, included in the command's), best of ``--runs``, for each package in
``--pythons`` (``NAME=INTERPRETER``: a Python with that version of the
package installed, e.g. a venv with a ``git worktree`` of an earlier
commit installed: the "before"), and under each load: idle, then with one
and two background processes that spin on a core (started and stopped by
this script). Printed: seconds and the ratio to the same package's idle
time in the same run.

* ``fit default``: ``FocalClassifier()`` on the digits, 20 epochs, no early
  stopping (the (256, 256) network);
* ``fit default, n_threads=1`` / ``n_threads=2``: the same on one / two
  threads (a package without ``n_threads`` runs it under
  ``torch.set_num_threads``);
* ``fit quick``: the ``--quick`` network ((128,) hidden units), likewise;
* ``compare --quick --repeats 3``: ``sklearn-focal compare --dataset digits
  --quick --repeats 3`` end to end (``make demo``; its jobs run in joblib's
  worker processes, each on its share of the cores).

Targets (issue #25), with one busy process: a fit within 1.5x of its idle
time; idle: no fit slower than before by more than 5 %; ``make demo``
within 20 s idle and 30 s busy.

    python benchmarks/contention.py [--pythons after=.venv/bin/python
        before=/tmp/before/.venv/bin/python] [--runs 2] [--loads 0 1 2]
        [--out benchmarks/results]
    python benchmarks/contention.py --tabulate
        [--rst docs/benchmark_contention_table.rst]
        [--facts docs/benchmark_contention_facts.rst]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

FIT = """
import inspect, time, torch
from sklearn.datasets import load_digits
from sklearn_focal import FocalClassifier
X, y = load_digits(return_X_y=True)
X = X / 16
params = dict(max_iter=20, early_stopping=False, random_state=0)
params.update({extra})
if "n_threads" not in inspect.signature(FocalClassifier).parameters:
    # a package without n_threads: the same number of threads, set globally
    torch.set_num_threads(params.pop("n_threads", torch.get_num_threads()))
FocalClassifier(**{{**params, "max_iter": 1}}).fit(X, y)  # warm-up
start = time.perf_counter()
FocalClassifier(**params).fit(X, y)
print(time.perf_counter() - start)
"""

CASES = {
    "fit default": ("fit", "{}"),
    "fit default, n_threads=1": ("fit", "{'n_threads': 1}"),
    "fit default, n_threads=2": ("fit", "{'n_threads': 2}"),
    "fit quick": ("fit", "{'hidden_layer_sizes': (128,)}"),
    "compare --quick --repeats 3": ("command", None),
}


def _measure(kind, extra, python):
    # in an empty folder: a checkout in the working folder would shadow the
    # interpreter's installed package
    with tempfile.TemporaryDirectory() as out:
        if kind == "fit":
            run = subprocess.run(
                [python, "-c", FIT.format(extra=extra)],
                capture_output=True,
                text=True,
                check=True,
                cwd=out,
            )
            return float(run.stdout.strip().splitlines()[-1])
        command = [python, "-m", "sklearn_focal", "compare"]
        command += ["--dataset", "digits", "--quick", "--repeats", "3"]
        command += ["--out", f"{out}/report"]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=out)
        return time.perf_counter() - start


def _busy(n):
    """``n`` processes that keep a core busy each."""
    return [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pythons", nargs="+", default=[f"this={sys.executable}"])
    parser.add_argument("--runs", type=int, default=2, help="best of this many")
    parser.add_argument("--loads", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--cases", nargs="+", default=list(CASES))
    parser.add_argument("--out", default=None, help="folder for contention.csv")
    parser.add_argument("--tabulate", action="store_true", help="run nothing")
    parser.add_argument("--rst", help="also write the table, in reStructuredText")
    parser.add_argument("--facts", help="also write the prose's numbers here")
    args = parser.parse_args()
    if args.tabulate:
        results = pd.read_csv(Path(args.out or "benchmarks/results") / "contention.csv")
        print(tabulate(results))
        if args.rst:
            Path(args.rst).write_text(tabulate(results, "rst") + "\n")
        if args.facts:
            from _facts import write

            write(args.facts, facts(results))
        return
    # absolute (not resolved: a venv's python is a link to its base
    # interpreter): the measurements run in temporary folders
    packages = {
        name: str(Path(path).absolute())
        for name, path in (p.split("=", 1) for p in args.pythons)
    }
    rows = []
    for load in args.loads:
        spinners = _busy(load)
        time.sleep(1.0)
        try:
            for case in args.cases:
                kind, extra = CASES[case]
                for name, path in packages.items():
                    seconds = min(_measure(kind, extra, path) for _ in range(args.runs))
                    rows.append(
                        {"case": case, "package": name, "busy": load, "s": seconds}
                    )
                    print(
                        f"{case:32s} {name:8s} busy={load}: {seconds:.2f} s", flush=True
                    )
        finally:
            for spinner in spinners:
                spinner.kill()
    results = pd.DataFrame(rows)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        results.to_csv(Path(args.out) / "contention.csv", index=False)
    print(tabulate(results))


def facts(results):
    """The numbers of the user guide's section on threads (see ``_facts``)."""
    s = results.set_index(["case", "package", "busy"])["s"]
    demo = "compare --quick --repeats 3"

    def ratio(case, package, busy=1):
        return f"{s[(case, package, busy)] / s[(case, package, 0)]:.1f}"

    change = s[("fit default", "after", 0)] / s[("fit default", "before", 0)] - 1

    def threads(n, busy):
        return s[(f"fit default, n_threads={n}", "after", busy)]

    return {
        "thr_two_idle": f"{threads(1, 0) / threads(2, 0):.2f}",
        "thr_two_busy": f"{threads(2, 1) / threads(1, 1):.1f}",
        "thr_quick_before": ratio("fit quick", "before"),
        "thr_quick_after": ratio("fit quick", "after"),
        "thr_default_before": ratio("fit default", "before"),
        "thr_default_after": ratio("fit default", "after"),
        "thr_idle_change": f"{100 * change:+.0f} %",
        "thr_demo_idle": f"{s[(demo, 'after', 0)]:.0f}",
        "thr_demo_busy": f"{s[(demo, 'after', 1)]:.0f}",
        "thr_demo_idle_before": f"{s[(demo, 'before', 0)]:.0f}",
        "thr_demo_busy_before": f"{s[(demo, 'before', 1)]:.0f}",
    }


def tabulate(results, fmt="pipe"):
    """Seconds and the ratio to the same package's idle time."""
    idle = results[results["busy"] == 0].set_index(["case", "package"])["s"]
    results = results.assign(
        ratio=[
            s / idle.get((case, package), float("nan"))
            for case, package, s in results[["case", "package", "s"]].itertuples(
                index=False
            )
        ]
    )
    table = results.pivot_table(
        index=["case", "package"], columns="busy", values=["s", "ratio"], sort=False
    )
    cells = pd.DataFrame(index=table.index)
    for load in sorted(results["busy"].unique()):
        label = "idle" if load == 0 else f"{load} busy"
        cells[label] = [
            f"{s:.2f} s ({r:.2f}x)"
            for s, r in zip(table[("s", load)], table[("ratio", load)], strict=True)
        ]
    return cells.reset_index().to_markdown(index=False, tablefmt=fmt)


if __name__ == "__main__":
    main()
