"""The `item_id` path convertor every router of items uses; registered once, on import."""

from starlette.convertors import StringConvertor, register_url_convertor

from scloud_files.domain import ITEM_ID_PATTERN


class ItemIdConvertor(StringConvertor):
    """`{file_id:item_id}` matches only an item id (a ULID), so `/api/files/archive`, `/limits`
    and `/upload` never also match the routes of one file: a GET of `/api/files/archive` is a 405
    naming POST, not a file that is not found."""

    regex = ITEM_ID_PATTERN


register_url_convertor("item_id", ItemIdConvertor())
