"""Private scikit-learn names this package builds on, imported in one place.

scikit-learn may move or change them between releases; when it does, this
module is the one place to adapt.
"""

from sklearn.metrics._scorer import _BaseScorer

__all__ = ["_BaseScorer"]
