"""An editor's direct upload into a folder shared with them: the step 11 protocol (create, sign
parts, list parts, complete, abort) through `ShareGate`, so the grant is read again at every
step. The upload is the owner's (their key, their quota, their file) and scoped to the share and
the editor (`share_ref`): the owner's own upload routes, other shares, other editors and file
requests answer 404 for it."""

import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime

from scloud_common.errors import AppError
from scloud_files.domain import CompletedPart, Item, ItemKind, OnConflict, PendingUpload, StoredPart
from scloud_files.domain.grant import Grant, Role, ViewerOnly
from scloud_files.drive.direct_upload import (
    AbortUpload,
    CreateUpload,
    GetUpload,
    PartRequest,
    PendingUploads,
    SignedPart,
    SignParts,
)
from scloud_files.drive.shared_with_me import ShareGate
from scloud_files.drive.upload_completion import CompleteUpload

logger = logging.getLogger(__name__)
# The owner's uploads read to find an editor's: the per-user bound of uploads in progress plus the
# settled batches kept until their expiry. Past it, the sweeper aborts the rest at their expiry.
MAX_LISTED_UPLOADS = 1000


def share_ref_of(grant: Grant, user_id: str) -> str:
    """The scope of an editor's uploads through a share: one per (shared item, editor), so
    neither another share nor another editor of this one reaches them."""
    return f"{grant.item_id}:{user_id}"


class GrantStillHeld:
    """Re-reads the grant once S3 holds the object, just before the file is recorded: an editor
    removed or made a viewer while the parts were joined is refused, and the completion
    deletes the bytes."""

    def __init__(self, gate: ShareGate, user_id: str, share_id: str) -> None:
        self._gate = gate
        self._user_id = user_id
        self._share_id = share_id

    async def admit(self, upload: PendingUpload, size: int) -> None:
        grant, _ = await self._gate.enter(self._user_id, self._share_id)
        if grant.role is not Role.EDITOR:
            raise ViewerOnly()

    async def release(self, upload: PendingUpload, size: int) -> None:
        return None

    async def received(self, item: Item) -> None:
        return None


class EndEditorUploads:
    """Aborts what an editor had in progress through a share once they can no longer finish it
    (removed, made a viewer, gone by leaving): else its parts, and the owner's reserved quota and
    upload slots, stay until the uploads expire (a day by default)."""

    def __init__(self, uploads: PendingUploads) -> None:
        self._uploads = uploads

    async def __call__(self, grant: Grant) -> None:
        if grant.grantee_id is None:
            return
        scope = share_ref_of(grant, grant.grantee_id)
        for upload in await self._uploads.store.of_user(grant.owner_id, limit=MAX_LISTED_UPLOADS):
            if upload.share_ref != scope:
                continue
            try:
                await self._uploads.discard(upload)
            except AppError:
                # The access has ended already; the sweeper aborts this one at its expiry.
                logger.warning(
                    "an editor's upload stays until it expires",
                    extra={"user_id": grant.owner_id, "upload_id": upload.upload_id},
                )


class ShareUploads:
    """The direct-upload protocol for an editor, as the owner's own on the owner's quota."""

    def __init__(
        self,
        gate: ShareGate,
        create: CreateUpload,
        sign: SignParts,
        get: GetUpload,
        complete: CompleteUpload,
        abort: AbortUpload,
    ) -> None:
        self._gate = gate
        self._create = create
        self._sign = sign
        self._get = get
        self._complete = complete
        self._abort = abort
        self.max_parts_per_request = create.limits.max_parts_per_request

    async def _editor(self, user_id: str, share_id: str, upload_id: str | None = None) -> tuple[Grant, str]:
        """The editor's grant and their scope on it. A viewer (an editor made one since the
        upload began) gets ViewerOnly, and the upload named is aborted: nobody could finish it."""
        grant, _ = await self._gate.enter(user_id, share_id)
        share_ref = share_ref_of(grant, user_id)
        if grant.role is not Role.EDITOR:
            if upload_id is not None:
                await self._drop(grant.owner_id, upload_id, share_ref)
            raise ViewerOnly()
        return grant, share_ref

    async def _drop(self, owner_id: str, upload_id: str, share_ref: str) -> None:
        # Refusing is the answer whatever becomes of the parts; the sweeper takes what is left.
        with contextlib.suppress(AppError):
            await self._abort(owner_id, upload_id, share_ref=share_ref)

    async def create(
        self,
        user_id: str,
        share_id: str,
        folder_id: str | None,
        *,
        name: str,
        size: int,
        content_type: str | None,
        on_conflict: OnConflict,
        modified_at: datetime | None,
        part_size: int | None,
    ) -> PendingUpload:
        """Into the shared folder (`folder_id` None) or a folder inside it. ViewerOnly, 404s for
        anything outside the share, then what `CreateUpload` refuses, QuotaExceeded being the
        owner's."""
        grant, folder = await self._gate.reach(user_id, share_id, folder_id, ItemKind.FOLDER, edit=True)
        return await self._create(
            grant.owner_id,
            name=name,
            size=size,
            content_type=content_type,
            parent_id=folder.item.item_id,
            on_conflict=on_conflict,
            modified_at=modified_at,
            part_size=part_size,
            share_ref=share_ref_of(grant, user_id),
        )

    async def sign_parts(
        self, user_id: str, share_id: str, upload_id: str, parts: Sequence[PartRequest]
    ) -> list[SignedPart]:
        grant, share_ref = await self._editor(user_id, share_id, upload_id)
        return await self._sign(grant.owner_id, upload_id, parts, share_ref=share_ref)

    async def get(self, user_id: str, share_id: str, upload_id: str) -> tuple[PendingUpload, list[StoredPart]]:
        grant, share_ref = await self._editor(user_id, share_id, upload_id)
        return await self._get(grant.owner_id, upload_id, share_ref=share_ref)

    async def complete(self, user_id: str, share_id: str, upload_id: str, parts: Sequence[CompletedPart]) -> Item:
        """The recorded file, the owner's. The grant is checked before the parts are joined and
        again before the file is recorded: a removed editor gets ShareNotFound, a viewer
        ViewerOnly, and the bytes are deleted."""
        grant, share_ref = await self._editor(user_id, share_id, upload_id)
        return await self._complete(
            grant.owner_id,
            upload_id,
            parts,
            share_ref=share_ref,
            guard=GrantStillHeld(self._gate, user_id, share_id),
        )

    async def abort(self, user_id: str, share_id: str, upload_id: str) -> None:
        grant, share_ref = await self._editor(user_id, share_id, upload_id)
        await self._abort(grant.owner_id, upload_id, share_ref=share_ref)
