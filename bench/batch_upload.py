"""A Python client of the batch protocol for small files, following the API a browser would use:
`POST /api/v1/uploads/batches` declares up to `batch_size` files (name, size, type, SHA-256), each
file's bytes go straight to S3 with a PUT to its presigned URL and exactly the headers answered,
then `POST /api/v1/uploads/batches/{id}/complete` names the files sent and records them. The next
batch is declared while the PUTs of the previous ones are in flight (at most `batches_in_flight`
batches open at once, as the web app keeps), and each batch is completed as soon as its own PUTs
are done, so the PUTs keep `parallel` connections busy throughout.
Used by bench/small_files.py."""

import base64
import hashlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import httpx

REQUEST_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class BatchEntry:
    name: str
    body: bytes
    content_type: str
    modified_at: str


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class BatchUploadClient:
    def __init__(
        self,
        api: httpx.Client,
        *,
        headers: dict[str, str],
        parallel: int,
        batch_size: int,
        batches_in_flight: int = 1000,
    ) -> None:
        """`api` reaches the files API (the gateway); the PUTs use a pool of their own."""
        self._api = api
        self._headers = headers
        limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel)
        self._s3 = httpx.Client(limits=limits, timeout=REQUEST_TIMEOUT_SECONDS)
        self._pool = ThreadPoolExecutor(parallel)
        self._batch_size = batch_size
        self._batches_in_flight = batches_in_flight

    def upload(self, entries: Sequence[BatchEntry]) -> list[dict]:
        """Uploads every entry; the recorded items, in order. Fails on any file not recorded."""
        in_flight: list[tuple[str, list[str], list[Future[None]]]] = []
        items: list[dict] = []
        for start in range(0, len(entries), self._batch_size):
            if len(in_flight) >= self._batches_in_flight:
                items += self._complete(*in_flight.pop(0))
            chunk = entries[start : start + self._batch_size]
            batch = self._create(chunk)
            puts = [
                self._pool.submit(self._put, signed, entry.body)
                for signed, entry in zip(batch["files"], chunk, strict=True)
            ]
            in_flight.append((batch["id"], [signed["id"] for signed in batch["files"]], puts))
        for batch_id, file_ids, puts in in_flight:
            items += self._complete(batch_id, file_ids, puts)
        return items

    def _complete(self, batch_id: str, file_ids: list[str], puts: list[Future[None]]) -> list[dict]:
        for put in puts:
            put.result()
        completed = self._api.post(
            f"/api/v1/uploads/batches/{batch_id}/complete", json={"sent": file_ids}, headers=self._headers
        )
        assert completed.status_code == 200, completed.text
        outcomes = completed.json()["files"]
        assert all(outcome["state"] == "recorded" for outcome in outcomes), outcomes
        return [outcome["item"] for outcome in outcomes]

    def _create(self, chunk: Sequence[BatchEntry]) -> dict:
        declared = [
            {
                "name": entry.name,
                "size": len(entry.body),
                "type": entry.content_type,
                "sha256": sha256_b64(entry.body),
                "modifiedAt": entry.modified_at,
            }
            for entry in chunk
        ]
        created = self._api.post("/api/v1/uploads/batches", json={"files": declared}, headers=self._headers)
        assert created.status_code == 201, created.text
        return created.json()

    def _put(self, signed: dict, body: bytes) -> None:
        response = self._s3.put(signed["url"], content=body, headers=signed["headers"])
        assert response.status_code == 200, response.text

    def close(self) -> None:
        self._pool.shutdown()
        self._s3.close()
