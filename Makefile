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

.PHONY: install browser test lint typecheck unit synth estimate preflight refresh-quotas compile calibrate bench bench-report bench-scale bench-overhead refresh-images lock clean

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

# The report.html browser test (tests/e2e/test_report_page_browser.py, the demo month's page) needs a headless Chromium:
# Debian's package, installed here when missing (as root, as on CI); CHROMIUM=/path/to/browser overrides.
browser:
	@[ -n "$${CHROMIUM:-}" ] || command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the report.html browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "make test needs a headless Chromium: sudo apt-get install chromium (or CHROMIUM=/path/to/browser)" >&2; exit 1; \
	  fi; }

unit: install browser
	$(VENV)/bin/pytest

test: lint typecheck unit

synth: install
	npx --no-install cdk synth --quiet

estimate: install
	$(PY) -m stacks.estimate --config $(or $(CONFIG),infersave.yaml)

# Checks an account before the first deploy (quotas, secrets, bootstrap...): see README "Preflight".
preflight: install
	$(PY) -m ops.preflight --config $(or $(CONFIG),infersave.yaml)

# Rewrites emulator/servicequotas_sagemaker.json from ListAWSDefaultServiceQuotas (needs AWS credentials).
refresh-quotas: install
	$(PY) -m ops.refresh_quota_defaults --region $(or $(REGION),us-east-1)

# Ahead-of-time Neuron compile of one endpoint in a SageMaker Processing job (README "Compile path").
# Extra flags: COMPILE_FLAGS="--dry-run" or "--wait --set-config".
compile: install
	@test -n "$(ENDPOINT)" || { echo "usage: make compile ENDPOINT=<endpoints[].name> [CONFIG=path] [COMPILE_FLAGS=--dry-run]" >&2; exit 2; }
	$(PY) -m ops.compile --endpoint $(ENDPOINT) --config $(or $(CONFIG),infersave.yaml) $(COMPILE_FLAGS)

# Measures one endpoint's GPU capacity ratio with a load test against a temporary baseline endpoint (README
# "Calibration"). Prints the cost bound first; CALIBRATE_FLAGS="--yes --write" to run and write the result.
calibrate: install
	@test -n "$(ENDPOINT)" || { echo "usage: make calibrate ENDPOINT=<endpoints[].name> [CONFIG=path] [CALIBRATE_FLAGS='--yes --write']" >&2; exit 2; }
	$(PY) -m ops.calibrate --endpoint $(ENDPOINT) --config $(or $(CONFIG),infersave.yaml) $(CALIBRATE_FLAGS)

bench: install
	$(PY) -m benchmarks.synth_time
	$(PY) -m benchmarks.autoscaling_efficiency

bench-report: install
	$(PY) -m benchmarks.report_calls

# Synth time and template sizes at 10, 100 and 500 endpoints (README "Hundreds of endpoints").
bench-scale: install
	$(PY) -m benchmarks.synth_scale

# infersave's own monthly running cost at 10, 100 and 1,000 endpoints (README "What it costs to run").
bench-overhead: install
	$(PY) -m benchmarks.overhead

# Regenerates data/container_images.json (clones aws/sagemaker-python-sdk: network) and data/resource_regions.json
# (from the installed cfn-lint; the templates of `make synth` add their resource types).
refresh-images: install
	$(PY) -m ops.refresh_images $(if $(wildcard cdk.out),--templates cdk.out)

lock:
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 requirements.in -o requirements.lock

# Rebuild stacks/config/neuron_cache.json from the Hugging Face Hub (needs the network; see README "Neuron cache").
.PHONY: refresh-neuron-cache
refresh-neuron-cache: install
	$(PY) -m ops.refresh_neuron_cache

clean:
	rm -rf cdk.out out .pytest_cache .mypy_cache .ruff_cache

include demo/demo.mk
