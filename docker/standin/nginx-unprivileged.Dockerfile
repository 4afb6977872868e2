# Stand-in for nginxinc/nginx-unprivileged:<version>-alpine, for the container test only
# (tests/containers). Debian bookworm's nginx, made to behave as that image does for
# gateway/Dockerfile: runs as uid 101 on port 8080, owns /etc/nginx so the entrypoint can render
# /etc/nginx/templates/*.template into conf.d with envsubst (NGINX_ENVSUBST_FILTER), sources
# executable *.envsh and runs executable *.sh from /docker-entrypoint.d, and has `wget` for the
# health check. Its nginx is 1.22, not the tagged version: the test cannot tell them apart
# only if the gateway's configuration needs nothing newer.
ARG MINBASE
FROM ${MINBASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx gettext-base wget ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
        /etc/nginx/sites-enabled /etc/nginx/sites-available /var/www \
    && groupadd --system --gid 101 nginx \
    && useradd --system --uid 101 --gid nginx --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin nginx \
    && mkdir -p /etc/nginx/conf.d /etc/nginx/templates /docker-entrypoint.d /usr/share/nginx/html \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log \
    && chown -R 101:0 /etc/nginx /var/lib/nginx /var/log/nginx \
    && chmod -R g+w /etc/nginx
COPY nginx/nginx.conf /etc/nginx/nginx.conf
COPY nginx/default.conf /etc/nginx/conf.d/default.conf
COPY --chmod=0755 nginx/docker-entrypoint.sh /docker-entrypoint.sh
COPY --chmod=0755 nginx/20-envsubst-on-templates.sh /docker-entrypoint.d/20-envsubst-on-templates.sh
RUN chown 101:0 /etc/nginx/conf.d/default.conf
EXPOSE 8080
STOPSIGNAL SIGQUIT
USER 101
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
