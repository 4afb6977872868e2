"""`python -m scloud_admin copy --from SOURCE --to TARGET [--force]` moves a whole installation
between stores; `verify --from SOURCE --to TARGET` only compares. SOURCE and TARGET are env files
holding the services' storage settings, or `env` for this process's environment. README.md says
more. Exit status: 0 equal, 1 a mismatch, 2 refused (a target holding data, a store missing,
settings wrong)."""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from pydantic import ValidationError

from scloud_admin.bootstrap import Installation, StoreMissing, open_installation
from scloud_admin.comparison import compare
from scloud_admin.move import TargetNotEmpty, move
from scloud_admin.side import Side
from scloud_common.errors import AppError

EQUAL, MISMATCH, REFUSED = 0, 1, 2
OpenEnd = Callable[..., Awaitable[Installation]]
DEFAULT_PAGE_SIZE = 100
# Object reads and writes run here, never on the loop (each transfer holds one thread).
OBJECT_THREADS = 2


def parse_arguments(arguments: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scloud_admin", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, summary in (
        ("copy", "copy every record and object from the source to the target, then compare them"),
        ("verify", "compare the source and the target, copying nothing"),
    ):
        command = commands.add_parser(name, help=summary, description=summary)
        command.add_argument("--from", dest="source", required=True, help="the source's env file, or env")
        command.add_argument("--to", dest="target", required=True, help="the target's env file, or env")
        command.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE, help="records read per request")
        if name == "copy":
            command.add_argument(
                "--force",
                action="store_true",
                help="copy into a target holding other data: records and objects under the same keys are "
                "replaced by the source's, anything else stays (and the comparison then reports it)",
            )
    return parser.parse_args(arguments)


async def run(arguments: argparse.Namespace, *, open_end: OpenEnd = open_installation) -> int:
    """The command, on the ends `open_end` opens (the stores the settings name; fakes in tests)."""
    source_side, target_side = Side.load("source", arguments.source), Side.load("target", arguments.target)
    source = await open_end(source_side, must_exist=True)
    target: Installation | None = None
    try:
        target = await open_end(target_side, must_exist=False)
        print(f"source: {source.description}\ntarget: {target.description}")
        with ThreadPoolExecutor(OBJECT_THREADS, "scloud-admin-objects") as pool:
            if arguments.command == "copy":
                report = await move(
                    source, target, force=arguments.force, page_size=arguments.page_size, pool=pool, echo=print
                )
                comparison = report.comparison
            else:
                comparison = await compare(source, target, page_size=arguments.page_size, pool=pool)
        print(comparison.table())
        print("Equal." if comparison.ok else "NOT equal: see the rows marked MISMATCH.")
        return EQUAL if comparison.ok else MISMATCH
    finally:
        await source.close()
        if target is not None:
            await target.close()


def main(arguments: Sequence[str] | None = None) -> int:
    parsed = parse_arguments(arguments)
    try:
        return asyncio.run(run(parsed))
    except (TargetNotEmpty, StoreMissing, ValueError, ValidationError, AppError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
