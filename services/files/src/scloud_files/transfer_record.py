"""The files store's contents as transfer records (scloud_common.transfer), the same from either
store: every file and folder (trashed ones, and those marked for or being purged, included), each
user's totals and closed mark, and files recorded before folders existed. Name guards, sort keys
and index attributes are derived from the items, so each writer rebuilds them; one-time archive
links are short-lived and stay behind."""

from dataclasses import asdict
from typing import Any

from scloud_common.transfer import TransferRecord
from scloud_files.domain import Item, ItemKind, UnfiledFile

FILE = "files.file"
FOLDER = "files.folder"
USAGE = "files.usage"
UNFILED = "files.unfiled"
ITEM_KINDS = {ItemKind.FILE: FILE, ItemKind.FOLDER: FOLDER}


def item_transfer_record(item: Item, *, purging: bool) -> TransferRecord:
    """`item.deleting` is the user's "delete forever" (hidden from the trash, due for purge);
    `purging` is the purge's own mark on a folder it is emptying. A folder deleted forever is
    refused as a parent whatever its mark, so the mark is kept only where it tells something."""
    body: dict[str, Any] = asdict(item)
    body.pop("kind")
    body["purging"] = purging and not item.deleting
    return TransferRecord(ITEM_KINDS[item.kind], f"{item.user_id}/{item.item_id}", body)


def item_of(record: TransferRecord) -> tuple[Item, bool]:
    """The item and its purge mark."""
    body = dict(record.body)
    purging = bool(body.pop("purging"))
    kind = ItemKind.FILE if record.kind == FILE else ItemKind.FOLDER
    return Item(kind=kind, **body), purging


def usage_record(
    user_id: str,
    *,
    bytes_used: int,
    file_count: int,
    closed: bool,
    trash_bytes: int = 0,
    quota_bytes: int | None = None,
) -> TransferRecord | None:
    """A user's totals, closed mark and quota override; None for zero totals of an open account
    without an override, which both stores read as no record (one store keeps such a row, the
    other does not). `trash_bytes` and `quota_bytes` are in the body only when set, so records from
    before they existed read the same."""
    if not (bytes_used or file_count or closed or quota_bytes is not None):
        return None
    body: dict[str, object] = {"user_id": user_id, "bytes_used": bytes_used, "file_count": file_count, "closed": closed}
    if trash_bytes:
        body["trash_bytes"] = trash_bytes
    if quota_bytes is not None:
        body["quota_bytes"] = quota_bytes
    return TransferRecord(USAGE, user_id, body)


def unfiled_record(file: UnfiledFile) -> TransferRecord:
    return TransferRecord(UNFILED, f"{file.user_id}/{file.file_id}", asdict(file))


def unfiled_of(record: TransferRecord) -> UnfiledFile:
    return UnfiledFile(**record.body)
