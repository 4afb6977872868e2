"""Mailer into a folder, the adapter behind `mail.Mailer` for running SCloud on one machine: each
message becomes one RFC 5322 file (`.eml`, text with an HTML alternative) that any mail program
opens, and nothing leaves the machine.

Files are named `<nanoseconds since the epoch>-<random>.eml`, so sorting the names sorts the
messages oldest first, and appear whole: each is written under a name that does not end in
`.eml` and renamed when complete. The folder is 0700 and each file 0600, whatever the umask:
messages hold verification and reset links.
"""

import asyncio
import os
import secrets
import time
from pathlib import Path

from scloud_common.errors import ServiceUnavailable
from scloud_common.mail import MailMessage, compose

SUFFIX = ".eml"


class DirectoryMailer:
    def __init__(self, directory: Path, sender: str) -> None:
        """Creates the folder (and missing parents) if needed, so a folder that cannot be made
        stops the service at start rather than losing its first message."""
        self._directory = directory
        self._sender = sender
        if not directory.is_dir():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.chmod(0o700)

    async def send(self, message: MailMessage) -> None:
        try:
            await asyncio.to_thread(self._write, compose(message, self._sender))
        except OSError as error:
            # A full disk or a folder removed under us; the errno says which without the message.
            raise ServiceUnavailable(code=f"mail_unavailable:{error.errno}") from None

    def _write(self, content: bytes) -> Path:
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
        partial = self._directory / f".{name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            os.write(descriptor, content)
        finally:
            os.close(descriptor)
        return partial.replace(self._directory / f"{name}{SUFFIX}")
