"""Sizes as an operator types them: `10GiB`, `500MB`, `1.5 TiB` or a number of bytes."""

import re
from decimal import Decimal, InvalidOperation

# Decimal units are powers of 1000, binary ones of 1024, as `df -H` and `df -h` tell them apart.
UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]*)")


def parse_byte_size(text: str) -> int:
    """The size in bytes (a fraction of a byte rounds down); ValueError naming what is accepted."""
    match = SIZE.fullmatch(text.strip().lower())
    if match is None or match["unit"] not in UNITS:
        raise ValueError(f"{text!r} is not a size: give bytes or a number with B, KB, MB, GB, TB, KiB, MiB, GiB, TiB")
    try:
        return int(Decimal(match["number"]) * UNITS[match["unit"]])
    except InvalidOperation as error:
        raise ValueError(f"{text!r} is not a size") from error


def format_byte_size(size: int) -> str:
    """The size in the largest binary unit it fills, for people; the JSON output keeps bytes."""
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        scale = UNITS[unit.lower()]
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size} B"
