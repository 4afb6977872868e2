"""The files database's schema, as versioned migrations (applied at start by SqliteStore.open).
docs/data-model.md describes each table and index and the query each index serves.

A new column is a new migration (`ALTER TABLE items ADD COLUMN ...`), never an edit of an
applied one: databases in use are at version 1 already."""

from scloud_common.sqlite_schema import Migration

# The parent of a top-level item. Item ids are ULIDs, so no item is called this; a real value
# rather than NULL, because NULLs are all distinct in a UNIQUE index and the root's names must
# be unique too.
ROOT = "root"

MIGRATIONS = [
    Migration(
        1,
        """
        -- A user's totals and the closed mark: one row per user who ever had an item, totals or a
        -- closed account. Trashed files count until purged.
        CREATE TABLE accounts (
            user_id TEXT PRIMARY KEY,
            bytes_used INTEGER NOT NULL DEFAULT 0,
            file_count INTEGER NOT NULL DEFAULT 0,
            closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1))
        ) STRICT, WITHOUT ROWID;

        -- Files and folders. The sort keys are domain.sort_key's, kept up to date by every write
        -- that changes a name, a parent or a modified time; trash_key is domain.trash_key's.
        CREATE TABLE items (
            user_id TEXT NOT NULL REFERENCES accounts (user_id),
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
            name TEXT NOT NULL,
            folded_name TEXT NOT NULL,
            parent_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            modified_at TEXT NOT NULL,
            size INTEGER CHECK ((kind = 'file') = (size IS NOT NULL) AND (size IS NULL OR size >= 0)),
            content_type TEXT,
            object_key TEXT,
            name_key TEXT NOT NULL,
            size_key TEXT NOT NULL,
            modified_key TEXT NOT NULL,
            trashed_at TEXT,
            purge_at TEXT CHECK (purge_at IS NULL OR trashed_at IS NOT NULL),
            trash_key TEXT CHECK ((trash_key IS NULL) = (trashed_at IS NULL)),
            deleting INTEGER NOT NULL DEFAULT 0 CHECK (deleting IN (0, 1) AND (deleting = 0 OR trashed_at IS NOT NULL)),
            PRIMARY KEY (user_id, item_id)
        ) STRICT;

        -- Names are unique per folder, compared folded, among items not in the trash: trashing
        -- frees a name, restoring takes it again.
        CREATE UNIQUE INDEX items_name_guard ON items (user_id, parent_id, folded_name) WHERE trashed_at IS NULL;
        -- A folder's page in each order: one range of one index, whatever else the user has.
        CREATE INDEX items_by_name ON items (user_id, parent_id, name_key) WHERE trashed_at IS NULL;
        CREATE INDEX items_by_size ON items (user_id, parent_id, size_key) WHERE trashed_at IS NULL;
        CREATE INDEX items_by_modified ON items (user_id, parent_id, modified_key) WHERE trashed_at IS NULL;
        -- The newest items of a kind (ids are ULIDs, so by id is by age).
        CREATE INDEX items_live_by_kind ON items (user_id, kind, item_id) WHERE trashed_at IS NULL;
        -- The trash listing (newest deletion first) and what is due for purge across users.
        CREATE INDEX items_in_trash ON items (user_id, trash_key) WHERE trashed_at IS NOT NULL AND deleting = 0;
        CREATE INDEX items_due_for_purge ON items (purge_at) WHERE trashed_at IS NOT NULL;

        -- Files recorded before folders existed (no parent, no name): only an import of such an
        -- installation brings them; scloud_files.migrate_folders files them into the root.
        CREATE TABLE unfiled_files (
            user_id TEXT NOT NULL REFERENCES accounts (user_id),
            file_id TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_size INTEGER NOT NULL CHECK (file_size >= 0),
            content_type TEXT NOT NULL,
            upload_date TEXT NOT NULL,
            object_key TEXT NOT NULL,
            PRIMARY KEY (user_id, file_id)
        ) STRICT, WITHOUT ROWID;

        -- One-time ZIP links. expires_at is compared as the domain writes it; forget_after (Unix
        -- seconds) is when a link never claimed may be removed.
        CREATE TABLE archive_links (
            token_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            item_ids TEXT NOT NULL CHECK (json_valid(item_ids) AND json_type(item_ids) = 'array'),
            name TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            forget_after INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX archive_links_forgotten ON archive_links (forget_after);
        """,
    ),
    Migration(
        2,
        """
        -- What a search reads: a user's live items of every kind, newest first, a slice at a time.
        CREATE INDEX items_live_newest ON items (user_id, item_id) WHERE trashed_at IS NULL;
        """,
    ),
    Migration(
        3,
        """
        -- What the file is, for people (detected at upload; informational only).
        ALTER TABLE items ADD COLUMN media_type TEXT;
        -- Being emptied by the purge (a folder inside a trashed one, not itself trashed): a create
        -- into it is refused from now on.
        ALTER TABLE items ADD COLUMN purging INTEGER NOT NULL DEFAULT 0 CHECK (purging IN (0, 1));
        """,
    ),
    Migration(
        4,
        """
        -- The share of bytes_used in files the user trashed themselves (trash, restore and the
        -- purge keep it, with bytes_used, in the same transaction).
        ALTER TABLE accounts ADD COLUMN trash_bytes INTEGER NOT NULL DEFAULT 0;
        -- The full-object SHA-256 S3 verified for a direct upload (base64, `-<parts>` if multipart).
        ALTER TABLE items ADD COLUMN sha256 TEXT;

        -- Direct uploads in progress: the bytes go to S3 in parts, the file is recorded when they
        -- are all there. Counted and summed per user (at most the per-user bound of rows), swept
        -- by expiry across users.
        CREATE TABLE pending_uploads (
            user_id TEXT NOT NULL,
            upload_id TEXT NOT NULL,
            s3_upload_id TEXT NOT NULL,
            object_key TEXT NOT NULL,
            name TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size >= 0),
            part_size INTEGER NOT NULL CHECK (part_size > 0),
            content_type TEXT NOT NULL,
            parent_id TEXT NOT NULL,
            on_conflict TEXT NOT NULL,
            modified_at TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            PRIMARY KEY (user_id, upload_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX pending_uploads_by_expiry ON pending_uploads (expires_at);
        """,
    ),
    Migration(
        5,
        """
        -- The state of a file's thumbnail (domain.ThumbnailState; NULL: it gets none). The files
        -- still waiting for one are what the catch-up pass reads after a restart.
        ALTER TABLE items ADD COLUMN thumbnail TEXT CHECK (thumbnail IN ('pending', 'ready', 'refused'));
        CREATE INDEX items_pending_thumbnails ON items (item_id) WHERE thumbnail = 'pending' AND trashed_at IS NULL;
        """,
    ),
    Migration(
        6,
        """
        -- A batch of small files PUT straight to S3 (domain.BatchFile, as JSON); NULL for a
        -- multipart upload.
        ALTER TABLE pending_uploads ADD COLUMN batch_files TEXT;
        """,
    ),
    Migration(
        7,
        """
        -- A completed batch kept for its answer (domain.PendingUpload.is_settled): it reserves
        -- nothing and does not count against the per-user bound of uploads in progress.
        ALTER TABLE pending_uploads ADD COLUMN settled INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1));
        """,
    ),
]

# Step 12's share links, appended below the list so that migrations added to it meanwhile merge
# without a conflict (the number then moves up with them).
MIGRATIONS.append(
    Migration(
        8,
        """
    -- Share links, by the SHA-256 of their id (never stored); link_ref is the owner's handle.
    -- forget_after (Unix seconds: expiry + the log's retention) is when the link and, by
    -- cascade, its log go.
    CREATE TABLE share_links (
        token_hash TEXT PRIMARY KEY,
        link_ref TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        item_kind TEXT NOT NULL CHECK (item_kind IN ('file', 'folder')),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        forget_at TEXT NOT NULL,
        forget_after INTEGER NOT NULL,
        password_hash TEXT,
        download_limit INTEGER CHECK (download_limit > 0),
        owner_name TEXT,
        revoked_at TEXT,
        download_count INTEGER NOT NULL DEFAULT 0,
        open_count INTEGER NOT NULL DEFAULT 0,
        refused_count INTEGER NOT NULL DEFAULT 0,
        last_access_at TEXT
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX share_links_by_owner ON share_links (owner_id, link_ref);
    CREATE INDEX share_links_forgotten ON share_links (forget_after);

    -- Each link's access log: never a full address nor a User-Agent.
    CREATE TABLE share_access_log (
        link_ref TEXT NOT NULL REFERENCES share_links (link_ref) ON DELETE CASCADE,
        entry_key TEXT NOT NULL,
        at TEXT NOT NULL,
        event TEXT NOT NULL CHECK (event IN ('open', 'list', 'download', 'zip', 'refused')),
        reason TEXT,
        browser TEXT NOT NULL,
        network TEXT NOT NULL,
        forget_after INTEGER NOT NULL,
        PRIMARY KEY (link_ref, entry_key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX share_access_log_forgotten ON share_access_log (forget_after);

    -- Wrong passwords per key (a link, a client's network) and fixed window.
    CREATE TABLE share_attempts (
        scope_key TEXT NOT NULL,
        window_start TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        forget_after INTEGER NOT NULL,
        PRIMARY KEY (scope_key, window_start)
    ) STRICT, WITHOUT ROWID;
    """,
    )
)

# Step 12's file requests.
MIGRATIONS.append(
    Migration(
        9,
        """
    -- File requests (upload-only links into a folder), by the SHA-256 of their id; request_ref
    -- is the owner's handle. bytes_received is what completed uploads brought (checked against
    -- max_total_bytes in the same statement that adds to it); notice_pending (JSON, the files
    -- the next notice lists) is due to the owner at notice_due_at. forget_after (Unix seconds:
    -- expiry + retention) is when the request goes.
    CREATE TABLE file_requests (
        token_hash TEXT PRIMARY KEY,
        request_ref TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL,
        folder_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        forget_at TEXT NOT NULL,
        forget_after INTEGER NOT NULL,
        max_file_bytes INTEGER NOT NULL CHECK (max_file_bytes > 0),
        max_total_bytes INTEGER CHECK (max_total_bytes > 0),
        owner_name TEXT,
        revoked_at TEXT,
        bytes_received INTEGER NOT NULL DEFAULT 0 CHECK (bytes_received >= 0),
        files_received INTEGER NOT NULL DEFAULT 0,
        notice_pending TEXT NOT NULL DEFAULT '[]',
        notice_more INTEGER NOT NULL DEFAULT 0,
        notice_due_at TEXT
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX file_requests_by_owner ON file_requests (owner_id, request_ref);
    CREATE INDEX file_requests_forgotten ON file_requests (forget_after);
    CREATE INDEX file_requests_notices_due ON file_requests (notice_due_at) WHERE notice_due_at IS NOT NULL;

    -- A visitor's upload through a request (its request_ref); NULL for the owner's own.
    ALTER TABLE pending_uploads ADD COLUMN request_ref TEXT;
    """,
    )
)

GRANTS_MIGRATION = """
    -- Sharing with people: who has access to an item (by the owner, item and the SHA-256 of the
    -- email the owner typed), and what is shared with each account (grantee_id; NULL while an
    -- invitation waits for its email to have a verified account, until expires_at).
    CREATE TABLE grants (
        owner_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        person_id TEXT NOT NULL,
        email TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'editor')),
        item_kind TEXT NOT NULL CHECK (item_kind IN ('file', 'folder')),
        item_name TEXT NOT NULL,
        owner_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        grantee_id TEXT,
        expires_at TEXT CHECK ((grantee_id IS NULL) = (expires_at IS NOT NULL)),
        in_drive INTEGER NOT NULL DEFAULT 0 CHECK (in_drive IN (0, 1)),
        PRIMARY KEY (owner_id, item_id, person_id)
    ) STRICT, WITHOUT ROWID;
    -- A grantee's "Shared with me", newest item first, and the check of every request through a
    -- grant: one account holds at most one grant per item.
    CREATE UNIQUE INDEX grants_by_grantee ON grants (grantee_id, item_id) WHERE grantee_id IS NOT NULL;
    -- Invitations waiting for an email, and those past their time.
    CREATE INDEX grants_invited ON grants (person_id) WHERE grantee_id IS NULL;
    CREATE INDEX grants_invitations_expiring ON grants (expires_at) WHERE grantee_id IS NULL;
"""

# Step 12's sharing with people.
MIGRATIONS.append(Migration(10, GRANTS_MIGRATION))

# Editors' direct uploads into a folder shared with them.
MIGRATIONS.append(
    Migration(
        11,
        """
    -- An editor's upload through a share: the shared item and the editor ("<itemId>:<userId>");
    -- NULL for the owner's own uploads and a file request's.
    ALTER TABLE pending_uploads ADD COLUMN share_ref TEXT;
    """,
    )
)

# The part size a multipart file's composite checksum was computed over (NULL: a plain checksum,
# or a file recorded before it was kept).
MIGRATIONS.append(
    Migration(
        12,
        """
    ALTER TABLE items ADD COLUMN checksum_part_size INTEGER CHECK (checksum_part_size > 0);
    """,
    )
)

# Step 15's file versions (docs/data-model.md, "Versions").
MIGRATIONS.append(
    Migration(
        13,
        """
    -- A file's contents other than the one it was created with while it serves it: each earlier
    -- version (current = 0), and the content of a replaced file it serves now (current = 1),
    -- which names its object for the reconcile pass. version_id is the id in the object's key.
    CREATE TABLE file_versions (
        user_id TEXT NOT NULL,
        version_id TEXT NOT NULL,
        file_id TEXT NOT NULL,
        object_key TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        content_type TEXT NOT NULL,
        media_type TEXT,
        sha256 TEXT,
        checksum_part_size INTEGER CHECK (checksum_part_size > 0),
        created_at TEXT NOT NULL,
        uploaded_by TEXT,
        current INTEGER NOT NULL CHECK (current IN (0, 1)),
        expires_at TEXT CHECK ((expires_at IS NULL) = (current = 1)),
        PRIMARY KEY (user_id, version_id)
    ) STRICT;
    -- A file's versions, newest first; what the retention removes next.
    CREATE INDEX file_versions_of_file ON file_versions (user_id, file_id, version_id);
    CREATE INDEX file_versions_expiring ON file_versions (expires_at) WHERE current = 0;
    """,
    )
)

# Step 15's Starred.
MIGRATIONS.append(
    Migration(
        14,
        """
    -- The items each user starred. star_key is domain.star.Star.key (<starred_at>\\x01<item_id>).
    CREATE TABLE stars (
        user_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        starred_at TEXT NOT NULL,
        star_key TEXT NOT NULL,
        PRIMARY KEY (user_id, item_id)
    ) STRICT, WITHOUT ROWID;
    -- Starred, newest star first: one range of the user's stars.
    CREATE INDEX stars_by_time ON stars (user_id, star_key);
    """,
    )
)

# Step 15's activity feed and Recent (docs/data-model.md, "Activity and Recent").
MIGRATIONS.append(
    Migration(
        15,
        """
    -- One row per change of a user's item; event_key (time|item|action|detail) is made from the
    -- change, so recording it again replaces the row. folder_ids: a JSON list, for the export.
    CREATE TABLE activity_events (
        user_id TEXT NOT NULL,
        event_key TEXT NOT NULL,
        item_id TEXT NOT NULL,
        item_kind TEXT NOT NULL CHECK (item_kind IN ('file', 'folder')),
        action TEXT NOT NULL,
        actor_id TEXT,
        name_before TEXT,
        name_after TEXT,
        path_before TEXT,
        path_after TEXT,
        detail TEXT NOT NULL,
        at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        folder_ids TEXT NOT NULL,
        PRIMARY KEY (user_id, event_key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX activity_events_by_item ON activity_events (user_id, item_id, event_key);
    CREATE INDEX activity_events_expiring ON activity_events (expires_at);
    -- A folder's activity: one row per folder an event names (at most 2 x 64).
    CREATE TABLE activity_folders (
        user_id TEXT NOT NULL,
        folder_id TEXT NOT NULL,
        event_key TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (user_id, folder_id, event_key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX activity_folders_expiring ON activity_folders (expires_at);
    -- Recent: one row per file a user touched, listed by touched_at.
    CREATE TABLE recent_files (
        user_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        touched_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (user_id, item_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX recent_files_by_time ON recent_files (user_id, touched_at, item_id);
    CREATE INDEX recent_files_expiring ON recent_files (expires_at);
    """,
    )
)

# Step 15's copy jobs.
MIGRATIONS.append(
    Migration(
        16,
        """
    -- A copy job of a user's (adapters/copy_job_document.py): the job as one JSON document read
    -- and written whole by its key, its cancel mark beside it. Removed a while after it
    -- expires (forget_after, Unix seconds), by later jobs, as DynamoDB's TTL does.
    CREATE TABLE copy_jobs (
        user_id TEXT NOT NULL,
        job_id TEXT NOT NULL,
        document TEXT NOT NULL,
        cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
        expires_at TEXT NOT NULL,
        forget_after INTEGER NOT NULL,
        PRIMARY KEY (user_id, job_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX copy_jobs_forgotten ON copy_jobs (forget_after);
    """,
    )
)

# Step 16's per-user quotas set by the admin.
MIGRATIONS.append(
    Migration(
        17,
        """
    -- The quota the admin set for this user, in bytes; NULL: the service's FILES_QUOTA_BYTES. In
    -- the totals' row, so the quota check reads it with them.
    ALTER TABLE accounts ADD COLUMN quota_bytes INTEGER CHECK (quota_bytes IS NULL OR quota_bytes >= 0);
    """,
    )
)
