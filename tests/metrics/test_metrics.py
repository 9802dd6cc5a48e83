"""Calibration metrics against netcal, scikit-learn and hand-computed values."""

import sys
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import accuracy_score, average_precision_score, brier_score_loss
from sklearn.metrics import log_loss as sklearn_log_loss
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_focal import metrics
from sklearn_focal.metrics import (
    _binning,
    _smooth_and_debiased,
    average_precision,
    calibration_bins,
    classwise_calibration_error,
    debiased_calibration_error,
    expected_calibration_error,
    log_loss,
    smooth_calibration_error,
)
from sklearn_focal.metrics import (
    multiclass_brier_score as brier,
)

netcal_metrics = pytest.importorskip("netcal.metrics")

#: The two implementations of top-label uniform binning: vectorised numpy
#: and the compiled single pass (numba).
BACKENDS = ["numpy", "compiled"]


@contextmanager
def use_backend(name):
    """Route top-label uniform binning of any size through ``name``; the
    compiled pass splits even a few rows among threads."""
    if name == "compiled" and _binning._load_kernel() is None:
        pytest.skip("numba cannot be imported")
    saved = _binning._KERNEL_MIN_SIZE, _binning._KERNEL_MIN_ROWS_PER_THREAD
    _binning._KERNEL_MIN_SIZE = 0 if name == "compiled" else np.inf
    _binning._KERNEL_MIN_ROWS_PER_THREAD = 16
    try:
        yield
    finally:
        _binning._KERNEL_MIN_SIZE, _binning._KERNEL_MIN_ROWS_PER_THREAD = saved


@pytest.fixture(params=BACKENDS)
def backend(request):
    with use_backend(request.param):
        yield request.param


def _random_predictions(n, n_classes, seed, concentration=0.5):
    rng = np.random.default_rng(seed)
    y_prob = rng.dirichlet(np.full(n_classes, concentration), size=n)
    y_true = rng.integers(0, n_classes, size=n)
    return y_true, y_prob


# -- netcal -------------------------------------------------------------------
@pytest.mark.parametrize("n_classes", [3, 5, 10])
@pytest.mark.parametrize("n_bins", [1, 5, 10, 15, 20])
@pytest.mark.parametrize("seed", [0, 1])
def test_multiclass_ece_and_mce_match_netcal(n_classes, n_bins, seed, backend):
    y_true, y_prob = _random_predictions(777, n_classes, seed)
    expected_ece = netcal_metrics.ECE(bins=n_bins).measure(y_prob, y_true)
    expected_mce = netcal_metrics.MCE(bins=n_bins).measure(y_prob, y_true)
    ece = expected_calibration_error(y_true, y_prob, n_bins=n_bins)
    mce = expected_calibration_error(y_true, y_prob, n_bins=n_bins, norm="max")
    assert ece == pytest.approx(expected_ece, abs=1e-9)
    assert mce == pytest.approx(expected_mce, abs=1e-9)
    assert ece > 0.01  # a non-trivial case


@pytest.mark.parametrize("n_bins", [1, 5, 15, 20])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binary_matches_netcal(n_bins, seed, backend):
    y_true, y_prob = _random_predictions(501, 2, seed)
    # netcal measures the positive-class probability of a binary problem:
    # that is the classwise ECE (both classes give the same number).
    expected_ece = netcal_metrics.ECE(bins=n_bins).measure(y_prob, y_true)
    expected_mce = netcal_metrics.MCE(bins=n_bins).measure(y_prob, y_true)
    assert classwise_calibration_error(y_true, y_prob, n_bins=n_bins) == pytest.approx(
        expected_ece, abs=1e-9
    )
    assert classwise_calibration_error(
        y_true, y_prob[:, 1], n_bins=n_bins, norm="max"
    ) == pytest.approx(expected_mce, abs=1e-9)
    # top-label ECE: netcal's binary interface with (confidence, correct)
    confidence = y_prob.max(axis=1)
    correct = (y_prob.argmax(axis=1) == y_true).astype(int)
    top = netcal_metrics.ECE(bins=n_bins).measure(confidence, correct)
    assert expected_calibration_error(y_true, y_prob, n_bins=n_bins) == pytest.approx(
        top, abs=1e-9
    )
    assert expected_calibration_error(
        y_true, y_prob[:, 1], n_bins=n_bins
    ) == pytest.approx(top, abs=1e-9)


# -- hand-computed values and conventions -------------------------------------
def test_hand_computed_bins(backend):
    y_true = [0, 1, 1, 0, 2]
    y_prob = [
        [0.9, 0.05, 0.05],  # conf 0.9 correct   -> bin 4
        [0.3, 0.7, 0.0],  # conf 0.7 correct   -> bin 3
        [0.6, 0.4, 0.0],  # conf 0.6 wrong     -> bin 2 (edge: right-closed)
        [0.8, 0.1, 0.1],  # conf 0.8 correct   -> bin 3 (edge: right-closed)
        [0.2, 0.45, 0.35],  # conf 0.45 wrong  -> bin 2
    ]
    bins = calibration_bins(y_true, y_prob, n_bins=5)
    np.testing.assert_allclose(bins.count, [0, 0, 2, 2, 1])
    np.testing.assert_allclose(bins.confidence, [0, 0, 0.525, 0.75, 0.9])
    np.testing.assert_allclose(bins.accuracy, [0, 0, 0, 1, 1])
    np.testing.assert_allclose(bins.edges, np.linspace(0, 1, 6))
    ece = (2 * 0.525 + 2 * 0.25 + 1 * 0.1) / 5
    assert expected_calibration_error(y_true, y_prob, n_bins=5) == pytest.approx(ece)
    rms = np.sqrt((2 * 0.525**2 + 2 * 0.25**2 + 0.1**2) / 5)
    assert expected_calibration_error(
        y_true, y_prob, n_bins=5, norm="l2"
    ) == pytest.approx(rms)
    assert expected_calibration_error(y_true, y_prob, n_bins=5, norm="max") == 0.525


def test_confidence_zero_and_one_land_in_the_end_bins():
    bins = calibration_bins(
        [1, 0, 1, 0], [1.0, 0.0, 0.0, 1.0], n_bins=4, kind="classwise"
    )
    # class 1: probabilities 1, 0, 0, 1 -> two in the first bin, two in the last
    np.testing.assert_allclose(bins.count[1], [2, 0, 0, 2])
    np.testing.assert_allclose(bins.accuracy[1], [0.5, 0, 0, 0.5])


def test_quantile_edges_interpolate_sorted_confidences():
    # Mukhoti et al.'s histedges_equalN:
    # np.interp(linspace(0, n, b + 1), arange(n), sort(x))
    y_true, y_prob = _random_predictions(103, 4, seed=3)
    confidence = y_prob.max(axis=1)
    for n_bins in (3, 7, 15):
        bins = calibration_bins(y_true, y_prob, n_bins=n_bins, strategy="quantile")
        expected = np.interp(
            np.linspace(0, 103, n_bins + 1), np.arange(103), np.sort(confidence)
        )
        np.testing.assert_allclose(bins.edges, expected)
        assert bins.count.sum() == 103  # no sample lost at the outer edges
        assert bins.count.max() - bins.count.min() <= 2  # equal mass


def test_quantile_with_unit_weights_equals_unweighted():
    y_true, y_prob = _random_predictions(200, 3, seed=4)
    a = calibration_bins(y_true, y_prob, strategy="quantile")
    b = calibration_bins(
        y_true, y_prob, strategy="quantile", sample_weight=np.ones(200)
    )
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y)


def test_integer_weights_equal_repetition(backend):
    y_true, y_prob = _random_predictions(60, 3, seed=5)
    w = np.random.default_rng(5).integers(0, 4, size=60)
    rep_true, rep_prob = np.repeat(y_true, w), np.repeat(y_prob, w, axis=0)
    for fn, kwargs in [
        (expected_calibration_error, {}),
        (expected_calibration_error, {"norm": "l2"}),
        (expected_calibration_error, {"norm": "max"}),
        (classwise_calibration_error, {}),
        (brier, {}),
        (log_loss, {}),
    ]:
        weighted = fn(y_true, y_prob, sample_weight=w, **kwargs)
        assert weighted == pytest.approx(fn(rep_true, rep_prob, **kwargs)), fn


def test_classwise_bins_per_class():
    y_true, y_prob = _random_predictions(300, 4, seed=6)
    bins = calibration_bins(y_true, y_prob, n_bins=10, kind="classwise")
    assert bins.count.shape == (4, 10) and bins.edges.shape == (4, 11)
    for k in range(4):
        top = calibration_bins(
            (y_true == k).astype(int), y_prob[:, k], n_bins=10, kind="classwise"
        )
        np.testing.assert_allclose(bins.accuracy[k], top.accuracy[1])
        np.testing.assert_allclose(bins.confidence[k], top.confidence[1])


def test_string_labels_and_labels_argument(backend):
    y_true, y_prob = _random_predictions(100, 3, seed=7)
    names = np.array(["ant", "bee", "cat"])
    assert expected_calibration_error(
        names[y_true], y_prob
    ) == expected_calibration_error(y_true, y_prob)
    # a class absent from y_true: declare it with labels
    present = y_true != 2
    with pytest.raises(ValueError, match="y_prob has 3 columns but there are 2 labels"):
        expected_calibration_error(y_true[present], y_prob[present])
    sub_true, sub_prob = y_true[present], y_prob[present]
    correct = (sub_prob.argmax(axis=1) == sub_true).astype(int)
    assert expected_calibration_error(
        sub_true, sub_prob, labels=[0, 1, 2]
    ) == pytest.approx(
        netcal_metrics.ECE(bins=15).measure(sub_prob.max(axis=1), correct), abs=1e-9
    )
    # like sklearn's log_loss, the order of labels does not matter
    assert expected_calibration_error(
        y_true, y_prob, labels=[2, 0, 1]
    ) == expected_calibration_error(y_true, y_prob)


# -- Brier and NLL against sklearn --------------------------------------------
@pytest.mark.parametrize("n_classes", [2, 3, 6])
def test_brier_and_nll_match_sklearn(n_classes):
    y_true, y_prob = _random_predictions(400, n_classes, seed=8, concentration=2.0)
    w = np.random.default_rng(8).random(400)
    assert brier(y_true, y_prob) == pytest.approx(
        brier_score_loss(y_true, y_prob, scale_by_half=False)
    )
    assert brier(y_true, y_prob, sample_weight=w) == pytest.approx(
        brier_score_loss(y_true, y_prob, sample_weight=w, scale_by_half=False)
    )
    assert log_loss(y_true, y_prob) == pytest.approx(sklearn_log_loss(y_true, y_prob))
    assert log_loss(y_true, y_prob, sample_weight=w) == pytest.approx(
        sklearn_log_loss(y_true, y_prob, sample_weight=w)
    )


def test_binary_vector_input_is_the_positive_class():
    y_true, y_prob = _random_predictions(200, 2, seed=9)
    for fn in (expected_calibration_error, classwise_calibration_error, brier):
        assert fn(y_true, y_prob[:, 1]) == pytest.approx(fn(y_true, y_prob))
    assert log_loss(y_true, y_prob[:, 1]) == pytest.approx(
        sklearn_log_loss(y_true, y_prob[:, 1])
    )
    assert brier(y_true, y_prob[:, 1]) == pytest.approx(
        2 * brier_score_loss(y_true, y_prob[:, 1])
    )


def test_zero_probability_on_true_class_is_finite():
    assert np.isfinite(log_loss([0, 1], [[1.0, 0.0], [1.0, 0.0]]))


# -- properties ---------------------------------------------------------------
@st.composite
def predictions(draw):
    n_classes = draw(st.integers(2, 6))
    n = draw(st.integers(1, 60))
    raw = draw(
        arrays(
            np.float64, (n, n_classes), elements=st.floats(0, 1, allow_subnormal=False)
        )
    )
    raw = raw + 1e-3
    y_prob = raw / raw.sum(axis=1, keepdims=True)
    y_true = draw(arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    return y_true, y_prob, n_classes


@settings(max_examples=80, deadline=None)
@given(predictions(), st.integers(1, 20), st.sampled_from(["uniform", "quantile"]))
def test_ece_properties(pred, n_bins, strategy):
    y_true, y_prob, n_classes = pred
    labels = np.arange(n_classes)
    kw = dict(n_bins=n_bins, strategy=strategy, labels=labels)
    l1 = expected_calibration_error(y_true, y_prob, **kw)
    l2 = expected_calibration_error(y_true, y_prob, norm="l2", **kw)
    mx = expected_calibration_error(y_true, y_prob, norm="max", **kw)
    assert 0 <= l1 <= 1
    assert l1 <= l2 + 1e-12 and l2 <= mx + 1e-12
    # invariant to the order of the samples
    perm = np.random.default_rng(0).permutation(len(y_true))
    assert expected_calibration_error(
        y_true[perm], y_prob[perm], **kw
    ) == pytest.approx(l1)
    # invariant to relabelling the classes (permuting labels and columns
    # together), unless two classes tie for the largest probability: argmax
    # then breaks the tie by column order
    relabel = np.random.default_rng(1).permutation(n_classes)
    inverse = np.argsort(relabel)
    top_two = np.sort(y_prob, axis=1)[:, -2:]
    if (top_two[:, 1] > top_two[:, 0]).all():
        assert expected_calibration_error(
            relabel[y_true], y_prob[:, inverse], **kw
        ) == pytest.approx(l1)
    cw = classwise_calibration_error(y_true, y_prob, **kw)
    assert 0 <= cw <= 1
    assert classwise_calibration_error(
        relabel[y_true], y_prob[:, inverse], **kw
    ) == pytest.approx(cw)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 6),
    arrays(np.int64, st.integers(1, 50), elements=st.integers(0, 5)),
    st.sampled_from(["uniform", "quantile"]),
)
def test_perfect_one_hot_predictions_have_zero_error(n_classes, y_true, strategy):
    y_true = y_true % n_classes
    y_prob = np.eye(n_classes)[y_true]
    labels = np.arange(n_classes)
    for norm in ("l1", "l2", "max"):
        assert (
            expected_calibration_error(
                y_true, y_prob, labels=labels, strategy=strategy, norm=norm
            )
            == 0
        )
    assert (
        classwise_calibration_error(y_true, y_prob, labels=labels, strategy=strategy)
        == 0
    )
    assert brier(y_true, y_prob, labels=labels) == 0


# -- the compiled pass ---------------------------------------------------------
@st.composite
def coarse_predictions(draw):
    """Probabilities on a coarse grid: ties for the maximum and confidences
    on bin edges are common, where a compiled pass could differ from numpy."""
    n_classes = draw(st.integers(2, 6))
    n = draw(st.integers(1, 80))
    counts = draw(arrays(np.int64, (n, n_classes), elements=st.integers(0, 4)))
    counts[np.arange(n), np.arange(n) % n_classes] += 1  # no all-zero row
    y_prob = counts / counts.sum(axis=1, keepdims=True)
    y_true = draw(arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    weight = draw(
        st.none() | arrays(np.float64, n, elements=st.sampled_from([0.0, 0.5, 1, 3]))
    )
    return y_true, y_prob, weight


@settings(max_examples=150, deadline=None)
@given(coarse_predictions(), st.integers(1, 20))
def test_compiled_pass_equals_numpy(pred, n_bins):
    y_true, y_prob, weight = pred
    if weight is not None and weight.sum() == 0:
        weight[0] = 1.0
    labels = np.arange(y_prob.shape[1])
    results = {}
    for name in BACKENDS:
        with use_backend(name):
            results[name] = calibration_bins(
                y_true, y_prob, n_bins=n_bins, labels=labels, sample_weight=weight
            )
    for ours, reference in zip(results["compiled"], results["numpy"], strict=True):
        np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-15)


def test_compiled_pass_breaks_ties_to_the_first_column():
    y_prob = [[0.4, 0.4, 0.2], [0.1, 0.45, 0.45], [0.3, 0.3, 0.4]]
    for name in BACKENDS:
        with use_backend(name):
            # predictions: 0, 1, 2 -> correct, wrong, correct
            bins = calibration_bins([0, 2, 2], y_prob, n_bins=2, labels=[0, 1, 2])
        np.testing.assert_allclose(bins.count, [3, 0])
        np.testing.assert_allclose(bins.accuracy, [2 / 3, 0])


def test_without_numba_large_inputs_take_the_numpy_path(monkeypatch):
    y_true, y_prob = _random_predictions(300, 4, seed=7)
    with use_backend("numpy"):
        expected = calibration_bins(y_true, y_prob)
    _binning._load_kernel.cache_clear()
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` fails
    monkeypatch.delitem(sys.modules, "sklearn_focal.metrics._kernels", raising=False)
    monkeypatch.setattr(_binning, "_KERNEL_MIN_SIZE", 0)
    try:
        assert _binning._load_kernel() is None
        bins = calibration_bins(y_true, y_prob)
    finally:
        _binning._load_kernel.cache_clear()
    for ours, reference in zip(bins, expected, strict=True):
        np.testing.assert_array_equal(ours, reference)


# -- bad input ----------------------------------------------------------------
@pytest.mark.parametrize(
    "y_true, y_prob, match",
    [
        ([0, 1, 1], [[0.5, 0.5], [0.5, 0.5]], "inconsistent numbers of samples"),
        (
            [0, 1],
            [[1.2, -0.2], [0.5, 0.5]],
            r"y_prob values must be probabilities in \[0, 1\]",
        ),
        ([0, 1], [[0.5, 0.6], [0.5, 0.5]], "rows of y_prob must sum to 1"),
        ([0, 1], [[np.nan, 0.5], [0.5, 0.5]], "y_prob contains NaN"),
        ([0, 1], [[0.5, 0.5], [0.5, np.nan]], "y_prob contains NaN"),
        ([0, 1], [[0.5, 0.5], [-np.inf, np.inf]], "y_prob contains infinity"),
        ([0, 1, 5], [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], "3 labels"),
        ([0, 1], [[1.0], [1.0]], r"shape \(n_samples, n_classes\) with n_classes >= 2"),
    ],
)
@pytest.mark.parametrize(
    "metric",
    [
        expected_calibration_error,
        classwise_calibration_error,
        brier,
        log_loss,
    ],
)
def test_bad_input(metric, y_true, y_prob, match, backend):
    with pytest.raises(ValueError, match=match):
        metric(y_true, y_prob)


def test_labels_missing_a_class_of_y_true(backend):
    with pytest.raises(
        ValueError, match=r"y_true contains labels not in labels: \[7\]"
    ):
        expected_calibration_error([0, 1, 7], [[0.5, 0.5]] * 3, labels=[0, 1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_bins": 0}, "'n_bins' parameter"),
        ({"strategy": "kmeans"}, "'strategy' parameter"),
        ({"norm": "l3"}, "'norm' parameter"),
    ],
)
def test_invalid_parameters(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        expected_calibration_error([0, 1], [[0.5, 0.5]] * 2, **kwargs)


# -- out-of-distribution detection ---------------------------------------------
def test_ood_detection_scores_match_sklearn_roc():
    from sklearn.metrics import roc_auc_score

    from sklearn_focal.metrics import ood_detection_scores

    rng = np.random.default_rng(0)
    proba_in = rng.dirichlet([5.0, 1.0, 1.0], size=300)  # confident
    proba_out = rng.dirichlet([1.0, 1.0, 1.0], size=200)  # diffuse
    scores = ood_detection_scores(proba_in, proba_out)
    is_in = np.r_[np.ones(300), np.zeros(200)]
    both = np.vstack([proba_in, proba_out])
    entropy = -(both * np.log(both)).sum(axis=1)
    assert scores["auroc_max_proba"] == pytest.approx(
        roc_auc_score(is_in, both.max(axis=1)), abs=1e-12
    )
    assert scores["auroc_entropy"] == pytest.approx(
        roc_auc_score(is_in, -entropy), abs=1e-12
    )
    # FPR at 95 % TPR by hand: the threshold keeping 95 % of the in rows
    for name, score in (("max_proba", both.max(axis=1)), ("entropy", -entropy)):
        threshold = np.sort(score[:300])[::-1][int(np.ceil(0.95 * 300)) - 1]
        expected = np.mean(score[300:] >= threshold)
        assert scores[f"fpr95_{name}"] == pytest.approx(expected, abs=1e-12)
    assert 0.5 < scores["auroc_max_proba"] < 1


def test_ood_detection_scores_bad_input_names_the_argument():
    from sklearn_focal.metrics import ood_detection_scores

    with pytest.raises(ValueError, match="3 columns and proba_out 2"):
        ood_detection_scores(np.full((2, 3), 1 / 3), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match=r"The rows of proba_out must sum"):
        ood_detection_scores(np.full((2, 2), 0.5), np.full((2, 2), 0.4))


# -- debiased L2 calibration error (Kumar et al. 2019) ------------------------------
_PACKAGE_MODE = {"top_label": "top-label", "classwise": "marginal"}


@pytest.mark.parametrize("kind", ["top_label", "classwise"])
@pytest.mark.parametrize(
    "n, k, n_bins", [(7, 4, 15), (60, 3, 15), (900, 10, 10), (2000, 2, 15)]
)
def test_debiased_calibration_error_equals_uncertainty_calibration(n, k, n_bins, kind):
    calibration = pytest.importorskip("calibration")
    from sklearn_focal.metrics import debiased_calibration_error

    rng = np.random.default_rng(n + k)
    logits = 2 * rng.normal(size=(n, k))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = rng.integers(0, k, size=n)
    expected = calibration.lower_bound_scaling_ce(
        proba, y, p=2, debias=True, num_bins=n_bins, mode=_PACKAGE_MODE[kind]
    )
    got = debiased_calibration_error(y, proba, n_bins=n_bins, kind=kind)
    assert got == pytest.approx(expected, abs=1e-9)
    if n_bins == 15:  # the package's default entry point (continuous input)
        default = calibration.get_calibration_error(
            proba, y, p=2, debias=True, mode=_PACKAGE_MODE[kind]
        )
        assert got == pytest.approx(default, abs=1e-9)


def test_debiased_squared_error_is_unbiased_where_the_plugin_is_not():
    from sklearn_focal.metrics._smooth_and_debiased import _debiased_squared_error

    rng = np.random.default_rng(3)
    plugin, debiased = [], []
    for _ in range(300):  # a calibrated predictor on 200 samples: true error 0
        p = rng.uniform(0.05, 0.95, size=200)
        y = (rng.random(200) < p).astype(float)
        debiased.append(_debiased_squared_error(p, y, 15))
        bins = np.array_split(np.argsort(p), 15)
        plugin.append(
            sum(len(b) * (p[b].mean() - y[b].mean()) ** 2 for b in bins) / 200
        )
    # the plug-in squared error sits a noise level (about 15 / 200 / 6) above
    # 0; the debiased one averages to 0 within its standard error
    assert np.mean(plugin) > 0.01
    assert abs(np.mean(debiased)) < 3 * np.std(debiased) / np.sqrt(300)


# -- smooth ECE ------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, k, concentration", [(50, 3, 1.0), (500, 5, 3.0), (3000, 10, 0.5)]
)
def test_smooth_ece_equals_relplot(n, k, concentration):
    relplot = pytest.importorskip("relplot")
    from relplot.metrics import multiclass_logits_to_confidences

    from sklearn_focal.metrics import smooth_calibration_error

    rng = np.random.default_rng(n)
    truth = rng.dirichlet(np.full(k, concentration), size=n)
    y = (rng.random(n)[:, None] > np.cumsum(truth, axis=1)).sum(axis=1)
    y = np.minimum(y, k - 1)
    sharpened = truth**1.5  # over-confident predictions
    sharpened /= sharpened.sum(axis=1, keepdims=True)
    confidence, correct = multiclass_logits_to_confidences(sharpened, y, probs=True)
    expected = relplot.smECE(confidence, correct)
    got = smooth_calibration_error(y, sharpened, labels=np.arange(k))
    assert got == pytest.approx(expected, abs=1e-6)
    assert 0 < got < 1


def test_smooth_ece_weights_are_repetitions():
    from sklearn_focal.metrics import smooth_calibration_error

    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(3), size=40)
    y = rng.integers(0, 3, size=40)
    counts = rng.integers(1, 4, size=40)
    weighted = smooth_calibration_error(y, proba, sample_weight=counts)
    repeated = smooth_calibration_error(
        np.repeat(y, counts), np.repeat(proba, counts, axis=0)
    )
    assert weighted == pytest.approx(repeated, rel=1e-10)
    # a perfectly calibrated predictor scores close to 0
    p = rng.uniform(0.05, 0.95, size=20_000)
    outcome = (rng.random(20_000) < p).astype(int)
    assert smooth_calibration_error(outcome, p) < 0.02


# -- weights: frequency weights, and many weightings in one call -----------------
def _weighting_case(k, n=300, seed=5):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(k) * 0.7, size=n)
    y = rng.integers(0, k, size=n)
    counts = rng.multinomial(n, np.ones(n) / n, size=6).astype(float)
    return y, proba, np.vstack([np.ones(n), counts])


_WEIGHTED = [
    (expected_calibration_error, {}),
    (expected_calibration_error, {"strategy": "quantile"}),
    (expected_calibration_error, {"norm": "max"}),
    (expected_calibration_error, {"norm": "l2"}),
    (classwise_calibration_error, {}),
    (classwise_calibration_error, {"strategy": "quantile"}),
    (brier, {}),
    (log_loss, {}),
    (average_precision, {}),
    (debiased_calibration_error, {}),
    (debiased_calibration_error, {"kind": "classwise"}),
]


@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("metric, kwargs", _WEIGHTED)
def test_a_2d_sample_weight_gives_one_value_per_weighting(metric, kwargs, k):
    y, proba, weights = _weighting_case(k)
    batched = metric(y, proba, sample_weight=weights, **kwargs)
    assert isinstance(batched, np.ndarray) and batched.shape == (len(weights),)
    for row, w in zip(batched, weights, strict=True):
        assert row == pytest.approx(metric(y, proba, sample_weight=w, **kwargs), 1e-12)
    assert batched[0] == pytest.approx(metric(y, proba, **kwargs), rel=1e-12)


def test_a_2d_sample_weight_smooths_every_row_with_the_first_rows_bandwidth():
    y, proba, weights = _weighting_case(3)
    batched = smooth_calibration_error(y, proba, sample_weight=weights)
    assert batched[0] == pytest.approx(smooth_calibration_error(y, proba), rel=1e-12)
    sigma = _smooth_and_debiased._smooth_ece_bandwidth(
        *(lambda c, p: (c, c - (p == y)))(*_binning._top_label(proba)), weights[0]
    )
    for row, w in zip(batched[1:], weights[1:], strict=True):
        single = smooth_calibration_error(y, proba, sample_weight=w, bandwidth=sigma)
        assert row == pytest.approx(single, rel=1e-12)


@pytest.mark.parametrize(
    "metric, kwargs",
    [
        (expected_calibration_error, {}),
        (expected_calibration_error, {"norm": "max"}),
        (classwise_calibration_error, {}),
        (brier, {}),
        (log_loss, {}),
        (average_precision, {}),
        (debiased_calibration_error, {}),
        (debiased_calibration_error, {"kind": "classwise"}),
    ],
)
def test_integer_weights_are_repetitions(metric, kwargs):
    y, proba, weights = _weighting_case(3, n=120)
    counts = weights[1]
    repeated = metric(
        np.repeat(y, counts.astype(int)),
        np.repeat(proba, counts.astype(int), axis=0),
        **kwargs,
    )
    assert metric(y, proba, sample_weight=counts, **kwargs) == pytest.approx(
        repeated, rel=1e-10, abs=1e-12
    )


@pytest.mark.parametrize("k", [2, 3])
def test_weighted_average_precision_equals_scikit_learns(k):
    y, proba, weights = _weighting_case(k, n=200, seed=k)
    proba = np.round(proba, 2)  # ties
    proba /= proba.sum(axis=1, keepdims=True)
    w = weights[1] * np.random.default_rng(0).uniform(0.5, 2, size=200)
    classes = [1] if k == 2 else range(k)
    expected = np.mean(
        [average_precision_score(y == c, proba[:, c], sample_weight=w) for c in classes]
    )
    assert average_precision(y, proba, sample_weight=w) == pytest.approx(
        expected, 1e-12
    )


def test_positive_class_probabilities_out_of_range_are_reported_as_given():
    with pytest.raises(ValueError, match=r"values in \[-0.6, 1.6\]"):
        expected_calibration_error([0, 1], [-0.6, 1.6])
    with pytest.raises(ValueError, match="Input y_prob contains NaN"):
        expected_calibration_error([0, 1], [np.nan, 0.5])


def test_sample_weight_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match="one column per sample"):
        log_loss([0, 1], [0.2, 0.7], sample_weight=np.ones((3, 3)))
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        log_loss([0, 1], [0.2, 0.7], sample_weight=-np.ones((3, 2)))


# -- the registry ------------------------------------------------------------------
def test_every_metric_has_one_record_and_its_function_computes_it():
    y, proba, _ = _weighting_case(3, n=200)
    names = [m.scorer_name for m in metrics.METRICS.values()]
    assert len(set(names)) == len(names)
    for name, metric in metrics.METRICS.items():
        assert metric.name == name
        assert metric.scorer_name == (
            name if metric.greater_is_better else f"neg_{name}"
        )
        low, high = metric.bounds
        if metric.response == "proba":
            value = metric(y, proba)
            assert low <= value <= high, name
            assert value == metric.resolve()(y, proba, **metric.kwargs)
    assert metrics.METRICS["log_loss"].resolve() is log_loss
    assert metrics.METRICS["accuracy"].resolve() is accuracy_score
    assert not metrics.METRICS["hessian_trace"].ranked
