#!/bin/sh
# Renders $NGINX_ENVSUBST_TEMPLATE_DIR/*.template into $NGINX_ENVSUBST_OUTPUT_DIR, substituting
# only the defined variables whose name matches NGINX_ENVSUBST_FILTER (a regular expression),
# so nginx's own $variables survive.
set -e
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"
[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
    echo "$0: $output_dir is not writable" >&2
    exit 0
fi
names=$(env | cut -d= -f1 | grep -E "${filter:-.}" || true)
defined=""
for name in $names; do
    defined="$defined \${$name}"
done
for template in "$template_dir"/*"$suffix"; do
    [ -f "$template" ] || continue
    output="$output_dir/$(basename "$template" "$suffix")"
    echo "$0: rendering $template to $output"
    envsubst "$defined" < "$template" > "$output"
done
