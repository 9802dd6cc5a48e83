# The README's commands. Each one sets up .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
STAMP  := $(VENV)/.installed

.PHONY: demo test test-oldest test-newest lint format docs docs-noexec bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e ".[test,docs]" ruff
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sklearn-focal compare --dataset digits --quick --repeats 3 --overwrite --out results/digits --save-model results/digits-model.joblib

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -q

# The test suite in a venv of its own, against the versions of
# constraints-oldest.txt (the oldest torch, scikit-learn and skorch that
# pyproject.toml accepts) or constraints-newest.txt (the newest torch on offer),
# without the end-to-end tests marked slow (`make test` runs them): they
# check numbers and whole commands, not the API the versions differ in, and
# take 2 of the suite's 6 minutes.
.venv-%/.installed: pyproject.toml constraints-%.txt
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --upgrade pip
	.venv-$*/bin/python -m pip install --quiet -c constraints-$*.txt -e ".[test]"
	touch $@

# kept between runs (make would delete it as an intermediate file)
.PRECIOUS: .venv-%/.installed

test-oldest test-newest: test-%: .venv-%/.installed
	.venv-$*/bin/python -m pytest -q -p no:cacheprovider -m "not slow"

docs: $(STAMP)
	$(BIN)/sphinx-build -n -W --keep-going -b html docs docs/_build/html

docs-noexec: $(STAMP)
	$(BIN)/sphinx-build -n -W --keep-going -D plot_gallery=0 -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/curvature.py
	$(BIN)/python benchmarks/fit_speed.py
	$(BIN)/python benchmarks/fit_memory.py FocalClassifier
	$(BIN)/python benchmarks/fit_memory.py AdaFocalClassifier
	$(BIN)/python benchmarks/adafocal.py
	$(BIN)/python benchmarks/compare.py
	$(BIN)/python benchmarks/compare_speed.py
	$(BIN)/python benchmarks/verdicts.py
	$(BIN)/python benchmarks/contention.py
	$(BIN)/python benchmarks/imbalance.py
	$(BIN)/python benchmarks/calibrators.py
	$(BIN)/python benchmarks/cnn_speed.py

clean:
	rm -rf $(VENV) .venv-oldest .venv-newest docs/_build docs/auto_examples docs/generated results .pytest_cache
