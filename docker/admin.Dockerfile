# SCloud's administration tool (`python -m scloud_admin`: invitations, quotas, accounts, backups,
# moving an installation between stores) for installations run with compose.prod.yaml, which runs
# it as `docker compose -f compose.prod.yaml run --rm admin ...` with the services' storage
# settings. Build from the repository root.
FROM python:3.11.11-slim-bookworm AS build
# As in the service images: uv installs from uv.lock (hashes checked) into /opt/venv, the only
# thing the final stage takes.
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON=/usr/local/bin/python3.11 UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1 UV_SYSTEM_CERTS=1
COPY requirements/uv.txt /tmp/uv.txt
RUN python -m venv /opt/uv && /opt/uv/bin/pip install --require-hashes -r /tmp/uv.txt
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY proto/pyproject.toml proto/
COPY libs/scloud_common/pyproject.toml libs/scloud_common/
COPY services/auth/pyproject.toml services/auth/
COPY services/users/pyproject.toml services/users/
COPY services/files/pyproject.toml services/files/
COPY admin/pyproject.toml admin/
RUN /opt/uv/bin/uv sync --frozen --no-dev --package scloud-admin --no-install-workspace
COPY proto/python proto/python
COPY libs/scloud_common/src libs/scloud_common/src
COPY services/auth/src services/auth/src
COPY services/users/src services/users/src
COPY services/files/src services/files/src
COPY admin/src admin/src
RUN /opt/uv/bin/uv sync --frozen --no-dev --package scloud-admin --no-editable

FROM python:3.11.11-slim-bookworm
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin scloud
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# Where scripts/self-host/backup and restore mount the host's backup folder.
RUN mkdir /backups && chown 10001 /backups
USER 10001
ENTRYPOINT ["python", "-m", "scloud_admin"]
CMD ["--help"]
