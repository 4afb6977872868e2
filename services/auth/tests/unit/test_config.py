import pytest
from pydantic import ValidationError

from scloud_auth.config import AuthSettings

REQUIRED = {
    "http_port": 8101,
    "grpc_port": 9101,
    "users_grpc_addr": "localhost:9102",
    "grpc_tls_ca_cert": "/certs/ca.pem",
    "grpc_tls_cert": "/certs/auth.pem",
    "grpc_tls_key": "/certs/auth-key.pem",
}


@pytest.mark.parametrize("key", [None, "", "changeme", "secret"])
def test_production_refuses_missing_or_placeholder_signing_key(key):
    with pytest.raises(ValidationError, match="AUTH_JWT_PRIVATE_KEY"):
        AuthSettings(environment="production", jwt_private_key=key, **REQUIRED)


@pytest.mark.parametrize("key", [None, "", "  "])
def test_development_may_run_without_a_signing_key(key):
    assert AuthSettings(environment="development", jwt_private_key=key, **REQUIRED).jwt_private_key is None


def test_every_setting_is_documented():
    assert all(field.description for field in AuthSettings.model_fields.values())


def test_allowed_origins_come_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv("AUTH_ALLOWED_ORIGINS", "https://scloud.example/, http://localhost:8080")
    settings = AuthSettings(environment="development", **REQUIRED)
    assert settings.allowed_origins == ["https://scloud.example", "http://localhost:8080"]


def test_allowed_origins_default_to_the_local_gateway():
    assert AuthSettings(environment="development", **REQUIRED).allowed_origins == ["http://localhost:8080"]


def test_refresh_cookie_over_https_uses_the_host_prefix():
    cookie = AuthSettings(environment="production", jwt_private_key="k" * 40, **REQUIRED).refresh_cookie
    assert (cookie.name, cookie.path, cookie.secure) == ("__Host-scloud_refresh", "/", True)


def test_refresh_cookie_over_plain_http_falls_back_to_a_scoped_name():
    cookie = AuthSettings(environment="development", cookie_secure=False, **REQUIRED).refresh_cookie
    assert (cookie.name, cookie.path, cookie.secure) == ("scloud_refresh", "/api", False)


def test_idle_timeout_may_not_outlast_the_absolute_lifetime():
    with pytest.raises(ValidationError, match="AUTH_SESSION_IDLE_TIMEOUT_SECONDS"):
        AuthSettings(
            environment="development",
            session_idle_timeout_seconds=40 * 24 * 3600,
            session_absolute_lifetime_seconds=30 * 24 * 3600,
            **REQUIRED,
        )
