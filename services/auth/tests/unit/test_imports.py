"""The domain and the use cases see only ports: importing them, in a fresh interpreter, loads no
AWS client code and no transport."""

import subprocess
import sys

import pytest

TRANSPORT_FREE_MODULES = [
    "scloud_auth.domain",
    "scloud_auth.ports",
    "scloud_auth.use_cases",
    "scloud_auth.sign_in",
    "scloud_auth.two_factor",
    "scloud_auth.sessions",
    "scloud_auth.recovery",
    "scloud_auth.registration",
    "scloud_common.mail",
]
TRANSPORT_MODULES = ("boto3", "botocore", "grpc", "fastapi", "starlette")


@pytest.mark.parametrize("module", TRANSPORT_FREE_MODULES)
def test_importing_loads_no_aws_code_and_no_transport(module):
    probe = f"import sys, {module}; print(' '.join(m for m in {TRANSPORT_MODULES!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert loaded.stdout.split() == []
