"""The check at the end of a move: per kind of record, how many there are and a checksum of
them, on each end; per object, its bytes' SHA-256 and its content type. Both ends are read a
page (and an object a chunk) at a time. A record checksum is the sum of the records' SHA-256
(modulo 2^256), so it does not depend on the order a store lists them in."""

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from scloud_admin.bootstrap import Installation
from scloud_admin.marker import ADMIN_PREFIX
from scloud_admin.ports import ObjectHead, ObjectStore
from scloud_common.transfer import TransferRecord

CHUNK_BYTES = 1024 * 1024
# Shown even when there are none, so every report has the same rows.
RECORD_KINDS = ("auth.two_factor", "users.account", "files.folder", "files.file", "files.usage", "files.unfiled")
USAGE_MATCHING = "files.usage equal to its files"
MAX_LISTED_DIFFERENCES = 20


@dataclass
class Tally:
    count: int = 0
    checksum: int = 0

    def add(self, digest: bytes, count: int = 1) -> None:
        self.count += count
        self.checksum = (self.checksum + int.from_bytes(digest, "big")) % 2**256

    def short(self) -> str:
        return f"{self.checksum:064x}"[:12]


@dataclass
class Row:
    what: str
    source: Tally
    target: Tally

    @property
    def ok(self) -> bool:
        return (self.source.count, self.source.checksum) == (self.target.count, self.target.checksum)


@dataclass
class Comparison:
    rows: list[Row]
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows) and not self.differences

    def table(self) -> str:
        width = max(len(row.what) for row in self.rows)
        lines = [f"{'':{width}}  {'source':>10}  {'target':>10}  {'checksums (source / target)':29}  result"]
        for row in self.rows:
            sums = f"{row.source.short()} / {row.target.short()}"
            result = "ok" if row.ok else "MISMATCH"
            lines.append(f"{row.what:{width}}  {row.source.count:>10}  {row.target.count:>10}  {sums:29}  {result}")
        lines += [f"  {difference}" for difference in self.differences[:MAX_LISTED_DIFFERENCES]]
        if len(self.differences) > MAX_LISTED_DIFFERENCES:
            lines.append(f"  ... and {len(self.differences) - MAX_LISTED_DIFFERENCES} more")
        return "\n".join(lines)


def labels(record: TransferRecord) -> list[str]:
    """The rows a record counts in: its kind, and its kind's trashed or purge-marked subsets."""
    found = [record.kind]
    if record.body.get("trashed_at"):
        found.append(f"{record.kind}, trashed")
    if record.body.get("deleting") or record.body.get("purging"):
        found.append(f"{record.kind}, marked for purge")
    return found


class UsageCheck:
    """Each user's stored totals against the sum of their files (trashed ones count until purged,
    as files recorded before folders do): one number per user in memory, never a file."""

    def __init__(self) -> None:
        self._sums: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
        self._stored: dict[str, tuple[int, int]] = {}

    def add(self, record: TransferRecord) -> None:
        body = record.body
        if record.kind == "files.file":
            self._count(body["user_id"], body["size"] or 0)
        elif record.kind == "files.unfiled":
            self._count(body["user_id"], body["file_size"])
        elif record.kind == "files.usage":
            self._stored[body["user_id"]] = (body["bytes_used"], body["file_count"])

    def _count(self, user_id: str, size: int) -> None:
        self._sums[user_id][0] += size
        self._sums[user_id][1] += 1

    def tally(self) -> Tally:
        tally = Tally()
        for user_id in sorted(self._sums.keys() | self._stored.keys()):
            sums = self._sums.get(user_id, [0, 0])
            if self._stored.get(user_id, (0, 0)) == (sums[0], sums[1]):
                tally.add(hashlib.sha256(user_id.encode()).digest())
        return tally


async def tally_records(installation: Installation, page_size: int) -> dict[str, Tally]:
    tallies: defaultdict[str, Tally] = defaultdict(Tally)
    usage = UsageCheck()
    for store in installation.records.values():
        async for page in store.pages(page_size):
            for record in page:
                digest = record.digest()
                for label in labels(record):
                    tallies[label].add(digest)
                usage.add(record)
    tallies[USAGE_MATCHING] = usage.tally()
    return tallies


def listed(objects: ObjectStore, page_size: int) -> Iterator[ObjectHead]:
    """Every object but the move's own mark, in key order."""
    after: str | None = None
    while heads := objects.list_page(after=after, limit=page_size):
        yield from (head for head in heads if not head.key.startswith(ADMIN_PREFIX))
        after = heads[-1].key


def object_digest(objects: ObjectStore, key: str) -> str:
    digest = hashlib.sha256()
    stream = objects.open(key)
    try:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    finally:
        stream.close()
    return digest.hexdigest()


@dataclass
class ObjectTallies:
    objects: Tally = field(default_factory=Tally)
    size: Tally = field(default_factory=Tally)

    def add(self, objects: ObjectStore, head: ObjectHead) -> str:
        """Counts the object; returns what identifies its content (type and bytes' SHA-256)."""
        stored = objects.head(head.key) or head
        content = f"{stored.content_type} sha256:{object_digest(objects, head.key)}"
        self.objects.add(hashlib.sha256(f"{head.key}\n{content}".encode()).digest())
        self.size.count += stored.size
        return content


def compare_objects(source: ObjectStore, target: ObjectStore, page_size: int) -> tuple[list[Row], list[str]]:
    """Walks both buckets' listings side by side (both in key order): blocking, for a thread."""
    ends = (ObjectTallies(), ObjectTallies())
    differences: list[str] = []
    walks = (listed(source, page_size), listed(target, page_size))
    heads = [next(walk, None) for walk in walks]
    while heads[0] is not None or heads[1] is not None:
        keys = [head.key if head is not None else None for head in heads]
        first = min(key for key in keys if key is not None)
        contents = [
            ends[end].add((source, target)[end], head) if head is not None and head.key == first else None
            for end, head in enumerate(heads)
        ]
        if contents[1] is None:
            differences.append(f"missing in the target: {first}")
        elif contents[0] is None:
            differences.append(f"only in the target: {first}")
        elif contents[0] != contents[1]:
            differences.append(f"different: {first} ({contents[0]} / {contents[1]})")
        heads = [next(walks[end], None) if keys[end] == first else heads[end] for end in (0, 1)]
    rows = [Row("objects", ends[0].objects, ends[1].objects), Row("object bytes", ends[0].size, ends[1].size)]
    return rows, differences


async def compare(
    source: Installation, target: Installation, *, page_size: int, pool: ThreadPoolExecutor
) -> Comparison:
    """Both ends' rows side by side: every record kind, then the objects."""
    source_tallies = await tally_records(source, page_size)
    target_tallies = await tally_records(target, page_size)
    extra = sorted((source_tallies.keys() | target_tallies.keys()) - {*RECORD_KINDS, USAGE_MATCHING})
    rows = [Row(what, source_tallies[what], target_tallies[what]) for what in (*RECORD_KINDS, *extra, USAGE_MATCHING)]
    loop = asyncio.get_running_loop()
    object_rows, differences = await loop.run_in_executor(
        pool, compare_objects, source.objects, target.objects, page_size
    )
    return Comparison(rows + object_rows, differences)
