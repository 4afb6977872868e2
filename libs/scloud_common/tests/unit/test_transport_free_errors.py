"""The error model is imported by every domain module, so it must load no transport."""

import subprocess
import sys


def test_importing_the_error_model_loads_neither_grpc_nor_a_web_framework():
    probe = (
        "import sys, scloud_common.errors; "
        "print(sorted(m for m in ('grpc', 'fastapi', 'starlette', 'boto3', 'botocore') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert loaded.strip() == "[]"
