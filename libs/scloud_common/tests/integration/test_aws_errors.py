"""AWS failures against a real endpoint, one per meaning: a failed condition, a fault, an outage."""

import asyncio
import socket
import time

import pytest

from scloud_common.aws import AwsFault, create_aws_client, translate_aws_errors
from scloud_common.errors import NotFound, ServiceUnavailable
from scloud_common.provisioning import ensure_table
from scloud_common.web import HTTP_STATUS

pytestmark = pytest.mark.integration


class ThingNotFound(NotFound):
    code = "thing_not_found"


def things_table(name: str) -> dict:
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    }


class Things:
    def __init__(self, client, table: str) -> None:
        self._client = client
        self._table = table

    @translate_aws_errors(condition_failed=ThingNotFound)
    async def rename(self, pk: str, name: str) -> None:
        await asyncio.to_thread(
            self._client.update_item,
            TableName=self._table,
            Key={"pk": {"S": pk}},
            UpdateExpression="SET #n = :n",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#n": "name"},
            ExpressionAttributeValues={":n": {"S": name}},
        )


async def test_a_failed_condition_is_the_adapters_domain_error(aws_endpoint_url, unique_name):
    client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    ensure_table(client, things_table(unique_name))
    with pytest.raises(ThingNotFound):
        await Things(client, unique_name).rename("missing", "x")


async def test_a_missing_table_is_a_fault_with_an_error_id(aws_endpoint_url, unique_name):
    client = create_aws_client("dynamodb", region="us-east-1", endpoint_url=aws_endpoint_url)
    with pytest.raises(AwsFault) as raised:
        await Things(client, f"{unique_name}-absent").rename("p", "x")
    assert HTTP_STATUS[raised.value.kind] == 500 and raised.value.error_id in raised.value.message


async def test_an_endpoint_that_accepts_but_never_answers_is_an_outage_within_bounds():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = create_aws_client(
            "dynamodb", region="us-east-1", endpoint_url=endpoint, read_timeout=0.5, max_attempts=2
        )
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            await Things(client, "t").rename("p", "x")
    assert time.monotonic() - started < 5
