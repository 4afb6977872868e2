"""The in-memory record store keeps the RecordStore contract, so the move's unit tests may trust it."""

import pytest

from admin.tests.contracts.record_store import RecordStoreContract
from admin.tests.contracts.samples import files_samples
from scloud_admin.adapters.in_memory import InMemoryRecordStore


@pytest.fixture
def store():
    return InMemoryRecordStore("files")


@pytest.fixture
def samples():
    return files_samples()


class TestInMemoryRecordStore(RecordStoreContract):
    pass
