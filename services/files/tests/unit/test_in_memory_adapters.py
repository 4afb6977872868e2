"""The in-memory fakes pass the same contract suites as the real adapters."""

import pytest

from scloud_files.adapters.in_memory import InMemoryBlobStore, InMemoryFileRepository
from scloud_files.adapters.in_memory_request import InMemoryFileRequests
from scloud_files.adapters.in_memory_share import InMemoryShareLinks
from scloud_files.adapters.in_memory_upload import InMemoryMultipartStore, InMemoryPendingUploads
from services.files.tests.contracts.file_ports import BlobStoreContract, FileRepositoryContract
from services.files.tests.contracts.request_ports import FileRequestStoreContract
from services.files.tests.contracts.share_ports import ShareLinkStoreContract
from services.files.tests.contracts.upload_ports import MultipartStoreContract, PendingUploadStoreContract


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


class TestInMemoryPendingUploads(PendingUploadStoreContract):
    @pytest.fixture
    def pending(self):
        return InMemoryPendingUploads()


class TestInMemoryMultipartStore(MultipartStoreContract):
    @pytest.fixture
    def multipart(self):
        return InMemoryMultipartStore(InMemoryBlobStore())

    @pytest.fixture
    def send_part(self, multipart):
        async def send(url, headers, body):
            return multipart.send_part(url, headers, body)

        return send

    @pytest.fixture
    def send_object(self, multipart):
        async def send(url, headers, body):
            return multipart.send_object(url, headers, body)

        return send

    @pytest.fixture
    def read_object(self, multipart):
        async def read(key):
            stored = multipart.blob_store.objects.get(key)
            return stored[0] if stored else None

        return read


class TestInMemoryShareLinks(ShareLinkStoreContract):
    @pytest.fixture
    def links(self):
        return InMemoryShareLinks()


class TestInMemoryFileRequests(FileRequestStoreContract):
    @pytest.fixture
    def requests(self):
        return InMemoryFileRequests()
