"""The auth service's password policy gives every shared example its expected verdict; the web
app's meter is held to the same file by frontend/src/lib/strength.test.ts, so the two agree."""

import json
from pathlib import Path

import pytest

from scloud_auth.common_passwords import common_passwords
from scloud_auth.config import AuthSettings
from scloud_auth.domain import WeakPassword
from scloud_auth.password_policy import PasswordPolicy

EXAMPLES = json.loads((Path(__file__).parent / "password_strength_examples.json").read_text())
POLICY = PasswordPolicy(common_passwords=common_passwords())


def test_the_examples_hold_the_issues_four_and_both_verdicts():
    passwords = {example["password"] for example in EXAMPLES}
    assert {"aaaaaaaaaaaa", "111111111111", "123123123123", "qwertyuiopas"} <= passwords
    assert {example["accepted"] for example in EXAMPLES} == {True, False}


def test_the_server_and_the_meter_use_the_same_default_minimum_score():
    strength_ts = (Path(__file__).parents[2] / "frontend/src/lib/strength.ts").read_text()
    default = AuthSettings.model_fields["password_min_score"].default
    assert f"export const MIN_STRENGTH_SCORE = {default};" in strength_ts


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example["password"])
def test_the_server_policy_gives_each_example_its_verdict(example):
    if example["accepted"]:
        POLICY.check(example["password"])
    else:
        with pytest.raises(WeakPassword):
            POLICY.check(example["password"])
