"""`python -m scloud_admin copy --from SOURCE --to TARGET [--force]` moves a whole installation
between stores; `verify --from SOURCE --to TARGET` only compares. SOURCE and TARGET are env files
holding the services' storage settings, or `env` for this process's environment. Exit status: 0
equal, 1 a mismatch, 2 refused (a target holding data, a store missing, settings wrong).

The everyday commands (`user find|show|revoke-sessions|lock|unlock EMAIL`, `usage recount
EMAIL|--all`, `quota set USER_OR_EMAIL SIZE|clear USER_OR_EMAIL|show USER_OR_EMAIL`, `purge run`, `sweep run`, `invite create [--email E] [--days N]|list|revoke ID`)
work on the installation this process's environment
names. Exit status: 0 done, 1 no such account, 2 refused (a store missing or unreachable,
settings wrong).

`backup create ARCHIVE`, `backup verify ARCHIVE` and `backup restore ARCHIVE [--force]` back up
and restore the installation this process's environment names, on SQLite and SeaweedFS or S3.
Exit status: 0 done, 1 a corrupt or truncated archive, 2 refused (an archive already there, a
target holding data, a DynamoDB store, a store missing). README.md says more."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from pydantic import ValidationError

from scloud_admin.adapters.aws_client import StoreUnavailable
from scloud_admin.archive import ArchiveCorrupt, ArchiveTooNew
from scloud_admin.backup import BackupRefused, SourceChanged
from scloud_admin.backup_cli import add_backup_commands, run_backup
from scloud_admin.bootstrap import Installation, open_installation
from scloud_admin.comparison import compare
from scloud_admin.move import TargetNotEmpty, move
from scloud_admin.operations_cli import add_operation_commands, render, run_operation
from scloud_admin.side import Side
from scloud_common.errors import AppError, ErrorKind
from scloud_common.logs import JsonFormatter
from scloud_common.security_events import security_logger

EQUAL, MISMATCH, REFUSED = 0, 1, 2
DONE, NOT_FOUND = 0, 1
CORRUPT = 1
MOVE_COMMANDS = ("copy", "verify")
SECURITY_HANDLER = "scloud-admin-security-events"
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
    add_operation_commands(commands)
    add_backup_commands(commands)
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


def log_security_events() -> None:
    """The events of the everyday commands, one JSON line each on stderr, for the operator's shell
    history or whatever collects the host's logs; the command's own output stays on stdout."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(SECURITY_HANDLER)
    handler.setFormatter(JsonFormatter("scloud-admin"))
    # Replaced, not added to, so a second run in one process (the tests) logs each event once.
    security_logger.handlers[:] = [h for h in security_logger.handlers if h.get_name() != SECURITY_HANDLER]
    security_logger.addHandler(handler)
    security_logger.setLevel(logging.INFO)


def run_operation_command(parsed: argparse.Namespace) -> int:
    log_security_events()
    try:
        output = asyncio.run(run_operation(parsed))
    except AppError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return NOT_FOUND if error.kind is ErrorKind.NOT_FOUND else REFUSED
    except (StoreUnavailable, ValueError, ValidationError) as error:
        print(f"refused: {_one_line(error)}", file=sys.stderr)
        return REFUSED
    print(render(output, as_json=parsed.json))
    return DONE


def run_backup_command(parsed: argparse.Namespace) -> int:
    try:
        print(run_backup(parsed))
    except (ArchiveCorrupt, SourceChanged) as error:
        print(f"failed: {error}", file=sys.stderr)
        return CORRUPT
    except (BackupRefused, ArchiveTooNew, StoreUnavailable, ValueError, ValidationError) as error:
        print(f"refused: {_one_line(error)}", file=sys.stderr)
        return REFUSED
    return DONE


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def main(arguments: Sequence[str] | None = None) -> int:
    parsed = parse_arguments(arguments)
    if parsed.command == "backup":
        return run_backup_command(parsed)
    if parsed.command not in MOVE_COMMANDS:
        return run_operation_command(parsed)
    try:
        return asyncio.run(run(parsed))
    except (TargetNotEmpty, StoreUnavailable, ValueError, ValidationError, AppError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
