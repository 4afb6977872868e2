"""MultipartStore on S3: the multipart uploads whose parts the browser PUTs straight to S3 over
presigned URLs. Each part URL signs the part's Content-Length and x-amz-checksum-sha256, so S3
refuses another size (a signature mismatch) or other bytes (BadDigest); the upload is created
with SHA-256 checksums, so S3 keeps each part's digest and reports the object's composite
checksum (HeadObject with ChecksumMode=ENABLED)."""

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from scloud_common.aws import AwsCall, translate_aws_errors
from scloud_files.adapters.s3 import SERVER_SIDE_ENCRYPTION
from scloud_files.domain import CompletedPart, ObjectHead, StoredPart, UploadMismatch, UploadNotFound

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHECKSUM_HEADER = "x-amz-checksum-sha256"
# What S3 answers a completion whose parts are not the ones stored, or too small.
_MISMATCH_CODES = frozenset({"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "BadDigest", "InvalidRequest"})
LIST_PARTS_PAGE = 1000


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3MultipartStore:
    def __init__(self, client: "S3Client", bucket: str, *, presign_client: "S3Client | None" = None) -> None:
        """`presign_client` is built on the public endpoint the browser reaches; it only signs."""
        self._presign_client = presign_client or client
        self._bucket = bucket
        self._call = AwsCall(client, Bucket=bucket)

    @translate_aws_errors
    async def create_multipart(self, key: str, *, content_type: str) -> str:
        created = await self._call(
            "create_multipart_upload",
            Key=key,
            ContentType=content_type,
            ChecksumAlgorithm="SHA256",
            ServerSideEncryption=SERVER_SIDE_ENCRYPTION,
        )
        return str(created["UploadId"])

    def presign_part(
        self, key: str, upload_id: str, *, number: int, size: int, sha256: str, ttl_seconds: int
    ) -> tuple[str, dict[str, str]]:
        url = self._presign_client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "UploadId": upload_id,
                "PartNumber": number,
                "ContentLength": size,
                "ChecksumSHA256": sha256,
            },
            ExpiresIn=ttl_seconds,
        )
        return url, {CHECKSUM_HEADER: sha256}

    @translate_aws_errors
    async def list_parts(self, key: str, upload_id: str) -> list[StoredPart] | None:
        parts: list[StoredPart] = []
        marker = 0
        while True:
            try:
                page = await self._call(
                    "list_parts", Key=key, UploadId=upload_id, MaxParts=LIST_PARTS_PAGE, PartNumberMarker=marker
                )
            except ClientError as exc:
                if _error_code(exc) == "NoSuchUpload":
                    return None
                raise
            parts += [StoredPart(part["PartNumber"], part["Size"], part["ETag"]) for part in page.get("Parts", [])]
            if not page.get("IsTruncated"):
                return parts
            marker = int(page["NextPartNumberMarker"])

    @translate_aws_errors
    async def complete_multipart(self, key: str, upload_id: str, parts: list[CompletedPart]) -> None:
        try:
            await self._call(
                "complete_multipart_upload",
                Key=key,
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": part.number, "ETag": part.etag, "ChecksumSHA256": part.sha256} for part in parts
                    ]
                },
            )
        except ClientError as exc:
            code = _error_code(exc)
            if code == "NoSuchUpload":
                raise UploadNotFound() from exc
            if code in _MISMATCH_CODES:
                raise UploadMismatch() from exc
            raise

    @translate_aws_errors
    async def head(self, key: str) -> ObjectHead | None:
        try:
            head = await self._call("head_object", Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise
        return ObjectHead(int(head["ContentLength"]), head.get("ChecksumSHA256"))

    def presign_put(
        self, key: str, *, size: int, content_type: str, sha256: str, ttl_seconds: int
    ) -> tuple[str, dict[str, str]]:
        url = self._presign_client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ContentLength": size,
                "ContentType": content_type,
                "ChecksumSHA256": sha256,
                "ServerSideEncryption": SERVER_SIDE_ENCRYPTION,
            },
            ExpiresIn=ttl_seconds,
        )
        return url, {
            "Content-Type": content_type,
            CHECKSUM_HEADER: sha256,
            "x-amz-server-side-encryption": SERVER_SIDE_ENCRYPTION,
        }

    @translate_aws_errors
    async def list_sizes(self, prefix: str, *, limit: int) -> dict[str, int]:
        listing = await self._call("list_objects_v2", Prefix=prefix, MaxKeys=limit)
        return {item["Key"]: int(item["Size"]) for item in listing.get("Contents", [])}

    @translate_aws_errors
    async def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            await self._call("abort_multipart_upload", Key=key, UploadId=upload_id)
        except ClientError as exc:
            if _error_code(exc) != "NoSuchUpload":
                raise

    @translate_aws_errors
    async def delete(self, key: str) -> None:
        await self._call("delete_object", Key=key)
