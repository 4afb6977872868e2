"""The SQLite adapters of auth hold the same promises as the fakes and the DynamoDB adapters,
and the purge deletes only rows long expired.

Unit tier: SQLite is embedded, so the suites need no server, only a file in a fresh folder."""

import asyncio

import pytest

from scloud_auth.adapters.sqlite import (
    SqliteAttemptStore,
    SqliteOneTimeTokenStore,
    SqlitePersonalAccessTokenRepository,
    SqliteSendLimitStore,
    SqliteSessionRepository,
    SqliteSignInChallengeStore,
    SqliteTwoFactorRepository,
)
from scloud_auth.adapters.sqlite_tables import EXPIRING_TABLES, MIGRATIONS, ExpiredRowPurge
from scloud_auth.domain import AttemptRecord, OneTimeToken, Session, SignInChallenge, TokenPurpose, TwoFactor
from scloud_common.sqlite_store import SqliteStore
from services.auth.tests.contracts.attempt_store import AttemptStoreContract
from services.auth.tests.contracts.one_time_token_store import OneTimeTokenStoreContract
from services.auth.tests.contracts.personal_access_token_repository import (
    PersonalAccessTokenRepositoryContract,
    token,
)
from services.auth.tests.contracts.send_limit_store import SendLimitStoreContract
from services.auth.tests.contracts.session_repository import SessionRepositoryContract
from services.auth.tests.contracts.two_factor import SignInChallengeStoreContract, TwoFactorRepositoryContract


@pytest.fixture
async def database(tmp_path):
    store = await SqliteStore.open(tmp_path / "auth.db", migrations=MIGRATIONS)
    yield store
    await store.close()


class TestSqliteSessionRepository(SessionRepositoryContract):
    @pytest.fixture
    def repository(self, database):
        return SqliteSessionRepository(database)


class TestSqliteAttemptStore(AttemptStoreContract):
    @pytest.fixture
    def store(self, database):
        return SqliteAttemptStore(database)


class TestSqliteTwoFactorRepository(TwoFactorRepositoryContract):
    @pytest.fixture
    def repository(self, database):
        return SqliteTwoFactorRepository(database)


class TestSqliteSignInChallengeStore(SignInChallengeStoreContract):
    @pytest.fixture
    def store(self, database):
        return SqliteSignInChallengeStore(database)


class TestSqliteOneTimeTokenStore(OneTimeTokenStoreContract):
    @pytest.fixture
    def store(self, database):
        return SqliteOneTimeTokenStore(database)


class TestSqliteSendLimitStore(SendLimitStoreContract):
    @pytest.fixture
    def store(self, database):
        return SqliteSendLimitStore(database)


class TestSqlitePersonalAccessTokenRepository(PersonalAccessTokenRepositoryContract):
    @pytest.fixture
    def repository(self, database):
        return SqlitePersonalAccessTokenRepository(database)


async def test_concurrent_mail_events_are_all_counted(database):
    store = SqliteSendLimitStore(database)
    counts = await asyncio.gather(*(store.count("k", now=1000, window_seconds=3600) for _ in range(20)))
    assert sorted(counts) == list(range(1, 21))


async def test_turning_two_factor_off_forgets_its_recovery_codes(database):
    repository = SqliteTwoFactorRepository(database)
    await repository.save(TwoFactor(user_id="u1", secret="S", recovery_code_hashes=frozenset({"h1"})))
    await repository.delete("u1")
    await repository.save(TwoFactor(user_id="u1", pending_secret="P"))
    assert (await repository.get("u1")).recovery_code_hashes == frozenset()
    assert not await repository.use_recovery_code("u1", "h1")


NOW = 1_800_000_000
GRACE = 3600


async def fill_every_expiring_kind(database, *, expires_at: int, suffix: str) -> None:
    await SqliteSessionRepository(database).add(
        Session(f"s{suffix}", "u1", "h", expires_at=expires_at, created_at=expires_at - 10)
    )
    await SqliteAttemptStore(database).replace(
        f"a{suffix}", AttemptRecord(1, expires_at, expires_at), expected=None, keep_until=expires_at
    )
    await SqliteSendLimitStore(database).count(f"m{suffix}", now=expires_at - 60, window_seconds=60)
    await SqliteSignInChallengeStore(database).add(SignInChallenge(f"c{suffix}", "u1", "Firefox", expires_at))
    await SqliteOneTimeTokenStore(database).add(OneTimeToken(TokenPurpose.VERIFY_EMAIL, f"t{suffix}", "u1", expires_at))
    await SqlitePersonalAccessTokenRepository(database).add(
        token(f"p{suffix}", created_at=expires_at - 10, expires_at=expires_at)
    )


async def what_is_left(database) -> dict[str, int]:
    def count(connection):
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in EXPIRING_TABLES}

    return await database.read(count)


async def test_the_purge_deletes_only_rows_expired_longer_than_the_grace(database):
    await fill_every_expiring_kind(database, expires_at=NOW - GRACE - 1, suffix="old")
    await fill_every_expiring_kind(database, expires_at=NOW - GRACE + 1, suffix="recent")
    await fill_every_expiring_kind(database, expires_at=NOW + 600, suffix="live")
    await SqliteTwoFactorRepository(database).save(TwoFactor(user_id="u1", secret="S"))
    purge = ExpiredRowPurge(database, clock=lambda: NOW, grace_seconds=GRACE)

    assert await purge.purge() == len(EXPIRING_TABLES)

    assert await what_is_left(database) == {table: 2 for table in EXPIRING_TABLES}
    assert await SqliteSessionRepository(database).get("sold") is None
    assert await SqliteSessionRepository(database).get("srecent") is not None
    assert await SqliteTwoFactorRepository(database).get("u1") is not None


async def test_each_purge_transaction_deletes_at_most_one_batch(database):
    sessions = SqliteSessionRepository(database)
    for n in range(5):
        await sessions.add(Session(f"s{n}", "u1", "h", expires_at=NOW - GRACE - 1, created_at=0))
    purge = ExpiredRowPurge(database, clock=lambda: NOW, grace_seconds=GRACE, batch=2)

    assert await purge.purge_batch("sessions") == 2
    assert await purge.purge() == 3
    assert await sessions.list_for_user("u1") == []


class ObservedPurge(ExpiredRowPurge):
    """Tells the test when each round of the running purge has ended, whatever its outcome."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rounds: asyncio.Queue[None] = asyncio.Queue()

    async def purge(self) -> int:
        try:
            return await super().purge()
        finally:
            self.rounds.put_nowait(None)


async def test_the_running_purge_starts_at_once_and_stops_at_close(database):
    await fill_every_expiring_kind(database, expires_at=NOW - GRACE - 1, suffix="old")
    purge = ObservedPurge(database, clock=lambda: NOW, grace_seconds=GRACE, interval_seconds=3600)
    purge.start()
    try:
        await asyncio.wait_for(purge.rounds.get(), 10)
    finally:
        await purge.close()
    assert await what_is_left(database) == {table: 0 for table in EXPIRING_TABLES}
    await fill_every_expiring_kind(database, expires_at=NOW - GRACE - 1, suffix="after")
    assert await what_is_left(database) == {table: 1 for table in EXPIRING_TABLES}


async def test_a_purge_that_fails_is_logged_and_tried_again_at_the_next_round(database, caplog):
    await database.close()
    purge = ObservedPurge(database, interval_seconds=0.01)
    purge.start()
    try:
        for _ in range(2):
            await asyncio.wait_for(purge.rounds.get(), 10)
    finally:
        await purge.close()
    assert [record.message for record in caplog.records].count("expired rows not purged") >= 1
