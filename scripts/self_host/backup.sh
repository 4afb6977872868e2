#!/usr/bin/env bash
# Backs up a compose.prod.yaml installation into SCLOUD_BACKUP_DIR (default ./backups beside
# compose.prod.yaml): docs/self-hosting.md, "Backups". Run as root (or a user docker lets in) from
# anywhere:  scripts/self_host/backup.sh
#
# Consistent by construction: the services stop first, so nothing writes while the metadata is
# copied and no purge deletes an object the copied records still name; SeaweedFS stays up to hand
# the objects over its S3 API. The services start again whatever happens. Two files per backup:
# scloud-<UTC time>.tar (the three databases, then every object, with a manifest of sizes and
# SHA-256 checksums) and scloud-<UTC time>.secrets.tar (the keys the data was made with).
set -euo pipefail
# shellcheck source=scripts/self_host/common.sh
source "$(dirname "$0")/common.sh"
writers=(caddy gateway auth users files)

# The tools run as the services' user (10001), which must be able to write the backups there.
mkdir -p "$backups"
chown 10001:10001 "$backups"
chmod 0700 "$backups"

name="scloud-$(date -u +%Y%m%dT%H%M%SZ)"
echo "backing up to $backups/$name.tar: the services stop meanwhile"
start_all --no-deps s3
"${compose[@]}" stop "${writers[@]}"
trap start_all EXIT

run_tool "^backed up to " admin backup create "/backups/$name.tar"
run_tool "secrets exported to " secrets export "/backups/$name.secrets.tar"
echo "backed up: $backups/$name.tar and $backups/$name.secrets.tar"
