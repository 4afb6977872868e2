"""What makes a password acceptable: ASVS 4.0.3 V2.1 (at least 12 characters, up to 128, every one
of them counting, no composition rules), none of the commonly breached passwords, a zxcvbn
strength score of at least `min_score`, and no password made only of a repeated or sequential
pattern (aaaaaaaaaaaa, 123123123123, abcdefghijkl, qwertyuiopas).

The web app's meter (frontend/src/lib/strength.ts, zxcvbn-ts) applies the same score and the same
patterns; tests/contract/password_strength_examples.json holds the examples both must agree on."""

from collections.abc import Sequence
from dataclasses import dataclass

from zxcvbn import zxcvbn

from scloud_auth.domain import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, WeakPassword

DEFAULT_MIN_SCORE = 3
# zxcvbn's cost grows quickly with length, so it judges the first characters only (the browser
# too); the pattern checks see the whole password.
SCORED_LENGTH = 72
# Cycles a sequential pattern walks along, either way round: the alphabet, the digits, and the
# letters of a QWERTY keyboard row by row.
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")


def is_repeated(password: str) -> bool:
    """The password is one shorter piece said again and again (aaaa..., 123123..., abcabc...)."""
    length = len(password)
    return any(
        length % size == 0 and password == password[:size] * (length // size) for size in range(1, length // 2 + 1)
    )


def _steps_along(password: str, cycle: str, direction: int) -> bool:
    return all(
        a in cycle and b in cycle and cycle.index(b) == (cycle.index(a) + direction) % len(cycle)
        for a, b in zip(password, password[1:], strict=False)
    )


def is_sequential(password: str) -> bool:
    """Each character is the next (or each the previous) one of the same sequence."""
    return len(password) > 1 and any(
        _steps_along(password, cycle, direction) for cycle in SEQUENCES for direction in (1, -1)
    )


def has_trivial_pattern(password: str) -> bool:
    lowered = password.lower()
    return is_repeated(lowered) or is_sequential(lowered)


def strength_score(password: str, user_inputs: Sequence[str] = ()) -> int:
    """zxcvbn's score, 0 (guessed at once) to 4; `user_inputs` (email, name) count as known words."""
    score: int = zxcvbn(password[:SCORED_LENGTH], user_inputs=[i for i in user_inputs if i])["score"]
    return score


@dataclass(frozen=True)
class PasswordPolicy:
    common_passwords: frozenset[str]
    min_length: int = MIN_PASSWORD_LENGTH
    max_length: int = MAX_PASSWORD_LENGTH
    min_score: int = DEFAULT_MIN_SCORE

    def check(self, password: str, *, user_inputs: Sequence[str] = ()) -> None:
        """Raises WeakPassword saying why the password is refused."""
        if len(password) < self.min_length:
            raise WeakPassword(f"Use at least {self.min_length} characters for your password.")
        if len(password) > self.max_length:
            raise WeakPassword(f"Use at most {self.max_length} characters for your password.")
        if password.lower() in self.common_passwords:
            raise WeakPassword("This password is one of the most common ones and easy to guess. Choose another.")
        if has_trivial_pattern(password):
            raise WeakPassword("This password is a repeated or sequential pattern and easy to guess. Choose another.")
        if strength_score(password, user_inputs) < self.min_score:
            raise WeakPassword("This password is easy to guess. A few unrelated words make a strong one.")
