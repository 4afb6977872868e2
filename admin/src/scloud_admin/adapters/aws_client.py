"""boto3 clients for one end of a move. Each end has its own endpoints and identity, so neither
may pick up the other's from this process's environment: endpoints are resolved from the end's
own variables (Side.endpoint) and the environment's endpoint variables are ignored."""

import socket
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal, overload

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionError as EndpointUnanswered

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

CONNECT_TIMEOUT_SECONDS = 5.0
# Bounds each wait for bytes on the socket of a large object's transfer, not the transfer.
READ_TIMEOUT_SECONDS = 60.0
# How long a command waits for an end's endpoint to answer at all. One that is starting (SeaweedFS
# that restore.sh has just restarted) or whose name a container network's DNS has not settled
# yet answers within seconds; a wrong address never does, and is then reported rather than
# retried for ever.
REACH_SECONDS = 60.0
REACH_RETRY_SECONDS = 2.0


def _session(environ: Mapping[str, str]) -> boto3.session.Session:
    """The end's identity: its own keys or profile when its variables name them, otherwise
    boto3's usual chain (environment, ~/.aws, an instance role)."""
    return boto3.session.Session(
        aws_access_key_id=environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=environ.get("AWS_SESSION_TOKEN"),
        profile_name=environ.get("AWS_PROFILE"),
    )


@overload
def end_client(
    environ: Mapping[str, str], service: Literal["s3"], *, region: str, endpoint_url: str | None
) -> "S3Client": ...


@overload
def end_client(
    environ: Mapping[str, str], service: Literal["dynamodb"], *, region: str, endpoint_url: str | None
) -> "DynamoDBClient": ...


def end_client(
    environ: Mapping[str, str], service: Literal["s3", "dynamodb"], *, region: str, endpoint_url: str | None
) -> "S3Client | DynamoDBClient":
    config = Config(
        region_name=region,
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        signature_version="s3v4" if service == "s3" else None,
        s3={"addressing_style": "path"} if service == "s3" and endpoint_url else None,
        # botocore has had it since 1.31; botocore-stubs does not know it yet.
        ignore_configured_endpoint_urls=True,  # type: ignore[call-arg]
    )
    return _session(environ).client(service, endpoint_url=endpoint_url, config=config)


class StoreUnavailable(Exception):
    """A store an end names cannot be used: missing, or not answering."""


class StoreMissing(StoreUnavailable):
    """A table or bucket an end names does not exist."""


class StoreUnreachable(StoreUnavailable):
    """An end's endpoint did not answer within REACH_SECONDS."""


def _once_reached(
    ask: Callable[[], object],
    endpoint: str,
    *,
    within: float | None,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    """`ask()`, tried again while the endpoint cannot be connected to, until `within` seconds
    (REACH_SECONDS unless given) are up. botocore's own retries (standard mode, a few attempts)
    cover a blip, not a store that takes a little while to start."""
    within = REACH_SECONDS if within is None else within
    deadline = clock() + within
    while True:
        try:
            ask()
            return
        except EndpointUnanswered as exc:
            if clock() >= deadline:
                why = _why_unanswered(exc)
                raise StoreUnreachable(
                    f"{endpoint} did not answer within {within:.0f} s: {exc}" + (f" ({why})" if why else "")
                ) from None
            sleep(REACH_RETRY_SECONDS)


def _why_unanswered(exc: EndpointUnanswered) -> str:
    """What the connection met underneath, in words. The operator's next step differs: a name that
    does not resolve points at the network's DNS, a refused connection at the store not running."""
    underneath: BaseException | None = exc.kwargs.get("error")  # urllib3's error, kept by botocore
    innermost = None
    for _ in range(10):  # a chain is a few links long; the bound only guards against a cycle
        if underneath is None:
            break
        innermost, underneath = underneath, underneath.__cause__ or underneath.__context__
    if isinstance(innermost, socket.gaierror):
        return f"its name did not resolve: {innermost.strerror}"
    if isinstance(innermost, OSError) and innermost.strerror:
        return innermost.strerror.lower()
    return str(innermost or "")


def require_table(
    client: "DynamoDBClient",
    table_name: str,
    *,
    within: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """StoreMissing if the table does not exist; StoreUnreachable if DynamoDB does not answer."""
    try:
        _once_reached(
            lambda: client.describe_table(TableName=table_name),
            f"DynamoDB at {client.meta.endpoint_url}",
            within=within,
            clock=clock,
            sleep=sleep,
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            raise StoreMissing(f"the DynamoDB table {table_name} does not exist") from None
        raise


def require_bucket(
    client: "S3Client",
    bucket: str,
    *,
    within: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """StoreMissing if the bucket does not exist; StoreUnreachable if S3 does not answer."""
    try:
        _once_reached(
            lambda: client.head_bucket(Bucket=bucket),
            f"S3 at {client.meta.endpoint_url}",
            within=within,
            clock=clock,
            sleep=sleep,
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
            raise StoreMissing(f"the bucket {bucket} does not exist") from None
        raise
