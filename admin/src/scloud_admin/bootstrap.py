"""Opens one end of a move: the record store of each service and the bytes store, built from the
end's settings as each service builds its own (the `store` setting picks SQLite or DynamoDB)."""

from dataclasses import dataclass

from scloud_admin.adapters.aws_client import StoreMissing, end_client, require_bucket, require_table
from scloud_admin.adapters.s3_object import S3ObjectStore
from scloud_admin.ports import ObjectStore, RecordStore
from scloud_admin.side import AuthStoreSettings, FilesStoreSettings, Side, UsersStoreSettings
from scloud_auth.adapters.transfer_dynamodb import DynamoDbAuthTransfer
from scloud_auth.adapters.transfer_sqlite import SqliteAuthTransfer
from scloud_auth.provision import sessions_table_name
from scloud_common.settings import MetadataStoreSettings
from scloud_files.adapters.dynamodb.transfer import DynamoDbFilesTransfer
from scloud_files.adapters.sqlite.transfer import SqliteFilesTransfer
from scloud_users.adapters.transfer_dynamodb import DynamoDbUserTransfer
from scloud_users.adapters.transfer_sqlite import SqliteUserTransfer
from scloud_users.provision import users_table_name

StoreSettings = AuthStoreSettings | UsersStoreSettings | FilesStoreSettings


@dataclass
class Installation:
    """An end, open: `records` by service (auth, users, files), `objects` the bytes, and
    `description` where they all are (compared to tell a resumed move from another)."""

    records: dict[str, RecordStore]
    objects: ObjectStore
    description: str

    async def close(self) -> None:
        for store in self.records.values():
            await store.close()


def _where(settings: MetadataStoreSettings, table: str, endpoint: str | None) -> str:
    if settings.store == "sqlite":
        return f"sqlite:{settings.sqlite_database().resolve()}"
    return f"dynamodb:{endpoint or 'aws'}/{table}"


def _sqlite_path(settings: MetadataStoreSettings, *, must_exist: bool) -> str:
    path = settings.sqlite_database()
    # Opening a database creates it: a source that is not there is a mistake, not an empty one.
    if must_exist and not path.is_file():
        raise StoreMissing(f"the SQLite database {path} does not exist")
    return str(path)


async def open_installation(side: Side, *, must_exist: bool) -> Installation:
    """The end's stores. `must_exist`: refuse a SQLite file that is not there (a source) rather
    than create it (a target); tables and buckets must exist either way."""
    objects = _objects(side)
    places: list[str] = []
    installation = Installation({}, objects, "")
    ends: list[tuple[str, StoreSettings, str]] = [
        ("auth", side.auth, sessions_table_name(side.auth)),
        ("users", side.users, users_table_name(side.users)),
        ("files", side.files, side.files.files_table),
    ]
    try:
        for service, settings, table in ends:
            places.append(f"{service}={_where(settings, table, side.endpoint(settings, 'dynamodb'))}")
            installation.records[service] = await _record_store(side, service, settings, table, must_exist=must_exist)
    except BaseException:
        await installation.close()
        raise
    places.append(f"objects=s3:{side.endpoint(side.files, 's3') or 'aws'}/{side.files.s3_bucket}")
    installation.description = "; ".join(places)
    return installation


async def _record_store(
    side: Side, service: str, settings: StoreSettings, table: str, *, must_exist: bool
) -> RecordStore:
    if settings.store == "sqlite":
        path = _sqlite_path(settings, must_exist=must_exist)
        if service == "auth":
            return await SqliteAuthTransfer.open(path)
        if service == "users":
            return await SqliteUserTransfer.open(path)
        return await SqliteFilesTransfer.open(path)
    client = end_client(
        side.environ, "dynamodb", region=settings.aws_region, endpoint_url=side.endpoint(settings, "dynamodb")
    )
    require_table(client, table)
    if service == "auth":
        return DynamoDbAuthTransfer(client, table)
    if service == "users":
        return DynamoDbUserTransfer(client, table)
    return DynamoDbFilesTransfer(client, table)


def _objects(side: Side) -> S3ObjectStore:
    settings = side.files
    client = end_client(side.environ, "s3", region=settings.aws_region, endpoint_url=side.endpoint(settings, "s3"))
    require_bucket(client, settings.s3_bucket)
    return S3ObjectStore(client, settings.s3_bucket)


__all__ = ["Installation", "open_installation"]
