"""Wall time of the demo comparison, as a user runs it.

Times ``sklearn-focal compare --dataset digits --quick --repeats R`` end to
end (a fresh process: imports, training, bootstrap, report and figures), for
one repeat (the baseline) and for three, sequentially and with
``--n-jobs``, and prints a Markdown table with the ratio to the baseline and
the target: three repeats within 30 s on a 2-core machine.

With ``--pythons NAME=INTERPRETER ...`` (each a Python with a version of
the package installed, e.g. a venv of an earlier commit) the same commands
run under each, interleaved, with the ratio to the first one's time.

    python benchmarks/compare_speed.py [--runs 2] [--pythons after=... before=...]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 30.0


def _time(args, runs, python=sys.executable):
    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            command = [python, "-m", "sklearn_focal", "compare"]
            command += ["--dataset", "digits", "--quick", "--out", f"{out}/r", *args]
            start = time.perf_counter()
            # in an empty folder: a checkout there would shadow the package
            subprocess.run(command, check=True, capture_output=True, cwd=out)
            best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="best of this many")
    parser.add_argument("--pythons", nargs="+", default=None)
    args = parser.parse_args()
    cases = [
        ("--repeats 1", ["--repeats", "1"]),
        ("--repeats 3", ["--repeats", "3"]),
        ("--repeats 3 --n-jobs 1", ["--repeats", "3", "--n-jobs", "1"]),
        ("--repeats 3 --n-jobs 2", ["--repeats", "3", "--n-jobs", "2"]),
    ]
    if args.pythons:
        return _versions(dict(cases), args)
    times = {name: _time(extra, args.runs) for name, extra in cases}
    baseline = times["--repeats 1"]
    cores, target = os.cpu_count(), f"{TARGET_SECONDS:.0f} s"
    print(f"{cores} cores; best of {args.runs} runs; target {target}\n")
    print("| command (digits --quick) | seconds | ratio to 1 repeat | within target |")
    print("|---|---|---|---|")
    for name, seconds in times.items():
        ok = "yes" if seconds <= TARGET_SECONDS else "NO"
        print(f"| {name} | {seconds:.1f} | {seconds / baseline:.2f} | {ok} |")


def _versions(cases, args):
    """Every command under every interpreter; the ratio to the first."""
    pythons = dict(p.split("=", 1) for p in args.pythons)
    first = next(iter(pythons))
    print(f"{os.cpu_count()} cores; best of {args.runs} runs\n")
    print("| command (digits --quick) | " + " | ".join(pythons) + " |")
    print("|---|" + "---|" * len(pythons))
    for name, extra in cases.items():
        seconds = {v: _time(extra, args.runs, python) for v, python in pythons.items()}
        cells = [f"{s:.1f} s ({s / seconds[first]:.2f}x)" for s in seconds.values()]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
