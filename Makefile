# Two entry points: `make run` and `make test`. Both create .venv when it is missing and are
# idempotent: the install step re-runs only when pyproject.toml changes (stamp files).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU wheel these machines hold locally; on other machines PyPI's default build (CUDA on
# Linux). Override for another build, e.g. `make run TORCH_SPEC=torch`.
TORCH_SPEC ?= torch==2.13.0
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint typecheck imports pytest bench clean

run: $(VENV)/.stamp-run
	$(BIN)/python -m gui.app

test: $(VENV)/.stamp-dev lint typecheck imports pytest

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.stamp-dev
	$(BIN)/mypy

imports: $(VENV)/.stamp-dev
	$(BIN)/lint-imports

# pytest exits 5 when it collected no tests; that is not a failure of the suite.
pytest: $(VENV)/.stamp-dev
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.stamp-torch: | $(VENV)/bin/python
	$(BIN)/python -c "import torch" 2>/dev/null || $(PIP) install "$(TORCH_SPEC)"
	touch $@

$(VENV)/.stamp-run: pyproject.toml $(VENV)/.stamp-torch
	$(PIP) install -e .
	touch $@

$(VENV)/.stamp-dev: pyproject.toml $(VENV)/.stamp-torch
	$(PIP) install -e ".[dev]"
	touch $@ $(VENV)/.stamp-run

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
