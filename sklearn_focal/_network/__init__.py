"""The estimators' private engine: the skorch net, its data, threads,
transactions and shared fits, behind ``FocalClassifier`` and
``AdaFocalClassifier``."""
