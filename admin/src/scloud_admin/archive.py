"""The backup archive: one uncompressed tar (the objects are mostly compressed already) holding
`metadata/<service>.sqlite3` for auth, users and files, then `objects/<key>` for every object,
then `manifest.json`: the format's version, when it was made, each database's schema version,
the counts, and every member's size and SHA-256 (an object's content type too).

The manifest comes last because each member's SHA-256 is known only once its bytes have been
streamed into the archive: putting it first would mean reading every object twice. Reading
checks every member against it; a member missing, extra, shorter or different, or no manifest
at all (a truncated archive ends before it), is reported by name."""

import hashlib
import json
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

FORMAT = "scloud-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
METADATA_FOLDER = "metadata/"
OBJECTS_FOLDER = "objects/"
DATABASE_SUFFIX = ".sqlite3"
CHUNK_BYTES = 1024 * 1024
MAX_LISTED_PROBLEMS = 20


class ArchiveCorrupt(Exception):
    """The archive does not hold what its manifest says (corrupt, truncated, or not a backup)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = [f"... and {len(problems) - len(shown)} more"] if len(problems) > len(shown) else []
        super().__init__("; ".join(shown + more))


class ArchiveTooNew(Exception):
    """The archive was made in a format this version of scloud_admin does not know."""


def database_member(service: str) -> str:
    return f"{METADATA_FOLDER}{service}{DATABASE_SUFFIX}"


def object_member(key: str) -> str:
    return f"{OBJECTS_FOLDER}{key}"


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str
    content_type: str | None = None

    @property
    def object_key(self) -> str | None:
        return self.name[len(OBJECTS_FOLDER) :] if self.name.startswith(OBJECTS_FOLDER) else None


@dataclass(frozen=True)
class Manifest:
    created_at: str
    schema_versions: dict[str, int]
    members: list[Member] = field(default_factory=list)

    @property
    def databases(self) -> list[Member]:
        return [member for member in self.members if member.name.startswith(METADATA_FOLDER)]

    @property
    def objects(self) -> list[Member]:
        return [member for member in self.members if member.object_key is not None]

    def counts(self) -> dict[str, int]:
        objects = self.objects
        return {
            "databases": len(self.databases),
            "database_bytes": sum(member.size for member in self.databases),
            "objects": len(objects),
            "object_bytes": sum(member.size for member in objects),
        }

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "schema_versions": self.schema_versions,
            "counts": self.counts(),
            "members": [
                {key: value for key, value in asdict(member).items() if value is not None} for member in self.members
            ],
        }
        return json.dumps(document, indent=1, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Manifest":
        try:
            document = json.loads(data)
            if document.get("format") != FORMAT:
                raise ArchiveCorrupt([f"{MANIFEST_NAME} is not a SCloud backup's manifest"])
            if document["format_version"] > FORMAT_VERSION:
                raise ArchiveTooNew(
                    f"the archive is in backup format {document['format_version']}, newer than this "
                    f"scloud_admin's {FORMAT_VERSION}: restore it with the SCloud version that made it"
                )
            return cls(
                created_at=str(document["created_at"]),
                schema_versions={str(name): int(version) for name, version in document["schema_versions"].items()},
                members=[
                    Member(str(m["name"]), int(m["size"]), str(m["sha256"]), m.get("content_type"))
                    for m in document["members"]
                ],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ArchiveCorrupt([f"{MANIFEST_NAME} cannot be read ({error!r})"]) from None


class HashingReader:
    """A stream read through: counts its bytes and their SHA-256 as they pass. Not seekable, so a
    reader (tarfile, boto3's transfer) reads it once, in order."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._digest.update(chunk)
        self.size += len(chunk)
        return chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def drain(self) -> None:
        while self.read(CHUNK_BYTES):
            pass

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def as_stream(self) -> BinaryIO:
        """For the ports that take a stream: they only read it, in order, as this allows."""
        return cast(BinaryIO, self)


class ArchiveWriter:
    """Adds members to an open tar, each streamed a chunk at a time, and keeps their entries."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self._tar = tar
        self.members: list[Member] = []

    def add(self, name: str, stream: IO[bytes], *, size: int, content_type: str | None = None) -> Member:
        """Raises EOFError if the stream ends before `size` bytes."""
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(time.time())
        reader = HashingReader(stream)
        try:
            self._tar.addfile(info, reader)
        except OSError as error:
            raise EOFError(f"{name}: {error}") from None
        member = Member(name, size, reader.sha256, content_type)
        self.members.append(member)
        return member

    def add_manifest(self, manifest: Manifest) -> None:
        data = manifest.to_bytes()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
        self._tar.addfile(info, _BytesStream(data))


class _BytesStream:
    def __init__(self, data: bytes) -> None:
        self._data, self._offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._offset + size
        chunk, self._offset = self._data[self._offset : end], min(end, len(self._data))
        return chunk


def read_manifest(path: Path) -> Manifest:
    """The archive's manifest, found by its members' headers (their data is skipped, not read)."""
    try:
        with tarfile.open(path, "r:") as tar:
            info = tar.getmember(MANIFEST_NAME)
            stream = tar.extractfile(info)
            if stream is None:
                raise ArchiveCorrupt([f"{MANIFEST_NAME} is not a file"])
            return Manifest.from_bytes(stream.read())
    except KeyError:
        raise ArchiveCorrupt([f"no {MANIFEST_NAME}: the archive is truncated or not a SCloud backup"]) from None
    except (tarfile.TarError, EOFError) as error:
        raise ArchiveCorrupt([f"the archive cannot be read as a tar ({error})"]) from None


MemberHandler = Callable[[Member, HashingReader], None]


def _entries(path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes] | None]]:
    with tarfile.open(path, "r|") as tar:
        for info in tar:
            yield info, tar.extractfile(info) if info.isreg() else None


def check_archive(path: Path, manifest: Manifest, on_member: MemberHandler | None = None) -> None:
    """Reads every member once, in order, hashing it as it goes; `on_member` (if any) is given
    each member the manifest lists, with a stream of its bytes, before the next is read.
    ArchiveCorrupt naming every member that is not as the manifest says, after the last one."""
    expected = {member.name: member for member in manifest.members}
    seen: set[str] = set()
    problems: list[str] = []
    found_manifest = False
    try:
        for info, stream in _entries(path):
            if info.name == MANIFEST_NAME and stream is not None:
                found_manifest = Manifest.from_bytes(stream.read()) == manifest
                if not found_manifest:
                    problems.append(f"{MANIFEST_NAME} differs from the one read first")
                continue
            member = expected.get(info.name)
            if member is None or stream is None or info.name in seen:
                problems.append(f"{info.name}: not listed in the manifest (or listed once, found twice)")
                continue
            seen.add(info.name)
            reader = HashingReader(stream)
            if on_member is not None:
                on_member(member, reader)
            reader.drain()
            if (reader.size, reader.sha256) != (member.size, member.sha256):
                problems.append(
                    f"{info.name}: {reader.size} bytes sha256:{reader.sha256[:12]}, expected "
                    f"{member.size} bytes sha256:{member.sha256[:12]}"
                )
    except (tarfile.TarError, EOFError) as error:
        problems.append(f"the archive ends early or is damaged ({error})")
    problems += [f"{name}: missing from the archive" for name in expected.keys() - seen]
    if not found_manifest and not any(MANIFEST_NAME in problem for problem in problems):
        problems.append(f"no {MANIFEST_NAME} at the end: the archive is truncated")
    if problems:
        raise ArchiveCorrupt(problems)
