"""Backing up an installation on one machine (SQLite databases, objects in SeaweedFS or any S3
endpoint) into one archive (archive.py), checking an archive, and restoring one.

**Metadata first, then objects.** Each database is copied with SQLite's online backup API, one
consistent state even if a service still writes; the objects are streamed after. Nothing in a
file's life adds bytes under a key a database already names (a key's bytes never change, and a
file's row is written once its bytes are stored), so every row of the snapshot finds its bytes
among the objects copied after it, and an object uploaded meanwhile is at worst an orphan.

**Writes must pause all the same** (the self-hosting wrappers stop the services around a backup):
a purge or an emptied trash deleting an object after the metadata snapshot would leave a row in
the archive whose bytes are not, and a file deleted and a new one uploaded while the objects are
listed makes an archive that matches no moment of the installation.

**A restore checks before it writes.** The manifest is read first and the target checked (an
empty database and bucket, unless --force), then every member is read and its SHA-256 checked
while each database is written to a private file beside its target; a corrupt or truncated
archive stops there, having replaced nothing. Then the objects are uploaded (each hashed again on
its way), and only then is each database renamed into place: no row is ever restored before its
bytes. Everything is streamed, a chunk or a part at a time: memory does not grow with an object's
size (only the manifest's list of members grows, with their number)."""

import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scloud_admin.archive import (
    ArchiveCorrupt,
    ArchiveWriter,
    HashingReader,
    Manifest,
    Member,
    check_archive,
    database_member,
    object_member,
    read_manifest,
)
from scloud_admin.comparison import listed
from scloud_admin.ports import DatabaseFile, ObjectStore

PAGE_SIZE = 1000
Echo = Callable[[str], None]


class BackupRefused(Exception):
    """The command would overwrite something, or cannot be done on these stores."""


class SourceChanged(Exception):
    """An object changed while it was copied into the archive: something still writes."""


@dataclass(frozen=True)
class BackupStores:
    """The installation as a backup sees it: each service's database (auth, users, files) and
    the bucket."""

    databases: dict[str, DatabaseFile]
    objects: ObjectStore


def partial_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".partial")


def create_backup(stores: BackupStores, archive: Path, *, echo: Echo) -> Manifest:
    """Writes the archive to ARCHIVE.partial (0600), then renames it: an interrupted backup
    leaves no file that looks finished. Refused if ARCHIVE exists."""
    if archive.exists():
        raise BackupRefused(f"{archive} exists already: give a new name, or remove it first")
    if not archive.parent.is_dir():
        raise BackupRefused(f"the folder {archive.parent} does not exist")
    partial = partial_path(archive)
    descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            with tarfile.open(fileobj=file, mode="w", format=tarfile.PAX_FORMAT) as tar:
                writer = ArchiveWriter(tar)
                schema_versions = _add_databases(stores, writer, scratch_parent=archive.parent, echo=echo)
                _add_objects(stores.objects, writer)
                manifest = Manifest(
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    schema_versions=schema_versions,
                    members=writer.members,
                )
                writer.add_manifest(manifest)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, archive)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _add_databases(stores: BackupStores, writer: ArchiveWriter, *, scratch_parent: Path, echo: Echo) -> dict[str, int]:
    schema_versions: dict[str, int] = {}
    # The copies hold password hashes: a 0700 folder of their own, beside the archive, gone after.
    with tempfile.TemporaryDirectory(prefix=".scloud-backup-", dir=scratch_parent) as scratch:
        for service, database in stores.databases.items():
            copy = Path(scratch) / f"{service}.sqlite3"
            schema_versions[service] = database.snapshot(copy)
            with copy.open("rb") as stream:
                member = writer.add(database_member(service), stream, size=copy.stat().st_size)
            copy.unlink()
            echo(f"{service}: schema version {schema_versions[service]}, {member.size} bytes")
    return schema_versions


def _add_objects(objects: ObjectStore, writer: ArchiveWriter) -> None:
    for listed_head in listed(objects, PAGE_SIZE):
        head = objects.head(listed_head.key)
        if head is None:
            raise SourceChanged(f"{listed_head.key} was deleted while the backup ran: stop the services first")
        stream = objects.open(head.key)
        try:
            writer.add(object_member(head.key), stream, size=head.size, content_type=head.content_type)
        except EOFError:
            raise SourceChanged(f"{head.key} changed while the backup ran: stop the services first") from None
        finally:
            stream.close()


def verify_backup(archive: Path) -> Manifest:
    """Every member read and checked against the manifest; ArchiveCorrupt names what is not."""
    manifest = read_manifest(archive)
    check_archive(archive, manifest)
    return manifest


def restore_backup(stores: BackupStores, archive: Path, *, force: bool, echo: Echo) -> Manifest:
    """Restores the archive into the stores: BackupRefused (nothing written) if a database holds
    data or the bucket any object, unless `force`, which replaces the databases and overwrites
    objects under the same keys (others stay); ArchiveCorrupt (no database replaced) if any
    member is not as the manifest says."""
    manifest = read_manifest(archive)
    _check_restorable(stores, manifest, force=force, echo=echo)
    staged: dict[str, Path] = {}
    try:

        def stage_database(member: Member, reader: HashingReader) -> None:
            for service, database in stores.databases.items():
                if member.name == database_member(service):
                    staged[service] = database.stage(reader.as_stream())

        check_archive(archive, manifest, stage_database)
        echo(f"checked {len(manifest.members)} members against the manifest")

        def upload_object(member: Member, reader: HashingReader) -> None:
            if member.object_key is not None:
                stores.objects.upload(member.object_key, reader.as_stream(), content_type=member.content_type or "")

        try:
            check_archive(archive, manifest, upload_object)
        except ArchiveCorrupt as error:
            raise ArchiveCorrupt(["the archive changed while it was restored", *error.problems]) from None
        for service in list(staged):
            stores.databases[service].install(staged.pop(service))
    finally:
        for service, path in staged.items():
            stores.databases[service].discard(path)
    return manifest


def _check_restorable(stores: BackupStores, manifest: Manifest, *, force: bool, echo: Echo) -> None:
    listed_databases = {member.name for member in manifest.databases}
    missing = [
        database_member(service) for service in stores.databases if database_member(service) not in listed_databases
    ]
    if missing:
        raise ArchiveCorrupt([f"{name}: not in the manifest" for name in missing])
    for service, database in stores.databases.items():
        version = manifest.schema_versions.get(service, 0)
        if version > database.code_schema_version:
            raise BackupRefused(
                f"the archive's {service} database is at schema version {version}, newer than this SCloud's "
                f"{database.code_schema_version}: restore it with the SCloud version that made it"
            )
    occupied = [f"the {service} database holds data" for service, db in stores.databases.items() if db.holds_data()]
    if next(listed(stores.objects, 1), None) is not None:
        occupied.append("the bucket holds objects")
    if not occupied:
        return
    if not force:
        raise BackupRefused(
            "; ".join(occupied) + ": --force replaces the databases and overwrites the objects under the same keys"
        )
    echo(f"{'; '.join(occupied)}: replacing them (--force)")
