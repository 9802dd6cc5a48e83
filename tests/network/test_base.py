"""The shared machinery: validation split and batch iterator."""

import numpy as np
import pytest
import torch

from sklearn_focal._network._data import (
    TensorBatches,
    TensorDataset,
    data_device,
    validation_split,
)


def test_validation_split_is_stratified_and_disjoint():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    train, valid = validation_split(y, 0.2, seed=0)
    assert len(np.intersect1d(train, valid)) == 0
    assert len(train) + len(valid) == 100
    np.testing.assert_array_equal(np.bincount(y[valid]), [10, 6, 4])


def test_validation_split_keeps_single_member_classes_in_training():
    y = np.array([0] * 10 + [1] * 10 + [2])
    train, valid = validation_split(y, 0.1, seed=0)
    assert 20 in train and 20 not in valid
    assert set(y[valid]) == {0, 1}


def test_validation_split_has_one_sample_per_class_at_least():
    y = np.repeat(np.arange(5), 3)  # 10% of 15 would be 2 samples
    _, valid = validation_split(y, 0.1, seed=0)
    np.testing.assert_array_equal(np.sort(y[valid]), np.arange(5))


def test_validation_split_is_seeded():
    y = np.repeat([0, 1], 50)
    a = validation_split(y, 0.3, seed=1)[1]
    assert np.array_equal(a, validation_split(y, 0.3, seed=1)[1])
    assert not np.array_equal(a, validation_split(y, 0.3, seed=2)[1])


def test_validation_split_too_small():
    with pytest.raises(ValueError, match="Too few samples"):
        validation_split(np.array([0, 1, 2]), 0.5, seed=0)  # no class has 2 members
    train, valid = validation_split(np.array([0, 0, 1, 1]), 0.5, seed=0)
    assert sorted(np.array([0, 0, 1, 1])[valid]) == [0, 1]
    train, valid = validation_split(np.array([0, 1, 1]), 0.5, seed=0)
    assert list(valid) in ([1], [2]) and 0 in train


def _dataset(n, weights=False):
    X = torch.arange(n, dtype=torch.float32)[:, None].repeat(1, 2)
    y = torch.arange(n) % 3
    w = torch.arange(n, dtype=torch.float32) if weights else None
    return TensorDataset(X, y, w)


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cover_every_row_once_per_epoch(shuffle):
    data = _dataset(103, weights=True)
    batches = TensorBatches(data, batch_size=10, shuffle=shuffle, seed=0)
    assert len(batches) == 11
    for _ in range(2):
        seen = []
        for features, yb in batches:
            # weights travel inside X, the way skorch passes extra inputs
            Xb, wb = features["X"], features["sample_weight"]
            assert len(Xb) <= 10
            rows = Xb[:, 0].long()
            torch.testing.assert_close(yb, rows % 3)  # rows stay aligned
            torch.testing.assert_close(wb, rows.float())
            seen.append(rows)
        order = torch.cat(seen)
        assert sorted(order.tolist()) == list(range(103))
        assert (order.tolist() == list(range(103))) is (not shuffle)


def test_shuffling_is_seeded_and_changes_every_epoch():
    def epoch_orders(seed):
        batches = TensorBatches(_dataset(50), batch_size=50, shuffle=True, seed=seed)
        return [next(iter(batches))[1].tolist() for _ in range(2)] + [
            [x[0][:, 0].tolist() for x in batches]
        ]

    first = epoch_orders(0)
    assert first == epoch_orders(0)
    assert first[0] != first[1]
    assert first != epoch_orders(1)


def test_unweighted_batches_yield_plain_features_and_targets():
    Xb, yb = next(iter(TensorBatches(_dataset(5), batch_size=2)))
    assert isinstance(Xb, torch.Tensor) and Xb[:, 0].tolist() == [0, 1]
    assert isinstance(yb, torch.Tensor) and yb.tolist() == [0, 1]


def test_other_datasets_go_through_a_data_loader():
    data = torch.utils.data.TensorDataset(torch.arange(7.0)[:, None], torch.arange(7))
    batches = list(TensorBatches(data, batch_size=3))
    assert [len(b[0]) for b in batches] == [3, 3, 1]
    assert torch.cat([b[1] for b in batches]).tolist() == list(range(7))


def test_data_stay_on_the_host_when_they_do_not_fit_the_gpu(monkeypatch):
    cuda = torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (1000, 4000))
    assert data_device(400, cuda) == cuda  # within half of the free memory
    assert data_device(600, cuda) == torch.device("cpu")
    assert data_device(10**12, torch.device("cpu")) == torch.device("cpu")


def test_mlp_mode_switches_reach_every_layer_and_repeats_are_free():
    from sklearn_focal.networks import MLP

    net = MLP(3, 2, hidden_layer_sizes=(4,), dropout=0.5)
    for mode in (False, False, True, True, False):
        assert net.train(mode) is net
        assert all(m.training is mode for m in net.modules())
    calls = []
    net.layers.train = lambda mode=True: calls.append(mode)  # spy on the walk
    net.train(False)  # already in eval mode: nothing to walk
    net.train(True)
    assert calls == [True]
