"""Rewrites services/auth/src/scloud_auth/data/common-passwords.txt.gz, the list of commonly
breached passwords that sign-up and password changes refuse.

The list is the one zxcvbn-ts ranks passwords with (npm `@zxcvbn-ts/language-common`, MIT, derived
from real breach corpora), so the server refuses exactly what the browser's strength meter calls the
weakest. Lower-cased, de-duplicated, in rank order, gzipped without a timestamp so reruns are
byte-identical. Run: `python scripts/update_common_passwords.py [VERSION]`.
"""

import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@zxcvbn-ts/language-common"
DEFAULT_VERSION = "4.1.3"
TARGET = Path(__file__).resolve().parents[1] / "services/auth/src/scloud_auth/data/common-passwords.txt.gz"


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_VERSION
    with tempfile.TemporaryDirectory() as folder:
        packed = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{version}", "--silent"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.strip()
        with tarfile.open(Path(folder) / packed) as archive:
            member = archive.extractfile("package/src/passwords.json")
            assert member is not None
            ranked: list[str] = json.load(member)
    unique = list(dict.fromkeys(password.lower() for password in ranked))
    with gzip.GzipFile(TARGET, "wb", mtime=0) as target:
        target.write(("\n".join(unique) + "\n").encode())
    print(f"{len(unique)} passwords from {PACKAGE}@{version} -> {TARGET}")


if __name__ == "__main__":
    main()
