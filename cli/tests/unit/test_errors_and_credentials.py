import httpx
import pytest

from scloud_cli.credentials import CredentialStore
from scloud_cli.errors import (
    EXIT_AUTH,
    EXIT_CONFLICT,
    EXIT_FAILURE,
    EXIT_NOT_FOUND,
    error_from_response,
)


@pytest.mark.parametrize(
    ("status", "exit_code"),
    [
        (401, EXIT_AUTH),
        (403, EXIT_AUTH),
        (404, EXIT_NOT_FOUND),
        (409, EXIT_CONFLICT),
        (507, EXIT_CONFLICT),
        (500, EXIT_FAILURE),
        (422, EXIT_FAILURE),
    ],
)
def test_each_status_ends_with_its_documented_exit_code(status, exit_code):
    response = httpx.Response(status, json={"error": {"code": "some_code", "message": "Said so.", "details": {"a": 1}}})
    error = error_from_response(response)
    assert error.exit_code == exit_code
    assert error.as_json() == {
        "error": {"code": "some_code", "message": f"Said so. ({status} some_code)", "details": {"a": 1}}
    }


def test_a_body_that_is_not_the_error_model_still_gives_a_message():
    error = error_from_response(httpx.Response(502, text="<html>bad gateway</html>"))
    assert error.code == "http_502" and error.exit_code == EXIT_FAILURE


def test_without_a_keyring_the_token_goes_to_a_file_only_its_owner_reads(tmp_path):
    store = CredentialStore(tmp_path / "config", use_keyring=False)
    where = store.save("http://a", "scloud_pat_one")
    store.save("http://b", "scloud_pat_two")
    assert where.endswith("credentials.json")
    assert (tmp_path / "config" / "credentials.json").stat().st_mode & 0o777 == 0o600
    assert store.load("http://a") == "scloud_pat_one" and store.load("http://b") == "scloud_pat_two"
    store.delete("http://a")
    assert store.load("http://a") is None and store.load("http://b") == "scloud_pat_two"
