"""Every adapter of an auth port offers all of the port's methods: the fake, and each real
adapter that bootstrap may build (DynamoDB or SQLite by the `store` setting, gRPC, bcrypt)."""

import pytest

from scloud_auth.adapters.dynamodb import (
    DynamoDbAttemptStore,
    DynamoDbOneTimeTokenStore,
    DynamoDbPersonalAccessTokenRepository,
    DynamoDbSendLimitStore,
    DynamoDbSessionRepository,
    DynamoDbSignInChallengeStore,
    DynamoDbTwoFactorRepository,
)
from scloud_auth.adapters.in_memory import (
    FastPasswordHasher,
    InMemoryAttemptStore,
    InMemoryOneTimeTokenStore,
    InMemoryPersonalAccessTokenRepository,
    InMemorySendLimitStore,
    InMemorySessionRepository,
    InMemorySignInChallengeStore,
    InMemoryTwoFactorRepository,
    InMemoryUserDirectory,
)
from scloud_auth.adapters.sqlite import (
    SqliteAttemptStore,
    SqliteOneTimeTokenStore,
    SqlitePersonalAccessTokenRepository,
    SqliteSendLimitStore,
    SqliteSessionRepository,
    SqliteSignInChallengeStore,
    SqliteTwoFactorRepository,
)
from scloud_auth.adapters.users_grpc import GrpcUserDirectory
from scloud_auth.ports import (
    AttemptStore,
    OneTimeTokenStore,
    PasswordHasher,
    PersonalAccessTokenRepository,
    SendLimitStore,
    SessionRepository,
    SignInChallengeStore,
    TwoFactorRepository,
    UserDirectory,
)
from scloud_common.password_hash import BcryptPasswordHasher
from tests.port_conformance import each_adapter, port_gaps

ADAPTERS = [
    (SessionRepository, [InMemorySessionRepository, DynamoDbSessionRepository, SqliteSessionRepository]),
    (AttemptStore, [InMemoryAttemptStore, DynamoDbAttemptStore, SqliteAttemptStore]),
    (SendLimitStore, [InMemorySendLimitStore, DynamoDbSendLimitStore, SqliteSendLimitStore]),
    (TwoFactorRepository, [InMemoryTwoFactorRepository, DynamoDbTwoFactorRepository, SqliteTwoFactorRepository]),
    (SignInChallengeStore, [InMemorySignInChallengeStore, DynamoDbSignInChallengeStore, SqliteSignInChallengeStore]),
    (OneTimeTokenStore, [InMemoryOneTimeTokenStore, DynamoDbOneTimeTokenStore, SqliteOneTimeTokenStore]),
    (
        PersonalAccessTokenRepository,
        [
            InMemoryPersonalAccessTokenRepository,
            DynamoDbPersonalAccessTokenRepository,
            SqlitePersonalAccessTokenRepository,
        ],
    ),
    (UserDirectory, [InMemoryUserDirectory, GrpcUserDirectory]),
    (PasswordHasher, [FastPasswordHasher, BcryptPasswordHasher]),
]


@pytest.mark.parametrize(("port", "adapter"), each_adapter(ADAPTERS))
def test_the_adapter_offers_every_method_of_its_port(port, adapter):
    assert port_gaps(port, adapter) == []
