"""A CNN's fit through FocalClassifier against a plain torch loop.

The small CNN of ``examples/plot_cnn_images.py`` on the digits as 1 x 8 x 8
images (1,797 rows), cross-entropy (``gamma=0``), AdamW, the same batch
size, epochs and threads, no validation split: what the estimator adds to
the loop it runs (skorch's machinery, the package's checks, callbacks and
prediction passes). Best of ``--repeats`` runs of each, in one process.

    python benchmarks/cnn_speed.py [--epochs 30] [--repeats 3] [--threads 1]
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from torch import nn

from sklearn_focal import FocalClassifier


class SmallCNN(nn.Module):
    """The CNN of ``examples/plot_cnn_images.py`` (the example is a script
    that trains on import, so it is not imported here)."""

    def __init__(self, n_classes, width=16):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(width * 16, n_classes),
        )

    def forward(self, X):
        return self.body(X)


def _data():
    X, y = load_digits(return_X_y=True)
    return (X / 16).reshape(-1, 1, 8, 8).astype(np.float32), y


def estimator_fit(X, y, epochs, batch_size):
    FocalClassifier(
        module=SmallCNN,
        gamma=0.0,
        max_iter=epochs,
        batch_size=batch_size,
        early_stopping=False,
        random_state=0,
    ).fit(X, y)


def torch_fit(X, y, epochs, batch_size):
    """The same training in plain torch: shuffled mini-batches, AdamW with
    the estimator's defaults, cross-entropy."""
    torch.manual_seed(0)
    module = SmallCNN(n_classes=10)
    optimizer = torch.optim.AdamW(module.parameters(), lr=1e-3, weight_decay=1e-4)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch_size):
            index = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(module(X_t[index]), y_t[index])
            loss.backward()
            optimizer.step()
    module.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y = _data()
    rows = []
    for name, fit in (
        ("plain torch loop", torch_fit),
        ("FocalClassifier", estimator_fit),
    ):
        fit(X, y, 1, args.batch_size)  # warm-up: imports, first kernels
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            fit(X, y, args.epochs, args.batch_size)
            times.append(time.perf_counter() - start)
        rows.append({"fit": name, "seconds": min(times)})
    table = pd.DataFrame(rows)
    table["ratio"] = table["seconds"] / table["seconds"].iloc[0]
    print(
        f"{args.epochs} epochs, batch {args.batch_size}, {args.threads} thread(s), "
        f"best of {args.repeats}:\n"
    )
    print(table.round(3).to_markdown(index=False))


if __name__ == "__main__":
    main()
