"""Copy jobs through the real app against moto server: the job's record in DynamoDB (the files
table's `#copyjob#` items) as the browser follows it, its copies' bytes in S3, a cancel of a
finished job, and another user's job."""

import time

import httpx
import pytest

pytestmark = pytest.mark.integration

FILES = 6
# Seconds a job of a few small files may take on a loaded machine.
JOB_TIMEOUT_SECONDS = 60


@pytest.fixture
def settings(settings):
    """A copy of more than two files runs as a job."""
    return settings.model_copy(update={"copy_job_threshold_files": 2, "copy_job_progress_every_files": 1})


def ended_job(client: httpx.Client, job_id: str) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/items/copy-jobs/{job_id}")
        assert job.status_code == 200, job.text
        if job.json()["state"] != "running":
            return job.json()
        time.sleep(0.1)
    raise AssertionError(f"copy job {job_id} still running after {JOB_TIMEOUT_SECONDS} s")


def test_a_folder_copy_runs_as_a_job_read_from_dynamodb_until_done(client):
    source = client.post("/api/v1/folders", json={"name": "Photos", "parentId": None}).json()
    target = client.post("/api/v1/folders", json={"name": "Backup", "parentId": None}).json()
    contents = {f"{number}.bin": bytes([number]) * (100 + number) for number in range(FILES)}
    for name, body in contents.items():
        uploaded = client.post("/api/v1/files/upload", params={"parentId": source["id"]}, files={"file": (name, body)})
        assert uploaded.status_code == 201, uploaded.text

    started = client.post("/api/v1/items/copy", json={"ids": [source["id"]], "parentId": target["id"]})
    assert started.status_code == 202, started.text
    assert started.json()["filesTotal"] == FILES
    assert started.json()["bytesTotal"] == sum(len(body) for body in contents.values())
    job = ended_job(client, started.json()["id"])

    assert job["state"] == "done" and job["failed"] == []
    assert (job["filesCopied"], job["bytesCopied"]) == (FILES, started.json()["bytesTotal"])
    (copy,) = job["items"]
    assert (copy["name"], copy["parentId"]) == ("Photos", target["id"])
    children = client.get(f"/api/v1/folders/{copy['id']}/children").json()["items"]
    assert sorted(child["name"] for child in children) == sorted(contents)
    for child in children:
        link = client.get(f"/api/v1/files/{child['id']}/download").json()["url"]
        assert httpx.get(link).content == contents[child["name"]]

    # A finished job is answered as it is; another user's is not found.
    cancelled = client.delete(f"/api/v1/items/copy-jobs/{job['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "done"
    other = client.get(f"/api/v1/items/copy-jobs/{job['id']}", headers=client.bob)
    assert other.status_code == 404 and other.json()["error"]["code"] == "copy_job_not_found"
