"""Paths of the files API that share a prefix with one file's routes are never taken for a file."""

import pytest


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/files/archive", "POST"),
        ("/api/files/upload", "POST"),
        # Regression (fuzzing): `batches` was also taken for an upload's id, so its 405 named the
        # GET and DELETE of one upload, which the path does not have.
        ("/api/uploads/batches", "POST"),
    ],
)
async def test_a_method_a_named_path_lacks_is_a_405_naming_only_its_own_methods(drive, path, allowed):
    response = await drive.client.request("DELETE", path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_an_id_that_is_no_item_id_reaches_no_file_route(drive):
    response = await drive.client.get("/api/files/not-an-item-id")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
