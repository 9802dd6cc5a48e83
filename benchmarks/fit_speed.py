"""Training speed against a hand-written torch loop, in one process.

Every contestant trains the same network (32 -> 256 -> 256 -> 5, ReLU,
dropout 0.1) with the same loss (focal, gamma=2; sklearn's MLPClassifier has
only cross-entropy), optimizer (AdamW, lr 1e-3, weight decay 1e-4), batch
size (256) and number of epochs, on synthetic data of 32 float32 features and
5 classes:

* ``torch loop``: the baseline, a plain shuffled mini-batch loop over tensors;
* ``FocalClassifier``: ``early_stopping=False``, so it trains on every row
  and validates nothing, like the loop;
* ``AdaFocalClassifier``: trains on 90 % of the rows and runs its per-epoch
  validation pass on the other 10 %;
* ``skorch``: a bare ``NeuralNetClassifier`` with the same module and
  criterion and skorch's default Dataset / DataLoader;
* ``MLPClassifier``: scikit-learn's, same architecture, Adam, same epochs.

Wall-clock seconds per epoch (the whole ``fit`` divided by the epochs, so set-up
is included), best of ``--repeat`` interleaved rounds, and the ratio to the
torch loop. Targets on CPU: FocalClassifier <= 1.05x, AdaFocalClassifier
<= 1.15x.

    python benchmarks/fit_speed.py [--sizes 10000 100000 1000000] [--device cpu]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from skorch import NeuralNetClassifier

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.losses import FocalLoss
from sklearn_focal.networks import MLP

HIDDEN, DROPOUT, LR, WD, BATCH, GAMMA = (256, 256), 0.1, 1e-3, 1e-4, 256, 2.0
EPOCHS = {10_000: 10, 100_000: 3, 1_000_000: 1}


def torch_loop(X, y, epochs, device):
    torch.manual_seed(0)
    model = MLP(X.shape[1], 5, HIDDEN, DROPOUT).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WD)
    criterion = FocalLoss(GAMMA)
    X_t, y_t = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
    generator = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t), generator=generator).to(device)
        for start in range(0, len(X_t), BATCH):
            idx = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = criterion(model(X_t[idx]), y_t[idx])
            loss.backward()
            optimizer.step()
    if device == "cuda":
        torch.cuda.synchronize()


def common(epochs, device):
    return dict(
        hidden_layer_sizes=HIDDEN,
        dropout=DROPOUT,
        learning_rate_init=LR,
        weight_decay=WD,
        batch_size=BATCH,
        max_iter=epochs,
        device=device,
        random_state=0,
    )


def focal(X, y, epochs, device):
    FocalClassifier(gamma=GAMMA, early_stopping=False, **common(epochs, device)).fit(
        X, y
    )


def adafocal(X, y, epochs, device):
    AdaFocalClassifier(early_stopping=False, **common(epochs, device)).fit(X, y)


def skorch(X, y, epochs, device):
    torch.manual_seed(0)
    NeuralNetClassifier(
        MLP,
        module__n_features=X.shape[1],
        module__n_classes=5,
        module__hidden_layer_sizes=HIDDEN,
        module__dropout=DROPOUT,
        criterion=FocalLoss,
        criterion__gamma=GAMMA,
        optimizer=torch.optim.AdamW,
        lr=LR,
        optimizer__weight_decay=WD,
        batch_size=BATCH,
        max_epochs=epochs,
        train_split=None,
        iterator_train__shuffle=True,
        device=device,
        verbose=0,
    ).fit(X, y)


def sklearn_mlp(X, y, epochs, device):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(
            hidden_layer_sizes=HIDDEN,
            solver="adam",
            alpha=WD,
            batch_size=BATCH,
            learning_rate_init=LR,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs + 1,
            random_state=0,
        ).fit(X, y)


CONTESTANTS = {
    "torch loop": torch_loop,
    "FocalClassifier": focal,
    "AdaFocalClassifier": adafocal,
    "skorch": skorch,
    "MLPClassifier": sklearn_mlp,
}


def seconds_per_epoch(names, X, y, epochs, device, repeat):
    """Best seconds per epoch of each contestant over ``repeat`` rounds.

    Rounds interleave the contestants in a rotating order, so that slow
    drift of the machine (a shared VM here) hits all of them alike.
    """
    best = dict.fromkeys(names, np.inf)
    for round_ in range(repeat):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            start = time.perf_counter()
            CONTESTANTS[name](X, y, epochs, device)
            best[name] = min(best[name], (time.perf_counter() - start) / epochs)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=list(EPOCHS))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--skip", nargs="*", default=[], help="contestants to leave out"
    )
    args = parser.parse_args()
    names = ["torch loop"] + [
        n for n in CONTESTANTS if n not in [*args.skip, "torch loop"]
    ]
    device = torch.cuda.get_device_name() if args.device == "cuda" else "CPU"
    threads = torch.get_num_threads()
    print(f"{device}, {threads} threads; seconds per epoch (ratio to torch loop)\n")
    print("| rows | epochs | " + " | ".join(names) + " |")
    print("|---:|---:|" + "---:|" * len(names))
    for n in args.sizes:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((n, 32), dtype=np.float32)
        y = (X[:, :5] @ rng.standard_normal(5)).argsort().argsort() * 5 // n
        y = y.astype(np.int64)
        epochs = EPOCHS.get(n, 1)
        times = seconds_per_epoch(names, X, y, epochs, args.device, args.repeat)
        base = times["torch loop"]
        cells = [f"{times[name]:.3f} ({times[name] / base:.2f}x)" for name in names]
        print(f"| {n:,} | {epochs} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
