"""The bulk routes' wire shape: `remaining` beside `items` and `failed`, and the size limit."""

import pytest

MISSING = "01JAAAAAAAAAAAAAAAAAAAAAAA"


@pytest.mark.parametrize("route", ["/api/items/move", "/api/items/trash", "/api/trash/restore", "/api/trash/delete"])
async def test_more_than_500_ids_are_too_many_items_with_the_maximum(drive, route):
    response = await drive.client.post(route, json={"ids": [f"{n:026d}" for n in range(501)]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["details"]) == ("too_many_items", {"max": 500})


@pytest.mark.parametrize("route", ["/api/items/move", "/api/items/trash", "/api/trash/restore", "/api/trash/delete"])
async def test_500_ids_are_taken_and_the_answer_says_what_remains(drive, route):
    response = await drive.client.post(route, json={"ids": [MISSING, *(f"{n:026d}" for n in range(499))]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "failed", "remaining"}
    assert len(body["failed"]) + len(body["remaining"]) == 500
