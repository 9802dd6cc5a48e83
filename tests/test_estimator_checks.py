"""The scikit-learn estimator contract, via ``parametrize_with_checks``.

Configurations:

* both estimators with their default parameters (float32, dropout, early
  stopping on a validation split; AdaFocal falls back to fewer bins than
  ``n_bins=15`` on the checks' small validation splits);
* FocalClassifier with a float64 network, full-batch training, no dropout and
  no early stopping, where fitting with integer sample weights is *exactly*
  (to 1e-7) fitting on repeated samples.

The default configurations cannot pass ``check_sample_weight_equivalence``:
an internal validation split of 15 weighted samples is not the split of their
repetitions, dropout draws one mask per row, and float32 sums round
differently in another order. The float64 configuration runs the same check
and passes it, and ``test_focal.py`` checks the float32 case to float32
precision. AdaFocal always draws a validation split (its gamma updates come
from it), so no configuration of it can pass that one check; it passes all
the others.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_focal import AdaFocalClassifier, FocalClassifier
from sklearn_focal.networks import MLP


class _FullBatchMLP64(MLP):
    """Small float64 MLP without dropout."""

    def __init__(self, n_features, n_classes):
        super().__init__(n_features, n_classes, hidden_layer_sizes=(32,), dropout=0.0)
        self.double()


_WEIGHTED_IS_NOT_REPEATED = (
    "with a validation split, dropout and float32 arithmetic, weighting is not "
    "repetition; the float64 full-batch configuration passes this check"
)
_ADAFOCAL_SPLIT = (
    "AdaFocal always holds out a validation split to drive gamma, and the split "
    "of weighted samples is not the split of their repetitions"
)

ESTIMATORS = [
    FocalClassifier(),
    AdaFocalClassifier(),
    FocalClassifier(
        module=_FullBatchMLP64,
        early_stopping=False,
        max_iter=20,
        learning_rate_init=1e-2,
        random_state=0,
    ),
]


def _expected_failed_checks(estimator):
    if isinstance(estimator, AdaFocalClassifier):
        return {"check_sample_weight_equivalence_on_dense_data": _ADAFOCAL_SPLIT}
    if estimator.early_stopping:
        return {
            "check_sample_weight_equivalence_on_dense_data": _WEIGHTED_IS_NOT_REPEATED
        }
    return {}


@pytest.mark.filterwarnings("ignore:The validation split has:UserWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)
