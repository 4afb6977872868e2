#!/bin/sh
# Before nginx starts: source the executable *.envsh and run the executable *.sh found in
# /docker-entrypoint.d, in name order (the contract gateway/Dockerfile relies on).
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
    for script in /docker-entrypoint.d/*; do
        [ -f "$script" ] && [ -x "$script" ] || continue
        case "$script" in
            *.envsh) echo "$0: sourcing $script"; . "$script" ;;
            *.sh) echo "$0: running $script"; "$script" ;;
        esac
    done
fi
exec "$@"
