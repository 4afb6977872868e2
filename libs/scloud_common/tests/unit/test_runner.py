"""The services' uvicorn: forwarded headers are believed from the gateway's address only."""

import httpx
import pytest
from fastapi import FastAPI, Request

from scloud_common.runner import uvicorn_config
from scloud_common.settings import ServiceSettings
from tests.harness import serve_in_thread

CLIENT = "203.0.113.7"

# Only the HTTP side runs here; the gRPC certificates are never read.
NO_TLS_NEEDED = {"grpc_tls_ca_cert": "unused", "grpc_tls_cert": "unused", "grpc_tls_key": "unused"}


@pytest.fixture
def service_url():
    app = FastAPI()

    @app.get("/whoami")
    async def whoami(request: Request) -> dict:
        return {"client": request.client.host, "scheme": request.url.scheme}

    settings = ServiceSettings(http_port=0, grpc_port=0, forwarded_allow_ips="127.0.0.1", **NO_TLS_NEEDED)
    with serve_in_thread(uvicorn_config(app, settings)) as (server,):
        yield server.url


def whoami(url: str, source: str) -> dict:
    # Linux answers on all of 127/8: a second loopback address stands for another peer.
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport) as client:
        headers = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}
        return client.get(f"{url}/whoami", headers=headers).json()


def test_the_gateways_forwarded_headers_name_the_client(service_url):
    assert whoami(service_url, "127.0.0.1") == {"client": CLIENT, "scheme": "https"}


def test_any_other_peer_cannot_forge_them(service_url):
    assert whoami(service_url, "127.0.0.2") == {"client": "127.0.0.2", "scheme": "http"}


def test_the_default_trusts_only_a_gateway_on_this_host():
    assert ServiceSettings(http_port=1, grpc_port=0, **NO_TLS_NEEDED).forwarded_allow_ips == "127.0.0.1"
