"""The activity feed and Recent: the recorder the use cases tell of each change (and of each file
the owner opens), and the feeds read back a page at a time. Recording never fails the user's
action: a failure is logged, and the change stands."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta

from scloud_files.domain import (
    FolderNotFound,
    Item,
    ItemNotFound,
    ItemPage,
    decode_page_cursor,
    encode_page_cursor,
    is_file_id,
)
from scloud_files.domain.activity import (
    ActivityAction,
    ActivityEvent,
    ActivityFilterConflict,
    RecentTouch,
    is_event_key,
    is_recent_key,
)
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.ports import ActivityLog, FileRepository

logger = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(days=365)
# An owner's own actions: who else did it is told by passing `actor_id`.
OWNER = object()


def folder_path(chain: Sequence[Item] | None) -> str | None:
    """ "/" for the root, "/Docs/Sub" below it; None where a folder on the way is gone or trashed."""
    if chain is None:
        return None
    return "/" + "/".join(folder.name for folder in chain)


class ActivityRecorder:
    """What every use case that changes an item is given: one call per change. Built without a
    log (the command-line tools, tests that do not look), it records nothing."""

    def __init__(
        self,
        log: ActivityLog | None,
        repository: FileRepository,
        paths: FolderPaths,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        now: Clock,
    ) -> None:
        self._log = log
        self._repository = repository
        self._paths = paths
        self._retention = retention
        self._now = now

    async def changed(
        self,
        action: ActivityAction,
        *,
        before: Item | None,
        after: Item,
        actor_id: str | None | object = OWNER,
        at: str | None = None,
        detail: str = "",
    ) -> None:
        """Records the change of `after` (as it was in `before`; None for a new item). `at` is the
        change's own time when it has one (an item's new modifiedAt...), so the same change is
        recorded under the same key whoever tells it again. A file changed is the owner's most
        recent one too, unless the change took it away."""
        if self._log is None:
            return
        try:
            await self._record(action, before, after, actor_id, at or timestamp(self._now()), detail)
        except Exception:
            logger.exception(
                "could not record activity",
                extra={"user_id": after.user_id, "item_id": after.item_id, "action": action},
            )

    async def changed_by_id(
        self,
        action: ActivityAction,
        user_id: str,
        item_id: str,
        *,
        actor_id: str | None | object = OWNER,
        at: str | None = None,
        detail: str = "",
    ) -> None:
        """As `changed`, for a change that leaves the item as it is (a share, a link): read here."""
        if self._log is None:
            return
        try:
            item = await self._repository.get(user_id, item_id)
        except Exception:
            logger.exception("could not record activity", extra={"user_id": user_id, "item_id": item_id})
            return
        if item is not None:
            await self.changed(action, before=item, after=item, actor_id=actor_id, at=at, detail=detail)

    async def opened(self, item: Item) -> None:
        """The owner opened the file (a download or preview link): first in their Recent."""
        if self._log is None or item.is_folder:
            return
        try:
            await self._touch(item)
        except Exception:
            logger.exception("could not record a recent file", extra={"user_id": item.user_id, "item_id": item.item_id})

    async def _touch(self, item: Item) -> None:
        assert self._log is not None
        now = self._now()
        # To the millisecond: a file opened in the second it was uploaded still goes first.
        touched_at = now.astimezone(UTC).isoformat(timespec="milliseconds")
        await self._log.touch(RecentTouch(item.user_id, item.item_id, touched_at, timestamp(now + self._retention)))

    async def _record(
        self, action: ActivityAction, before: Item | None, after: Item, actor: object, at: str, detail: str
    ) -> None:
        assert self._log is not None
        parents = {item.parent_id for item in (before, after) if item is not None and item.parent_id is not None}
        chains = await self._paths.chains(after.user_id, sorted(parents))

        def chain_of(item: Item | None) -> list[Item] | None:
            if item is None:
                return None
            return [] if item.parent_id is None else chains.get(item.parent_id)

        before_chain, after_chain = chain_of(before), chain_of(after)
        folder_ids = [folder.item_id for chain in (before_chain, after_chain) for folder in chain or []]
        if after.is_folder:
            folder_ids.append(after.item_id)
        event = ActivityEvent(
            user_id=after.user_id,
            at=at,
            item_id=after.item_id,
            item_kind=after.kind,
            action=action,
            actor_id=after.user_id if actor is OWNER else actor,  # type: ignore[arg-type]
            name_before=before.name if before is not None else None,
            name_after=after.name,
            path_before=folder_path(before_chain) if before is not None else None,
            path_after=folder_path(after_chain),
            expires_at=timestamp(self._now() + self._retention),
            detail=detail,
            folder_ids=tuple(dict.fromkeys(folder_ids)),
        )
        await self._log.record(event)
        if not after.is_folder and action in TOUCHING_ACTIONS:
            await self._touch(after)


# What makes a file one of the owner's recent ones (opening it too: ActivityRecorder.opened).
TOUCHING_ACTIONS = frozenset(
    {
        ActivityAction.UPLOAD,
        ActivityAction.NEW_VERSION,
        ActivityAction.RENAME,
        ActivityAction.MOVE,
        ActivityAction.RESTORE,
        ActivityAction.REQUEST_UPLOAD,
    }
)


@dataclass(frozen=True)
class ActivityPage:
    events: list[ActivityEvent]
    next_cursor: str | None


class ListActivity:
    def __init__(self, log: ActivityLog, *, now: Clock) -> None:
        self._log = log
        self._now = now

    async def __call__(
        self,
        user_id: str,
        *,
        item_id: str | None = None,
        folder_id: str | None = None,
        limit: int,
        cursor: str | None,
    ) -> ActivityPage:
        """The user's events, newest first: all of them, one item's (its history, kept after it
        is gone), or one folder's (its own and those of what was below it at the time)."""
        if item_id is not None and folder_id is not None:
            raise ActivityFilterConflict()
        if item_id is not None and not is_file_id(item_id):
            raise ItemNotFound()
        if folder_id is not None and not is_file_id(folder_id):
            raise FolderNotFound()
        query = ["activity", item_id or "", folder_id or ""]
        after = decode_page_cursor(cursor, query, is_key=is_event_key) if cursor else None
        now = timestamp(self._now())
        if item_id is not None:
            events, last = await self._log.list_for_item(user_id, item_id, limit=limit, after_key=after, now=now)
        elif folder_id is not None:
            events, last = await self._log.list_for_folder(user_id, folder_id, limit=limit, after_key=after, now=now)
        else:
            events, last = await self._log.list_for_user(user_id, limit=limit, after_key=after, now=now)
        return ActivityPage(events, encode_page_cursor(query, last) if last else None)


@dataclass(frozen=True)
class RecentPage:
    page: ItemPage
    touched_at: dict[str, str]


class ListRecent:
    def __init__(self, log: ActivityLog, repository: FileRepository, paths: FolderPaths, *, now: Clock) -> None:
        self._log = log
        self._repository = repository
        self._paths = paths
        self._now = now

    async def __call__(self, user_id: str, *, limit: int, cursor: str | None) -> RecentPage:
        """The files the user opened, uploaded or changed, the most recent first, one entry per
        file: a page of the Recent index and one batch read of its files, whatever the drive
        holds. Files in the trash (or below a trashed folder) and deleted ones are left out, so
        a page may hold fewer than `limit`."""
        query = ["recent"]
        after = decode_page_cursor(cursor, query, is_key=is_recent_key) if cursor else None
        touches, last = await self._log.list_recent(user_id, limit=limit, after_key=after, now=timestamp(self._now()))
        found = await self._repository.get_many(user_id, [touch.item_id for touch in touches])
        candidates = [
            item
            for touch in touches
            if (item := found.get(touch.item_id)) is not None
            and not item.is_folder
            and item.trashed_at is None
            and not item.deleting
        ]
        live = await self._paths.live_only(user_id, candidates)
        paths = await self._paths.paths_of(user_id, live)
        return RecentPage(
            ItemPage(live, encode_page_cursor(query, last) if last else None, paths),
            {touch.item_id: touch.touched_at for touch in touches},
        )
