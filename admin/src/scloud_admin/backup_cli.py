"""`backup create|verify|restore ARCHIVE`: their arguments, the stores they open (the installation
this process's environment names, as the services read it) and what they print."""

import argparse
from collections.abc import Callable
from pathlib import Path

from scloud_admin.adapters.aws_client import StoreMissing, end_client, require_bucket
from scloud_admin.adapters.s3_object import S3ObjectStore
from scloud_admin.adapters.sqlite_database import SqliteDatabaseFile
from scloud_admin.archive import Manifest
from scloud_admin.backup import BackupRefused, BackupStores, create_backup, restore_backup, verify_backup
from scloud_admin.byte_size import format_byte_size
from scloud_admin.ports import DatabaseFile
from scloud_admin.side import ENVIRONMENT, Side
from scloud_auth.adapters.sqlite_tables import MIGRATIONS as AUTH_MIGRATIONS
from scloud_common.settings import MetadataStoreSettings
from scloud_files.adapters.sqlite import MIGRATIONS as FILES_MIGRATIONS
from scloud_files.provision import ensure_bucket
from scloud_users.adapters.sqlite import MIGRATIONS as USERS_MIGRATIONS

OpenStores = Callable[[Side, bool], BackupStores]
BACKUP_ACTIONS = {
    "create": "back up the databases and every object into one archive (stop the services first)",
    "verify": "check every member of an archive against its manifest, restoring nothing",
    "restore": "restore an archive into empty databases and an empty bucket (stop the services first)",
}


class UnsupportedStore(BackupRefused):
    """A service keeps its records in DynamoDB, which this backup does not cover."""


def add_backup_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    backup = commands.add_parser("backup", help="back up and restore an installation on SQLite and S3/SeaweedFS")
    actions = backup.add_subparsers(dest="action", required=True)
    for name, summary in BACKUP_ACTIONS.items():
        action = actions.add_parser(name, help=summary, description=summary)
        action.add_argument("archive", metavar="ARCHIVE", type=Path, help="the archive's path (a tar file)")
        if name == "restore":
            action.add_argument(
                "--force",
                action="store_true",
                help="restore over data: the databases are replaced, objects under the same keys overwritten",
            )


def open_backup_stores(side: Side, restoring: bool) -> BackupStores:
    """The installation's databases and bucket. Restoring creates the bucket when it is missing;
    a backup needs it there."""
    databases: dict[str, DatabaseFile] = {}
    for service, settings, migrations in (
        ("auth", side.auth, AUTH_MIGRATIONS),
        ("users", side.users, USERS_MIGRATIONS),
        ("files", side.files, FILES_MIGRATIONS),
    ):
        databases[service] = SqliteDatabaseFile(
            service, _sqlite_database(service, settings), code_schema_version=len(migrations)
        )
    files = side.files
    client = end_client(side.environ, "s3", region=files.aws_region, endpoint_url=side.endpoint(files, "s3"))
    try:
        require_bucket(client, files.s3_bucket)
    except StoreMissing:
        if not restoring:
            raise
        # Only a missing bucket is set up: an existing one keeps its own settings (infra's rules).
        ensure_bucket(client, files.s3_bucket, region=files.aws_region)
    return BackupStores(databases, S3ObjectStore(client, files.s3_bucket))


def _sqlite_database(service: str, settings: MetadataStoreSettings) -> Path:
    if settings.store != "sqlite":
        raise UnsupportedStore(
            f"{service.upper()}_STORE is {settings.store}: `backup` copies SQLite databases only. DynamoDB "
            "has its own point-in-time recovery (the tables infra/ makes have it on): restore the tables from "
            "it, and the bucket from its versions or a copy (`python -m scloud_admin copy`)"
        )
    return settings.sqlite_database()


def run_backup(arguments: argparse.Namespace, *, open_stores: OpenStores = open_backup_stores) -> str:
    """Runs the command and answers what it prints. ArchiveCorrupt, BackupRefused and the
    stores' own errors are left to the caller, which maps them to exit statuses."""
    archive: Path = arguments.archive
    if arguments.action != "create" and not archive.is_file():
        raise BackupRefused(f"{archive} does not exist")
    if arguments.action == "verify":
        return f"{archive}: every member matches the manifest\n{_summary(verify_backup(archive))}"
    side = Side.load("installation", ENVIRONMENT)
    if arguments.action == "create":
        manifest = create_backup(open_stores(side, False), archive, echo=print)
        return f"backed up to {archive}\n{_summary(manifest)}"
    manifest = restore_backup(open_stores(side, True), archive, force=arguments.force, echo=print)
    return f"restored from {archive}\n{_summary(manifest)}"


def _summary(manifest: Manifest) -> str:
    counts = manifest.counts()
    total = counts["database_bytes"] + counts["object_bytes"]
    versions = ", ".join(f"{service} {version}" for service, version in sorted(manifest.schema_versions.items()))
    return (
        f"made {manifest.created_at}; schema versions: {versions}\n"
        f"{counts['databases']} databases ({format_byte_size(counts['database_bytes'])}), "
        f"{counts['objects']} objects ({format_byte_size(counts['object_bytes'])}); "
        f"{total} bytes in all"
    )
