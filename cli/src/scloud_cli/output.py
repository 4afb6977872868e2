"""What `scloud` prints: JSON on stdout with `--json`, otherwise text and tables; progress bars
on stderr only when it is a terminal and JSON was not asked for."""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from scloud_cli.client import Item
from scloud_cli.errors import ScloudError
from scloud_cli.transfer import ProgressCallback


class Output:
    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json
        self.console = Console()
        self.errors = Console(stderr=True)

    def result(self, data: dict[str, Any], text: Callable[[Console], None]) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
        else:
            text(self.console)

    def error(self, error: ScloudError) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(error.as_json()) + "\n")
        else:
            self.errors.print(f"[red]error:[/red] {error.message}", highlight=False)

    def items(self, items: list[Item]) -> Table:
        table = Table(box=None, show_header=True, header_style="bold")
        for column in ("kind", "size", "modified", "name", "id"):
            table.add_column(column, justify="right" if column == "size" else "left")
        for item in items:
            size = "" if item.size is None else f"{item.size:,}"
            name = f"{item.name}/" if item.is_folder else item.name
            table.add_row(item.kind, size, item.modified_at[:19].replace("T", " "), name, item.id)
        return table

    @contextmanager
    def progress(self) -> Iterator[Callable[[str, int], ProgressCallback]]:
        """A factory of per-file progress callbacks; each file gets a bar when bars are shown."""
        if self.as_json or not self.errors.is_terminal:
            yield lambda _name, _size: lambda _n: None
            return
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
        with Progress(*columns, console=self.errors, transient=False) as bars:

            def start(name: str, size: int) -> ProgressCallback:
                task = bars.add_task(name, total=size)
                return lambda sent: bars.advance(task, sent)

            yield start
