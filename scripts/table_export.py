"""A DynamoDB table's items as a JSON file, the form `aws dynamodb scan --output json` prints
(`{"Items": [...], "Count": n}`, binaries in base64), and the item-for-item comparison of two sets
of items. The portable form of a table's backup: scripts/restore_drill.py, docs/operations.md.

Comparing two scans (a restored table's and the live one's), exit 0 when they are equal:

    python -m scripts.table_export EXPECTED.json ACTUAL.json --key userId --key fileId
"""

import argparse
import base64
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

Item = dict[str, Any]


def _encode(value: Any) -> Any:
    """DynamoDB JSON with binaries in base64, as the AWS CLI prints them."""
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(inner).decode()}
    if kind == "BS":
        return {"BS": [base64.b64encode(blob).decode() for blob in inner]}
    if kind == "L":
        return {"L": [_encode(element) for element in inner]}
    if kind == "M":
        return {"M": {name: _encode(element) for name, element in inner.items()}}
    return value


def _decode(value: Any) -> Any:
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(blob) for blob in inner]}
    if kind == "L":
        return {"L": [_decode(element) for element in inner]}
    if kind == "M":
        return {"M": {name: _decode(element) for name, element in inner.items()}}
    return value


def export_table(items: list[Item], path: Path) -> None:
    encoded = [{name: _encode(value) for name, value in item.items()} for item in items]
    path.write_text(json.dumps({"Items": encoded, "Count": len(encoded)}, ensure_ascii=False, indent=1))


def load_export(path: Path) -> list[Item]:
    return [{name: _decode(value) for name, value in item.items()} for item in json.loads(path.read_text())["Items"]]


def compare_items(expected: list[Item], actual: list[Item], key_names: Sequence[str]) -> list[str]:
    """Item for item, by value: numbers as decimals (1.50 is 1.5), sets in any order."""
    deserializer = TypeDeserializer()

    def by_key(items: list[Item]) -> dict[tuple[Any, ...], dict[str, Any]]:
        plain = [{name: deserializer.deserialize(value) for name, value in item.items()} for item in items]
        return {tuple(item[name] for name in key_names): item for item in plain}

    want, have = by_key(expected), by_key(actual)
    differences = [f"missing {key}" for key in want.keys() - have.keys()]
    differences += [f"unexpected {key}" for key in have.keys() - want.keys()]
    differences += [f"differs {key}" for key in want.keys() & have.keys() if want[key] != have[key]]
    return sorted(differences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("expected", type=Path, help="one table's items (aws dynamodb scan --output json)")
    parser.add_argument("actual", type=Path, help="the other table's items, in the same form")
    parser.add_argument("--key", action="append", required=True, help="the table's key attributes, hash first")
    arguments = parser.parse_args(argv)
    differences = compare_items(load_export(arguments.expected), load_export(arguments.actual), arguments.key)
    print("\n".join(differences) or "equal")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
