"""The files service's routes the client uses, in memory, behind httpx.MockTransport; part PUTs
go to `http://storage` and are checked against their signed size and SHA-256 as S3 does."""

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from scloud_cli.checksum import composite

PAGE = 2  # small, so listings take several pages


@dataclass
class Node:
    id: str
    kind: str
    name: str
    parent_id: str
    data: bytes = b""
    sha256: str | None = None

    def as_json(self) -> dict[str, Any]:
        is_file = self.kind == "file"
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "parentId": self.parent_id,
            "size": len(self.data) if is_file else None,
            "sha256": self.sha256 if is_file else None,
            "modifiedAt": "2026-12-01T10:00:00+00:00",
        }


@dataclass
class PendingUpload:
    name: str
    size: int
    part_size: int
    parent_id: str
    signed: dict[int, str] = field(default_factory=dict)
    parts: dict[int, tuple[bytes, str]] = field(default_factory=dict)

    @property
    def part_count(self) -> int:
        return -(-self.size // self.part_size)


class FakeFilesService:
    def __init__(self, *, part_size: int = 4) -> None:
        self.nodes: dict[str, Node] = {}
        self.uploads: dict[str, PendingUpload] = {}
        self.part_size = part_size
        self.puts: list[int] = []
        self.fail_put_after: int | None = None
        self.served_bytes: dict[str, bytes] = {}
        self._next = 0

    def new_id(self) -> str:
        self._next += 1
        return f"01J{self._next:023d}"

    def add(self, kind: str, name: str, parent_id: str = "root", data: bytes = b"", sha256: str | None = None) -> Node:
        node = Node(self.new_id(), kind, name, parent_id, data, sha256)
        self.nodes[node.id] = node
        return node

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "storage":
            return self._storage(request)
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content and method in ("POST", "PATCH") else {}
        for pattern, route_method, handler in self._routes():
            if method == route_method and (match := re.fullmatch(pattern, path)):
                return handler(request, body, *match.groups())
        return _error(404, "route_not_found")

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/api/v1/folders/([^/]+)/children", "GET", self._children),
            (r"/api/v1/folders/([^/]+)", "GET", self._folder),
            (r"/api/v1/files/([^/]+)/download", "GET", self._download_link),
            (r"/api/v1/files/([^/]+)", "GET", self._file),
            (r"/api/v1/uploads", "POST", self._create_upload),
            (r"/api/v1/uploads/([^/]+)/parts", "POST", self._sign),
            (r"/api/v1/uploads/([^/]+)/complete", "POST", self._complete),
            (r"/api/v1/uploads/([^/]+)", "GET", self._read_upload),
        ]

    def _children(self, request: httpx.Request, _: dict, folder_id: str) -> httpx.Response:
        if folder_id != "root" and (folder_id not in self.nodes or self.nodes[folder_id].kind != "folder"):
            return _error(404, "folder_not_found")
        children = sorted((n for n in self.nodes.values() if n.parent_id == folder_id), key=lambda n: n.name)
        start = int(request.url.params.get("cursor", "0"))
        page = children[start : start + PAGE]
        more = start + PAGE < len(children)
        return httpx.Response(
            200, json={"items": [n.as_json() for n in page], "nextCursor": str(start + PAGE) if more else None}
        )

    def _folder(self, _: httpx.Request, __: dict, folder_id: str) -> httpx.Response:
        node = self.nodes.get(folder_id)
        if node is None or node.kind != "folder":
            return _error(404, "folder_not_found")
        return httpx.Response(200, json=node.as_json())

    def _file(self, _: httpx.Request, __: dict, file_id: str) -> httpx.Response:
        node = self.nodes.get(file_id)
        if node is None or node.kind != "file":
            return _error(404, "file_not_found")
        return httpx.Response(200, json=node.as_json())

    def _download_link(self, _: httpx.Request, __: dict, file_id: str) -> httpx.Response:
        return httpx.Response(200, json={"url": f"http://storage/objects/{file_id}", "expiresAt": "x"})

    def _create_upload(self, _: httpx.Request, body: dict) -> httpx.Response:
        upload_id = self.new_id()
        part_size = body.get("partSize") or self.part_size
        self.uploads[upload_id] = PendingUpload(body["name"], body["size"], part_size, body["parentId"])
        upload = self.uploads[upload_id]
        return httpx.Response(
            201,
            json={
                "id": upload_id,
                "name": body["name"],
                "partSize": part_size,
                "partCount": upload.part_count,
                "expiresAt": "2026-12-02T10:00:00Z",
                "maxPartsPerRequest": 100,
            },
        )

    def _sign(self, _: httpx.Request, body: dict, upload_id: str) -> httpx.Response:
        upload = self.uploads.get(upload_id)
        if upload is None:
            return _error(404, "upload_not_found")
        signed = []
        for part in body["parts"]:
            upload.signed[part["number"]] = part["sha256"]
            url = f"http://storage/uploads/{upload_id}/{part['number']}?size={part['size']}"
            signed.append({"number": part["number"], "url": url, "headers": {"x-amz-checksum-sha256": part["sha256"]}})
        return httpx.Response(200, json={"parts": signed})

    def _read_upload(self, _: httpx.Request, __: dict, upload_id: str) -> httpx.Response:
        upload = self.uploads.get(upload_id)
        if upload is None:
            return _error(404, "upload_not_found")
        parts = [{"number": n, "size": len(data), "etag": etag} for n, (data, etag) in sorted(upload.parts.items())]
        return httpx.Response(
            200,
            json={
                "id": upload_id,
                "name": upload.name,
                "size": upload.size,
                "partSize": upload.part_size,
                "partCount": upload.part_count,
                "parentId": upload.parent_id,
                "expiresAt": "2026-12-02T10:00:00Z",
                "parts": parts,
            },
        )

    def _complete(self, _: httpx.Request, body: dict, upload_id: str) -> httpx.Response:
        upload = self.uploads.pop(upload_id, None)
        if upload is None:
            return _error(404, "upload_not_found")
        numbers = [p["number"] for p in body["parts"]]
        if numbers != list(range(1, upload.part_count + 1)) or any(
            upload.parts[p["number"]][1] != p["etag"] for p in body["parts"]
        ):
            return _error(422, "invalid_parts")
        data = b"".join(upload.parts[n][0] for n in numbers)
        digests = [base64.b64encode(hashlib.sha256(upload.parts[n][0]).digest()).decode() for n in numbers]
        node = Node(upload_id, "file", upload.name, upload.parent_id, data, composite(digests))
        self.nodes[upload_id] = node
        return httpx.Response(201, json=node.as_json())

    def _storage(self, request: httpx.Request) -> httpx.Response:
        segments = request.url.path.strip("/").split("/")
        if request.method == "GET":
            node = self.nodes[segments[1]]
            return httpx.Response(200, content=self.served_bytes.get(node.id, node.data))
        _, upload_id, number = segments
        if self.fail_put_after is not None and len(self.puts) >= self.fail_put_after:
            raise httpx.ConnectError("the network went away", request=request)
        upload = self.uploads[upload_id]
        digest = base64.b64encode(hashlib.sha256(request.content).digest()).decode()
        if digest != upload.signed[int(number)] or str(len(request.content)) != request.url.params["size"]:
            return httpx.Response(400, text="BadDigest")
        etag = f'"{hashlib.md5(request.content).hexdigest()}"'
        upload.parts[int(number)] = (request.content, etag)
        self.puts.append(int(number))
        return httpx.Response(200, headers={"etag": etag})


def _error(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": code.replace("_", " ")}})
