#!/usr/bin/env bash
# Restores a backup made by backup.sh into this compose.prod.yaml installation:
#   scripts/self_host/restore.sh backups/scloud-20261207T101500Z.tar [--force]
# docs/self-hosting.md, "Restore". The archive must be in SCLOUD_BACKUP_DIR (default ./backups),
# with its .secrets.tar beside it. Without --force, an installation that holds data already is
# left alone (the restore refuses); with it, the databases are replaced and objects under the
# same keys overwritten.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 BACKUP.tar [--force]" >&2
    exit 2
fi
archive="$(basename "$1")"
shift
name="${archive%.tar}"

cd "$(dirname "$0")/../.."
read -r -a compose <<< "${SCLOUD_COMPOSE:-docker compose}"
compose+=(-f compose.prod.yaml)
backups="${SCLOUD_BACKUP_DIR:-./backups}"
for file in "$archive" "$name.secrets.tar"; do
    if [[ ! -f "$backups/$file" ]]; then
        echo "$backups/$file is missing" >&2
        exit 2
    fi
done
chown 10001:10001 "$backups" "$backups/$archive" "$backups/$name.secrets.tar"

echo "restoring $backups/$archive: SCloud stops meanwhile"
"${compose[@]}" stop
# The keys first: SeaweedFS reads its identity when it starts, the services theirs.
"${compose[@]}" run --rm --no-deps secrets import "/backups/$name.secrets.tar"
"${compose[@]}" run --rm --no-deps secrets
"${compose[@]}" up --detach --wait --no-deps --force-recreate s3
"${compose[@]}" run --rm --no-deps admin backup restore "/backups/$archive" "$@"
"${compose[@]}" up --detach --wait
echo "restored from $backups/$archive"
