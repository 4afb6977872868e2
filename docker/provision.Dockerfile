# One-shot for local stacks (compose): issues the internal CA and the services' mutual-TLS
# certificates into /certs (once; a volume keeps them), then creates the bucket and tables.
# Production resources and certificates come from infra/. Build from the repository root.
FROM python:3.11.11-slim-bookworm
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
RUN python -m venv /opt/venv && useradd --system --uid 10001 --no-create-home scloud
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements/constraints.txt requirements/runtime.txt requirements/
RUN pip install -c requirements/constraints.txt -r requirements/runtime.txt
COPY proto proto
COPY libs/scloud_common libs/scloud_common
COPY services/auth/pyproject.toml services/auth/
COPY services/auth/src services/auth/src
COPY services/users/pyproject.toml services/users/
COPY services/users/src services/users/src
COPY services/files/pyproject.toml services/files/
COPY services/files/src services/files/src
RUN pip install --no-deps ./proto ./libs/scloud_common ./services/auth ./services/users ./services/files
# A fresh named volume takes the owner of its mount point, so the services (uid 10001 too) can read.
RUN mkdir /certs && chown 10001 /certs
USER 10001
CMD ["sh", "-c", "python -m scloud_common.internal_tls /certs --keep && python -m scloud_auth.provision && python -m scloud_users.provision && python -m scloud_files.provision"]
