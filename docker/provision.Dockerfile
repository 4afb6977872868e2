# One-shot for local stacks (compose): issues the internal CA and the services' mutual-TLS
# certificates into /certs (once; a volume keeps them). The bucket and tables are not its job: each
# service creates its own when its container starts (compose.yaml, x-service). Production
# certificates come from infra/. Build from the repository root.
FROM python:3.11.11-slim-bookworm AS build
# As in the service images: uv installs scloud-common (which issues the certificates) from uv.lock
# (hashes checked) into /opt/venv, the only thing the final stage takes.
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON=/usr/local/bin/python3.11 UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1 UV_SYSTEM_CERTS=1
COPY requirements/uv.txt /tmp/uv.txt
RUN python -m venv /opt/uv && /opt/uv/bin/pip install --require-hashes -r /tmp/uv.txt
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY proto/pyproject.toml proto/
COPY libs/scloud_common/pyproject.toml libs/scloud_common/
RUN /opt/uv/bin/uv sync --frozen --no-dev --package scloud-common --no-install-workspace
COPY proto/python proto/python
COPY libs/scloud_common/src libs/scloud_common/src
RUN /opt/uv/bin/uv sync --frozen --no-dev --package scloud-common --no-editable

FROM python:3.11.11-slim-bookworm
RUN useradd --system --uid 10001 --no-create-home scloud
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
# A fresh named volume takes the owner of its mount point, so the services (uid 10001 too) can read.
RUN mkdir /certs && chown 10001 /certs
USER 10001
CMD ["python", "-m", "scloud_common.internal_tls", "/certs", "--keep"]
