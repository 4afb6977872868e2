# SCloud: `make run` starts the product, `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST := $(PY) -m pytest
# buf (protobuf linter) comes from npm, pinned in frontend/package.json with the other dev tools.
BUF := frontend/node_modules/.bin/buf
PACKAGES := -e proto -e libs/scloud_common -e services/auth -e services/users -e services/files
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint test-unit test-integration test-fuzz test-frontend test-e2e test-resilience install system-deps frontend protos openapi bench soak clean

# make run ARGS=--in-memory starts empty and saves nothing (see README, "Where the data lives").
run: install frontend system-deps
	@$(PY) scripts/stack.py $(ARGS)

test: install frontend system-deps lint test-unit test-integration test-fuzz test-frontend test-e2e test-resilience

install: $(VENV)/.installed

$(VENV)/.installed: requirements/constraints.txt requirements/dev.txt proto/pyproject.toml libs/scloud_common/pyproject.toml services/*/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c requirements/constraints.txt -r requirements/dev.txt $(PACKAGES)
	touch $@

# Debian packages: Nginx for the gateway, Chromium for the end-to-end tests.
system-deps:
	@command -v nginx >/dev/null && command -v chromium >/dev/null || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx chromium >/dev/null; }

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: frontend/node_modules/.installed
	cd frontend && npm run build

lint: install frontend/node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd frontend && npm run lint
	$(VENV)/bin/hadolint services/*/Dockerfile gateway/Dockerfile docker/*.Dockerfile
	$(BUF) lint proto
	@# Against main's contracts where this clone has them (on main itself it compares to itself).
	@if git rev-parse --verify -q main >/dev/null; then \
		echo "$(BUF) breaking proto --against .git#branch=main,subdir=proto"; \
		$(BUF) breaking proto --against '.git#branch=main,subdir=proto'; \
	else echo "no local main branch: buf breaking skipped"; fi

test-unit: install
	$(PYTEST) libs/scloud_common/tests/unit services/auth/tests/unit services/users/tests/unit services/files/tests/unit tests/contract tests/deploy

test-integration: install
	$(PYTEST) libs/scloud_common/tests/integration services/auth/tests/integration services/users/tests/integration services/files/tests/integration tests/integration

# Schemathesis against the three services' OpenAPI documents, about a minute and a half.
test-fuzz: install
	$(PYTEST) tests/fuzz

# Unit and component tests, the generated client's freshness, and the first page's bundle budget.
test-frontend: frontend
	cd frontend && npm test && npm run check:api && npm run check:bundle

test-e2e: install frontend system-deps
	$(PYTEST) tests/e2e

# Faults put into the running processes (frozen or killed storage, killed peers, a failing table);
# a few minutes, every wait bounded.
test-resilience: install
	$(PYTEST) tests/resilience

# Regenerate the committed gRPC stubs and OpenAPI documents (+ the typed frontend client).
protos: install
	$(PY) scripts/generate_protos.py

openapi: install frontend/node_modules/.installed
	$(PY) scripts/export_openapi.py
	cd frontend && npm run gen:api

bench: install
	$(PY) bench/files_throughput.py
	$(PY) bench/login_timing.py
	$(PY) bench/profile_usage.py
	$(PY) bench/drive.py

# 40 simulated users for 60 s through the gateway; not part of `make test`.
soak: install frontend system-deps
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) .run frontend/node_modules frontend/dist artifacts
