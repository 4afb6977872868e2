"""One-way folder sync by size and checksum: `up` makes the remote folder hold the local one's
files, `down` the reverse. Folders are created as needed; nothing is deleted (remote items go to
the trash, local files are removed) unless asked."""

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scloud_cli.checksum import file_matches
from scloud_cli.client import Client, Item
from scloud_cli.errors import ConflictError
from scloud_cli.paths import fold
from scloud_cli.transfer import ProgressCallback, Uploader, download

# Called with a file's name and size as its transfer starts; answers its progress callback.
ProgressFactory = Callable[[str, int], ProgressCallback]


def _no_progress(_: str, __: int) -> ProgressCallback:
    return lambda _: None


@dataclass
class SyncReport:
    transferred: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    folders_created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, list[str]]:
        return {
            "transferred": self.transferred,
            "unchanged": self.unchanged,
            "foldersCreated": self.folders_created,
            "deleted": self.deleted,
        }


def same_content(local: Path, remote: Item) -> bool:
    """Equal size and checksum; a remote file stored without a checksum counts as equal only
    when both are empty."""
    size = local.stat().st_size
    if remote.size != size:
        return False
    if remote.sha256 is None:
        return size == 0
    return file_matches(local, remote.sha256, part_size=remote.checksum_part_size)


def sync_up(
    client: Client,
    uploader: Uploader,
    local: Path,
    folder: Item,
    *,
    delete: bool = False,
    progress: ProgressFactory = _no_progress,
    report: SyncReport | None = None,
    prefix: str = "",
) -> SyncReport:
    report = report or SyncReport()
    remote = {fold(item.name): item for item in client.list_children(folder.id)}
    seen: set[str] = set()
    for entry in sorted(local.iterdir()):
        if entry.is_symlink() or not (entry.is_dir() or entry.is_file()):
            continue
        relative = f"{prefix}{entry.name}"
        seen.add(fold(entry.name))
        existing = remote.get(fold(entry.name))
        if entry.is_dir():
            if existing is not None and not existing.is_folder:
                raise ConflictError(f"{relative}: a folder here, a file remotely", code="kind_differs")
            if existing is None:
                existing = client.create_folder(entry.name, folder.id, on_conflict="merge")
                report.folders_created.append(relative)
            sync_up(
                client,
                uploader,
                entry,
                existing,
                delete=delete,
                progress=progress,
                report=report,
                prefix=f"{relative}/",
            )
            continue
        if existing is not None and existing.is_folder:
            raise ConflictError(f"{relative}: a file here, a folder remotely", code="kind_differs")
        if existing is not None and same_content(entry, existing):
            report.unchanged.append(relative)
            continue
        size = entry.stat().st_size
        uploader.upload(entry, folder.id, name=entry.name, on_conflict="replace", on_bytes=progress(relative, size))
        report.transferred.append(relative)
    if delete:
        for key, item in remote.items():
            if key not in seen:
                client.trash(item)
                report.deleted.append(f"{prefix}{item.name}")
    return report


def sync_down(
    client: Client,
    folder: Item,
    local: Path,
    *,
    delete: bool = False,
    progress: ProgressFactory = _no_progress,
    report: SyncReport | None = None,
    prefix: str = "",
) -> SyncReport:
    report = report or SyncReport()
    if not local.is_dir():
        local.mkdir(parents=True)
        if prefix:
            report.folders_created.append(prefix.rstrip("/"))
    names: set[str] = set()
    for item in client.list_children(folder.id):
        names.add(item.name)
        target = local / item.name
        relative = f"{prefix}{item.name}"
        if item.is_folder:
            if target.exists() and not target.is_dir():
                raise ConflictError(f"{relative}: a folder remotely, a file here", code="kind_differs")
            sync_down(client, item, target, delete=delete, progress=progress, report=report, prefix=f"{relative}/")
            continue
        if target.is_dir():
            raise ConflictError(f"{relative}: a file remotely, a folder here", code="kind_differs")
        if target.is_file() and same_content(target, item):
            report.unchanged.append(relative)
            continue
        download(client, item, target, on_bytes=progress(relative, item.size or 0))
        report.transferred.append(relative)
    if delete:
        for entry in sorted(local.iterdir()):
            if entry.name in names or entry.name.endswith(".scloud-download"):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            report.deleted.append(f"{prefix}{entry.name}")
    return report
