"""A thin typed client of SCloud's HTTP API (frontend/openapi/files.json): one method per route
the command line uses, each answering a small dataclass. Bytes go to the presigned S3 URLs the
API hands out, through a separate connection pool that never carries the token."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from scloud_cli.errors import ScloudError, error_from_response

ROOT_ID = "root"
DEFAULT_URL = "http://localhost:8080"
REQUEST_TIMEOUT_SECONDS = 60.0
# 429 `too_many_uploads` and 503 `busy` say when to come back; a few tries, each wait bounded.
RETRY_STATUSES = (429, 503)
MAX_ATTEMPTS = 4
MAX_RETRY_WAIT_SECONDS = 10.0
PAGE_LIMIT = 200


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    name: str
    parent_id: str | None
    size: int | None
    sha256: str | None
    modified_at: str
    # The part size a composite `sha256` was computed over; None when the service does not know it.
    checksum_part_size: int | None = None

    @property
    def is_folder(self) -> bool:
        return self.kind == "folder"

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> "Item":
        return cls(
            id=body["id"],
            kind=body["kind"],
            name=body["name"],
            parent_id=body.get("parentId"),
            size=body.get("size"),
            sha256=body.get("sha256"),
            modified_at=body.get("modifiedAt", ""),
            checksum_part_size=body.get("checksumPartSize"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "parentId": self.parent_id,
            "size": self.size,
            "sha256": self.sha256,
            "checksumPartSize": self.checksum_part_size,
            "modifiedAt": self.modified_at,
        }


ROOT = Item(id=ROOT_ID, kind="folder", name="", parent_id=None, size=None, sha256=None, modified_at="")


@dataclass(frozen=True)
class Upload:
    """A direct upload in progress: `part_count` parts of `part_size`, the last one smaller."""

    id: str
    name: str
    size: int
    part_size: int
    part_count: int
    max_parts_per_request: int

    def part_bytes(self, number: int) -> int:
        return self.part_size if number < self.part_count else self.size - (self.part_count - 1) * self.part_size


@dataclass(frozen=True)
class PartToSign:
    number: int
    size: int
    sha256: str


@dataclass(frozen=True)
class SignedPart:
    number: int
    url: str
    headers: dict[str, str]


@dataclass(frozen=True)
class StoredPart:
    number: int
    size: int
    etag: str


@dataclass(frozen=True)
class CompletedPart:
    number: int
    etag: str
    sha256: str


@dataclass(frozen=True)
class ShareLink:
    id: str
    item_id: str
    url: str
    expires_at: str


class Client:
    """One user's session with the API at `base_url`, authenticated by a bearer token (a personal
    access token or an access token)."""

    def __init__(
        self, base_url: str, token: str | None, *, transport: httpx.BaseTransport | None = None, parallel: int = 4
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        self._api = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS, transport=transport
        )
        limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel)
        self._storage = httpx.Client(timeout=REQUEST_TIMEOUT_SECONDS, limits=limits, transport=transport)

    def close(self) -> None:
        self._api.close()
        self._storage.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response = self._api.request(method, path, **kwargs)
            if response.status_code not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                break
            time.sleep(_retry_after(response))
        if response.is_error:
            raise error_from_response(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    # Items

    def limits(self) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", "/api/v1/files/limits")
        return result

    def get_file(self, file_id: str) -> Item:
        return Item.from_json(self._json("GET", f"/api/v1/files/{file_id}"))

    def get_folder(self, folder_id: str) -> Item:
        return Item.from_json(self._json("GET", f"/api/v1/folders/{folder_id}"))

    def list_children(self, folder_id: str) -> Iterator[Item]:
        """Every item of the folder, folders first, a page at a time."""
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE_LIMIT}
            if cursor:
                params["cursor"] = cursor
            page = self._json("GET", f"/api/v1/folders/{folder_id}/children", params=params)
            yield from (Item.from_json(item) for item in page["items"])
            cursor = page.get("nextCursor")
            if not cursor:
                return

    def create_folder(self, name: str, parent_id: str, *, on_conflict: str = "fail") -> Item:
        body = {"name": name, "parentId": parent_id, "onConflict": on_conflict}
        return Item.from_json(self._json("POST", "/api/v1/folders", json=body))

    def update_item(self, item: Item, *, name: str | None = None, parent_id: str | None = None) -> Item:
        """Renames and/or moves a file or a folder; only what is given changes."""
        body: dict[str, str] = {}
        if name is not None:
            body["name"] = name
        if parent_id is not None:
            body["parentId"] = parent_id
        return Item.from_json(self._json("PATCH", f"{_collection(item)}/{item.id}", json=body))

    def trash(self, item: Item) -> None:
        self._request("DELETE", f"{_collection(item)}/{item.id}")

    def download_url(self, file_id: str) -> str:
        url: str = self._json("GET", f"/api/v1/files/{file_id}/download")["url"]
        return url

    def create_share(
        self,
        item_id: str,
        *,
        expires_at: str | None = None,
        password: str | None = None,
        download_limit: int | None = None,
    ) -> ShareLink:
        body: dict[str, Any] = {"itemId": item_id}
        if expires_at:
            body["expiresAt"] = expires_at
        if password:
            body["password"] = password
        if download_limit:
            body["downloadLimit"] = download_limit
        created = self._json("POST", "/api/v1/files/links", json=body)
        url = created["url"]
        return ShareLink(
            id=created["id"],
            item_id=created["itemId"],
            url=url if url.startswith("http") else f"{self.base_url}{url}",
            expires_at=created["expiresAt"],
        )

    def upload_small(self, name: str, content: bytes, parent_id: str, *, on_conflict: str) -> Item:
        """One request for what the direct protocol does not take (an empty file)."""
        response = self._request(
            "POST",
            "/api/v1/files/upload",
            params={"parentId": parent_id, "onConflict": on_conflict},
            files={"file": (name, content, "application/octet-stream")},
        )
        return Item.from_json(response.json())

    # Direct uploads

    def create_upload(
        self, name: str, size: int, parent_id: str, *, on_conflict: str, part_size: int | None = None
    ) -> Upload:
        body: dict[str, Any] = {"name": name, "size": size, "parentId": parent_id, "onConflict": on_conflict}
        if part_size:
            body["partSize"] = part_size
        created = self._json("POST", "/api/v1/uploads", json=body)
        return Upload(
            id=created["id"],
            name=created["name"],
            size=size,
            part_size=created["partSize"],
            part_count=created["partCount"],
            max_parts_per_request=created["maxPartsPerRequest"],
        )

    def read_upload(self, upload_id: str) -> tuple[Upload, list[StoredPart]]:
        """The upload and the parts S3 holds already."""
        body = self._json("GET", f"/api/v1/uploads/{upload_id}")
        upload = Upload(
            id=body["id"],
            name=body["name"],
            size=body["size"],
            part_size=body["partSize"],
            part_count=body["partCount"],
            max_parts_per_request=1,
        )
        return upload, [StoredPart(p["number"], p["size"], p["etag"]) for p in body["parts"]]

    def sign_parts(self, upload_id: str, parts: list[PartToSign]) -> list[SignedPart]:
        body = {"parts": [{"number": p.number, "size": p.size, "sha256": p.sha256} for p in parts]}
        signed = self._json("POST", f"/api/v1/uploads/{upload_id}/parts", json=body)
        return [SignedPart(p["number"], p["url"], p["headers"]) for p in signed["parts"]]

    def put_part(self, part: SignedPart, body: bytes) -> str:
        """Sends a part's bytes to S3 with exactly the signed headers; answers S3's ETag."""
        headers = {**part.headers, "Content-Length": str(len(body))}
        response = self._storage.put(part.url, content=body, headers=headers)
        if response.is_error:
            raise ScloudError(f"storage refused part {part.number}: {response.status_code}", code="part_refused")
        return response.headers["etag"]

    def complete_upload(self, upload_id: str, parts: list[CompletedPart]) -> Item:
        body = {"parts": [{"number": p.number, "etag": p.etag, "sha256": p.sha256} for p in parts]}
        return Item.from_json(self._json("POST", f"/api/v1/uploads/{upload_id}/complete", json=body))

    def abort_upload(self, upload_id: str) -> None:
        self._request("DELETE", f"/api/v1/uploads/{upload_id}")

    def stream_download(self, url: str) -> Iterator[bytes]:
        """The bytes behind a download link, as they arrive."""
        with self._storage.stream("GET", url) as response:
            if response.is_error:
                raise ScloudError(f"storage answered {response.status_code} to the download", code="download_failed")
            yield from response.iter_bytes()


def _collection(item: Item) -> str:
    return "/api/v1/folders" if item.is_folder else "/api/v1/files"


def _retry_after(response: httpx.Response) -> float:
    try:
        seconds = float(response.headers.get("retry-after", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.1), MAX_RETRY_WAIT_SECONDS)
