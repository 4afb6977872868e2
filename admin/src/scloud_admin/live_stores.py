"""Opens the stores of the installation the services' environment names (the same AUTH_,
USERS_, FILES_ and AWS settings they read), with the services' own adapters, for the everyday
admin tasks (scloud_admin.operations)."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from scloud_admin.adapters.aws_client import StoreMissing
from scloud_admin.operations import OperationPorts
from scloud_admin.side import Side
from scloud_auth.adapters.dynamodb import DynamoDbSessionRepository
from scloud_auth.adapters.sqlite import SqliteSessionRepository
from scloud_auth.adapters.sqlite_tables import MIGRATIONS as AUTH_MIGRATIONS
from scloud_auth.ports import SessionRepository
from scloud_auth.provision import sessions_table_name
from scloud_common.aws import aws_client
from scloud_common.settings import MetadataStoreSettings
from scloud_common.sqlite_store import SqliteStore
from scloud_files.bootstrap import open_repository
from scloud_files.purge_trash import purge_store
from scloud_files.sweep_uploads import sweep_store
from scloud_users.adapters.dynamodb import DynamoDbInvitationRepository, DynamoDbUserRepository
from scloud_users.adapters.sqlite import MIGRATIONS as USERS_MIGRATIONS
from scloud_users.adapters.sqlite import SqliteInvitationRepository, SqliteUserRepository
from scloud_users.ports import InvitationRepository, UserRepository
from scloud_users.provision import users_table_name


def _existing_database(settings: MetadataStoreSettings) -> Path:
    path = settings.sqlite_database()
    # Opening a database creates it: a path that is not there is a wrong setting, not an empty store.
    if not path.is_file():
        raise StoreMissing(f"the SQLite database {path} does not exist")
    return path


@contextlib.asynccontextmanager
async def open_live_stores(side: Side) -> AsyncIterator[OperationPorts]:
    """The ports of the installation `side` describes, closed on the way out."""
    async with contextlib.AsyncExitStack() as stack:
        users, invitations = await _users(side, stack)
        sessions = await _sessions(side, stack)
        files_settings = side.files
        if files_settings.store == "sqlite":
            _existing_database(files_settings)
        files = await stack.enter_async_context(open_repository(files_settings))
        yield OperationPorts(
            users=users,
            sessions=sessions,
            files=files,
            purge=lambda: purge_store(files_settings),
            sweep=lambda: sweep_store(files_settings),
            invitations=invitations,
        )


async def _users(side: Side, stack: contextlib.AsyncExitStack) -> tuple[UserRepository, InvitationRepository]:
    settings = side.users
    if settings.store == "sqlite":
        store = await SqliteStore.open(_existing_database(settings), migrations=USERS_MIGRATIONS)
        stack.push_async_callback(store.close)
        return SqliteUserRepository(store), SqliteInvitationRepository(store)
    client, table = aws_client(settings, "dynamodb"), users_table_name(settings)
    return DynamoDbUserRepository(client, table), DynamoDbInvitationRepository(client, table)


async def _sessions(side: Side, stack: contextlib.AsyncExitStack) -> SessionRepository:
    settings = side.auth
    if settings.store == "sqlite":
        store = await SqliteStore.open(_existing_database(settings), migrations=AUTH_MIGRATIONS)
        stack.push_async_callback(store.close)
        return SqliteSessionRepository(store)
    return DynamoDbSessionRepository(aws_client(settings, "dynamodb"), sessions_table_name(settings))
