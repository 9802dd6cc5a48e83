"""How many threads torch uses for a fit, a prediction or a curvature.

torch runs each operation on its intra-op thread pool (OpenMP), every core
by default. For a small operation the threads cost more than they save,
and as soon as another process keeps a core busy they wait for one
another at every operation: measured on two cores with one busy process,
a training step of the ``--quick`` network takes several times longer on
two threads than on one (``benchmarks/contention.py``).

The policy (``n_threads=None``): one thread when a step is too small to
gain from more (fewer than :data:`PARALLEL_WORK` multiply-adds: batch rows
times network parameters for a forward pass, three times that for a
training step), else as many as torch may use in this process
(``torch.get_num_threads()``, which already honours ``OMP_NUM_THREADS``,
``torch.set_num_threads`` and the limit joblib sets in its worker
processes). An int asks for exactly that many. The choice
depends on the network and the batch, never on the machine's load, so a
fit with an integer ``random_state`` stays bit-for-bit reproducible on a
given machine: float sums depend on the thread count.

The setting is torch's, process-wide; it holds for the duration of the
call and is restored afterwards, so the user's own setting is left as it
was. Fits running at the same time in threads of one process share it
(joblib's threading backend): run them in processes, joblib's default, or
pass ``n_threads=1``.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

__all__ = [
    "PARALLEL_WORK",
    "n_parameters",
    "resolve",
    "torch_threads",
    "training_work",
]

#: Multiply-adds of one operation from which several threads pay, on
#: balance. Measured on two cores (``benchmarks/contention.py``, 20 epochs
#: on the digits; the numbers are in the user guide's section on threads):
#: the default (256, 256) network, 64M per training step of 256 rows, fits
#: faster on two idle threads than on one, but several times slower on two
#: as soon as another process keeps a core busy, while one thread keeps its
#: idle speed. One thread up to 200M: the networks of a tabular problem
#: train on one thread, a wide network on large batches on all of them.
PARALLEL_WORK = 200_000_000


def resolve(n_threads, work: int) -> int:
    """The thread count of ``n_threads`` for operations of ``work``
    multiply-adds."""
    if n_threads is not None:
        return int(n_threads)
    if work < PARALLEL_WORK:
        return 1
    return torch.get_num_threads()


def training_work(rows: int, module) -> int:
    """Multiply-adds of a training step: forward and backward, about three
    forward passes."""
    return 3 * rows * n_parameters(module)


def n_parameters(module) -> int:
    return sum(p.numel() for p in module.parameters())


@contextmanager
def torch_threads(n: int):
    """torch's intra-op threads set to ``n`` inside the block, restored after."""
    before = torch.get_num_threads()
    if n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
