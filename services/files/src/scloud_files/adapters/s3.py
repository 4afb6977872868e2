"""BlobStore on S3. Uploads stream: a file that fits in one part is a single PutObject; a larger
one is a multipart upload that sends part N while part N+1 is being received, so at most about
two parts are held in memory whatever the file size."""

import asyncio
import functools
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from concurrent.futures import Executor
from datetime import UTC
from typing import TYPE_CHECKING, Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_common.errors import ServiceUnavailable
from scloud_files.domain import StoredObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CopySourceTypeDef

logger = logging.getLogger(__name__)

SERVER_SIDE_ENCRYPTION = "AES256"
DELETE_BATCH_SIZE = 1000
READ_CHUNK_BYTES = 1024 * 1024
GIB = 1024 * 1024 * 1024
# S3 copies an object of at most 5 GiB in one CopyObject; a larger one part by part (UploadPartCopy).
SINGLE_COPY_MAX_BYTES = 5 * GIB
COPY_PART_BYTES = 256 * 1024 * 1024


class S3BlobStore:
    def __init__(
        self,
        client: "S3Client",
        bucket: str,
        *,
        part_bytes: int,
        presign_client: "S3Client | None" = None,
        single_copy_max_bytes: int = SINGLE_COPY_MAX_BYTES,
        copy_part_bytes: int = COPY_PART_BYTES,
    ) -> None:
        """`presign_client` is built on the public endpoint the browser reaches; it only signs.
        Objects over `single_copy_max_bytes` are copied in parts of `copy_part_bytes`."""
        self._single_copy_max_bytes = single_copy_max_bytes
        self._copy_part_bytes = copy_part_bytes
        self._presign_client = presign_client or client
        self._bucket = bucket
        self._part_bytes = part_bytes
        self._client = client
        self._call = AwsCall(client, Bucket=bucket)

    @translate_aws_errors
    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> None:
        iterator = aiter(chunks)
        first = bytearray()
        async for chunk in iterator:
            first += chunk
            if len(first) >= self._part_bytes:
                break
        else:
            await self._call(
                "put_object",
                Key=key,
                Body=bytes(first),
                ContentType=content_type,
                ServerSideEncryption=SERVER_SIDE_ENCRYPTION,
            )
            return
        await self._put_in_parts(key, first, iterator, content_type=content_type)

    async def _put_in_parts(
        self, key: str, buffer: bytearray, rest: AsyncIterator[bytes], *, content_type: str
    ) -> None:
        created = await self._call(
            "create_multipart_upload", Key=key, ContentType=content_type, ServerSideEncryption=SERVER_SIDE_ENCRYPTION
        )
        upload_id = created["UploadId"]
        parts: list[dict[str, Any]] = []
        sending: asyncio.Task[dict[str, Any]] | None = None

        async def send(number: int, body: bytes) -> dict[str, Any]:
            response = await self._call("upload_part", Key=key, UploadId=upload_id, PartNumber=number, Body=body)
            return {"ETag": response["ETag"], "PartNumber": number}

        async def start_part(body: bytes) -> None:
            nonlocal sending
            if sending is not None:
                parts.append(await sending)
            sending = asyncio.create_task(send(len(parts) + 1, body))

        async def ship_full_parts() -> None:
            while len(buffer) >= self._part_bytes:
                with memoryview(buffer) as view:
                    body = bytes(view[: self._part_bytes])
                del buffer[: self._part_bytes]
                await start_part(body)

        try:
            await ship_full_parts()
            async for chunk in rest:
                buffer += chunk
                await ship_full_parts()
            if buffer:
                await start_part(bytes(buffer))
                buffer.clear()
            assert sending is not None
            parts.append(await sending)
            sending = None
            await self._call("complete_multipart_upload", Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
        except BaseException:
            if sending is not None:
                # Let the part in flight finish first, or it could land after the abort.
                await asyncio.wait([sending])
                if not sending.cancelled():
                    sending.exception()
            await asyncio.shield(self._abort(key, upload_id))
            raise

    async def _abort(self, key: str, upload_id: str) -> None:
        try:
            await self._call("abort_multipart_upload", Key=key, UploadId=upload_id)
        except (BotoCoreError, ClientError) as exc:
            # The bucket's lifecycle rule for incomplete uploads clears it later.
            logger.error("could not abort multipart upload", extra={"object_key": key, "error": repr(exc)})

    def read_blocking(self, key: str) -> Iterator[bytes]:
        """Reads the object's body a chunk at a time in the calling thread, for work that has a
        thread of its own (an archive): no hop to another thread per chunk. Each wait for bytes
        is bounded by the client's read timeout."""
        try:
            body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
            try:
                yield from body.iter_chunks(READ_CHUNK_BYTES)
            finally:
                body.close()
        except (BotoCoreError, ClientError) as exc:
            logger.warning("object read failed", extra={"object_key": key, "error": repr(exc)})
            raise ServiceUnavailable() from exc

    @translate_aws_errors
    async def copy(self, source_key: str, target_key: str, *, size: int | None = None) -> None:
        source: CopySourceTypeDef = {"Bucket": self._bucket, "Key": source_key}
        if size is None or size > self._single_copy_max_bytes:
            head = await self._call("head_object", Key=source_key)
            size = int(head["ContentLength"])
        if size <= self._single_copy_max_bytes:
            await self._call(
                "copy_object", Key=target_key, CopySource=source, ServerSideEncryption=SERVER_SIDE_ENCRYPTION
            )
            return
        # boto3's managed copy: a multipart upload whose parts are UploadPartCopy requests, each
        # copied inside S3; the type is given again, as a new multipart upload does not copy it.
        config = TransferConfig(
            multipart_threshold=self._single_copy_max_bytes, multipart_chunksize=self._copy_part_bytes
        )
        extra = {"ContentType": head["ContentType"], "ServerSideEncryption": SERVER_SIDE_ENCRYPTION}
        await self._call.run(
            functools.partial(self._client.copy, source, self._bucket, target_key, ExtraArgs=extra, Config=config)
        )

    @translate_aws_errors
    async def delete(self, key: str) -> None:
        await self._call("delete_object", Key=key)

    @translate_aws_errors
    async def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        token: str | None = None
        while True:
            listing = await self._call(
                "list_objects_v2",
                Prefix=prefix,
                MaxKeys=DELETE_BATCH_SIZE,
                **({"ContinuationToken": token} if token else {}),
            )
            keys = [{"Key": item["Key"]} for item in listing.get("Contents", [])]
            if keys:
                response = await self._call("delete_objects", Delete={"Objects": keys, "Quiet": True})
                if response.get("Errors"):
                    logger.error("objects not deleted", extra={"prefix": prefix, "errors": response["Errors"][:5]})
                    raise ServiceUnavailable()
                deleted += len(keys)
            token = listing.get("NextContinuationToken")
            if not listing.get("IsTruncated") or not token:
                return deleted

    @translate_aws_errors
    async def list_objects(self, prefix: str, *, after: str | None, limit: int) -> list[StoredObject]:
        listing = await self._call(
            "list_objects_v2", Prefix=prefix, MaxKeys=limit, **({"StartAfter": after} if after else {})
        )
        return [
            StoredObject(item["Key"], item["LastModified"].astimezone(UTC).isoformat(timespec="seconds"))
            for item in listing.get("Contents", [])
        ]

    @translate_aws_errors
    async def exists(self, key: str) -> bool:
        try:
            await self._call("head_object", Key=key)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return False
            raise
        return True

    def presign_download(self, key: str, *, content_disposition: str, content_type: str, ttl_seconds: int) -> str:
        return self._presign_client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": content_disposition,
                "ResponseContentType": content_type,
            },
            ExpiresIn=ttl_seconds,
        )

    @translate_aws_errors
    async def check_ready(self) -> None:
        await self._call("head_bucket")

    @property
    def executor(self) -> Executor:
        """The pool its calls run on, for the health watchdog."""
        return self._call.executor
