# Stand-in for caddy:<version> (compose.prod.yaml), for the container test only (tests/containers):
# no container registry is reachable on the test machines. Debian bookworm's Caddy (2.6), laid out
# as the official image is: the config at /etc/caddy/Caddyfile, certificates and the internal CA
# under /data/caddy (XDG_DATA_HOME=/data), autosaved config under /config, running as root on 80
# and 443. The test cannot tell it from the tagged release only while gateway/Caddyfile needs
# nothing newer than 2.6.
ARG MINBASE
FROM ${MINBASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends caddy ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
    && mkdir -p /config/caddy /data/caddy /etc/caddy
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
EXPOSE 80 443
WORKDIR /srv
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
