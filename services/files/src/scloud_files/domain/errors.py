"""The files errors: each names its kind (not found, conflict...), mapped to HTTP and gRPC
statuses only at the edges."""

from scloud_common.errors import (
    AlreadyExists,
    Conflict,
    Gone,
    InsufficientStorage,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
)

# An upload takes seconds: when the browser may try a refused one again.
UPLOAD_RETRY_AFTER_SECONDS = 2


class FileNotFound(NotFound):
    code = "file_not_found"
    message = "File not found."


class FileTooLarge(PayloadTooLarge):
    code = "file_too_large"
    message = "The file is larger than the upload limit."


class ThumbnailNotFound(NotFound):
    code = "thumbnail_not_found"
    message = "This file has no thumbnail: it is not an image, it is not made yet, or the image was refused."


class UnusableImage(InvalidInput):
    """Never reaches a caller: the thumbnail worker records the file's thumbnail as refused."""

    code = "unusable_image"
    message = "The image cannot be made into a thumbnail."


class FolderNotFound(NotFound):
    code = "folder_not_found"
    message = "Folder not found."


class ItemNotFound(NotFound):
    code = "item_not_found"
    message = "No such file or folder."


class VersionNotFound(NotFound):
    code = "version_not_found"
    message = "This file has no such version: it may have been removed by the retention policy."


class ArchiveNotFound(NotFound):
    code = "archive_not_found"
    message = "This download link is unknown, used or expired. Start the download again."


class NameTaken(AlreadyExists):
    code = "name_taken"
    message = "An item with this name already exists in the folder."

    def __init__(self, existing_id: str) -> None:
        super().__init__()
        self.existing_id = existing_id
        self.details = {"existingId": existing_id}


class FolderCycle(InvalidInput):
    code = "folder_cycle"
    message = "A folder cannot be moved into itself or one of its subfolders."


class ChainChanged(Conflict):
    code = "folder_moved"
    message = "A folder on the way was moved at the same time. Try again."


class NotInTrash(InvalidInput):
    code = "not_in_trash"
    message = "This item is not in the trash."


class NotPreviewable(InvalidInput):
    code = "not_previewable"
    message = "This file cannot be previewed."


class FolderTooDeep(InvalidInput):
    code = "folder_too_deep"
    message = "Folders cannot be nested this deep."


class TooManyFolders(InvalidInput):
    code = "too_many_folders"
    message = "This folder holds too many folders to move at once. Move some of its subfolders first."


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    message = "The page cursor is not valid. Start again from the first page."


class InvalidName(InvalidInput):
    code = "invalid_name"
    message = "A name cannot be `.`, `..`, or made only of dots and spaces."


class InvalidUpload(InvalidInput):
    code = "invalid_upload"
    message = "Send the file as multipart/form-data in a field named `file`."


class UploadInterrupted(InvalidUpload):
    """The client's connection dropped before the body ended: answered as any invalid upload,
    counted apart (an aborted upload, not a malformed one)."""

    message = "The upload was interrupted."


class AccountClosed(Unauthenticated):
    code = "account_closed"
    message = "This account has been deleted."


class TooManyArchives(RateLimited):
    code = "too_many_archives"
    message = "Too many ZIP downloads at once. Wait for one to finish, then try again."


class ArchivesBusy(ServiceUnavailable):
    code = "busy"
    message = "Too many ZIP downloads are being written right now. Try again in a moment."


class TooManyItems(InvalidInput):
    code = "too_many_items"
    message = "Too many items at once. Send at most 500 ids per request."

    def __init__(self) -> None:
        super().__init__()
        self.details = {"max": 500}


class TooManyUploads(RateLimited):
    code = "too_many_uploads"
    message = "Too many uploads at once. Wait for one to finish and try again."
    retry_after_seconds = UPLOAD_RETRY_AFTER_SECONDS


class UploadsBusy(ServiceUnavailable):
    code = "busy"
    message = "The service is busy with other uploads. Try again in a moment."
    retry_after_seconds = UPLOAD_RETRY_AFTER_SECONDS


class QuotaExceeded(InsufficientStorage):
    code = "quota_exceeded"
    message = "Your storage is full: this file does not fit in what is left of your quota."

    def __init__(self, *, used: int, quota: int, size: int) -> None:
        super().__init__()
        self.details = {"used": used, "quota": quota, "size": size}


class UploadNotFound(NotFound):
    code = "upload_not_found"
    message = "This upload is unknown, finished or expired. Start it again."


class UploadMismatch(InvalidInput):
    code = "upload_mismatch"
    message = "The stored bytes do not match what the upload declared, so nothing was kept."


class InvalidBatch(InvalidInput):
    code = "invalid_batch"
    message = "This batch cannot be sent: too many files, a name twice or a checksum that is not a SHA-256."


class InvalidParts(InvalidInput):
    code = "invalid_parts"
    message = "These parts do not belong to this upload: check their numbers, sizes and checksums."


class LinkNotFound(NotFound):
    code = "link_not_found"
    message = "This link does not exist, or what it shared is no longer there."


class LinkRevoked(Gone):
    code = "link_revoked"
    message = "The owner has withdrawn this link."


class LinkExpired(Gone):
    code = "link_expired"
    message = "This link has expired."


class LinkExhausted(Gone):
    code = "link_exhausted"
    message = "This link has been downloaded as many times as its owner allowed."


class PasswordRequired(Unauthenticated):
    code = "password_required"
    message = "This link is protected by a password."


class WrongPassword(PermissionDenied):
    code = "wrong_password"
    message = "The password is not right."


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"
    message = "Too many wrong passwords. Wait a while and try again."


class EmailNotVerified(PermissionDenied):
    code = "email_not_verified"
    message = "Verify your email address before sharing links."


class InvalidExpiry(InvalidInput):
    code = "invalid_expiry"
    message = "The expiry must be in the future and within the longest a link may last."

    def __init__(self, *, max_days: int) -> None:
        super().__init__()
        self.details = {"maxDays": max_days}


class LinkIsFolder(InvalidInput):
    code = "link_is_folder"
    message = "This link shares a folder: download its files one by one."


class RequestNotFound(NotFound):
    code = "request_not_found"
    message = "This file request does not exist, or its folder is no longer there."


class RequestRevoked(Gone):
    code = "request_revoked"
    message = "The owner has closed this file request."


class RequestExpired(Gone):
    code = "request_expired"
    message = "This file request has expired."


class RequestFull(PayloadTooLarge):
    code = "request_full"
    message = "This file does not fit in what the request still accepts."

    def __init__(self, *, bytes_left: int) -> None:
        super().__init__()
        self.details = {"bytesLeft": bytes_left}


class OwnerStorageFull(InsufficientStorage):
    """QuotaExceeded as a visitor is told it: without the owner's numbers."""

    code = "quota_exceeded"
    message = "The owner's storage is full: this file does not fit."


class InvalidRequestLimit(InvalidInput):
    code = "invalid_request_limit"
    message = "The per-file limit must be at most the largest file the service accepts, and at most the total."

    def __init__(self, *, max_file_bytes: int) -> None:
        super().__init__()
        self.details = {"maxFileBytes": max_file_bytes}
