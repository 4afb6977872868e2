"""The users service's settings as its unit tests build them: the test environment, free ports, a
certificate from the test CA, and peers and AWS at addresses nothing answers (a unit test that
reached them would fail, not hang on a real service)."""

from collections.abc import Callable
from typing import Any

import pytest

from scloud_common.internal_tls import IssuedCertificates, tls_settings
from scloud_users.config import UsersSettings


@pytest.fixture
def users_settings(internal_certificates: IssuedCertificates) -> Callable[..., UsersSettings]:
    """UsersSettings with these fields changed (`users_settings(registration="invite")`)."""

    def build(**values: Any) -> UsersSettings:
        return UsersSettings(
            **{
                **tls_settings(internal_certificates, "users"),
                "environment": "test",
                "http_port": 0,
                "grpc_port": 0,
                "aws_endpoint_url": "http://127.0.0.1:9",
                "auth_grpc_addr": "127.0.0.1:9",
                "files_grpc_addr": "127.0.0.1:9",
                **values,
            }
        )

    return build
