"""The everyday admin commands (`user ...`, `usage recount`, `quota set|clear|show`, `purge run`,
`sweep run`, `invite create|list|revoke`): their
arguments, and what they print, as text or as JSON (`--json`). They work on the installation the
process's environment names, as the services read it."""

import argparse
import contextlib
import getpass
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scloud_admin.byte_size import format_byte_size, parse_byte_size
from scloud_admin.live_stores import open_live_stores
from scloud_admin.operations import (
    Accounts,
    AccountView,
    Housekeeping,
    InvitationDesk,
    OperationPorts,
    Operator,
    Quotas,
    QuotaView,
)
from scloud_admin.side import ENVIRONMENT, Side
from scloud_auth.domain import Session
from scloud_files.domain import StorageUsage
from scloud_users.domain import Account, Invitation
from scloud_users.registration_door import invitation_link

OpenStores = Callable[[Side], contextlib.AbstractAsyncContextManager[OperationPorts]]
Output = dict[str, Any]

USER_ACTIONS = {
    "find": "find an account by email: its id, name and state",
    "show": "an account with its storage usage and active sessions (created, last used, device)",
    "revoke-sessions": "end every session of the account (each service sees it within seconds)",
    "lock": "lock the account (no sign-in until unlocked) and end its sessions",
    "unlock": "let the account sign in again",
}


def default_operator() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except OSError:
        return "unknown"


def add_operation_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the result as one JSON object")
    common.add_argument(
        "--operator", default=default_operator(), help="who runs the command, for the security event ($USER)"
    )
    user = commands.add_parser("user", help="find, show, lock and unlock accounts, end their sessions")
    user_actions = user.add_subparsers(dest="action", required=True)
    for name, summary in USER_ACTIONS.items():
        action = user_actions.add_parser(name, parents=[common], help=summary, description=summary)
        action.add_argument("email", help="the account's email address")
        if name == "lock":
            action.add_argument("--reason", required=True, help="why, for the security event")
    usage = commands.add_parser("usage", help="storage totals")
    recount = usage.add_subparsers(dest="action", required=True).add_parser(
        "recount", parents=[common], help="recount totals from the file records (for drifted totals)"
    )
    target = recount.add_mutually_exclusive_group(required=True)
    target.add_argument("email", nargs="?", help="the account's email address")
    target.add_argument("--all", action="store_true", help="every user in the files store")
    _add_quota_commands(commands, common)
    _add_invite_commands(commands, common)
    for name, summary in (
        ("purge", "purge the trash now: items past retention or deleted forever lose bytes and records"),
        ("sweep", "abort abandoned direct uploads now (past their expiry), freeing their parts"),
    ):
        job = commands.add_parser(name, help=summary)
        job.add_subparsers(dest="action", required=True).add_parser(
            "run", parents=[common], help=summary, description=summary
        )


def _byte_size(text: str) -> int:
    try:
        return parse_byte_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _add_quota_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", common: argparse.ArgumentParser
) -> None:
    quota = commands.add_parser("quota", help="a user's own storage quota, in place of FILES_QUOTA_BYTES")
    actions = quota.add_subparsers(dest="action", required=True)
    for name, summary in (
        ("set", "give the user their own quota (their next upload is held to it; nothing stored is removed)"),
        ("clear", "drop the user's own quota: FILES_QUOTA_BYTES applies again"),
        ("show", "the user's storage used, the trash's share, their quota and whether it is their own"),
    ):
        action = actions.add_parser(name, parents=[common], help=summary, description=summary)
        action.add_argument("user", metavar="USER_OR_EMAIL", help="the account's id or email address")
        if name == "set":
            action.add_argument(
                "size",
                type=_byte_size,
                metavar="SIZE",
                help="bytes, or with a unit: 500MB, 10GiB, 1.5TiB (0: no uploads)",
            )


def _add_invite_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", common: argparse.ArgumentParser
) -> None:
    invite = commands.add_parser("invite", help="invitation links to register (USERS_REGISTRATION=invite)")
    actions = invite.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", parents=[common], help="make a single-use invitation link and print it")
    create.add_argument("--email", help="only this address may use it (default: whoever holds the link)")
    create.add_argument(
        "--days", type=int, help="how long it works, in days (default: USERS_INVITATION_LIFETIME_DAYS, 7)"
    )
    actions.add_parser("list", parents=[common], help="every invitation: for whom, until when, used or not")
    revoke = actions.add_parser("revoke", parents=[common], help="make an unused invitation link stop working")
    revoke.add_argument("invitation_id", metavar="ID", help="the invitation's id, as `invite list` shows it")


async def run_operation(arguments: argparse.Namespace, *, open_stores: OpenStores = open_live_stores) -> Output:
    """Runs the command on the stores `open_stores` opens (fakes in tests) and answers what it
    prints: `text` for people, the rest for `--json`."""
    operator = Operator(arguments.operator)
    async with open_stores(Side.load("installation", ENVIRONMENT)) as ports:
        if arguments.command == "user":
            return await _user_action(Accounts(ports, operator, now=time.time), arguments)
        if arguments.command == "quota":
            side = Side.load("installation", ENVIRONMENT)
            return await _quota_action(
                Quotas(ports, operator, default_quota_bytes=side.files_quota.quota_bytes), arguments
            )
        if arguments.command == "invite":
            desk = InvitationDesk(ports, operator, now=time.time)
            return await _invite_action(desk, arguments, Side.load("installation", ENVIRONMENT))
        housekeeping = Housekeeping(ports, operator)
        if arguments.command == "usage":
            if arguments.all:
                repaired = await housekeeping.recount_all()
                lines = [f"{user_id}  {_usage_text(usage)}" for user_id, usage in repaired.items()]
                return {
                    "usage": {user_id: _usage(usage) for user_id, usage in repaired.items()},
                    "text": "\n".join([*lines, f"recounted {len(repaired)} users"]),
                }
            account, usage = await Accounts(ports, operator, now=time.time).recount_usage(arguments.email)
            return {"user": _user(account), "usage": _usage(usage), "text": f"recounted: {_usage_text(usage)}"}
        if arguments.command == "purge":
            purged = await housekeeping.purge()
            return {"purged_items": purged, "text": f"purged {purged} trashed items"}
        swept = await housekeeping.sweep()
        return {"aborted_uploads": swept, "text": f"aborted {swept} abandoned uploads"}


async def _user_action(accounts: Accounts, arguments: argparse.Namespace) -> Output:
    email = arguments.email
    if arguments.action == "find":
        account = await accounts.find(email)
        return {"user": _user(account), "text": _user_text(account)}
    if arguments.action == "show":
        return _view(await accounts.show(email))
    if arguments.action == "revoke-sessions":
        revoked = await accounts.revoke_sessions(email)
        return {"revoked_sessions": revoked, "text": f"ended {revoked} sessions"}
    if arguments.action == "lock":
        revoked = await accounts.lock(email, reason=arguments.reason)
        return {"locked": True, "revoked_sessions": revoked, "text": f"locked; ended {revoked} sessions"}
    account = await accounts.unlock(email)
    return {"user": _user(account), "text": "unlocked"}


async def _quota_action(quotas: Quotas, arguments: argparse.Namespace) -> Output:
    if arguments.action == "set":
        view = await quotas.set(arguments.user, arguments.size)
    elif arguments.action == "clear":
        view = await quotas.clear(arguments.user)
    else:
        view = await quotas.show(arguments.user)
    return _quota(view)


def _quota(view: QuotaView) -> Output:
    source = "set for this user" if view.overridden else "FILES_QUOTA_BYTES"
    lines = [
        _user_text(view.account),
        f"used: {format_byte_size(view.used)} ({view.used} bytes; {format_byte_size(view.trash)} in the trash)",
        f"quota: {format_byte_size(view.quota)} ({view.quota} bytes, {source})",
    ]
    if view.used > view.quota:
        lines.append("over quota: uploads are refused until files are deleted or the quota raised")
    return {
        "user": _user(view.account),
        "quota": {
            "used_bytes": view.used,
            "trash_bytes": view.trash,
            "quota_bytes": view.quota,
            "overridden": view.overridden,
        },
        "text": "\n".join(lines),
    }


async def _invite_action(desk: InvitationDesk, arguments: argparse.Namespace, side: Side) -> Output:
    if arguments.action == "create":
        settings = side.invitation_links
        days = arguments.days if arguments.days is not None else settings.invitation_lifetime_days
        issued = await desk.create(email=arguments.email, lifetime_days=days)
        link = invitation_link(settings.public_url, issued.token)
        invitation = _invitation(issued.invitation, now=int(time.time()))
        return {
            "invitation": invitation,
            "link": link,
            "text": f"{link}\n{_invitation_text(invitation)}\nThe link works once; it is not shown again.",
        }
    if arguments.action == "list":
        now = int(time.time())
        invitations = [_invitation(invitation, now=now) for invitation in await desk.list_all()]
        lines = [_invitation_text(invitation) for invitation in invitations]
        return {"invitations": invitations, "text": "\n".join([*lines, f"{len(invitations)} invitations"])}
    await desk.revoke(arguments.invitation_id)
    return {"revoked": arguments.invitation_id, "text": f"revoked {arguments.invitation_id}"}


def _invitation(invitation: Invitation, *, now: int) -> Output:
    if invitation.used_at is not None:
        state = "used"
    else:
        state = "open" if invitation.is_usable(now) else "expired"
    return {
        "invitation_id": invitation.invitation_id,
        "email": invitation.email,
        "created_by": invitation.created_by,
        "created_at": _time(invitation.created_at),
        "expires_at": _time(invitation.expires_at),
        "used_at": _time(invitation.used_at),
        "state": state,
    }


def _invitation_text(invitation: Output) -> str:
    return (
        f"{invitation['invitation_id']}  {invitation['state']}  for {invitation['email'] or 'anyone'}  "
        f"by {invitation['created_by']}  expires {invitation['expires_at']}"
    )


def _user(account: Account) -> Output:
    user = account.user
    return {
        "user_id": user.user_id,
        "email": user.email,
        "username": user.username,
        "created_at": user.created_at,
        "email_verified": user.email_verified,
        "locked": user.locked,
    }


def _user_text(account: Account) -> str:
    user = account.user
    state = ["locked" if user.locked else "active", "verified" if user.email_verified else "unverified"]
    return f"{user.user_id}  {user.email}  {user.username!r}  created {user.created_at}  {', '.join(state)}"


def _usage(usage: StorageUsage) -> Output:
    return {"bytes_used": usage.bytes_used, "file_count": usage.file_count, "trash_bytes": usage.trash_bytes}


def _usage_text(usage: StorageUsage) -> str:
    return f"{usage.bytes_used} bytes in {usage.file_count} files ({usage.trash_bytes} bytes in the trash)"


def _time(seconds: int | None) -> str | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _session(session: Session) -> Output:
    return {
        "session_id": session.session_id,
        "created_at": _time(session.created_at),
        "last_used_at": _time(session.last_used_at),
        "expires_at": _time(session.expires_at),
        "device": session.user_agent,
    }


def _view(view: AccountView) -> Output:
    sessions = [_session(session) for session in view.sessions]
    lines = [_user_text(view.account), f"usage: {_usage_text(view.usage)}", f"active sessions: {len(sessions)}"]
    lines += [
        f"  {s['session_id']}  created {s['created_at']}  last used {s['last_used_at']}  {s['device'] or '-'}"
        for s in sessions
    ]
    return {"user": _user(view.account), "usage": _usage(view.usage), "sessions": sessions, "text": "\n".join(lines)}


def render(output: Output, *, as_json: bool) -> str:
    if as_json:
        return json.dumps({key: value for key, value in output.items() if key != "text"}, sort_keys=True)
    return str(output["text"])
