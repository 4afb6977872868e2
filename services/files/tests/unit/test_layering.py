"""The domain and the use cases see no transport and no AWS SDK: importing them, in a process of
their own, loads neither boto3/botocore nor fastapi/starlette."""

import json
import subprocess
import sys

# grpc is not listed: scloud_common.errors still maps error kinds to gRPC codes itself.
FORBIDDEN = ("boto3", "botocore", "fastapi", "starlette", "grpc")

IMPORT_AND_REPORT = f"""
import importlib, json, pkgutil, sys
import scloud_files.domain, scloud_files.ports, scloud_files.drive
for module in pkgutil.iter_modules(scloud_files.drive.__path__):
    importlib.import_module("scloud_files.drive." + module.name)
print(json.dumps({{
    "loaded": sorted(name for name in sys.modules if name.split(".")[0] in {FORBIDDEN!r}),
    "use_cases": sorted(name for name in sys.modules if name.startswith("scloud_files.drive.")),
}}))
"""


def test_domain_and_use_cases_import_no_transport_and_no_aws_sdk():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_REPORT], capture_output=True, text=True, timeout=60, check=True
    )
    report = json.loads(result.stdout)
    assert report["loaded"] == []
    assert {"scloud_files.drive.upload", "scloud_files.drive.use_cases"} <= set(report["use_cases"])
