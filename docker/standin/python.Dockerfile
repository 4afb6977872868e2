# Stand-in for python:<version>-slim-bookworm, for the container test only (tests/containers):
# no container registry is reachable on the test machines. Debian bookworm's own Python 3.11 on a
# debootstrap minbase root, with `python` and `venv`, and the interpreter also where the official
# image has it (/usr/local/bin/python3.11: Dockerfiles and venvs may name that path).
# MINBASE is the imported root filesystem; the test tags the result with the FROM name.
ARG MINBASE
FROM ${MINBASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
    && for name in python3.11 python3 python; do ln -s /usr/bin/python3.11 "/usr/local/bin/$name"; done
# HTTPS from inside builds here passes a re-signing proxy: trust the host's bundle, and point
# the tools that carry their own roots (pip, uv, requests) at it.
COPY host-ca-bundle.crt /etc/ssl/certs/ca-certificates.crt
ENV LANG=C.UTF-8 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
