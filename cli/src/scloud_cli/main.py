"""`scloud`: the command line over the client. Each command prints text, or JSON with `--json`,
and ends with the exit code of what happened (errors.py, cli/README.md)."""

import functools
import getpass
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

import httpx
import typer
from rich.console import Console

from scloud_cli.client import DEFAULT_URL, Client, Item
from scloud_cli.credentials import CredentialStore, state_dir
from scloud_cli.errors import AuthError, ConflictError, ScloudError, UsageError
from scloud_cli.output import Output
from scloud_cli.paths import ensure_folder, resolve, resolve_destination, resolve_folder, split_path
from scloud_cli.sync import sync_down, sync_up
from scloud_cli.transfer import ResumeStore, Uploader, download

MIB = 1024 * 1024

app = typer.Typer(
    help="SCloud from the command line. Remote paths are `a/b/c` from the root, or an item's id.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sync_app = typer.Typer(help="One-way sync of a folder, by size and checksum.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
OnConflict = Literal["fail", "rename", "replace"]


@dataclass
class Settings:
    url: str
    token: str | None
    as_json: bool


@app.callback()
def configure(
    ctx: typer.Context,
    url: Annotated[str, typer.Option(envvar="SCLOUD_URL", help="The service's base URL.")] = DEFAULT_URL,
    token: Annotated[
        str | None, typer.Option(envvar="SCLOUD_TOKEN", help="A bearer token; default: the one `login` stored.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    ctx.obj = Settings(url=url.rstrip("/"), token=token, as_json=as_json)


def settings_of(ctx: typer.Context, as_json: bool) -> Settings:
    settings: Settings = ctx.ensure_object(Settings) if ctx.obj is None else ctx.obj
    settings.as_json = settings.as_json or as_json
    return settings


def open_client(settings: Settings, *, parallel: int = 4) -> Client:
    token = settings.token or CredentialStore().load(settings.url)
    if not token:
        raise AuthError(f"not logged in to {settings.url}: run `scloud login`", code="not_logged_in")
    return Client(settings.url, token, parallel=parallel)


P = ParamSpec("P")
R = TypeVar("R")


def handled(command: Callable[P, R]) -> Callable[P, R]:
    """Turns what went wrong into a message (or a JSON error) and the documented exit code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        settings = getattr(kwargs.get("ctx"), "obj", None)
        output = Output(as_json=bool(kwargs.get("as_json")) or bool(settings and settings.as_json))
        try:
            return command(*args, **kwargs)
        except ScloudError as error:
            output.error(error)
            raise typer.Exit(error.exit_code) from error
        except httpx.HTTPError as error:
            failure = ScloudError(f"cannot reach the service: {error}", code="network_error")
            output.error(failure)
            raise typer.Exit(failure.exit_code) from error
        except OSError as error:
            failure = ScloudError(f"local file error: {error}", code="local_error")
            output.error(failure)
            raise typer.Exit(failure.exit_code) from error

    return run


@app.command()
@handled
def login(
    ctx: typer.Context,
    token: Annotated[
        str | None, typer.Option(help="A personal access token (`scloud_pat_...`); prompted if absent.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Checks a personal access token against the service and stores it (keyring or 0600 file)."""
    settings = settings_of(ctx, as_json)
    token = token or settings.token or getpass.getpass("Personal access token: ").strip()
    if not token:
        raise UsageError("no token given", code="no_token")
    with Client(settings.url, token) as client:
        limits = client.limits()
    where = CredentialStore().save(settings.url, token)
    Output(as_json=settings.as_json).result(
        {"url": settings.url, "storedIn": where, "usedBytes": limits["usedBytes"], "quotaBytes": limits["quotaBytes"]},
        lambda console: console.print(f"Logged in to {settings.url}; token stored in {where}."),
    )


@app.command()
@handled
def logout(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Forgets the stored token of this service URL."""
    settings = settings_of(ctx, as_json)
    CredentialStore().delete(settings.url)
    Output(as_json=settings.as_json).result(
        {"url": settings.url, "loggedOut": True}, lambda console: console.print(f"Logged out of {settings.url}.")
    )


@app.command("ls")
@handled
def list_items(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="A folder or file; the root by default.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Lists a folder (folders first), or shows one file."""
    settings = settings_of(ctx, as_json)
    with open_client(settings) as client:
        item = resolve(client, path)
        items = list(client.list_children(item.id)) if item.is_folder else [item]
    output = Output(as_json=settings.as_json)
    output.result({"items": [i.as_json() for i in items]}, lambda console: console.print(output.items(items)))


@app.command()
@handled
def upload(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Local files.", exists=True, dir_okay=False, readable=True)],
    to: Annotated[str, typer.Option("--to", help="The remote folder (created if missing).")] = "",
    on_conflict: Annotated[OnConflict, typer.Option(help="When the name is taken.")] = "fail",
    parallel: Annotated[int, typer.Option(min=1, max=16, help="Parts in flight at once.")] = 4,
    part_size_mib: Annotated[
        int | None, typer.Option(min=5, max=5120, help="Part size in MiB; the service's by default.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Uploads files with the direct protocol: parts in parallel, each checked by SHA-256 by
    storage. Run it again after an interruption: the parts already stored are not sent again."""
    settings = settings_of(ctx, as_json)
    output = Output(as_json=settings.as_json)
    uploaded: list[Item] = []
    with open_client(settings, parallel=parallel) as client, output.progress() as progress:
        folder = ensure_folder(client, to)
        uploader = Uploader(
            client,
            ResumeStore(state_dir()),
            parallel=parallel,
            part_size=part_size_mib * MIB if part_size_mib else None,
        )
        for path in paths:
            on_bytes = progress(path.name, path.stat().st_size)
            uploaded.append(uploader.upload(path, folder.id, on_conflict=on_conflict, on_bytes=on_bytes))
    output.result(
        {"uploaded": [item.as_json() for item in uploaded]},
        lambda console: _print_lines(console, [f"uploaded {i.name} ({i.size:,} bytes) id {i.id}" for i in uploaded]),
    )


@app.command("download")
@handled
def download_file(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The remote file: path or id.")],
    to: Annotated[
        Path | None, typer.Option("--to", help="A local file or folder; the current folder by default.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Downloads a file and checks it against the checksum the service stored."""
    settings = settings_of(ctx, as_json)
    output = Output(as_json=settings.as_json)
    with open_client(settings) as client, output.progress() as progress:
        item = resolve(client, source)
        if item.is_folder:
            raise UsageError(f"{source} is a folder: use `scloud sync down`", code="is_a_folder")
        target = to or Path.cwd()
        if target.is_dir():
            target = target / item.name
        done = download(client, item, target, on_bytes=progress(item.name, item.size or 0))
    note = "checksum verified" if done.verified else "no checksum stored: size checked"
    output.result(
        {"item": item.as_json(), "path": str(done.path), "verified": done.verified},
        lambda console: console.print(f"downloaded {item.name} to {done.path} ({note})"),
    )


@app.command()
@handled
def mkdir(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Remote folders to create.")],
    parents: Annotated[
        bool, typer.Option("--parents", "-p", help="Create missing parents; no error if it exists.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Creates folders."""
    settings = settings_of(ctx, as_json)
    created: list[Item] = []
    with open_client(settings) as client:
        for path in paths:
            if parents:
                created.append(ensure_folder(client, path))
                continue
            segments = split_path(path)
            if not segments:
                raise UsageError("the root exists already", code="name_taken")
            parent = resolve_folder(client, "/".join(segments[:-1]))
            created.append(client.create_folder(segments[-1], parent.id))
    Output(as_json=settings.as_json).result(
        {"folders": [item.as_json() for item in created]},
        lambda console: _print_lines(console, [f"folder {i.name} id {i.id}" for i in created]),
    )


@app.command()
@handled
def mv(
    ctx: typer.Context,
    paths: Annotated[
        list[str], typer.Argument(help="SOURCE... DEST: into DEST if it is a folder, else renamed to it.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Moves and/or renames files and folders."""
    settings = settings_of(ctx, as_json)
    if len(paths) < 2:
        raise UsageError("give at least one source and a destination", code="missing_destination")
    *sources, target = paths
    moved: list[Item] = []
    with open_client(settings) as client:
        destination = resolve_destination(client, target)
        if destination.name is not None and len(sources) > 1:
            raise UsageError(f"{target} is not a folder: several items cannot take one name", code="not_a_folder")
        for source in sources:
            item = resolve(client, source)
            if item.id == destination.folder.id:
                raise ConflictError(f"cannot move {source} into itself", code="folder_cycle")
            parent = destination.folder.id if destination.folder.id != item.parent_id else None
            moved.append(client.update_item(item, name=destination.name, parent_id=parent))
    Output(as_json=settings.as_json).result(
        {"moved": [item.as_json() for item in moved]},
        lambda console: _print_lines(console, [f"moved {i.name} id {i.id}" for i in moved]),
    )


@app.command()
@handled
def rm(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Remote files and folders.")],
    as_json: JsonOption = False,
) -> None:
    """Moves files and folders (with what they hold) to the trash."""
    settings = settings_of(ctx, as_json)
    trashed: list[Item] = []
    with open_client(settings) as client:
        for path in paths:
            item = resolve(client, path)
            if item.parent_id is None:
                raise UsageError("the root cannot be trashed", code="is_root")
            client.trash(item)
            trashed.append(item)
    Output(as_json=settings.as_json).result(
        {"trashed": [item.as_json() for item in trashed]},
        lambda console: _print_lines(console, [f"trashed {i.name}" for i in trashed]),
    )


@app.command()
@handled
def share(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The file or folder to share.")],
    expires_at: Annotated[str | None, typer.Option(help="RFC 3339 time the link stops working.")] = None,
    password: Annotated[str | None, typer.Option(help="A password visitors must give.")] = None,
    download_limit: Annotated[int | None, typer.Option(min=1, help="Downloads the link allows.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Creates a share link and prints its URL (shown this once)."""
    settings = settings_of(ctx, as_json)
    with open_client(settings) as client:
        item = resolve(client, path)
        link = client.create_share(item.id, expires_at=expires_at, password=password, download_limit=download_limit)
    Output(as_json=settings.as_json).result(
        {"id": link.id, "itemId": link.item_id, "url": link.url, "expiresAt": link.expires_at},
        lambda console: console.print(f"{link.url}  (expires {link.expires_at})", highlight=False),
    )


@sync_app.command("up")
@handled
def sync_up_command(
    ctx: typer.Context,
    local: Annotated[Path, typer.Argument(help="Local folder.", exists=True, file_okay=False)],
    remote: Annotated[str, typer.Argument(help="Remote folder (created if missing).")],
    delete: Annotated[bool, typer.Option("--delete", help="Trash remote items the local folder lacks.")] = False,
    parallel: Annotated[int, typer.Option(min=1, max=16, help="Parts in flight at once.")] = 4,
    as_json: JsonOption = False,
) -> None:
    """Makes the remote folder hold the local folder's files."""
    settings = settings_of(ctx, as_json)
    output = Output(as_json=settings.as_json)
    with open_client(settings, parallel=parallel) as client, output.progress() as progress:
        folder = ensure_folder(client, remote)
        uploader = Uploader(client, ResumeStore(state_dir()), parallel=parallel)
        report = sync_up(client, uploader, local, folder, delete=delete, progress=progress)
    output.result(report.as_json(), lambda console: _print_report(console, report.as_json()))


@sync_app.command("down")
@handled
def sync_down_command(
    ctx: typer.Context,
    remote: Annotated[str, typer.Argument(help="Remote folder.")],
    local: Annotated[Path, typer.Argument(help="Local folder (created if missing).", file_okay=False)],
    delete: Annotated[bool, typer.Option("--delete", help="Remove local files the remote folder lacks.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Makes the local folder hold the remote folder's files."""
    settings = settings_of(ctx, as_json)
    output = Output(as_json=settings.as_json)
    with open_client(settings) as client, output.progress() as progress:
        folder = resolve_folder(client, remote)
        report = sync_down(client, folder, local, delete=delete, progress=progress)
    output.result(report.as_json(), lambda console: _print_report(console, report.as_json()))


def _print_lines(console: Console, lines: list[str]) -> None:
    for line in lines:
        console.print(line, highlight=False)


def _print_report(console: Console, report: dict[str, Any]) -> None:
    for key, names in report.items():
        console.print(f"{key}: {len(names)}", highlight=False)
        for name in names:
            console.print(f"  {name}", highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
