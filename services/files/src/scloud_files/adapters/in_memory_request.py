"""The file requests in memory, for unit tests."""

import dataclasses
from typing import TYPE_CHECKING

from scloud_files.domain import MAX_NOTICE_FILES, FileRequest, ReceivedFile, RequestNotFound

if TYPE_CHECKING:
    from scloud_files.ports import FileRequestStore

SETTINGS = ("expires_at", "forget_at", "max_file_bytes", "max_total_bytes", "owner_name", "revoked_at")


class InMemoryFileRequests:
    def __init__(self) -> None:
        self.requests: dict[str, FileRequest] = {}

    async def add(self, request: FileRequest) -> None:
        self.requests[request.token_hash] = request

    async def find(self, token_hash: str) -> FileRequest | None:
        return self.requests.get(token_hash)

    async def get(self, owner_id: str, request_ref: str) -> FileRequest | None:
        for request in self.requests.values():
            if request.owner_id == owner_id and request.request_ref == request_ref:
                return request
        return None

    async def list_owned(
        self, owner_id: str, *, limit: int, after_ref: str | None
    ) -> tuple[list[FileRequest], str | None]:
        owned = sorted((r for r in self.requests.values() if r.owner_id == owner_id), key=_ref, reverse=True)
        if after_ref is not None:
            owned = [request for request in owned if request.request_ref < after_ref]
        page = owned[:limit]
        return page, page[-1].request_ref if len(owned) > limit and page else None

    async def update_settings(self, request: FileRequest) -> None:
        stored = self.requests.get(request.token_hash)
        if stored is None:
            raise RequestNotFound()
        changes = {name: getattr(request, name) for name in SETTINGS}
        self.requests[request.token_hash] = dataclasses.replace(stored, **changes)

    async def receive(self, token_hash: str, size: int, *, now: str) -> bool:
        request = self.requests.get(token_hash)
        if request is None or request.refusal(now) is not None or not request.has_room_for(size):
            return False
        self.requests[token_hash] = dataclasses.replace(
            request, bytes_received=request.bytes_received + size, files_received=request.files_received + 1
        )
        return True

    async def give_back(self, token_hash: str, size: int) -> None:
        request = self.requests.get(token_hash)
        if request is not None:
            self.requests[token_hash] = dataclasses.replace(
                request,
                bytes_received=max(0, request.bytes_received - size),
                files_received=max(0, request.files_received - 1),
            )

    async def add_notice(self, token_hash: str, received: ReceivedFile, *, due_at: str) -> None:
        request = self.requests.get(token_hash)
        if request is None:
            return
        listed = len(request.notice_pending) < MAX_NOTICE_FILES
        self.requests[token_hash] = dataclasses.replace(
            request,
            notice_pending=request.notice_pending + ((received,) if listed else ()),
            notice_more=request.notice_more + (not listed),
            notice_due_at=request.notice_due_at or due_at,
        )

    async def due_notices(self, now: str, *, limit: int) -> list[FileRequest]:
        due = [r for r in self.requests.values() if r.notice_due_at is not None and r.notice_due_at <= now]
        return sorted(due, key=_due)[:limit]

    async def clear_notice(self, sent: FileRequest, *, next_due_at: str) -> None:
        request = self.requests.get(sent.token_hash)
        if request is None:
            return
        left = request.notice_pending[len(sent.notice_pending) :]
        more = max(0, request.notice_more - sent.notice_more)
        self.requests[sent.token_hash] = dataclasses.replace(
            request, notice_pending=left, notice_more=more, notice_due_at=next_due_at if left or more else None
        )

    async def delete_requests(self, owner_id: str, *, folder_id: str | None = None) -> int:
        gone = [
            request.token_hash
            for request in self.requests.values()
            if request.owner_id == owner_id and (folder_id is None or request.folder_id == folder_id)
        ]
        for token_hash in gone:
            del self.requests[token_hash]
        return len(gone)


def _ref(request: FileRequest) -> str:
    return request.request_ref


def _due(request: FileRequest) -> str:
    return request.notice_due_at or ""


if TYPE_CHECKING:
    _requests: FileRequestStore = InMemoryFileRequests()
