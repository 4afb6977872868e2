"""An account as a transfer record (scloud_common.transfer), the same from either store."""

from scloud_common.transfer import TransferRecord
from scloud_users.domain import Account, User

ACCOUNT = "users.account"


def account_record(account: Account) -> TransferRecord:
    user = account.user
    return TransferRecord(
        ACCOUNT,
        user.user_id,
        {
            "email": user.email,
            "username": user.username,
            # Empty and missing are one value: both stores keep them as none.
            "gender": user.gender or None,
            "date_of_birth": user.date_of_birth or None,
            "created_at": user.created_at,
            "email_verified": user.email_verified,
            "locked": user.locked,
            "password_hash": account.password_hash,
        },
    )


def account_of(record: TransferRecord) -> Account:
    body = record.body
    user = User(
        user_id=record.key,
        email=body["email"],
        username=body["username"],
        gender=body["gender"],
        date_of_birth=body["date_of_birth"],
        created_at=body["created_at"],
        email_verified=body["email_verified"],
        locked=body["locked"],
    )
    return Account(user, body["password_hash"])
