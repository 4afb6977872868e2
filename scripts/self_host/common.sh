# Sourced by backup.sh and restore.sh: the compose command and the one-off tool runner.

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
read -r -a compose <<< "${SCLOUD_COMPOSE:-docker compose}"
compose+=(-f compose.prod.yaml)
backups="${SCLOUD_BACKUP_DIR:-./backups}"

# run_tool SUCCESS_LINE SERVICE ARGS...: `run --rm` of a one-off (the admin tool, the secrets
# job), shown as it runs; fails unless it exited 0 *and* printed its success line. The line is
# checked too because podman's Docker API answers 0 for a `run --rm` container whatever it
# returned (it is removed before compose asks), and a refused restore must not read as done.
run_tool() {
    local success="$1"
    shift
    local output
    output="$(mktemp)"
    if ! "${compose[@]}" run --rm --no-deps "$@" 2>&1 | tee "$output"; then
        rm -f "$output"
        return 1
    fi
    if ! grep -q "$success" "$output"; then
        rm -f "$output"
        echo "$* did not finish: see its output above" >&2
        return 1
    fi
    rm -f "$output"
}

# start_all [SERVICE...]: `up --wait`, tried up to 5 times. Podman, unlike Docker, keeps a
# container's last health status across a restart, so a check that failed while a container was
# stopping can show it "unhealthy" to compose until its next check passes; the next attempt then
# finds it healthy. Each attempt is bounded by --wait-timeout.
# --no-recreate: SCloud starts again as it was; a changed configuration is applied by the
# operator's own `up`. Compose on podman otherwise recreates every container on each `up`, even
# unchanged, and podman's DNS has been seen to lag behind the new addresses (docs/containers.md).
start_all() {
    local attempt
    for attempt in 1 2 3 4 5; do
        if "${compose[@]}" up --detach --wait --wait-timeout 300 --no-recreate "$@"; then
            return 0
        fi
        echo "SCloud is not ready yet (attempt $attempt of 5)" >&2
        sleep 3
    done
    return 1
}
