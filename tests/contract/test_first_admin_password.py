"""The users service makes the first admin's password hash itself, without importing auth, so the
values it copies from auth must stay auth's: the account signs in, and its hash is not rewritten."""

from scloud_auth.config import AuthSettings
from scloud_auth.domain import MIN_PASSWORD_LENGTH
from scloud_users.config import UsersSettings
from scloud_users.first_admin import FIRST_ADMIN_MIN_PASSWORD_LENGTH


def test_the_first_admin_password_minimum_is_auths():
    assert FIRST_ADMIN_MIN_PASSWORD_LENGTH == MIN_PASSWORD_LENGTH


def test_the_first_admin_hash_cost_defaults_to_auths():
    first_admin_rounds = UsersSettings.model_fields["first_admin_bcrypt_rounds"]
    auth_rounds = AuthSettings.model_fields["bcrypt_rounds"]
    assert first_admin_rounds.default == auth_rounds.default
    assert first_admin_rounds.metadata == auth_rounds.metadata
