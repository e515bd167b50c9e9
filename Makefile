# Set-up, app, tests and jobs. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test jobs clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: setup
	$(BIN)/python space/app.py

test: setup
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
