"""Regenerates the Python gRPC stubs (with .pyi) from proto/scloud/**.proto.

The stubs are committed once, in proto/python, as the installable package
`scloud-proto`; tests/contract checks that they match the .proto files.
"""

import argparse
import shutil
import sys
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parent.parent / "proto"
DEFAULT_OUT = PROTO_ROOT / "python"


def generate_stubs(out_dir: Path) -> None:
    sources = sorted(PROTO_ROOT.glob("scloud/**/*.proto"))
    if out_dir.exists():
        shutil.rmtree(out_dir / "scloud", ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(source.relative_to(PROTO_ROOT)) for source in sources),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for package_dir in {out_dir / "scloud"} | {
        parent for source in sources for parent in _package_dirs(out_dir, source)
    }:
        (package_dir / "__init__.py").touch()
    (out_dir / "scloud" / "py.typed").touch()


def _package_dirs(out_dir: Path, source: Path) -> list[Path]:
    relative = source.relative_to(PROTO_ROOT).parent
    return [out_dir / Path(*relative.parts[:depth]) for depth in range(1, len(relative.parts) + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    generate_stubs(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
