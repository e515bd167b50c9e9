# Set-up, app, tests and jobs. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test jobs bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: setup
	$(BIN)/python space/app.py

test: setup
	$(BIN)/python -m pytest -q

# On a machine that already has torch (a GPU box), `make jobs JOBS_PYTHON=python3` uses that
# interpreter as it is and installs nothing.
ifdef JOBS_PYTHON
jobs:
	$(JOBS_PYTHON) -m jobs all --preset sweep
else
jobs: setup
	$(BIN)/python -m jobs all --preset sweep
endif

clean:
	rm -rf $(VENV) .pytest_cache

# Benchmarks against their baselines, written as a run file; QUICK=1 only checks that they run.
bench: setup
	$(BIN)/python -m jobs bench $(if $(QUICK),--quick,)
