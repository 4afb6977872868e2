"""What an AWS failure means to the caller: a domain outcome, an outage (503) or a fault (500)."""

import logging

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from scloud_common.aws import AwsFailure, AwsFault, classify_aws_error, translate_aws_errors
from scloud_common.errors import Conflict, ErrorKind, NotFound, ServiceUnavailable
from scloud_common.web import HTTP_STATUS


def client_error(code: str, status: int = 400, reasons: list[str] | None = None) -> ClientError:
    response: dict = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": reason} for reason in reasons]
    return ClientError(response, "Operation")


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (client_error("ConditionalCheckFailedException"), AwsFailure.CONDITION_FAILED),
        (
            client_error("TransactionCanceledException", reasons=["None", "ConditionalCheckFailed"]),
            AwsFailure.CONDITION_FAILED,
        ),
        (client_error("TransactionCanceledException", reasons=["TransactionConflict", "None"]), AwsFailure.OUTAGE),
        (client_error("TransactionCanceledException", reasons=["ValidationError"]), AwsFailure.FAULT),
        (client_error("ProvisionedThroughputExceededException"), AwsFailure.OUTAGE),
        (client_error("ThrottlingException"), AwsFailure.OUTAGE),
        (client_error("SlowDown", 503), AwsFailure.OUTAGE),
        (client_error("InternalServerError", 500), AwsFailure.OUTAGE),
        (client_error("SomethingNew", 502), AwsFailure.OUTAGE),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), AwsFailure.OUTAGE),
        (ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"), AwsFailure.OUTAGE),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), AwsFailure.OUTAGE),
        (client_error("AccessDeniedException"), AwsFailure.FAULT),
        (client_error("AccessDenied", 403), AwsFailure.FAULT),
        (client_error("ValidationException"), AwsFailure.FAULT),
        (client_error("ResourceNotFoundException"), AwsFailure.FAULT),
        (client_error("NoSuchBucket", 404), AwsFailure.FAULT),
        (ParamValidationError(report="bad"), AwsFailure.FAULT),
        (NoCredentialsError(), AwsFailure.FAULT),
    ],
)
def test_classification(error, failure):
    assert classify_aws_error(error) is failure


def failing_with(error: Exception, **options):
    @translate_aws_errors(**options)
    async def operation():
        raise error

    return operation


async def test_a_failed_condition_becomes_the_domain_error_the_adapter_names():
    class UserNotFound(NotFound):
        code = "user_not_found"

    with pytest.raises(UserNotFound):
        await failing_with(client_error("ConditionalCheckFailedException"), condition_failed=UserNotFound)()


async def test_a_failed_condition_without_a_named_error_is_a_conflict():
    with pytest.raises(Conflict):
        await failing_with(client_error("ConditionalCheckFailedException"))()


async def test_an_outage_is_service_unavailable():
    with pytest.raises(ServiceUnavailable):
        await failing_with(client_error("ThrottlingException"))()


async def test_a_fault_is_a_500_whose_error_id_is_in_the_answer_and_the_log(caplog):
    with caplog.at_level(logging.ERROR, logger="scloud_common.aws"), pytest.raises(AwsFault) as raised:
        await failing_with(client_error("AccessDeniedException"))()
    fault = raised.value
    assert fault.kind is ErrorKind.INTERNAL and HTTP_STATUS[fault.kind] == 500
    assert fault.error_id in fault.message
    assert [record.error_id for record in caplog.records if record.message == "aws fault"] == [fault.error_id]


async def test_the_bare_decorator_still_works():
    @translate_aws_errors
    async def operation():
        raise client_error("ThrottlingException")

    with pytest.raises(ServiceUnavailable):
        await operation()
