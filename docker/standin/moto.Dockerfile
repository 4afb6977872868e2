# The S3 + DynamoDB stand-in the container test runs instead of LocalStack (no registry here):
# moto's server on port 4566, as a non-root user, with a health check. Built on the services'
# own Python base (PYTHON_BASE, the FROM name of services/*/Dockerfile).
ARG PYTHON_BASE
FROM ${PYTHON_BASE}
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
# Only the two services SCloud uses and the server's web framework: moto[server] would add every
# other service's dependencies (three times the size, minutes more to build).
RUN python -m venv /opt/moto \
    && /opt/moto/bin/pip install "moto[s3,dynamodb]==5.2.5" flask==3.1.3 flask-cors==6.0.5 \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin moto
COPY --chmod=0755 moto-health /usr/local/bin/moto-health
USER 10001
EXPOSE 4566
HEALTHCHECK --interval=5s --timeout=3s --retries=30 CMD ["moto-health"]
CMD ["/opt/moto/bin/moto_server", "-H", "0.0.0.0", "-p", "4566"]
