"""Displays: attributes, drawn values, inputs, and a saved image."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_focal import FocalClassifier
from sklearn_focal.display import (
    CalibrationComparisonDisplay,
    GammaSweepDisplay,
    PairedDifferenceDisplay,
    ReliabilityDisplay,
)
from sklearn_focal.metrics import (
    calibration_bins,
    classwise_calibration_error,
    expected_calibration_error,
)
from sklearn_focal.scoring import (
    calibration_scoring,
    ece_scorer,
    hessian_trace_scorer,
    training_hessian_trace_scorer,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y, make_pipeline(StandardScaler(), LogisticRegression(C=0.1)).fit(X, y)


def _heights(bars):
    return np.array([patch.get_height() for patch in bars.patches])


def test_reliability_attributes_and_drawn_values(iris):
    X, y, clf = iris
    display = ReliabilityDisplay.from_estimator(clf, X, y, n_bins=10)
    bins = calibration_bins(y, clf.predict_proba(X), n_bins=10)
    ece = expected_calibration_error(y, clf.predict_proba(X), n_bins=10)
    assert display.ax_.figure is display.figure_
    np.testing.assert_allclose(_heights(display.bars_), bins.accuracy)
    gaps = np.where(bins.count > 0, bins.confidence - bins.accuracy, 0)
    np.testing.assert_allclose(_heights(display.gaps_), gaps)
    nonempty = bins.count > 0
    np.testing.assert_allclose(display.line_.get_xdata(), bins.confidence[nonempty])
    np.testing.assert_allclose(display.line_.get_ydata(), bins.accuracy[nonempty])
    # the legend names the pipeline's classifier and its ECE
    assert display.line_.get_label() == f"LogisticRegression (ECE = {ece:.3f})"
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert "Perfectly calibrated" in legend and display.line_.get_label() in legend
    # confidence histogram: share of samples per bin
    (stairs,) = display.hist_ax_.patches
    np.testing.assert_allclose(stairs.get_data().values, bins.count / bins.count.sum())


def test_plot_draws_on_the_given_axes_and_stacks_models(iris):
    X, y, clf = iris
    other = make_pipeline(StandardScaler(), LogisticRegression(C=10)).fit(X, y)
    fig, ax = plt.subplots()
    first = ReliabilityDisplay.from_estimator(clf, X, y, ax=ax, name="C=0.1")
    second = ReliabilityDisplay.from_estimator(
        other, X, y, ax=ax, name="C=10", show_gaps=False
    )
    assert first.ax_ is ax and second.ax_ is ax and first.figure_ is fig
    assert first.hist_ax_ is second.hist_ax_  # one histogram panel, two curves
    assert len(first.hist_ax_.patches) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels.count("Perfectly calibrated") == 1
    assert any(t.startswith("C=0.1 (ECE") for t in labels)
    # a third model with gap bars: still one legend entry for the gaps
    ReliabilityDisplay.from_estimator(other, X, y, ax=ax, name="again")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels.count("Gap to confidence") == 1
    # the histogram panel lives in the figure, found again by later calls
    assert len(fig.axes) == 2
    assert any(t.startswith("C=10 (ECE") for t in labels)
    assert second.bars_ is None


def test_from_predictions_binary_vector_and_no_histogram():
    X, y = load_breast_cancer(return_X_y=True)
    prob = (
        make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y).predict_proba(X)
    )
    display = ReliabilityDisplay.from_predictions(
        y, prob[:, 1], n_bins=5, name="lr", show_histogram=False
    )
    assert display.hist_ax_ is None
    np.testing.assert_allclose(
        _heights(display.bars_), calibration_bins(y, prob, n_bins=5).accuracy
    )


def test_classwise_diagram(iris):
    X, y, clf = iris
    display = ReliabilityDisplay.from_estimator(clf, X, y, kind="classwise", n_bins=5)
    bins = calibration_bins(y, clf.predict_proba(X), n_bins=5, kind="classwise")
    assert len(display.line_) == 3
    for k, line in enumerate(display.line_):
        nonempty = bins.count[k] > 0
        np.testing.assert_allclose(line.get_ydata(), bins.accuracy[k][nonempty])
    error = classwise_calibration_error(y, clf.predict_proba(X), n_bins=5)
    assert (
        display.pooled_line_.get_label()
        == f"LogisticRegression\n(classwise ECE = {error:.3f})"
    )
    count = bins.count.sum(0)
    pooled = (bins.count * bins.accuracy).sum(0)[count > 0] / count[count > 0]
    np.testing.assert_allclose(display.pooled_line_.get_ydata(), pooled)


def test_pandas_string_labels_and_focal_classifier(iris):
    X, y, _ = iris
    frame = pd.DataFrame(X, columns=list("abcd"))
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = FocalClassifier(
        hidden_layer_sizes=(8,), max_iter=10, learning_rate_init=1e-2, random_state=0
    )
    clf.fit(frame, names)
    display = ReliabilityDisplay.from_estimator(clf, frame, names, n_bins=5)
    expected = expected_calibration_error(names, clf.predict_proba(frame), n_bins=5)
    assert display.line_.get_label() == f"FocalClassifier (ECE = {expected:.3f})"
    classwise = ReliabilityDisplay.from_estimator(clf, frame, names, kind="classwise")
    assert [line.get_label() for line in classwise.line_] == [
        f"class {n}" for n in np.unique(names)
    ]


def test_long_classwise_legend_fits_in_the_figure(tmp_path):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    clf = LogisticRegression(max_iter=300).fit(X / 16, y)
    display = ReliabilityDisplay.from_estimator(clf, X / 16, y, kind="classwise")
    display.figure_.canvas.draw()
    legend = display.ax_.get_legend().get_window_extent()
    figure = display.figure_.bbox
    assert legend.x1 <= figure.x1 and legend.x0 > display.ax_.bbox.x1  # beside, not cut


def test_estimator_without_predict_proba():
    from sklearn.svm import LinearSVC

    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="needs a classifier with predict_proba"):
        ReliabilityDisplay.from_estimator(LinearSVC().fit(X, y), X, y)


def test_missing_matplotlib_is_a_clear_error(monkeypatch, iris):
    X, y, clf = iris
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(
        ImportError, match=r"ReliabilityDisplay.from_estimator requires matplotlib"
    ):
        ReliabilityDisplay.from_estimator(clf, X, y)


def test_comparison_display(iris):
    X, y, clf = iris
    other = make_pipeline(StandardScaler(), LogisticRegression(C=10)).fit(X, y)
    display = CalibrationComparisonDisplay.from_estimators(
        {"weak": clf, "strong": other}, X, y, n_bins=8
    )
    assert display.axes_.shape == (2, 2)
    for d, est, top, bottom in zip(
        display.displays_, (clf, other), display.axes_[0], display.axes_[1], strict=True
    ):
        assert d.ax_ is top and d.hist_ax_ is bottom
        bins = calibration_bins(y, est.predict_proba(X), n_bins=8)
        np.testing.assert_allclose(_heights(d.bars_), bins.accuracy)
    assert [ax.get_title() for ax in display.axes_[0]] == ["weak", "strong"]


def test_comparison_display_wraps_rows(iris):
    X, y, clf = iris
    models = {f"m{k}": clf for k in range(5)}
    display = CalibrationComparisonDisplay.from_estimators(models, X, y)
    assert display.axes_.shape == (4, 4)  # two rows of diagrams + histograms
    assert display.displays_[4].ax_ is display.axes_[2, 0]
    assert display.displays_[4].hist_ax_ is display.axes_[3, 0]
    assert not display.axes_[2, 3].axison  # the unused cell is hidden


@pytest.mark.parametrize("n_models, figsize", [(14, None), (3, None), (2, (7, 5))])
def test_comparison_grid_text_stays_inside_its_cell(iris, n_models, figsize):
    # the grid's margins are fixed in inches (no tight_layout pass); drawn,
    # no title, axis label or tick label may overlap another or leave the
    # figure
    X, y, clf = iris
    # names as long as the comparison's longest method name
    models = {f"hist_gradient_boosting+isotonic {k}": clf for k in range(n_models)}
    display = CalibrationComparisonDisplay.from_estimators(models, X, y)
    if figsize is not None:
        display.plot(figsize=figsize)
    figure = display.figure_
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = []
    for ax in figure.axes:
        if ax.axison:
            texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
            legend = ax.get_legend()
            if legend is not None:  # inside its diagram (the title names it)
                inside = ax.get_window_extent(renderer).extents
                box = legend.get_window_extent(renderer).extents
                assert (box[:2] >= inside[:2] - 0.5).all(), ax.get_title()
                assert (box[2:] <= inside[2:] + 0.5).all(), ax.get_title()
            for axis, (low, high) in [
                (ax.xaxis, ax.get_xlim()),
                (ax.yaxis, ax.get_ylim()),
            ]:  # the labels of the ticks inside the view are drawn
                locs = axis.get_majorticklocs()
                texts += [
                    tick.label1
                    for tick, at in zip(
                        axis.get_major_ticks(len(locs)), locs, strict=True
                    )
                    if low - 1e-9 <= at <= high + 1e-9
                ]
    boxes = np.array(
        [
            text.get_window_extent(renderer).extents
            for text in texts
            if text.get_visible() and text.get_text()
        ]
    )  # x0, y0, x1, y1
    assert len(boxes) > 10 * n_models
    frame = figure.bbox.extents
    assert (boxes[:, :2] >= frame[:2] - 0.5).all()
    assert (boxes[:, 2:] <= frame[2:] + 0.5).all()
    overlap_x = np.minimum.outer(boxes[:, 2], boxes[:, 2]) - np.maximum.outer(
        boxes[:, 0], boxes[:, 0]
    )
    overlap_y = np.minimum.outer(boxes[:, 3], boxes[:, 3]) - np.maximum.outer(
        boxes[:, 1], boxes[:, 1]
    )
    np.fill_diagonal(overlap_x, 0)
    clash = (overlap_x > 0.5) & (overlap_y > 0.5)
    assert not clash.any(), boxes[np.argwhere(clash)[0]]


def test_comparison_grid_too_small_for_its_margins_is_laid_out_tightly(iris):
    X, y, clf = iris
    display = CalibrationComparisonDisplay.from_estimators({"a": clf, "b": clf}, X, y)
    default = display.figure_.subplotpars.left
    display.plot(figsize=(3, 2))
    assert display.axes_.shape == (2, 2)
    assert display.figure_.subplotpars.left != default  # tight_layout moved it


# -- gamma sweep ----------------------------------------------------------------
@pytest.fixture(scope="module")
def search(iris):
    X, y, _ = iris
    X = StandardScaler().fit_transform(X)
    scoring = {
        "my ece": ece_scorer,
        "flatness": hessian_trace_scorer,
        "own flatness": training_hessian_trace_scorer,
        "acc": "accuracy",
    }
    return GridSearchCV(
        FocalClassifier(
            hidden_layer_sizes=(8,), max_iter=8, learning_rate_init=1e-2, random_state=0
        ),
        {"gamma": [3.0, 0.0, 1.0]},
        scoring=scoring,
        refit="my ece",
        cv=3,
    ).fit(X, y)


def test_gamma_sweep_finds_scorers_by_object_whatever_their_names(search):
    display = GammaSweepDisplay.from_cv_results(search)
    results = search.cv_results_
    order = np.argsort(np.asarray(results["param_gamma"], dtype=float))
    np.testing.assert_allclose(display.gammas, [0.0, 1.0, 3.0])
    np.testing.assert_allclose(
        display.scores["ece"], -results["mean_test_my ece"][order]
    )
    np.testing.assert_allclose(
        display.scores["hessian_trace"], -results["mean_test_flatness"][order]
    )
    np.testing.assert_allclose(
        display.scores["accuracy"], results["mean_test_acc"][order]
    )
    np.testing.assert_allclose(display.errors["ece"], results["std_test_my ece"][order])
    # the training loss's curvature has a panel of its own, named for its loss
    np.testing.assert_allclose(
        display.scores["training_hessian_trace"],
        -results["mean_test_own flatness"][order],
    )
    assert list(display.scores) == [
        "ece",
        "hessian_trace",
        "training_hessian_trace",
        "accuracy",
    ]
    labels = [ax.get_ylabel() for ax in display.axes_]
    assert labels[1:3] == [
        "Hessian trace\n(cross-entropy)",
        "Hessian trace\n(training loss)",
    ]
    # at gamma = 0 the training loss is the cross-entropy
    assert display.scores["training_hessian_trace"][0] == pytest.approx(
        display.scores["hessian_trace"][0], rel=1e-6
    )
    assert (display.scores["hessian_trace"] > 0).all()  # shown positive
    assert display.best_gamma_ == display.gammas[np.argmin(display.scores["ece"])]
    assert len(display.axes_) == 4 and display.ax_ is display.axes_[0]
    assert display.axes_[-1].get_xlabel() == "gamma"
    pipeline_style = GammaSweepDisplay.from_results(
        [0, 1], {"ece": [0.1, 0.2]}, param="clf__gamma"
    )
    assert pipeline_style.axes_[-1].get_xlabel() == "gamma"
    line = display.lines_["hessian_trace"].lines[0]
    np.testing.assert_allclose(line.get_ydata(), display.scores["hessian_trace"])


def test_gamma_sweep_default_names_and_missing_scores(iris):
    X, y, _ = iris
    X = StandardScaler().fit_transform(X)
    base = FocalClassifier(
        hidden_layer_sizes=(8,), max_iter=4, learning_rate_init=1e-2, random_state=0
    )
    named = GridSearchCV(
        base,
        {"gamma": [0.0, 2.0]},
        scoring=calibration_scoring(curvature=True),
        refit=False,
        cv=2,
    ).fit(X, y)
    display = GammaSweepDisplay.from_cv_results(
        named, metrics=("ece", "hessian_trace", "log_loss", "multiclass_brier_score")
    )
    assert list(display.scores) == [
        "ece",
        "hessian_trace",
        "log_loss",
        "multiclass_brier_score",
    ]
    results = named.cv_results_
    np.testing.assert_allclose(
        display.scores["log_loss"], -results["mean_test_neg_log_loss"]
    )
    assert display.axes_[2].get_ylabel() == "log loss"
    # a key of the search's own scoring is drawn as scored, under its name
    raw = GammaSweepDisplay.from_cv_results(named, metrics=("neg_adaptive_ece",))
    np.testing.assert_allclose(
        raw.scores["neg_adaptive_ece"], results["mean_test_neg_adaptive_ece"]
    )
    plain = GridSearchCV(base, {"gamma": [0.0, 2.0]}, cv=2).fit(X, y)
    with pytest.raises(
        ValueError, match=r"could not find the \['ece'\] scores.*calibration_scoring"
    ):
        GammaSweepDisplay.from_cv_results(plain)
    with pytest.raises(ValueError, match="did not vary 'learning_rate_init'"):
        GammaSweepDisplay.from_cv_results(named, param="learning_rate_init")


def test_gamma_sweep_fixes_other_parameters_at_the_best(iris):
    X, y, _ = iris
    X = StandardScaler().fit_transform(X)
    base = FocalClassifier(
        hidden_layer_sizes=(8,), max_iter=4, learning_rate_init=1e-2, random_state=0
    )
    grid = GridSearchCV(
        base,
        {"gamma": [0.0, 2.0], "learning_rate_init": [1e-2, 1e-3]},
        scoring=calibration_scoring(),
        refit="neg_ece",
        cv=2,
    ).fit(X, y)
    display = GammaSweepDisplay.from_cv_results(grid, metrics=("ece",))
    rows = [
        i
        for i, p in enumerate(grid.cv_results_["params"])
        if p["learning_rate_init"] == grid.best_params_["learning_rate_init"]
    ]
    np.testing.assert_allclose(
        np.sort(display.scores["ece"]),
        np.sort(-grid.cv_results_["mean_test_neg_ece"][rows]),
    )


def test_gamma_sweep_from_results_and_saved_image(tmp_path):
    display = GammaSweepDisplay.from_results(
        [2, 0, 1, 3],
        {"ece": [0.02, 0.05, 0.03, 0.04], "hessian_trace": [55, 90, 70, 40]},
        {"ece": [0.01, 0.01, 0.01, 0.01]},
    )
    np.testing.assert_allclose(display.gammas, [0, 1, 2, 3])
    np.testing.assert_allclose(display.scores["hessian_trace"], [90, 70, 55, 40])
    assert display.best_gamma_ == 2.0
    assert len(display.axes_) == 2
    path = tmp_path / "sweep.png"
    display.figure_.savefig(path, dpi=80)
    image = matplotlib.image.imread(path)
    assert path.stat().st_size > 10_000
    assert image.shape[0] > 200 and image[..., :3].std() > 0.05  # not a blank canvas


def test_reliability_image_is_not_blank(iris, tmp_path):
    X, y, clf = iris
    display = ReliabilityDisplay.from_estimator(clf, X, y)
    path = tmp_path / "reliability.png"
    display.figure_.savefig(path, dpi=80)
    image = matplotlib.image.imread(path)[..., :3]
    assert path.stat().st_size > 10_000
    # the accuracy bars are coloured, not only black lines on white
    saturation = image.max(axis=2) - image.min(axis=2)
    assert (saturation > 0.2).mean() > 0.01


# -- bad input ----------------------------------------------------------------
def test_comparison_needs_models():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="y_probs must be a non-empty dict"):
        CalibrationComparisonDisplay.from_predictions(y, {})
    with pytest.raises(ValueError, match="estimators must be a non-empty dict"):
        CalibrationComparisonDisplay.from_estimators({}, np.zeros((4, 2)), y)


def test_gamma_sweep_lengths_and_all_nan():
    with pytest.raises(ValueError, match=r"scores\['ece'\] has 2 values for 3 gammas"):
        GammaSweepDisplay.from_results([0, 1, 2], {"ece": [0.1, 0.2]})
    with pytest.raises(ValueError, match=r"scores\['accuracy'\] has 4 values"):
        GammaSweepDisplay.from_results(
            [0, 1], {"ece": [0.1, 0.2], "accuracy": [1, 1, 1, 1]}
        )
    with pytest.raises(ValueError, match="Every ECE value is NaN"):
        GammaSweepDisplay.from_results([0, 1], {"ece": [np.nan, np.nan]})


def test_gamma_sweep_of_an_unfitted_search():
    from sklearn.exceptions import NotFittedError

    search = GridSearchCV(LogisticRegression(), {"C": [1, 2]})
    with pytest.raises(NotFittedError):
        GammaSweepDisplay.from_cv_results(search)
    fitted = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(TypeError, match=r"needs a fitted GridSearchCV .* got Logistic"):
        GammaSweepDisplay.from_cv_results(fitted)


def test_ax_must_be_an_axes():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(
        TypeError, match="ax must be a matplotlib Axes or None; got str"
    ):
        ReliabilityDisplay.from_predictions(
            y, np.array([0.2, 0.8, 0.4, 0.6]), ax="nope"
        )


def test_gamma_sweep_of_a_pipeline_without_curvature(iris):
    X, y, _ = iris
    pipe = make_pipeline(
        StandardScaler(),
        FocalClassifier(
            hidden_layer_sizes=(8,), max_iter=4, learning_rate_init=1e-2, random_state=0
        ),
    )
    search = GridSearchCV(
        pipe,
        {"focalclassifier__gamma": [0.0, 1.0, 2.0]},
        scoring=calibration_scoring(),  # no curvature
        refit=False,
        cv=2,
    ).fit(X, y)
    display = GammaSweepDisplay.from_cv_results(search)  # finds *__gamma itself
    assert list(display.scores) == ["ece", "accuracy"]
    np.testing.assert_array_equal(display.gammas, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(
        display.scores["ece"], -search.cv_results_["mean_test_neg_ece"]
    )
    assert display.axes_[-1].get_xlabel() == "gamma"


def test_gamma_sweep_draws_the_cross_entropy_reference_and_warns_on_the_edge():
    display = GammaSweepDisplay.from_results(
        [0, 1, 2], {"ece": [0.05, 0.04, 0.03], "hessian_trace": [90, 70, 55]}
    )
    assert display.best_gamma_ == 2.0 and display.best_on_edge_
    assert "edge of the grid" in display.ax_.get_title()
    for ax, values in zip(display.axes_, ([0.05], [90]), strict=True):
        reference = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
        assert len(reference) == 1
        np.testing.assert_allclose(reference[0].get_ydata(), values * 2)
    inside = GammaSweepDisplay.from_results([0, 1, 2], {"ece": [0.05, 0.03, 0.04]})
    assert inside.best_gamma_ == 1.0 and not inside.best_on_edge_
    assert "edge" not in inside.ax_.get_title()
    # gamma = 0 cannot be extended below; a grid without 0 has two edges
    assert not GammaSweepDisplay.from_results(
        [0, 1], {"ece": [0.01, 0.03]}
    ).best_on_edge_
    assert GammaSweepDisplay.from_results([1, 2], {"ece": [0.01, 0.03]}).best_on_edge_
    no_zero = GammaSweepDisplay.from_results([1, 2, 3], {"ece": [0.03, 0.01, 0.03]})
    assert not [line for line in no_zero.ax_.get_lines() if line.get_linestyle() == ":"]


def test_paired_difference_forest_plot():
    paired = pd.DataFrame(
        {
            "ece_diff": [-0.02, 0.01, 0.03],
            "ece_diff_ci_low": [-0.03, -0.01, 0.02],
            "ece_diff_ci_high": [-0.01, 0.03, 0.04],
            "ece_verdict": ["better", "no clear difference", "worse"],
            "log_loss_diff": [-0.1, 0.0, 0.2],
            "log_loss_diff_ci_low": [-0.2, -0.1, 0.1],
            "log_loss_diff_ci_high": [-0.05, 0.1, 0.3],
            "log_loss_verdict": ["better", "no clear difference", "worse"],
        },
        index=["temperature", "focal", "sigmoid"],
    )
    display = PairedDifferenceDisplay(paired, reference="cross_entropy").plot()
    assert len(display.axes_) == 2
    ticks = dict(
        zip(
            [t.get_text() for t in display.ax_.get_yticklabels()],
            display.ax_.get_yticks(),
            strict=True,
        )
    )
    assert ticks == {"temperature": 2, "focal": 1, "sigmoid": 0}  # first on top
    # each row: the mean difference, and its interval as the error bar
    containers = display.ax_.containers
    assert len(containers) == 3
    point, _, (bar,) = containers[0].lines
    assert point.get_xdata()[0] == -0.02 and point.get_ydata()[0] == 2
    np.testing.assert_allclose(bar.get_segments()[0][:, 0], [-0.03, -0.01])
    colors = [c.lines[0].get_color() for c in containers]
    assert colors == ["tab:green", "0.45", "tab:red"]
    assert display.axes_[1].get_xlabel() == "log loss: method - cross_entropy"
    with pytest.raises(ValueError, match="none of the metrics"):
        PairedDifferenceDisplay(paired, reference="x").plot(metrics=["accuracy"])


def test_forest_plot_clips_an_interval_far_wider_than_the_others(tmp_path):
    """One method's interval (isotonic's +0.9, up to +1.56 in the demo) no
    longer squeezes every other interval to a dot: it is cut at the panel's
    edge, marked, and its value written."""
    methods = ["focal", "temperature", "isotonic", "sigmoid"]
    paired = pd.DataFrame(
        {
            "log_loss_diff": [-0.01, -0.02, 0.9, 0.0],
            "log_loss_diff_ci_low": [-0.03, -0.035, 0.25, -0.01],
            "log_loss_diff_ci_high": [0.01, -0.005, 1.56, 0.012],
            "log_loss_verdict": ["no clear difference", "better", "worse", ""],
        },
        index=pd.Index(methods, name="method"),
    )
    display = PairedDifferenceDisplay(paired, reference="cross_entropy").plot(
        metrics=("log_loss",)
    )
    assert display.clipped_ == {"log_loss": ["isotonic"]}
    left, right = display.ax_.get_xlim()
    assert right < 0.25 and left < -0.035  # the typical intervals fit
    assert (0.012 - -0.01) / (right - left) > 0.2  # and are readable
    texts = [t.get_text() for t in display.ax_.texts]
    assert texts == ["+0.9 [+0.25, +1.56]"]
    # without an outlier nothing is clipped and matplotlib's limits stand
    calm = PairedDifferenceDisplay(paired.drop("isotonic"), reference="x").plot(
        metrics=("log_loss",)
    )
    assert calm.clipped_ == {"log_loss": []}
    display.figure_.savefig(tmp_path / "forest.png", dpi=80)
