"""`GET /api/files/limits` reports the service's own settings, so the web app never keeps copies."""

import pytest

from scloud_files.config import FilesSettings


@pytest.fixture
def drive_settings(drive_settings: FilesSettings) -> FilesSettings:
    return drive_settings.model_copy(update={"max_upload_bytes": 2048, "trash_retention_days": 7})


async def test_limits_report_the_upload_size_and_the_trash_retention_in_use(drive):
    response = await drive.client.get("/api/files/limits")

    assert response.status_code == 200
    limits = response.json()
    assert (limits["maxUploadBytes"], limits["trashRetentionDays"]) == (2048, 7)
