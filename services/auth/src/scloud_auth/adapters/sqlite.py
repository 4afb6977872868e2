"""Every storage port of auth on SQLite, for running SCloud on one machine (tables in
`sqlite_tables`).

Each method is one transaction on the store's single writer thread (or one read snapshot), so
what DynamoDB does with a condition expression is here a read and a write in the same
transaction, or one conditional statement: an insert refused by the primary key, an UPDATE whose
WHERE holds the condition (zero rows changed means it did not hold), a DELETE ... RETURNING that
only one caller's statement can match. Expired rows stay readable, as the ports ask (callers
judge the time), until `ExpiredRowPurge` deletes them.
"""

import sqlite3

from scloud_auth.domain import (
    AttemptRecord,
    OneTimeToken,
    PersonalAccessToken,
    Session,
    SessionExists,
    SignInChallenge,
    TokenPurpose,
    TwoFactor,
)
from scloud_common.errors import AlreadyExists
from scloud_common.scopes import Scope
from scloud_common.sqlite_store import SqliteStore

_SESSION_COLUMNS = (
    "session_id, user_id, token_hash, previous_token_hash, expires_at, created_at, revoked, rotated_at, "
    "user_agent, last_used_at"
)
_ADD_SESSION_ERRORS = {"UNIQUE constraint failed: sessions.session_id": SessionExists}


def _session_from_row(row: sqlite3.Row) -> Session:
    return Session(
        session_id=row["session_id"],
        user_id=row["user_id"],
        token_hash=row["token_hash"],
        expires_at=row["expires_at"],
        created_at=row["created_at"],
        revoked=bool(row["revoked"]),
        previous_token_hash=row["previous_token_hash"],
        rotated_at=row["rotated_at"],
        user_agent=row["user_agent"],
        last_used_at=row["last_used_at"],
    )


class SqliteSessionRepository:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, session: Session) -> None:
        row = (
            session.session_id,
            session.user_id,
            session.token_hash,
            session.previous_token_hash,
            session.expires_at,
            session.created_at,
            int(session.revoked),
            session.rotated_at,
            session.user_agent,
            session.last_used_at,
        )

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

        await self._store.write(insert, constraint_errors=_ADD_SESSION_ERRORS)

    async def get(self, session_id: str) -> Session | None:
        def select(connection: sqlite3.Connection) -> Session | None:
            found = connection.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
            return _session_from_row(found) if found else None

        return await self._store.read(select)

    async def list_for_user(self, user_id: str) -> list[Session]:
        def select(connection: sqlite3.Connection) -> list[Session]:
            rows = connection.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE user_id = ?", (user_id,))
            return [_session_from_row(row) for row in rows]

        return await self._store.read(select)

    async def rotate(
        self, session_id: str, *, expected_token_hash: str, new_token_hash: str, expires_at: int, rotated_at: int
    ) -> bool:
        def swap(connection: sqlite3.Connection) -> bool:
            changed = connection.execute(
                "UPDATE sessions SET token_hash = ?, previous_token_hash = token_hash, expires_at = ?, "
                "rotated_at = ?, last_used_at = ? WHERE session_id = ? AND token_hash = ? AND revoked = 0",
                (new_token_hash, expires_at, rotated_at, rotated_at, session_id, expected_token_hash),
            ).rowcount
            return changed == 1

        return await self._store.write(swap)

    async def revoke(self, session_id: str) -> None:
        def update(connection: sqlite3.Connection) -> None:
            connection.execute("UPDATE sessions SET revoked = 1 WHERE session_id = ?", (session_id,))

        await self._store.write(update)

    async def revoke_all_for_user(self, user_id: str, *, except_session_id: str | None = None) -> int:
        # Counts the user's other sessions, revoked before or not, as the DynamoDB adapter does.
        def update(connection: sqlite3.Connection) -> int:
            return connection.execute(
                "UPDATE sessions SET revoked = 1 WHERE user_id = ? AND session_id IS NOT ?",
                (user_id, except_session_id),
            ).rowcount

        return await self._store.write(update)


_TOKEN_COLUMNS = "token_id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at, revoked"
_ADD_TOKEN_ERRORS = {
    "UNIQUE constraint failed: personal_access_tokens.token_id": AlreadyExists,
    "UNIQUE constraint failed: personal_access_tokens.token_hash": AlreadyExists,
}


def _token_from_row(row: sqlite3.Row) -> PersonalAccessToken:
    return PersonalAccessToken(
        token_id=row["token_id"],
        user_id=row["user_id"],
        name=row["name"],
        token_hash=row["token_hash"],
        scopes=frozenset(Scope(name) for name in row["scopes"].split()),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        revoked=bool(row["revoked"]),
    )


class SqlitePersonalAccessTokenRepository:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, token: PersonalAccessToken) -> None:
        row = (
            token.token_id,
            token.user_id,
            token.name,
            token.token_hash,
            " ".join(sorted(token.scopes)),
            token.created_at,
            token.expires_at,
            token.last_used_at,
            int(token.revoked),
        )

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                f"INSERT INTO personal_access_tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )

        await self._store.write(insert, constraint_errors=_ADD_TOKEN_ERRORS)

    async def find_by_hash(self, token_hash: str) -> PersonalAccessToken | None:
        def select(connection: sqlite3.Connection) -> PersonalAccessToken | None:
            found = connection.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM personal_access_tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            return _token_from_row(found) if found else None

        return await self._store.read(select)

    async def list_for_user(self, user_id: str) -> list[PersonalAccessToken]:
        def select(connection: sqlite3.Connection) -> list[PersonalAccessToken]:
            rows = connection.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM personal_access_tokens WHERE user_id = ?", (user_id,)
            )
            return [_token_from_row(row) for row in rows]

        return await self._store.read(select)

    async def revoke(self, token: PersonalAccessToken) -> None:
        def update(connection: sqlite3.Connection) -> None:
            connection.execute("UPDATE personal_access_tokens SET revoked = 1 WHERE token_id = ?", (token.token_id,))

        await self._store.write(update)

    async def record_use(self, token: PersonalAccessToken, used_at: int) -> None:
        def update(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE personal_access_tokens SET last_used_at = ? WHERE token_id = ?", (used_at, token.token_id)
            )

        await self._store.write(update)

    async def delete_all_for_user(self, user_id: str) -> None:
        def delete(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM personal_access_tokens WHERE user_id = ?", (user_id,))

        await self._store.write(delete)


def _attempt_record(connection: sqlite3.Connection, key: str) -> AttemptRecord | None:
    row = connection.execute(
        "SELECT count, last_attempt_at, locked_until FROM attempts WHERE key = ?", (key,)
    ).fetchone()
    return AttemptRecord(count=row[0], last_attempt_at=row[1], locked_until=row[2]) if row else None


class SqliteAttemptStore:
    """A compare-and-swap of each account's record: the stored record is read and replaced in
    one write transaction, and this process's writes run one at a time, so of concurrent callers
    expecting the same record one at most finds it still there."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def get(self, key: str) -> AttemptRecord | None:
        return await self._store.read(lambda connection: _attempt_record(connection, key))

    async def replace(
        self, key: str, record: AttemptRecord | None, *, expected: AttemptRecord | None, keep_until: int
    ) -> bool:
        def swap(connection: sqlite3.Connection) -> bool:
            if _attempt_record(connection, key) != expected:
                return False
            if record is None:
                connection.execute("DELETE FROM attempts WHERE key = ?", (key,))
            else:
                connection.execute(
                    "INSERT INTO attempts (key, count, last_attempt_at, locked_until, expires_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
                    "last_attempt_at = excluded.last_attempt_at, locked_until = excluded.locked_until, "
                    "expires_at = excluded.expires_at",
                    (key, record.count, record.last_attempt_at, record.locked_until, keep_until),
                )
            return True

        return await self._store.write(swap)

    async def clear(self, key: str) -> None:
        def delete(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM attempts WHERE key = ?", (key,))

        await self._store.write(delete)


class SqliteSendLimitStore:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def count(self, key: str, *, now: int, window_seconds: int) -> int:
        # One upsert: a key whose last event is `window_seconds` old or older counts from one again.
        def upsert(connection: sqlite3.Connection) -> int:
            events: int = connection.execute(
                "INSERT INTO send_limits (key, events, last_event_at, expires_at) VALUES (?, 1, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET "
                "events = CASE WHEN last_event_at > ? THEN events + 1 ELSE 1 END, "
                "last_event_at = excluded.last_event_at, expires_at = excluded.expires_at "
                "RETURNING events",
                (key, now, now + window_seconds, now - window_seconds),
            ).fetchall()[0][0]
            return events

        return await self._store.write(upsert)


class SqliteTwoFactorRepository:
    """A user's settings in one row, their unused recovery codes in rows of their own (deleted
    with the settings), so using a code is one DELETE that only one caller's can match."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def get(self, user_id: str) -> TwoFactor | None:
        def select(connection: sqlite3.Connection) -> TwoFactor | None:
            row = connection.execute(
                "SELECT secret, pending_secret, last_used_step, recovery_salt, enabled_at FROM two_factor "
                "WHERE user_id = ?",
                (user_id,),
            ).fetchone()
            if row is None:
                return None
            codes = connection.execute("SELECT code_hash FROM recovery_codes WHERE user_id = ?", (user_id,))
            return TwoFactor(
                user_id=user_id,
                secret=row["secret"],
                pending_secret=row["pending_secret"],
                last_used_step=row["last_used_step"],
                recovery_code_hashes=frozenset(code for (code,) in codes),
                recovery_salt=row["recovery_salt"],
                enabled_at=row["enabled_at"],
            )

        return await self._store.read(select)

    async def save(self, two_factor: TwoFactor) -> None:
        def replace(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM two_factor WHERE user_id = ?", (two_factor.user_id,))
            connection.execute(
                "INSERT INTO two_factor (user_id, secret, pending_secret, last_used_step, recovery_salt, enabled_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    two_factor.user_id,
                    two_factor.secret,
                    two_factor.pending_secret,
                    two_factor.last_used_step,
                    two_factor.recovery_salt,
                    two_factor.enabled_at,
                ),
            )
            connection.executemany(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
                [(two_factor.user_id, code) for code in sorted(two_factor.recovery_code_hashes)],
            )

        await self._store.write(replace)

    async def use_step(self, user_id: str, step: int) -> bool:
        def update(connection: sqlite3.Connection) -> bool:
            changed = connection.execute(
                "UPDATE two_factor SET last_used_step = ? "
                "WHERE user_id = ? AND secret IS NOT NULL AND last_used_step < ?",
                (step, user_id, step),
            ).rowcount
            return changed == 1

        return await self._store.write(update)

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        def delete(connection: sqlite3.Connection) -> bool:
            changed = connection.execute(
                "DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?", (user_id, code_hash)
            ).rowcount
            return changed == 1

        return await self._store.write(delete)

    async def delete(self, user_id: str) -> None:
        def delete(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM two_factor WHERE user_id = ?", (user_id,))

        await self._store.write(delete)


class SqliteSignInChallengeStore:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, challenge: SignInChallenge) -> None:
        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO sign_in_challenges (token_hash, user_id, user_agent, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (challenge.token_hash, challenge.user_id, challenge.user_agent, challenge.expires_at),
            )

        await self._store.write(insert)

    async def get(self, token_hash: str) -> SignInChallenge | None:
        def select(connection: sqlite3.Connection) -> SignInChallenge | None:
            row = connection.execute(
                "SELECT user_id, user_agent, expires_at FROM sign_in_challenges WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            if row is None:
                return None
            return SignInChallenge(
                token_hash=token_hash,
                user_id=row["user_id"],
                user_agent=row["user_agent"],
                expires_at=row["expires_at"],
            )

        return await self._store.read(select)

    async def delete(self, token_hash: str) -> None:
        def delete(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM sign_in_challenges WHERE token_hash = ?", (token_hash,))

        await self._store.write(delete)


class SqliteOneTimeTokenStore:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, token: OneTimeToken) -> None:
        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO one_time_tokens (purpose, token_hash, user_id, expires_at, password_stamp) "
                "VALUES (?, ?, ?, ?, ?)",
                (token.purpose.value, token.token_hash, token.user_id, token.expires_at, token.password_stamp),
            )

        await self._store.write(insert)

    async def consume(self, purpose: TokenPurpose, token_hash: str) -> OneTimeToken | None:
        # Only the caller whose DELETE removed the row gets it back.
        def delete(connection: sqlite3.Connection) -> OneTimeToken | None:
            # fetchall steps the statement to its end, so it is finished before the commit.
            rows = connection.execute(
                "DELETE FROM one_time_tokens WHERE purpose = ? AND token_hash = ? "
                "RETURNING user_id, expires_at, password_stamp",
                (purpose.value, token_hash),
            ).fetchall()
            if not rows:
                return None
            row = rows[0]
            return OneTimeToken(purpose, token_hash, row["user_id"], row["expires_at"], row["password_stamp"])

        return await self._store.write(delete)
