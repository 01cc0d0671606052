# One command per job. Each installs what it needs from the lock files first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9

# Offline, quiet CDK CLI and jsii (see README "Offline by design").
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := 1
export CDK_DISABLE_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install test lint typecheck unit synth estimate bench bench-report lock clean

install: $(VENV)/.installed-py node_modules/.installed-js

$(VENV)/.installed-py: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	touch $@

node_modules/.installed-js: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy --strict stacks lambdas emulator demo benchmarks ops app.py

unit: install
	$(VENV)/bin/pytest

test: lint typecheck unit

synth: install
	npx --no-install cdk synth --quiet

estimate: install
	$(PY) -m stacks.estimate --config $(or $(CONFIG),infersave.yaml)

bench: install
	$(PY) -m benchmarks.synth_time

bench-report: install
	$(PY) -m benchmarks.report_calls

lock:
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 requirements.in -o requirements.lock

# Rebuild stacks/config/neuron_cache.json from the Hugging Face Hub (needs the network; see README "Neuron cache").
.PHONY: refresh-neuron-cache
refresh-neuron-cache: install
	$(PY) -m ops.refresh_neuron_cache

clean:
	rm -rf cdk.out out .pytest_cache .mypy_cache .ruff_cache

include demo/demo.mk
