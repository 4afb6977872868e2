"""Named transaction items: a cancellation is read by the name of the item that caused it."""

import pytest

from scloud_files.adapters.dynamodb.transaction import Cancelled, Transaction


def test_cancellation_reasons_are_read_by_name_whatever_the_order():
    transaction = (
        Transaction().add("row", {"Put": {}}).add("guard", {"Put": {}}).add("folder 1", {"ConditionCheck": {}})
    )
    cancelled = Cancelled.of(transaction, ["None", "ConditionalCheckFailed", "None"])
    assert cancelled.refused("guard")
    assert not cancelled.refused("row") and not cancelled.refused("folder 1", "folder 2")
    assert Cancelled.of(transaction, ["None", "None", "ConditionalCheckFailed"]).refused("folder 1", "folder 2")
    assert not Cancelled.of(transaction, ["TransactionConflict", "None", "None"]).refused("row")


def test_two_items_cannot_share_a_name():
    with pytest.raises(ValueError):
        Transaction().add("guard", {}).add("guard", {})
