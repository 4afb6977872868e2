"""Per-service AWS endpoints the boto3 way: with no `<SVC>_AWS_ENDPOINT_URL`, the clients the
services build take `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB` and
`AWS_ENDPOINT_URL_SESV2` as boto3 reads them; a service's own endpoint setting wins over them."""

import pytest

from scloud_common.aws import aws_client
from scloud_common.settings import AwsSettings

ENDPOINTS = {
    "s3": ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:8333"),
    "dynamodb": ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
    "sesv2": ("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:4579"),
}


@pytest.fixture
def per_service_endpoints(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", raising=False)
    for variable, url in ENDPOINTS.values():
        monkeypatch.setenv(variable, url)


@pytest.mark.parametrize("service", list(ENDPOINTS))
def test_each_client_takes_its_own_endpoint_from_the_environment(per_service_endpoints, service):
    client = aws_client(AwsSettings(_env_prefix="FILES_"), service)  # type: ignore[call-overload]
    assert client.meta.endpoint_url == ENDPOINTS[service][1]


@pytest.mark.parametrize("service", list(ENDPOINTS))
def test_the_services_own_endpoint_setting_wins(per_service_endpoints, monkeypatch, service):
    monkeypatch.setenv("FILES_AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    client = aws_client(AwsSettings(_env_prefix="FILES_"), service)  # type: ignore[call-overload]
    assert client.meta.endpoint_url == "http://127.0.0.1:4566"


def test_s3_links_on_a_per_service_endpoint_are_path_style(per_service_endpoints):
    """A local endpoint has no per-bucket host names, so the bucket must be in the path."""
    client = aws_client(AwsSettings(_env_prefix="FILES_"), "s3")
    url = client.generate_presigned_url("get_object", Params={"Bucket": "scloud-files", "Key": "k"})
    assert url.startswith("http://127.0.0.1:8333/scloud-files/k?")
