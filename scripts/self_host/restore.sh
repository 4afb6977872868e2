#!/usr/bin/env bash
# Restores a backup made by backup.sh into this compose.prod.yaml installation:
#   scripts/self_host/restore.sh backups/scloud-20261207T101500Z.tar [--force]
# docs/self-hosting.md, "Restore". The archive must be in SCLOUD_BACKUP_DIR (default ./backups),
# with its .secrets.tar beside it. Without --force, an installation that holds data already is
# left alone (the restore refuses and SCloud starts again as it was); with it, the databases are
# replaced and objects under the same keys overwritten.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 BACKUP.tar [--force]" >&2
    exit 2
fi
archive="$(basename "$1")"
shift
name="${archive%.tar}"
# shellcheck source=scripts/self_host/common.sh
source "$(dirname "$0")/common.sh"

for file in "$archive" "$name.secrets.tar"; do
    if [[ ! -f "$backups/$file" ]]; then
        echo "$backups/$file is missing" >&2
        exit 2
    fi
done
chown 10001:10001 "$backups" "$backups/$archive" "$backups/$name.secrets.tar"

echo "restoring $backups/$archive: SCloud stops meanwhile"
"${compose[@]}" stop
# Whatever happens, SCloud starts again: restored, or as it was if the restore refused or failed
# (a damaged archive replaces nothing).
trap start_all EXIT
# The keys first: SeaweedFS reads its identity when it starts (stopped above, or made anew after
# `down --volumes`), the services theirs.
run_tool "secrets imported from " secrets import "/backups/$name.secrets.tar"
run_tool "^secrets" secrets
start_all --no-deps s3
run_tool "^restored from " admin backup restore "/backups/$archive" "$@"
trap - EXIT
start_all
echo "restored from $backups/$archive"
