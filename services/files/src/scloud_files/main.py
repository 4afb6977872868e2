"""`python -m scloud_files.main`: the files service's HTTP API and gRPC server in one process."""

from scloud_common.runner import run_service
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app


def main() -> None:
    settings = FilesSettings()
    run_service("files", create_app(settings), settings)


if __name__ == "__main__":
    main()
