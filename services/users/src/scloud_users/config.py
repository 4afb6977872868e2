from pydantic import Field
from pydantic_settings import SettingsConfigDict

from scloud_common.settings import MailingAwsSettings, MetadataStoreSettings, ServiceSettings


class UsersSettings(ServiceSettings, MailingAwsSettings, MetadataStoreSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_", extra="ignore", frozen=True)

    auth_grpc_addr: str = Field(description="host:port of the auth service's gRPC server.")
    files_grpc_addr: str = Field(description="host:port of the files service's gRPC server.")
    account_deletion_timeout_seconds: float = Field(
        60.0, gt=0, description="Deadline of the files service's delete-everything call when an account is deleted."
    )
