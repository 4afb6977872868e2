from typing import Annotated, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from scloud_common.settings import (
    AwsSettings,
    EmptyIsUnset,
    MailingAwsSettings,
    MetadataStoreSettings,
    ServiceSettings,
    require_real_secret,
)

MIB = 1024 * 1024
GIB = 1024 * MIB


class FilesStorageSettings(AwsSettings, MetadataStoreSettings):
    """Where the files service keeps bytes (S3, whatever `store` says) and metadata (`store`:
    DynamoDB or SQLite), and how it reaches them: enough for `scloud_files.provision` and the
    command-line tools to build the storage (bootstrap)."""

    model_config = SettingsConfigDict(env_prefix="FILES_", extra="ignore", frozen=True)

    s3_bucket: str = Field(description="S3 bucket holding the file bytes, under `users/<sealed owner>/<fileId>`.")
    object_key_secret: Annotated[SecretStr | None, EmptyIsUnset] = Field(
        None,
        min_length=32,
        description="Long random text (at least 32 characters: `openssl rand -base64 48`) that seals the "
        "owner's id in every object key, so no presigned link shows it. Required outside development, where a "
        "fixed development value stands in. Never change it: objects stored under one secret are not "
        "recognised under another (the reconcile pass would leave their strays, account deletion their bytes).",
    )
    s3_public_endpoint_url: Annotated[str | None, EmptyIsUnset] = Field(
        None,
        description="S3 endpoint the browser reaches, used only to presign download links. "
        "Defaults to aws_endpoint_url (and to AWS itself when that is unset).",
    )
    upload_part_bytes: int = Field(
        8 * MIB,
        ge=5 * MIB,
        le=5 * 1024 * MIB,
        description="Part size of S3 multipart uploads (S3's minimum is 5 MiB). About two parts per "
        "upload in progress are held in memory.",
    )
    activity_retention_days: int = Field(
        365,
        ge=1,
        le=3650,
        description="Days each event of a user's activity feed (and each file's place in their Recent) is kept; "
        "older ones are forgotten (DynamoDB TTL, or later writes on SQLite).",
    )
    trash_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days an item stays in the trash before it is purged, bytes and records. Trashed bytes "
        "count against storage until then.",
    )
    version_keep_all_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days every earlier version of a file is kept; after that only each day's last version "
        "stays. Earlier versions count against the quota.",
    )
    version_keep_daily_days: int = Field(
        183,
        ge=1,
        le=3650,
        description="Days each day's last version of a file is kept (about 6 months by default).",
    )
    max_versions: int = Field(
        100,
        ge=1,
        le=1000,
        description="Most versions a file keeps, its current one included: past it the oldest go at once.",
    )

    reconcile_grace_seconds: int = Field(
        3600,
        ge=60,
        le=7 * 24 * 3600,
        description="Age an object must have before the reconcile pass deletes it for having no row: longer "
        "than any upload takes from its bytes being stored to its row being written.",
    )
    reconcile_page_size: int = Field(
        200,
        ge=1,
        le=1000,
        description="Objects listed, and table records read, per reconcile step: a step's cost (one listing, "
        "one scan page, a HEAD per file row) whatever the size of the bucket and the table.",
    )

    def require_object_key_secret(self) -> SecretStr | None:
        """The secret; raises outside development when it is missing or a placeholder."""
        require_real_secret("FILES_OBJECT_KEY_SECRET", self.object_key_secret, self.environment)
        return self.object_key_secret

    @property
    def files_table(self) -> str:
        """The files table: `<dynamodb_table_prefix>files`."""
        return f"{self.dynamodb_table_prefix}files"


class FilesSettings(ServiceSettings, FilesStorageSettings, MailingAwsSettings):
    model_config = SettingsConfigDict(env_prefix="FILES_", extra="ignore", frozen=True)

    @model_validator(mode="after")
    def _refuse_missing_object_key_secret(self) -> Self:
        # The service stores objects from its first upload: refused at start, not at that upload.
        # (The command-line tools that need no keys keep running without it.)
        self.require_object_key_secret()
        return self

    auth_grpc_addr: str = Field(description="host:port of the auth service's gRPC server (public signing keys).")
    users_grpc_addr: str = Field(
        description="host:port of the users service's gRPC server: whether an account's email is verified before "
        "it shares a link, and the display name a link may show. Not a readiness dependency: without it only "
        "creating and editing links answer 503."
    )
    max_upload_bytes: int = Field(
        100 * MIB,
        gt=0,
        description="Largest file `POST /api/v1/files/upload` accepts (small files and scripts), in bytes; "
        "larger files go through direct uploads (max_file_bytes).",
    )
    max_file_bytes: int = Field(
        5 * GIB,
        gt=0,
        le=5 * 1024 * GIB,
        description="Largest file a direct upload (`POST /api/v1/uploads`) may declare and complete, in bytes.",
    )
    quota_bytes: int = Field(
        10 * GIB,
        gt=0,
        description="Storage each user may fill, in bytes: their files, the trash included until purged, plus "
        "the declared sizes of their direct uploads in progress. Checked when an upload is created, when it "
        "completes and as a `POST /api/v1/files/upload` body arrives; past it, 507 `quota_exceeded`. A user the "
        "admin gave their own quota (`scloud-admin quota set`) is held to that instead.",
    )
    direct_part_bytes: int = Field(
        16 * MIB,
        ge=5 * MIB,
        le=5 * GIB,
        description="Part size of a direct upload when the browser proposes none; a file needing more than "
        "10,000 parts gets larger ones.",
    )
    direct_upload_ttl_seconds: int = Field(
        24 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        description="How long a direct upload may stay unfinished: past it, it answers 404 and the sweeper "
        "aborts it in S3 and forgets it. The bucket's lifecycle rule aborts what is left a day after it began.",
    )
    part_url_ttl_seconds: int = Field(
        600, ge=1, le=3600, description="Lifetime of a presigned part URL of a direct upload."
    )
    max_parts_per_request: int = Field(
        100, ge=1, le=1000, description="Part URLs one `POST /api/v1/uploads/{id}/parts` signs at most."
    )
    max_batch_files: int = Field(
        100,
        ge=1,
        le=1000,
        description="Files one `POST /api/v1/uploads/batches` may declare (one listing checks them).",
    )
    max_batch_file_bytes: int = Field(
        64 * MIB,
        ge=1,
        le=5 * GIB,
        description="Largest file of a batch (one presigned PutObject each); larger files go through direct uploads.",
    )
    max_pending_uploads_per_user: int = Field(
        32,
        ge=1,
        le=1000,
        description="Direct uploads one user may have in progress; one more answers 429 `too_many_uploads`.",
    )
    upload_sweep_interval_seconds: float = Field(
        300,
        gt=0,
        le=24 * 3600,
        description="How often each files process aborts and forgets the direct uploads past their expiry.",
    )
    max_uploads_per_user: int = Field(
        4,
        ge=1,
        le=64,
        description="Uploads one user may have in progress at once (the web app sends 3); more answer 429 "
        "`too_many_uploads` with Retry-After before their body is read.",
    )
    max_uploads: int = Field(
        16,
        ge=1,
        le=1024,
        description="Uploads the process takes at once, whoever sends them; more answer 503 `busy` with "
        "Retry-After. Each holds up to about two upload parts (upload_part_bytes) in memory.",
    )
    download_url_ttl_seconds: int = Field(
        300, ge=1, le=7 * 24 * 3600, description="Lifetime of a presigned link to the owner's own file."
    )
    shared_download_url_ttl_seconds: int = Field(
        5,
        ge=1,
        le=300,
        description="Lifetime of a presigned link to a file reached through a share link or shared with the "
        "user: S3 checks a link only when a request starts, so this bounds how long access outlives a revoked "
        "share, a removed person or a deleted account (a page already open asks for a new link each time).",
    )
    bulk_concurrency: int = Field(
        8,
        ge=1,
        le=64,
        description="Items of a bulk action (move, trash, restore of up to 500) handled at once, so a large "
        "selection fits in the request deadline. 1 against moto, whose transactions are not safe when "
        "concurrent (it rolls a failed one back by restoring a copy of the whole table).",
    )
    bulk_time_budget_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description="Time a bulk action may spend starting items, kept under the 8 s request deadline: "
        "items not started by then are answered as `remaining` for the client to send again. Items "
        "already started are waited for (each storage call is bounded by its own timeouts).",
    )
    copy_job_threshold_files: int = Field(
        200,
        ge=1,
        le=100_000,
        description="A copy whose selection holds more files than this runs as a copy job in the background "
        "(202 with the job, its progress read from `copy-jobs/{id}`); a smaller one is done within the request.",
    )
    copy_job_progress_every_files: int = Field(
        20, ge=1, le=10_000, description="A copy job saves its progress after this many files (and at each heartbeat)."
    )
    copy_job_heartbeat_seconds: float = Field(
        5.0,
        gt=0,
        le=300,
        description="How often a running copy job renews its heartbeat; one not renewed for six of these is "
        "shown as failed (its process stopped), with what it copied left in place.",
    )
    search_examined_per_request: int = Field(
        1000,
        ge=50,
        le=10_000,
        description="Names one search request reads at most (one index Query, newest first, from where the "
        "last page stopped), whatever the size of the drive; a page may then hold fewer results than asked, "
        "with a cursor to go on.",
    )
    reconcile_interval_seconds: float = Field(
        600,
        gt=0,
        le=24 * 3600,
        description="How often each files process runs one reconcile step (objects without rows are deleted "
        "after the grace period, rows without objects are reported); the cursor is kept between steps.",
    )
    purge_interval_seconds: float = Field(
        300,
        gt=0,
        le=24 * 3600,
        description="How often each files process purges the trashed items whose retention is over (a "
        "deletion forever from the trash also wakes it at once).",
    )
    archive_max_concurrent: int = Field(
        8,
        ge=1,
        le=64,
        description="ZIP downloads written at once by one files process, each on a thread of its own pool; "
        "one more is refused with 503 `busy` and Retry-After. About 1 MiB of memory each.",
    )
    archive_max_per_user: int = Field(
        2,
        ge=1,
        le=64,
        description="ZIP downloads one user may have running at once; one more is refused with 429 "
        "`too_many_archives` and Retry-After (the link stays usable until it expires).",
    )
    archive_stall_seconds: float = Field(
        30,
        gt=0,
        le=600,
        description="Longest wait of an archive's thread for its reader to take the next block (or for the "
        "next member to be listed); past it the archive is cut and the thread is free again.",
    )
    thumbnail_workers: int = Field(
        1,
        ge=1,
        le=8,
        description="Images rendered into thumbnails at once by one files process, each on a thread of the "
        "thumbnail pool; each may hold the source (thumbnail_max_source_bytes) and its decoded pixels "
        "(up to 4 bytes per pixel of thumbnail_max_pixels, less for a JPEG decoded at reduced scale).",
    )
    thumbnail_queue_size: int = Field(
        256,
        ge=1,
        le=10_000,
        description="Images waiting for their thumbnail in one process; past it an upload's image stays "
        "pending and the catch-up pass takes it later.",
    )
    thumbnail_max_source_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest image a thumbnail is made of; a larger one gets none (its type icon instead).",
    )
    thumbnail_max_pixels: int = Field(
        40_000_000,
        ge=1_000_000,
        le=200_000_000,
        description="Width × height an image may claim in its header; more (a decompression bomb, a PNG "
        "claiming 100,000 × 100,000 px) is refused before any pixel is decoded.",
    )
    thumbnail_timeout_seconds: float = Field(
        30,
        gt=0,
        le=600,
        description="Longest wait for one image's thumbnails; past it the image is recorded as refused.",
    )
    thumbnail_catch_up_interval_seconds: float = Field(
        300,
        gt=0,
        le=24 * 3600,
        description="How often each files process queues the images still waiting for a thumbnail (after a "
        "restart, or when the queue was full); the first pass runs at start.",
    )
    share_max_expiry_days: int = Field(
        7,
        ge=1,
        le=365,
        description="Longest a share link may last from its creation or its last edit of the expiry; also its "
        "default (at most 7 days). Every link has an expiry.",
    )
    share_log_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days each access-log entry of a share link is kept; a link and its log are forgotten this "
        "long after the link expires (a revoked link answers 410 until then).",
    )
    share_unlock_ttl_seconds: int = Field(
        3600,
        ge=60,
        le=7 * 24 * 3600,
        description="Lifetime of the unlock token a visitor gets for the right password of a share link.",
    )
    share_attempt_window_seconds: int = Field(
        900,
        ge=60,
        le=24 * 3600,
        description="Fixed window in which wrong share-link passwords are counted; past a bound, unlocking "
        "answers 429 `too_many_attempts` until the window ends.",
    )
    share_attempts_per_link: int = Field(
        10, ge=1, le=1000, description="Wrong passwords one share link takes per window, whoever sends them."
    )
    share_attempts_per_client: int = Field(
        30,
        ge=1,
        le=10_000,
        description="Wrong passwords one client network (IPv4 /24, IPv6 /48) may send per window, across links.",
    )
    request_max_expiry_days: int = Field(
        30,
        ge=1,
        le=365,
        description="Longest a file request may stay open from its creation or its last edit of the expiry; "
        "the default is 7 days (or this, if shorter). Every request has an expiry.",
    )
    request_default_file_bytes: int = Field(
        GIB,
        ge=1,
        description="Per-file limit of a file request whose owner sets none; a value above max_file_bytes "
        "counts as max_file_bytes.",
    )
    request_notice_interval_seconds: float = Field(
        900,
        gt=0,
        le=7 * 24 * 3600,
        description="The owner's mail about files received through a request goes this long after the first file "
        "it lists, and lists every file received meanwhile: at most one mail per request per interval.",
    )
    share_bcrypt_rounds: int = Field(12, ge=10, le=15, description="bcrypt cost factor for share-link passwords.")
    share_password_hash_workers: int = Field(
        1,
        ge=1,
        le=16,
        description="Threads that hash and check share-link passwords; 16 more may wait, then unlocking answers "
        "503 `busy` at once.",
    )
