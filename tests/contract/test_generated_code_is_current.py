"""The committed gRPC stubs and OpenAPI documents must match their sources."""

import filecmp
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differing_files(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [str(Path(left, name)) for name in comparison.diff_files + comparison.left_only + comparison.right_only]
    for sub in comparison.common_dirs:
        found += differing_files(left / sub, right / sub)
    return found


def test_grpc_stubs_match_the_proto_files(tmp_path):
    load_script("generate_protos").generate_stubs(tmp_path)
    assert differing_files(ROOT / "proto" / "python" / "scloud", tmp_path / "scloud") == [], (
        "stale stubs: run `make protos` and commit"
    )


def test_openapi_documents_match_the_services():
    exporter = load_script("export_openapi")
    for name, document in exporter.openapi_documents().items():
        committed = (ROOT / "frontend" / "openapi" / f"{name}.json").read_text()
        assert committed == exporter.render(document), f"stale {name}.json: run `make openapi` and commit"
