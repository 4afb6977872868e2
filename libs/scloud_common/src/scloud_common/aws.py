"""The one place that builds boto3 clients, so every endpoint is configurable the same way, and
the one place that decides what an AWS failure means to the caller."""

import asyncio
import contextvars
import enum
import functools
import logging
import threading
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar, overload

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from scloud_common.errors import AppError, Conflict, ServiceUnavailable
from scloud_common.metrics import current_metrics
from scloud_common.settings import AwsSettings

if TYPE_CHECKING:
    # Stub-only packages (dev requirements): precise client types for S3 and DynamoDB; SES v2 has no
    # stubs installed, so its client is a plain BaseClient.
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

# A request's own deadline is ~8 s (web.RequestDeadlineMiddleware); these keep one stalled AWS call
# from holding a worker thread much longer than that, while standard-mode retries (with jitter)
# still ride out a throttle or a dropped connection.
CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 3
MAX_POOL_CONNECTIONS = 32

_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")
_Translated = Callable[_Params, Coroutine[Any, Any, _Result]]


@overload
def create_aws_client(
    service_name: Literal["s3"],
    *,
    region: str,
    endpoint_url: str | None = None,
    max_pool_connections: int = MAX_POOL_CONNECTIONS,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
) -> "S3Client": ...


@overload
def create_aws_client(
    service_name: Literal["dynamodb"],
    *,
    region: str,
    endpoint_url: str | None = None,
    max_pool_connections: int = MAX_POOL_CONNECTIONS,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
) -> "DynamoDBClient": ...


@overload
def create_aws_client(
    service_name: Literal["sesv2"],
    *,
    region: str,
    endpoint_url: str | None = None,
    max_pool_connections: int = MAX_POOL_CONNECTIONS,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
) -> BaseClient: ...


def create_aws_client(
    service_name: Literal["s3", "dynamodb", "sesv2"],
    *,
    region: str,
    endpoint_url: str | None = None,
    max_pool_connections: int = MAX_POOL_CONNECTIONS,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
) -> "S3Client | DynamoDBClient | BaseClient":
    """A boto3 client for real AWS, LocalStack or moto server (when `endpoint_url` is set).

    S3 clients sign with SigV4 (presigned links fail on other endpoints without it) and use
    path-style addressing on custom endpoints, whose hosts have no per-bucket DNS names.
    `read_timeout` bounds each wait for bytes on the socket, not a whole transfer.
    """
    config = Config(
        region_name=region,
        retries={"mode": "standard", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max_pool_connections,
        signature_version="s3v4" if service_name == "s3" else None,
        s3={"addressing_style": "path"} if service_name == "s3" and endpoint_url else None,
    )
    return boto3.session.Session().client(service_name, endpoint_url=endpoint_url, config=config)


@overload
def aws_client(settings: AwsSettings, service_name: Literal["s3"]) -> "S3Client": ...


@overload
def aws_client(settings: AwsSettings, service_name: Literal["dynamodb"]) -> "DynamoDBClient": ...


@overload
def aws_client(settings: AwsSettings, service_name: Literal["sesv2"]) -> BaseClient: ...


def aws_client(
    settings: AwsSettings, service_name: Literal["s3", "dynamodb", "sesv2"]
) -> "S3Client | DynamoDBClient | BaseClient":
    """A client for `service_name` where the settings say AWS is (real, LocalStack or moto)."""
    return create_aws_client(service_name, region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)


_executors: "weakref.WeakKeyDictionary[BaseClient, ThreadPoolExecutor]" = weakref.WeakKeyDictionary()
_executors_lock = threading.Lock()


def client_executor(client: BaseClient) -> ThreadPoolExecutor:
    """The one thread pool of a boto3 client, as many threads as it has connections; it goes
    with the client."""
    with _executors_lock:
        executor = _executors.get(client)
        if executor is None:
            executor = _executors[client] = ThreadPoolExecutor(
                max_workers=getattr(client.meta.config, "max_pool_connections", None) or MAX_POOL_CONNECTIONS,
                thread_name_prefix=f"aws-{client.meta.service_model.service_name}",
            )
        return executor


class AwsCall:
    """Runs blocking boto3 operations, with the parameters every call of one adapter shares (its
    table or its bucket), on the client's own thread pool (client_executor): never on the loop's
    default executor, which other blocking work may fill (a ZIP stream
    once parked every thread there while the loop waited on it for S3 reads, and nothing answered
    again). Each call is bounded by the client's timeouts, so the pool drains by itself."""

    def __init__(self, client: BaseClient, **shared_params: Any) -> None:
        self._client = client
        self._shared_params = shared_params
        self.executor = client_executor(client)
        # The metrics of the service whose bootstrap builds this adapter (None outside one).
        self._metrics = current_metrics()

    async def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        operation_call = functools.partial(getattr(self._client, operation), **self._shared_params, **params)
        started = time.perf_counter()
        outcome = AWS_CALL_OK
        try:
            result: dict[str, Any] = await self.run(operation_call)
        except BaseException as exc:
            outcome = aws_call_outcome(exc)
            raise
        finally:
            if self._metrics is not None:
                meta = self._client.meta
                self._metrics.aws_calls.labels(
                    meta.service_model.service_name, meta.method_to_api_mapping.get(operation, operation), outcome
                ).observe(time.perf_counter() - started)
        return result

    async def run(self, function: Callable[[], _Result]) -> _Result:
        """Any other blocking use of the client (reading a response body) on the same pool, with
        the caller's context (its request id)."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self.executor, context.run, function)


AWS_CALL_OK = "ok"


def aws_call_outcome(exc: BaseException) -> str:
    """The outcome label of a failed call: its AWS error code (`ConditionalCheckFailedException`,
    `NoSuchKey`...), or, when AWS gave no answer, the exception's class (`ReadTimeoutError`)."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__


class AwsFailure(enum.Enum):
    """What an AWS error means to the caller."""

    CONDITION_FAILED = "condition_failed"  # the write's condition did not hold: a domain outcome
    OUTAGE = "outage"  # worth retrying later: throttling, 5xx, connection trouble, timeouts
    FAULT = "fault"  # our bug or our configuration (permissions, bad request, missing table)


_OUTAGE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "TooManyRequestsException",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalError",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
# Why a DynamoDB transaction item was cancelled, when retrying the transaction can succeed.
RETRYABLE_CANCELLATION_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def cancellation_reasons(exc: ClientError) -> list[str]:
    """Per item of a cancelled DynamoDB transaction, the reason it was cancelled; "None" for the
    items that did not cause it."""
    return [reason.get("Code") or "None" for reason in exc.response.get("CancellationReasons") or []]


def classify_aws_error(exc: BaseException) -> AwsFailure:
    """Sorts an AWS failure into what the caller should hear about it."""
    # HTTPClientError covers read timeouts and closed connections; ConnectionError, connect failures.
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return AwsFailure.OUTAGE
    if not isinstance(exc, ClientError):
        # ParamValidationError, NoCredentialsError and the like: retrying cannot help.
        return AwsFailure.FAULT
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return AwsFailure.CONDITION_FAILED
    if code == "TransactionCanceledException":
        reasons = set(cancellation_reasons(exc)) - {"None"}
        if "ConditionalCheckFailed" in reasons:
            return AwsFailure.CONDITION_FAILED
        return AwsFailure.OUTAGE if reasons <= RETRYABLE_CANCELLATION_REASONS else AwsFailure.FAULT
    if code in _OUTAGE_CODES:
        return AwsFailure.OUTAGE
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    if status >= 500:
        return AwsFailure.OUTAGE
    return AwsFailure.FAULT


class AwsFault(AppError):
    """An AWS call failed in a way retrying cannot fix; the error id ties the answer to the log."""

    code = "internal_error"

    def __init__(self, error_id: str) -> None:
        self.error_id = error_id
        super().__init__(f"Something went wrong on our side. Quote error id {error_id} when reporting it.")


@overload
def translate_aws_errors(
    method: Callable[_Params, Awaitable[_Result]], *, condition_failed: type[AppError] = ...
) -> _Translated[_Params, _Result]: ...


@overload
def translate_aws_errors(
    method: None = None, *, condition_failed: type[AppError] = ...
) -> Callable[[Callable[_Params, Awaitable[_Result]]], _Translated[_Params, _Result]]: ...


def translate_aws_errors(
    method: Callable[_Params, Awaitable[_Result]] | None = None, *, condition_failed: type[AppError] = Conflict
) -> _Translated[_Params, _Result] | Callable[[Callable[_Params, Awaitable[_Result]]], _Translated[_Params, _Result]]:
    """Decorates an async adapter method so that an AWS failure it does not handle itself reaches
    the caller with its meaning, never as a bare 500:

    - a failed write condition raises `condition_failed` (the adapter says which domain error that
      is, e.g. `@translate_aws_errors(condition_failed=UserNotFound)`; a conflict by default);
    - an outage (throttling, 5xx, connection or timeout) raises ServiceUnavailable (503);
    - a fault (access denied, validation, missing table...) is logged as an error with an id and
      raises AwsFault (500 carrying that id).
    """

    def decorate(function: Callable[_Params, Awaitable[_Result]]) -> _Translated[_Params, _Result]:
        @functools.wraps(function)
        async def wrapper(*args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
            try:
                return await function(*args, **kwargs)
            except (BotoCoreError, ClientError) as exc:
                failure = classify_aws_error(exc)
                if failure is AwsFailure.CONDITION_FAILED:
                    raise condition_failed() from exc
                if failure is AwsFailure.OUTAGE:
                    logger.warning("aws unavailable", extra={"operation": function.__qualname__, "error": repr(exc)})
                    raise ServiceUnavailable() from exc
                error_id = uuid.uuid4().hex[:12]
                logger.error(
                    "aws fault",
                    extra={"operation": function.__qualname__, "error": repr(exc), "error_id": error_id},
                )
                raise AwsFault(error_id) from exc

        return wrapper

    return decorate(method) if method is not None else decorate
