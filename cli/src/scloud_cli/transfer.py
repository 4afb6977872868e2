"""Moving bytes: uploads through the direct protocol with parts in parallel and a resume state
on disk, downloads verified against the stored checksum.

Resume: before any part is sent, the upload's id and layout are written to a state file named
after the local file (its real path, size and modification time) and its destination. Each part
S3 accepts is added with its ETag and SHA-256. A later run for the same file and destination
asks the API which parts S3 holds (`GET /api/v1/uploads/{id}`) and sends only the others; a part S3
holds that the state missed (stopped between the PUT and the write) gets its digest from the
unchanged local file. An upload the API no longer knows (expired, aborted) starts over."""

import hashlib
import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scloud_cli.checksum import composite, file_matches, sha256_b64
from scloud_cli.client import Client, CompletedPart, Item, PartToSign, Upload
from scloud_cli.errors import ChecksumMismatch, NotFoundError, ScloudError

ProgressCallback = Callable[[int], None]


def _ignore_progress(_: int) -> None:
    pass


@dataclass
class UploadState:
    upload_id: str
    size: int
    part_size: int
    part_count: int
    parts: dict[int, CompletedPart] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "uploadId": self.upload_id,
            "size": self.size,
            "partSize": self.part_size,
            "partCount": self.part_count,
            "parts": {str(n): {"etag": p.etag, "sha256": p.sha256} for n, p in sorted(self.parts.items())},
        }

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> "UploadState":
        return cls(
            upload_id=body["uploadId"],
            size=body["size"],
            part_size=body["partSize"],
            part_count=body["partCount"],
            parts={int(n): CompletedPart(int(n), p["etag"], p["sha256"]) for n, p in body["parts"].items()},
        )


class ResumeStore:
    """Upload states, one JSON file each, written whole (temporary file, then rename)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key_of(base_url: str, path: Path, parent_id: str, name: str) -> str:
        stat = path.stat()
        identity = [base_url, str(path.resolve()), stat.st_size, stat.st_mtime_ns, parent_id, name]
        return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> UploadState | None:
        try:
            return UploadState.from_json(json.loads(self._path(key).read_text()))
        except (OSError, ValueError, KeyError):
            return None

    def save(self, key: str, state: UploadState) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self._path(key).with_suffix(".tmp")
        temporary.write_text(json.dumps(state.as_json()))
        os.replace(temporary, self._path(key))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class Uploader:
    def __init__(self, client: Client, store: ResumeStore, *, parallel: int = 4, part_size: int | None = None) -> None:
        self.client = client
        self.store = store
        self.parallel = max(1, parallel)
        self.part_size = part_size

    def upload(
        self,
        path: Path,
        parent_id: str,
        *,
        name: str | None = None,
        on_conflict: str = "fail",
        on_bytes: ProgressCallback = _ignore_progress,
    ) -> Item:
        name = name or path.name
        size = path.stat().st_size
        if size == 0:
            return self.client.upload_small(name, b"", parent_id, on_conflict=on_conflict)
        key = ResumeStore.key_of(self.client.base_url, path, parent_id, name)
        state = self._resume(key, path)
        if state is None:
            upload = self.client.create_upload(name, size, parent_id, on_conflict=on_conflict, part_size=self.part_size)
            state = UploadState(upload.id, size, upload.part_size, upload.part_count)
            self.store.save(key, state)
        on_bytes(sum(self._layout(state).part_bytes(n) for n in state.parts))
        self._send_parts(key, path, state, on_bytes)
        parts = [state.parts[n] for n in range(1, state.part_count + 1)]
        try:
            item = self.client.complete_upload(state.upload_id, parts)
        except ScloudError as error:
            if error.code in ("upload_mismatch", "upload_not_found", "quota_exceeded", "name_taken"):
                self.store.delete(key)
            raise
        self.store.delete(key)
        expected = composite(part.sha256 for part in parts)
        if item.sha256 != expected or item.size != size:
            raise ChecksumMismatch(f"the service recorded {item.sha256} for {name}, the parts sent make {expected}")
        return item

    @staticmethod
    def _layout(state: UploadState) -> Upload:
        return Upload(state.upload_id, "", state.size, state.part_size, state.part_count, 1)

    def _resume(self, key: str, path: Path) -> UploadState | None:
        """The saved state, its parts reconciled with what S3 holds; None to start over."""
        state = self.store.load(key)
        if state is None:
            return None
        try:
            _, stored = self.client.read_upload(state.upload_id)
        except NotFoundError:
            self.store.delete(key)
            return None
        layout = self._layout(state)
        parts: dict[int, CompletedPart] = {}
        for part in stored:
            if part.size != layout.part_bytes(part.number):
                continue
            known = state.parts.get(part.number)
            if known is not None and known.etag == part.etag:
                parts[part.number] = known
            else:
                digest = sha256_b64(_read_part(path, layout, part.number))
                parts[part.number] = CompletedPart(part.number, part.etag, digest)
        state.parts = parts
        self.store.save(key, state)
        return state

    def _send_parts(self, key: str, path: Path, state: UploadState, on_bytes: ProgressCallback) -> None:
        layout = self._layout(state)
        lock = threading.Lock()

        def send(number: int) -> None:
            body = _read_part(path, layout, number)
            digest = sha256_b64(body)
            (signed,) = self.client.sign_parts(state.upload_id, [PartToSign(number, len(body), digest)])
            etag = self.client.put_part(signed, body)
            with lock:
                state.parts[number] = CompletedPart(number, etag, digest)
                self.store.save(key, state)
            on_bytes(len(body))

        missing = [n for n in range(1, state.part_count + 1) if n not in state.parts]
        if not missing:
            return
        pool = ThreadPoolExecutor(min(self.parallel, len(missing)))
        try:
            futures = [pool.submit(send, number) for number in missing]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                future.result()
        finally:
            # On a failure or Ctrl-C no new part starts; those in flight finish and are recorded.
            pool.shutdown(wait=True, cancel_futures=True)


def _read_part(path: Path, layout: Upload, number: int) -> bytes:
    with open(path, "rb") as source:
        source.seek((number - 1) * layout.part_size)
        return source.read(layout.part_bytes(number))


@dataclass(frozen=True)
class Downloaded:
    item: Item
    path: Path
    verified: bool


def download(
    client: Client, item: Item, destination: Path, *, on_bytes: ProgressCallback = _ignore_progress
) -> Downloaded:
    """The file's bytes into `destination`, put in place only once they match the stored
    checksum (or, for a file stored without one, its size)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.scloud-download")
    try:
        with open(temporary, "wb") as out:
            for block in client.stream_download(client.download_url(item.id)):
                out.write(block)
                on_bytes(len(block))
        received = temporary.stat().st_size
        if item.size is not None and received != item.size:
            raise ChecksumMismatch(f"{item.name}: received {received} bytes, the file has {item.size}")
        if item.sha256 is not None and not file_matches(temporary, item.sha256, part_size=item.checksum_part_size):
            raise ChecksumMismatch(f"{item.name}: the bytes received do not match the stored checksum {item.sha256}")
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)
    return Downloaded(item, destination, verified=item.sha256 is not None)
