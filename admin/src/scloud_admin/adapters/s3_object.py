"""The bytes store of one end (SeaweedFS, S3 or any S3 endpoint) as the move reads and writes it:
listed a page at a time in key order, read and written as streams (multipart for large objects,
a few parts in memory at most)."""

from typing import TYPE_CHECKING, BinaryIO, cast

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from scloud_admin.ports import ObjectHead

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MIB = 1024 * 1024
# At most max_concurrency parts of part_bytes each are held in memory by one upload.
TRANSFER = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=2)


class S3ObjectStore:
    def __init__(self, client: "S3Client", bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def list_page(self, *, after: str | None, limit: int) -> list[ObjectHead]:
        response = self._client.list_objects_v2(Bucket=self._bucket, MaxKeys=limit, StartAfter=after or "")
        return [ObjectHead(entry["Key"], entry["Size"], "") for entry in response.get("Contents", [])]

    def head(self, key: str) -> ObjectHead | None:
        try:
            response = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectHead(key, response["ContentLength"], response.get("ContentType", ""))

    def open(self, key: str) -> BinaryIO:
        return cast(BinaryIO, self._client.get_object(Bucket=self._bucket, Key=key)["Body"])

    def upload(self, key: str, stream: BinaryIO, *, content_type: str) -> None:
        self._client.upload_fileobj(stream, self._bucket, key, ExtraArgs={"ContentType": content_type}, Config=TRANSFER)

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)
