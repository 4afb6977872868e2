"""What happened to a user's items (the activity feed) and the files they touched last (Recent).

An event's key is made from the change itself (its time, the item, the action and what tells two
changes of one second apart), never drawn at random: a write retried after an unknown outcome,
or a use case run again for the same change, stores the same event again instead of a twin."""

from dataclasses import dataclass
from enum import StrEnum

from scloud_common.errors import InvalidInput
from scloud_files.domain.item import ItemKind, is_file_id

# Between the parts of an event's key: no timestamp, item id, action or detail holds it.
EVENT_KEY_SEPARATOR = "|"


class ActivityAction(StrEnum):
    UPLOAD = "upload"
    NEW_VERSION = "new_version"
    # A copy made: the event is the copy's; its "before" is the original's name and folder.
    COPY = "copy"
    RENAME = "rename"
    MOVE = "move"
    TRASH = "trash"
    RESTORE = "restore"
    DELETE_FOREVER = "delete_forever"
    SHARE = "share"
    UNSHARE = "unshare"
    LINK_CREATED = "link_created"
    LINK_OPENED = "link_opened"
    LINK_REVOKED = "link_revoked"
    REQUEST_UPLOAD = "request_upload"


@dataclass(frozen=True)
class ActivityEvent:
    """One change of an item of `user_id` (its owner), by `actor_id` (None: a visitor who did not
    sign in). Names and paths (the folder path, "/" for the root) are as before and after the
    change; None where the change has no such side (an upload has no "before"). `folder_ids`
    are the folders whose activity shows it: every folder above the item before and after the
    change, and the item itself if it is a folder."""

    user_id: str
    at: str
    item_id: str
    item_kind: ItemKind
    action: ActivityAction
    actor_id: str | None
    name_before: str | None
    name_after: str | None
    path_before: str | None
    path_after: str | None
    expires_at: str
    # Tells apart two changes of one item by one action in one second (a link's ref, a person).
    detail: str = ""
    folder_ids: tuple[str, ...] = ()

    @property
    def event_key(self) -> str:
        """Orders events by time; the same change always has the same key."""
        return EVENT_KEY_SEPARATOR.join((self.at, self.item_id, self.action.value, self.detail))


def is_event_key(key: str) -> bool:
    parts = key.split(EVENT_KEY_SEPARATOR)
    return len(parts) == 4 and bool(parts[0]) and is_file_id(parts[1]) and parts[2] in set(ActivityAction)


@dataclass(frozen=True)
class RecentTouch:
    """The last time the user opened, uploaded or changed the file."""

    user_id: str
    item_id: str
    touched_at: str
    expires_at: str

    @property
    def recent_key(self) -> str:
        return EVENT_KEY_SEPARATOR.join((self.touched_at, self.item_id))


def is_recent_key(key: str) -> bool:
    touched_at, separator, item_id = key.partition(EVENT_KEY_SEPARATOR)
    return bool(separator and touched_at) and is_file_id(item_id)


class ActivityFilterConflict(InvalidInput):
    code = "invalid_activity_filter"
    message = "Filter the activity by an item or by a folder, not both."
