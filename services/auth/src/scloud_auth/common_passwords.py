"""The commonly breached passwords the password policy refuses, shipped with the service (see
scripts/update_common_passwords.py for where the list comes from)."""

import gzip
from functools import cache
from importlib.resources import files


@cache
def common_passwords() -> frozenset[str]:
    data = files("scloud_auth").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())
