"""Stars: the items a user marked to find again under Starred, newest star first."""

from dataclasses import dataclass

from scloud_files.domain.item import is_file_id
from scloud_files.domain.paging import KEY_SEPARATOR


@dataclass(frozen=True)
class Star:
    """The user's star on one of their items, and when they gave it (RFC 3339, UTC)."""

    user_id: str
    item_id: str
    starred_at: str

    @property
    def key(self) -> str:
        """Orders Starred by star time, newest first; unique by the id."""
        return KEY_SEPARATOR.join((self.starred_at, self.item_id))


def is_star_key(key: str) -> bool:
    starred_at, separator, item_id = key.rpartition(KEY_SEPARATOR)
    return bool(separator and starred_at) and is_file_id(item_id)


def star_key_item_id(key: str) -> str:
    return key.rpartition(KEY_SEPARATOR)[2]
