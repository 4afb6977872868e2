"""`python -m scloud_auth.main`: the auth service's HTTP API and gRPC server in one process."""

from scloud_auth.config import AuthSettings
from scloud_auth.http.app import create_app
from scloud_common.runner import run_service


def main() -> None:
    settings = AuthSettings()
    run_service("auth", create_app(settings), settings)


if __name__ == "__main__":
    main()
