"""Transactions whose items have names: a cancellation is read by name, never by position, so
adding an item to a transaction cannot shift what another one's failure means."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

CONDITION_FAILED = "ConditionalCheckFailed"


@dataclass
class Transaction:
    """The items of one TransactWriteItems, in order, each under its own name."""

    names: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, item: dict[str, Any]) -> "Transaction":
        if name in self.names:
            raise ValueError(f"two items of one transaction are named {name!r}")
        self.names.append(name)
        self.items.append(item)
        return self

    def fingerprint(self) -> str:
        """A ClientRequestToken (at most 36 characters) that only this exact transaction has."""
        return hashlib.sha256(json.dumps(self.items, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Cancelled:
    """Why a transaction was cancelled: each named item's reason ("None" if it was not a cause)."""

    reasons: dict[str, str]

    def refused(self, *names: str) -> bool:
        """Whether the condition of any of these items failed."""
        return any(self.reasons.get(name) == CONDITION_FAILED for name in names)

    @classmethod
    def of(cls, transaction: Transaction, reasons: list[str]) -> "Cancelled":
        return cls(dict(zip(transaction.names, reasons, strict=False)))
