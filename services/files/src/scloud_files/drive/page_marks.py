"""Every mark a listing's page carries (shared, starred), each asked of its store once per page."""

from collections.abc import Awaitable, Callable

from scloud_files.domain import ItemPage

PageMark = Callable[[str, ItemPage], Awaitable[ItemPage]]


class PageMarks:
    def __init__(self, *marks: PageMark) -> None:
        self._marks = marks

    async def __call__(self, user_id: str, page: ItemPage) -> ItemPage:
        """The page with each mark set; a drive built without a mark's store sets none of it."""
        for mark in self._marks:
            page = await mark(user_id, page)
        return page
