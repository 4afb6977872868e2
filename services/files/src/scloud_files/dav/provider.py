"""The drive as wsgidav resources: folders are collections, files non-collections, each mapped
onto a use case (list, upload, read, create folder, move, copy, trash). wsgidav itself keeps the
locks and the dead properties, in this process's memory, keyed per user (get_ref_url)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from wsgidav import util
from wsgidav.dav_error import HTTP_FORBIDDEN, HTTP_NOT_FOUND, DAVError
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider

from scloud_files.dav.bridge import ChunkReader, LoopBridge, UploadWriter
from scloud_files.domain import Item, ItemKind, OnConflict, SortField
from scloud_files.drive.use_cases import Drive

USER_KEY = "scloud.user_id"
_CACHE_KEY = "scloud.items"
LIST_PAGE = 500
_ALL_KINDS = [ItemKind.FOLDER, ItemKind.FILE]


def _seconds(moment: str) -> float:
    return datetime.fromisoformat(moment).timestamp()


def path_names(path: str) -> list[str]:
    return [name for name in path.split("/") if name]


class DriveProvider(DAVProvider):
    def __init__(self, bridge: LoopBridge, drive: Callable[[], Drive]) -> None:
        super().__init__()
        self.bridge = bridge
        self._drive = drive

    @property
    def drive(self) -> Drive:
        return self._drive()

    def ref_url_to_path(self, ref_url: str) -> str:
        # get_ref_url puts the owner's id first: locks and properties are kept per user.
        return "/" + unquote(ref_url).lstrip("/").partition("/")[2]

    def get_resource_inst(self, path: str, environ: dict[str, Any]) -> "FolderResource | FileResource | None":
        cache: dict[str, Item | None] = environ.setdefault(_CACHE_KEY, {})
        key = "/" + "/".join(path_names(path))
        if key not in cache:
            try:
                cache[key] = self.bridge.run(self.drive.find_by_path(environ[USER_KEY], path_names(path)))
            except DAVError as exc:
                if exc.value != HTTP_NOT_FOUND:
                    raise
                return None
        return self.resource(path, environ, cache[key])

    def resource(self, path: str, environ: dict[str, Any], item: Item | None) -> "FolderResource | FileResource":
        if item is None or item.is_folder:
            return FolderResource(path, environ, item)
        return FileResource(path, environ, item, parent_id=item.parent_id)


class _DriveResource:
    """What files and folders share: the owner, the use cases, moves, copies and the trash."""

    path: str
    environ: dict[str, Any]
    provider: DriveProvider
    item: Item | None

    @property
    def user_id(self) -> str:
        return str(self.environ[USER_KEY])

    def run(self, coroutine: Any, **kwargs: Any) -> Any:
        return self.provider.bridge.run(coroutine, **kwargs)

    def changed(self) -> None:
        self.environ.pop(_CACHE_KEY, None)

    def get_ref_url(self) -> str:
        return quote("/" + self.user_id + self.get_preferred_path())  # type: ignore[attr-defined]

    def _target(self, dest_path: str) -> tuple[str | None, str]:
        parent = self.provider.get_resource_inst(util.get_uri_parent(dest_path), self.environ)
        if not isinstance(parent, FolderResource):
            raise DAVError(409)
        return parent.folder_id, util.get_uri_name(dest_path.rstrip("/"))

    def _require_item(self) -> Item:
        if self.item is None:
            raise DAVError(HTTP_FORBIDDEN, "The root cannot be changed.")
        return self.item

    def delete(self) -> None:
        item = self._require_item()
        self.run(self.provider.drive.trash_item(self.user_id, item.item_id, kind=None))
        self.changed()
        if self.provider.prop_manager:
            self.provider.prop_manager.remove_properties(self.get_ref_url(), self.environ)

    def support_recursive_delete(self) -> bool:
        return True

    def support_recursive_move(self, dest_path: str) -> bool:
        return True

    def move_recursive(self, dest_path: str) -> list[Any]:
        item = self._require_item()
        parent_id, name = self._target(dest_path)
        self.run(self.provider.drive.update_item(self.user_id, item.item_id, kind=None, name=name, parent_id=parent_id))
        self.changed()
        if self.provider.prop_manager:
            dest_ref = quote("/" + self.user_id + dest_path)
            self.provider.prop_manager.move_properties(self.get_ref_url(), dest_ref, with_children=True)
        return []

    def copy_move_single(self, dest_path: str, *, is_move: bool) -> None:
        """One resource to its place: wsgidav walks a tree top-down, so a folder is copied (or,
        in a move it could not do at once, re-created) empty and its members follow."""
        item = self._require_item()
        parent_id, name = self._target(dest_path)
        drive = self.provider.drive
        if is_move and not item.is_folder:
            self.run(drive.update_item(self.user_id, item.item_id, kind=None, name=name, parent_id=parent_id))
        elif is_move:
            self.run(drive.create_folder(self.user_id, name=name, parent_id=parent_id, on_conflict=OnConflict.MERGE))
        else:
            on_conflict = OnConflict.MERGE if item.is_folder else OnConflict.REPLACE
            self.run(
                drive.copy_item(
                    self.user_id, item.item_id, parent_id=parent_id, name=name, recursive=False, on_conflict=on_conflict
                )
            )
        self.changed()
        if self.provider.prop_manager:
            dest_ref = quote("/" + self.user_id + dest_path)
            self.provider.prop_manager.copy_properties(self.get_ref_url(), dest_ref, self.environ)


class FolderResource(_DriveResource, DAVCollection):
    def __init__(self, path: str, environ: dict[str, Any], item: Item | None) -> None:
        DAVCollection.__init__(self, path, environ)
        self.item = item

    @property
    def folder_id(self) -> str | None:
        return self.item.item_id if self.item else None

    def get_display_name(self) -> str:
        return self.item.name if self.item else ""

    def get_creation_date(self) -> float | None:
        return _seconds(self.item.created_at) if self.item else None

    def get_last_modified(self) -> float | None:
        return _seconds(self.item.modified_at) if self.item else None

    def get_etag(self) -> None:
        return None

    def support_etag(self) -> bool:
        return False

    def children(self) -> list[Item]:
        """Every item in the folder, read a page at a time (a large folder is never one read)."""
        items: list[Item] = []
        cursor: str | None = None
        while True:
            page = self.run(
                self.provider.drive.list_children(
                    self.user_id,
                    self.folder_id,
                    sort=SortField.NAME,
                    descending=False,
                    kinds=_ALL_KINDS,
                    limit=LIST_PAGE,
                    cursor=cursor,
                )
            )
            items += page.items
            cursor = page.next_cursor
            if cursor is None:
                return items

    def get_member_names(self) -> list[str]:
        return [item.name for item in self.children()]

    def get_member_list(self) -> list["FolderResource | FileResource"]:
        cache: dict[str, Item | None] = self.environ.setdefault(_CACHE_KEY, {})
        members = []
        for item in self.children():
            path = util.join_uri(self.path, item.name)
            cache["/" + "/".join(path_names(path))] = item
            members.append(self.provider.resource(path, self.environ, item))
        return members

    def get_member(self, name: str) -> "FolderResource | FileResource | None":
        return self.provider.get_resource_inst(util.join_uri(self.path, name), self.environ)

    def create_collection(self, name: str) -> None:
        self.run(self.provider.drive.create_folder(self.user_id, name=name, parent_id=self.folder_id))
        self.changed()

    def create_empty_resource(self, name: str) -> "FileResource":
        """A new file. A PUT writes it next; a LOCK of an unmapped URL must leave it there, so
        only then is an empty file stored at once."""
        resource = FileResource(util.join_uri(self.path, name), self.environ, None, parent_id=self.folder_id)
        if self.environ.get("REQUEST_METHOD") == "LOCK":
            writer = resource.begin_write()
            writer.close()
        return resource


class FileResource(_DriveResource, DAVNonCollection):
    def __init__(self, path: str, environ: dict[str, Any], item: Item | None, *, parent_id: str | None) -> None:
        DAVNonCollection.__init__(self, path, environ)
        self.item = item
        self._parent_id = parent_id
        self._writer: UploadWriter | None = None

    def get_content_length(self) -> int | None:
        return self.item.size if self.item else 0

    def get_content_type(self) -> str:
        return (self.item.content_type if self.item else None) or "application/octet-stream"

    def get_creation_date(self) -> float | None:
        return _seconds(self.item.created_at) if self.item else None

    def get_last_modified(self) -> float | None:
        return _seconds(self.item.modified_at) if self.item else None

    def get_display_name(self) -> str:
        return self.item.name if self.item else self.name

    def get_etag(self) -> str | None:
        if self.item is None:
            return None
        return f"{self.item.item_id}-{self.item.size}-{int(_seconds(self.item.modified_at))}"

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return False

    def get_content(self) -> ChunkReader:
        item = self._require_item()
        _, chunks = self.run(self.provider.drive.read_file(self.user_id, item.item_id))
        return ChunkReader(chunks)

    def begin_write(self, *, content_type: str | None = None) -> UploadWriter:
        upload_file = self.provider.drive.upload_file
        user_id, name, parent_id = self.user_id, self.name, self._parent_id

        async def upload(chunks: Any) -> Item:
            with upload_file.slots.hold(user_id):
                return await upload_file(
                    user_id,
                    file_name=name,
                    content_type=content_type,
                    chunks=chunks,
                    parent_id=parent_id,
                    on_conflict=OnConflict.REPLACE,
                )

        self._writer = UploadWriter(self.provider.bridge, upload)
        return self._writer

    def end_write(self, *, with_errors: bool) -> None:
        if self._writer is not None and with_errors:
            self._writer.abort()
        self.changed()
        if self._writer is not None and not with_errors:
            self.item = self._writer.item
