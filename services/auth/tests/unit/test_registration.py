"""Registration: the password and email rules, and the session it starts."""

import pytest

from scloud_auth.common_passwords import common_passwords
from scloud_auth.domain import WeakPassword
from scloud_auth.password_policy import PasswordPolicy
from scloud_auth.signing import SignerKeySource
from scloud_common.email_address import InvalidEmail
from scloud_common.errors import AlreadyExists
from scloud_common.tokens import AccessTokenVerifier
from services.auth.tests.unit.account_steps import PASSWORD, register


async def test_register_issues_a_verifiable_access_token(auth, signer, clock):
    issued = await register(auth)
    verifier = AccessTokenVerifier(SignerKeySource(signer), session_source=auth.sessions, issuer="iss", audience="aud")
    claims = await verifier.verify(issued.access_token)
    assert claims.user_id == issued.user.user_id
    assert issued.user.email == "ada@example.com"
    assert issued.access_token_expires_at == int(clock.now) + 900


LONG_PHRASE = (
    "the quick brown fox jumps over the lazy dog while seven violet kettles whistle at dawn near an old stone "
    "bridge by the quiet river"
)[:128]


@pytest.mark.parametrize(
    "password",
    ["short pass1", " " * 11, "PasswordPassword", LONG_PHRASE + "x", "aaaaaaaaaaaa", "qwertyuiopas", "aaaaaaaaaaab"],
)
async def test_register_refuses_short_long_common_patterned_and_guessable_passwords(auth, password):
    with pytest.raises(WeakPassword):
        await auth.registration.register(
            email="a@b.co", username="Ada", password=password, gender=None, date_of_birth=None
        )


@pytest.mark.parametrize("password", ["alllowercaseletters", "958210473316", LONG_PHRASE, "      twelve elephants"])
async def test_register_has_no_composition_rules(auth, password):
    issued = await auth.registration.register(
        email="a@b.co", username="Ada", password=password, gender=None, date_of_birth=None
    )
    assert (await auth.sign_in.login(email="a@b.co", password=password)).user.user_id == issued.user.user_id


async def test_the_shipped_list_of_common_passwords_is_refused_case_insensitively():
    # With no minimum score, only the list refuses these.
    policy = PasswordPolicy(common_passwords=common_passwords(), min_score=0)
    assert len(policy.common_passwords) > 40_000
    for password in ("1qaz2wsx3edc", "QWERTY123456", "LeaveMeAlone"):
        with pytest.raises(WeakPassword):
            policy.check(password)
    policy.check("correct horse battery")


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "a b@c.de", "@x.io"])
async def test_register_refuses_malformed_emails(auth, email):
    with pytest.raises(InvalidEmail):
        await auth.registration.register(
            email=email, username="Ada", password=PASSWORD, gender=None, date_of_birth=None
        )


async def test_register_twice_with_same_email_in_other_case_conflicts(auth):
    await register(auth, "ada@example.com")
    with pytest.raises(AlreadyExists):
        await register(auth, "ADA@example.com")


@pytest.mark.parametrize(
    ("email", "normalized"),
    [
        ("Ada@BÜCHER.example", "ada@xn--bcher-kva.example"),
        ("ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"),
        ("  ADA@Example.COM ", "ada@example.com"),
    ],
)
async def test_emails_are_normalised_once_with_an_idna_domain(auth, email, normalized):
    issued = await register(auth, email)
    assert issued.user.email == normalized


@pytest.mark.parametrize("email", ["ada\x00@example.com", "ada@exa\u200bmple.com", "a\nb@example.com", "ada@-bad-.com"])
async def test_emails_with_control_characters_or_bad_domains_are_refused(auth, email):
    with pytest.raises(InvalidEmail):
        await register(auth, email)


async def test_the_name_and_email_count_as_known_words(auth):
    PasswordPolicy(common_passwords=frozenset()).check("Zanzibarzanz1")
    with pytest.raises(WeakPassword):
        await auth.registration.register(
            email="quokka@example.com", username="Zanzibar", password="Zanzibarzanz1", gender=None, date_of_birth=None
        )
