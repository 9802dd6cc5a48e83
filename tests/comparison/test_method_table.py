"""Every method of the comparison is wired everywhere from its one record
(``sklearn_focal/_comparison/_method_table.py``)."""

import pytest
from sklearn.calibration import CalibratedClassifierCV

import sklearn_focal.methods
from sklearn_focal import make_method
from sklearn_focal._comparison import _method_table as table
from sklearn_focal._comparison._runner import groups, schedule
from sklearn_focal.calibration import LogitScalingClassifierCV
from sklearn_focal.cli import main


@pytest.fixture(scope="module")
def help_text():
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["compare", "--help"])
    return " ".join(out.getvalue().split())


@pytest.mark.parametrize("record", table.RECORDS, ids=lambda r: r.name)
def test_every_method_is_wired_everywhere(record, help_text):
    name = record.name
    assert record.family in table.FAMILIES
    # make_method builds it, and `calibration` decides its calibration rows
    # exactly when the record says so
    holdout = make_method(name, calibration="holdout", random_state=0)
    cross_fit = make_method(name, calibration="cross_fit", random_state=0)
    assert hasattr(holdout, "fit") and hasattr(holdout, "predict_proba")
    if record.calibrated:
        assert isinstance(holdout, (CalibratedClassifierCV, LogitScalingClassifierCV))
        assert holdout.ensemble is True and cross_fit.ensemble is False
    else:
        assert repr(holdout) == repr(cross_fit)
    # every list the package reads
    assert name in table.METHODS and name in table.SIMPLICITY
    assert (name in table.NETWORKS) == (record.family == "network")
    assert (name in table.POST_HOC) == (record.family == "post_hoc")
    assert (name in table.CALIBRATED) == record.calibrated
    assert table.JOB_SECONDS[name] > 0
    # a shared fit runs in the job of the method it shares with
    if record.shares_fits_with is not None:
        assert record.shares_fits_with in table.METHODS
        assert [record.shares_fits_with, name] in groups(
            [record.shares_fits_with, name]
        )
    assert any(name in group for _, group in schedule(1, table.METHODS))
    # the command line offers it, and the API reference describes it
    assert name in help_text
    assert f"``{name}``" in sklearn_focal.methods.__doc__


def test_the_records_are_the_only_list():
    assert len(set(table.METHODS)) == len(table.RECORDS)
    assert sorted(table.SIMPLICITY) == sorted(table.METHODS)
    ranks = [record.simplicity for record in table.RECORDS]
    assert sorted(ranks) == list(range(len(ranks)))  # one rank each
