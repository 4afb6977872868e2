"""The committed gRPC stubs and OpenAPI documents must match their sources."""

import filecmp
from pathlib import Path

from scripts import export_openapi, generate_protos

ROOT = Path(__file__).resolve().parents[2]


def differing_files(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [str(Path(left, name)) for name in comparison.diff_files + comparison.left_only + comparison.right_only]
    for sub in comparison.common_dirs:
        found += differing_files(left / sub, right / sub)
    return found


def test_grpc_stubs_match_the_proto_files(tmp_path):
    generate_protos.generate_stubs(tmp_path)
    assert differing_files(ROOT / "proto" / "python" / "scloud", tmp_path / "scloud") == [], (
        "stale stubs: run `make protos` and commit"
    )


def test_openapi_documents_match_the_services():
    exporter = export_openapi
    for name, document in exporter.openapi_documents().items():
        committed = (ROOT / "frontend" / "openapi" / f"{name}.json").read_text()
        assert committed == exporter.render(document), f"stale {name}.json: run `make openapi` and commit"


def test_the_merged_public_api_document_matches_the_services():
    exporter = export_openapi
    merged = exporter.render(exporter.merged_document(exporter.openapi_documents()))
    assert exporter.MERGED_PATH.read_text() == merged, "stale api-docs/openapi.json: run `make openapi` and commit"
