"""UserRepository on SQLite, for running SCloud on one machine.

One table; the email is a UNIQUE column of the account's row, so an email is unique even when two
registrations race (the second insert fails the constraint inside its transaction), and deleting
an account frees only its own email. Updates change a row only if it exists: zero rows changed
means the account is gone (UserNotFound), and nothing is created.

Invitations are a second table; an account made with one is inserted in the transaction that
marks its invitation used, conditioned on it being unused and unexpired, so one invitation makes
one account even when two registrations race.
"""

import sqlite3
from typing import Any

from scloud_common.errors import AlreadyExists, Conflict
from scloud_common.sqlite_schema import Migration
from scloud_common.sqlite_store import SqliteStore
from scloud_users.domain import Account, EmailTaken, Invitation, InvitationClaim, InvitationInvalid, User, UserNotFound

MIGRATIONS = [
    Migration(
        1,
        """
        CREATE TABLE users (
            user_id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            username TEXT NOT NULL,
            gender TEXT,
            date_of_birth TEXT,
            created_at TEXT NOT NULL,
            email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
            password_hash TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        """,
    ),
    Migration(2, "ALTER TABLE users ADD COLUMN locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1));"),
    Migration(
        3,
        """
        CREATE TABLE invitations (
            invitation_id TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL,
            email TEXT,
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER
        ) STRICT, WITHOUT ROWID;
        """,
    ),
]

_ADD_ERRORS = {
    "UNIQUE constraint failed: users.email": EmailTaken,
    # User ids are random; a clash is the caller's bug, reported as the DynamoDB adapter does.
    "UNIQUE constraint failed: users.user_id": Conflict,
}
_INVITATION_COLUMNS = "invitation_id, token_hash, email, created_by, created_at, expires_at, used_at"
_COLUMNS = "user_id, email, username, gender, date_of_birth, created_at, email_verified, locked, password_hash"


def _account_from_row(row: sqlite3.Row) -> Account:
    user = User(
        user_id=row["user_id"],
        email=row["email"],
        username=row["username"],
        gender=row["gender"],
        date_of_birth=row["date_of_birth"],
        created_at=row["created_at"],
        email_verified=bool(row["email_verified"]),
        locked=bool(row["locked"]),
    )
    return Account(user, row["password_hash"])


def _select_one(connection: sqlite3.Connection, where: str, value: str) -> Account | None:
    row = connection.execute(f"SELECT {_COLUMNS} FROM users WHERE {where} = ?", (value,)).fetchone()
    return _account_from_row(row) if row else None


def _update_existing(connection: sqlite3.Connection, sql: str, parameters: tuple[Any, ...]) -> None:
    if connection.execute(sql, parameters).rowcount == 0:
        raise UserNotFound()


def _claim(connection: sqlite3.Connection, claim: InvitationClaim) -> bool:
    claimed = connection.execute(
        "UPDATE invitations SET used_at = ? WHERE invitation_id = ? AND used_at IS NULL AND expires_at > ?",
        (claim.used_at, claim.invitation_id, claim.used_at),
    )
    return claimed.rowcount == 1


def _invitation_from_row(row: sqlite3.Row) -> Invitation:
    return Invitation(
        invitation_id=row["invitation_id"],
        token_hash=row["token_hash"],
        email=row["email"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


class SqliteUserRepository:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, account: Account, *, invitation: InvitationClaim | None = None) -> None:
        user = account.user
        # An empty gender or date of birth is stored as none, as the DynamoDB adapter leaves it out.
        row = (
            user.user_id,
            user.email,
            user.username,
            user.gender or None,
            user.date_of_birth or None,
            user.created_at,
            int(user.email_verified),
            int(user.locked),
            account.password_hash,
        )

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(f"INSERT INTO users ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            if invitation is not None and not _claim(connection, invitation):
                raise InvitationInvalid()

        await self._store.write(insert, constraint_errors=_ADD_ERRORS)

    async def get(self, user_id: str) -> Account | None:
        return await self._store.read(lambda connection: _select_one(connection, "user_id", user_id))

    async def get_by_email(self, email: str) -> Account | None:
        return await self._store.read(lambda connection: _select_one(connection, "email", email))

    async def update_profile(self, user: User) -> None:
        await self._store.write(
            lambda connection: _update_existing(
                connection,
                "UPDATE users SET username = ?, gender = ?, date_of_birth = ? WHERE user_id = ?",
                (user.username, user.gender or None, user.date_of_birth or None, user.user_id),
            )
        )

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        await self._store.write(
            lambda connection: _update_existing(
                connection, "UPDATE users SET password_hash = ? WHERE user_id = ?", (password_hash, user_id)
            )
        )

    async def mark_email_verified(self, user_id: str) -> None:
        await self._store.write(
            lambda connection: _update_existing(
                connection, "UPDATE users SET email_verified = 1 WHERE user_id = ?", (user_id,)
            )
        )

    async def set_locked(self, user_id: str, locked: bool) -> None:
        await self._store.write(
            lambda connection: _update_existing(
                connection, "UPDATE users SET locked = ? WHERE user_id = ?", (int(locked), user_id)
            )
        )

    async def delete(self, user_id: str) -> None:
        def remove(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM users WHERE user_id = ?", (user_id,))

        await self._store.write(remove)


class SqliteInvitationRepository:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, invitation: Invitation) -> None:
        row = (
            invitation.invitation_id,
            invitation.token_hash,
            invitation.email,
            invitation.created_by,
            invitation.created_at,
            invitation.expires_at,
            invitation.used_at,
        )

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(f"INSERT INTO invitations ({_INVITATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", row)

        await self._store.write(
            insert, constraint_errors={"UNIQUE constraint failed: invitations.invitation_id": AlreadyExists}
        )

    async def get(self, invitation_id: str) -> Invitation | None:
        def select(connection: sqlite3.Connection) -> Invitation | None:
            row = connection.execute(
                f"SELECT {_INVITATION_COLUMNS} FROM invitations WHERE invitation_id = ?", (invitation_id,)
            ).fetchone()
            return _invitation_from_row(row) if row else None

        return await self._store.read(select)

    async def list_all(self) -> list[Invitation]:
        def select(connection: sqlite3.Connection) -> list[Invitation]:
            rows = connection.execute(f"SELECT {_INVITATION_COLUMNS} FROM invitations").fetchall()
            return [_invitation_from_row(row) for row in rows]

        return await self._store.read(select)

    async def delete(self, invitation_id: str) -> bool:
        def remove(connection: sqlite3.Connection) -> bool:
            return connection.execute("DELETE FROM invitations WHERE invitation_id = ?", (invitation_id,)).rowcount == 1

        return await self._store.write(remove)
