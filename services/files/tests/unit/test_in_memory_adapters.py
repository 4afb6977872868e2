"""The in-memory fakes pass the same contract suites as the real adapters."""

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from services.files.tests.contracts.file_ports import BlobStoreContract, FileRepositoryContract


class TestInMemoryFileRepository(FileRepositoryContract):
    @pytest.fixture
    def repository(self):
        return InMemoryFileRepository()

    @pytest.fixture
    def add_unfiled(self, repository):
        async def add(file):
            repository.unfiled[(file.user_id, file.file_id)] = file

        return add


class TestInMemoryBlobStore(BlobStoreContract):
    @pytest.fixture
    def blob_store(self):
        return InMemoryBlobStore()

    @pytest.fixture
    def read_object(self, blob_store):
        async def read(key: str):
            return blob_store.objects.get(key)

        return read
