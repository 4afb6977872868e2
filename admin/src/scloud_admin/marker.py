"""The mark a move leaves in its target's bucket while it runs: which source it copies from. A
target holding data is refused unless it holds this mark for the same source (a move that was
interrupted, which a re-run resumes) or the move is forced. The mark goes when the target has
been checked equal to the source; it lies outside `users/`, where no file's bytes are."""

import io
import json

from scloud_admin.ports import ObjectStore

ADMIN_PREFIX = "scloud-admin/"
MARKER_KEY = f"{ADMIN_PREFIX}move-in-progress.json"


def read_marker(objects: ObjectStore) -> str | None:
    """The source a move into this store was started from, if one has not finished."""
    if objects.head(MARKER_KEY) is None:
        return None
    stream = objects.open(MARKER_KEY)
    try:
        source: str = json.loads(stream.read())["source"]
    finally:
        stream.close()
    return source


def write_marker(objects: ObjectStore, source: str) -> None:
    body = json.dumps({"source": source}).encode()
    objects.upload(MARKER_KEY, io.BytesIO(body), content_type="application/json")


def remove_marker(objects: ObjectStore) -> None:
    objects.delete(MARKER_KEY)
