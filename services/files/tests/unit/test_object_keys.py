"""Object keys: a presigned link names its key, so the key never shows the owner's id, yet the
service alone finds the owner from it (reconcile) and one prefix holds a user's objects."""

import pytest

from scloud_files.domain import KeyOwner, ObjectKeys

FILE_ID = "01JAAAAAAAAAAAAAAAAAAAAAAA"
BATCH_ID = "01JBBBBBBBBBBBBBBBBBBBBBBB"
USER_ID = "0123456789abcdef0123456789abcdef"
KEYS = ObjectKeys("one-long-random-secret-of-forty-characters")


def test_a_key_holds_no_user_id_and_gives_its_owner_back():
    key = KEYS.file(USER_ID, FILE_ID)
    assert USER_ID not in key and key.startswith(KEYS.user_prefix(USER_ID)) and key.endswith(f"/{FILE_ID}")
    assert KEYS.owner(key) == KeyOwner(USER_ID, FILE_ID)
    # Deterministic: every object of a user under one prefix.
    assert KEYS.file(USER_ID, FILE_ID) == key and KEYS.user_prefix("someone-else") != KEYS.user_prefix(USER_ID)


def test_a_batch_file_key_gives_its_owner_back_and_a_malformed_one_nobody():
    key = f"{KEYS.batch(USER_ID, BATCH_ID)}{FILE_ID}"
    assert USER_ID not in key and KEYS.owner(key) == KeyOwner(USER_ID, FILE_ID)
    assert KEYS.owner(f"{KEYS.user_prefix(USER_ID)}batches/not-an-id/{FILE_ID}") is None
    for not_a_file in (
        "",
        "users/",
        "elsewhere/x/" + FILE_ID,
        f"{KEYS.user_prefix(USER_ID)}not-an-id",
        "users//" + FILE_ID,
    ):
        assert KEYS.owner(not_a_file) is None


def test_keys_stored_before_sealing_keep_their_clear_owner_and_prefix():
    assert KEYS.owner(f"users/{USER_ID}/{FILE_ID}") == KeyOwner(USER_ID, FILE_ID)
    assert KEYS.user_prefixes(USER_ID) == (KEYS.user_prefix(USER_ID), f"users/{USER_ID}/")


def test_a_key_sealed_with_another_secret_is_nobodys_not_a_user_named_after_it():
    # Were it taken for a clear user id, a changed secret would make the reconcile pass delete
    # every object as a stray of a user with no rows.
    other = ObjectKeys("another-long-random-secret-of-forty-chars")
    assert KEYS.owner(other.file(USER_ID, FILE_ID)) is None


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="at least 32"):
        ObjectKeys("short")
