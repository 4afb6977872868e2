"""The web app waits for thumbnails of the types the files service makes them of, and only
those: its copy of the set (frontend/src/lib/thumbnailWatch.ts) is held to the service's."""

import re
from pathlib import Path

from scloud_files.domain.thumbnail import THUMBNAIL_SOURCE_TYPES

WATCH_TS = Path(__file__).parents[2] / "frontend/src/lib/thumbnailWatch.ts"


def test_the_grid_waits_for_thumbnails_of_exactly_the_types_the_service_renders():
    source = WATCH_TS.read_text()
    declared = re.search(r"THUMBNAIL_SOURCE_TYPES: ReadonlySet<string> = new Set\(\[(.*?)\]\);", source, re.DOTALL)
    assert declared, "THUMBNAIL_SOURCE_TYPES is no longer declared as a Set literal in thumbnailWatch.ts"
    assert set(re.findall(r'"([^"]+)"', declared.group(1))) == THUMBNAIL_SOURCE_TYPES
