# Set-up, app, tests, jobs and benchmarks. Each target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-dev run test jobs bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; run make with PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

# The app's packages only.
setup: $(VENV)/.installed-app

$(VENV)/.installed-app: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# The app's packages plus the test tools.
setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-app

run: setup
	$(BIN)/python space/app.py

test: setup-dev
	$(BIN)/python -m pytest -q

# Every sweep into $(JOBS_OUT); QUICK=1 runs the reduced sweep (at most 3 configs per
# experiment). On a machine that already has torch (a GPU box), `make jobs JOBS_PYTHON=python3`
# uses that interpreter as it is and installs nothing.
JOBS_OUT ?= results
JOBS_ARGS = all --preset sweep --out $(JOBS_OUT) $(if $(filter 1 yes true,$(QUICK)),--quick)
ifdef JOBS_PYTHON
jobs:
	$(JOBS_PYTHON) -m jobs $(JOBS_ARGS)
else
jobs: setup
	$(BIN)/python -m jobs $(JOBS_ARGS)
endif

clean:
	rm -rf $(VENV) .pytest_cache

# Benchmarks against their baselines, written as a run file; QUICK=1 only checks that they run.
bench: setup-dev
	$(BIN)/python -m jobs bench $(if $(QUICK),--quick,)
