"""`python -m scloud_users.main`: the users service's HTTP API and gRPC server in one process."""

from scloud_common.runner import run_service
from scloud_users.config import UsersSettings
from scloud_users.http.app import create_app


def main() -> None:
    settings = UsersSettings()
    run_service("users", create_app(settings), settings)


if __name__ == "__main__":
    main()
