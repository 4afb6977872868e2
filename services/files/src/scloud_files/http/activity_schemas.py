"""The activity feed and Recent as the API shows them."""

from typing import Literal

from pydantic import Field

from scloud_common.web import ApiModel
from scloud_files.domain.activity import ActivityAction, ActivityEvent
from scloud_files.drive.activity import ActivityPage, RecentPage
from scloud_files.http.schemas import ItemRead

ActionRead = Literal[
    "upload",
    "new_version",
    "copy",
    "rename",
    "move",
    "trash",
    "restore",
    "delete_forever",
    "share",
    "unshare",
    "link_created",
    "link_opened",
    "link_revoked",
    "request_upload",
]


class ActivityEventRead(ApiModel):
    """One change of one of the user's items."""

    id: str = Field(description="The event's key: the same change always has the same id.")
    action: ActionRead
    at: str = Field(description="When it happened, RFC 3339, UTC.")
    actor_id: str | None = Field(
        description="The account that did it: the user's own id for their own actions; null for a visitor who "
        "did not sign in (a share link opened, an upload through a file request)."
    )
    item_id: str
    item_kind: Literal["file", "folder"]
    name_before: str | None = Field(description="The item's name before the change; null for a new item.")
    name_after: str | None = Field(description="The item's name after the change.")
    path_before: str | None = Field(
        description="The folder the item was in before the change (`/` for the root, `/Docs/2026` below it); null "
        "for a new item, or where a folder on the way was trashed."
    )
    path_after: str | None = Field(description="The folder the item was in after the change, likewise.")

    @classmethod
    def from_domain(cls, event: ActivityEvent) -> "ActivityEventRead":
        return cls(
            id=event.event_key,
            action=event.action.value,
            at=event.at,
            actor_id=event.actor_id,
            item_id=event.item_id,
            item_kind=event.item_kind.value,
            name_before=event.name_before,
            name_after=event.name_after,
            path_before=event.path_before,
            path_after=event.path_after,
        )


class ActivityPageRead(ApiModel):
    events: list[ActivityEventRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")

    @classmethod
    def from_domain(cls, page: ActivityPage) -> "ActivityPageRead":
        return cls(events=[ActivityEventRead.from_domain(event) for event in page.events], next_cursor=page.next_cursor)


class RecentFileRead(ItemRead):
    touched_at: str = Field(description="When the user last opened, uploaded or changed the file, RFC 3339, UTC.")


class RecentPageRead(ApiModel):
    items: list[RecentFileRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page. A page may hold fewer items than "
        "asked (files since trashed are left out) while this is not null."
    )

    @classmethod
    def from_domain(cls, recent: RecentPage) -> "RecentPageRead":
        page = recent.page
        return cls(
            items=[
                RecentFileRead(
                    **ItemRead.from_domain(item, page.paths.get(item.item_id, [])).model_dump(),
                    touched_at=recent.touched_at[item.item_id],
                )
                for item in page.items
            ],
            next_cursor=page.next_cursor,
        )


assert {action.value for action in ActivityAction} == set(ActionRead.__args__)  # type: ignore[attr-defined]
