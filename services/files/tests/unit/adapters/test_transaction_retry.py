"""The DynamoDB adapter's transactions under contention and transient store errors: retried
within a bound, always as the same request (one ClientRequestToken)."""

from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from scloud_common.errors import ServiceUnavailable
from scloud_files.adapters.dynamodb import DynamoDbFileRepository, access
from scloud_files.domain import NameTaken
from services.files.tests.contracts.file_ports import a_file


def server_error() -> ClientError:
    return ClientError(
        {"Error": {"Code": "InternalServerError", "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": 500}},
        "TransactWriteItems",
    )


def cancelled(*reasons: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "x"},
            "CancellationReasons": [{"Code": reason} for reason in reasons],
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "TransactWriteItems",
    )


class ScriptedDynamoDb:
    """Answers each transaction with the next of `outcomes` (an exception to raise, or None to
    commit), and remembers the tokens it was sent."""

    # What scloud_common.aws reads of a client to size its thread pool.
    meta = SimpleNamespace(
        config=SimpleNamespace(max_pool_connections=2), service_model=SimpleNamespace(service_name="dynamodb")
    )

    def __init__(self, outcomes) -> None:
        self.outcomes = list(outcomes)
        self.tokens: list[str] = []

    def transact_write_items(self, **params):
        self.tokens.append(params["ClientRequestToken"])
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return {}


async def test_contention_and_transient_errors_are_retried_as_one_request():
    client = ScriptedDynamoDb(
        [
            server_error(),
            cancelled("None", "None", "TransactionConflict"),
            ReadTimeoutError(endpoint_url="http://dynamodb"),
            cancelled("ThrottlingError", "None", "None"),
            None,
        ]
    )
    file = a_file()
    await DynamoDbFileRepository(client, "files").create(file)
    assert len(client.tokens) == 5 and len(set(client.tokens)) == 1
    assert 1 <= len(client.tokens[0]) <= 36
    again = ScriptedDynamoDb([None])
    await DynamoDbFileRepository(again, "files").create(file)
    assert again.tokens == client.tokens[:1], "a create's token is derived from what it writes"
    other = ScriptedDynamoDb([None])
    await DynamoDbFileRepository(other, "files").create(a_file())
    assert other.tokens != client.tokens[:1]


async def test_a_refusal_is_answered_at_once(monkeypatch):
    client = ScriptedDynamoDb([cancelled("ConditionalCheckFailed", "None", "None")])
    file = a_file()
    with pytest.raises(NameTaken) as taken:
        await DynamoDbFileRepository(client, "files").create(file)
    assert taken.value.existing_id == file.item_id and len(client.tokens) == 1


async def test_retries_stop_at_their_bound(monkeypatch):
    monkeypatch.setattr(access, "TRANSACTION_BUDGET_SECONDS", 0.3)
    client = ScriptedDynamoDb([server_error()] * 1000)
    with pytest.raises(ServiceUnavailable):
        await DynamoDbFileRepository(client, "files").create(a_file())
    assert 2 <= len(client.tokens) < 1000 and len(set(client.tokens)) == 1
