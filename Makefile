# Distribution Planning Workbench
#   make app    install (first run) and serve every app with Voila at http://127.0.0.1:8866
#   make test   install with the test extras (first run) and run the whole suite
#   make lab    JupyterLab on the notebooks, for analysts

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=

.PHONY: app test lab unit browser notebooks bench-facility bench-routing bench-forecast bench-sweep bench-apps \
        sample constraints env-file chromium postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip wheel

$(VENV)/.app-installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.app-installed
	$(PIP) install --quiet -c constraints.txt -e ".[test]"
	touch $@

app: $(VENV)/.app-installed
	$(BIN)/python -m widgets.serve

lab: $(VENV)/.app-installed
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 $(ROOT_FLAG)

chromium:
	bash scripts/ensure-chromium.sh

postgres:
	bash scripts/postgres.sh start

test: $(VENV)/.test-installed chromium
	bash scripts/run-tests.sh $(PYTEST_ARGS)

unit: $(VENV)/.test-installed
	$(BIN)/python -m pytest tests --ignore=tests/browser -m "not browser" $(PYTEST_ARGS)

browser: $(VENV)/.test-installed chromium
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

notebooks: $(VENV)/.test-installed
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks $(PYTEST_ARGS)

bench-facility: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.facility --instances ../shared/benchmarks/facility --time-limit 60 --out test-output/facility.csv

bench-routing: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.routing --instances ../shared/benchmarks/routing --time-limit 10 --out test-output/routing.csv

bench-forecast: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.forecast --data ../shared/benchmarks/forecast/m3_quarterly.csv --out test-output/forecast.csv

bench-sweep: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.sweep

# the apps as a manager meets them: open time, stalls, reaction, 10 viewers, freed kernels (about 30 min;
# a quick look: make bench-apps BENCH_APPS_ARGS="--rounds 2 --viewers 3 --cycles 6 --reactions 3")
BENCH_APPS_ARGS ?=
bench-apps: $(VENV)/.test-installed chromium
	$(BIN)/python -m benchmarks.apps --out test-output/apps.csv $(BENCH_APPS_ARGS)

sample: $(VENV)/.app-installed
	$(BIN)/python -m workbench.sample data/sample
	$(BIN)/python -m workbench.schema data/README.md

# Re-pin after changing dependencies in pyproject.toml, then regenerate environment.yml.
constraints: $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	$(PIP) freeze --exclude-editable | grep -v '^-e' | LC_ALL=C sort -f > constraints.txt
	$(BIN)/python scripts/sync_env.py

env-file: $(BIN)/python
	$(BIN)/python scripts/sync_env.py

clean:
	rm -rf $(VENV) test-output .pytest_cache
