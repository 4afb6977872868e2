"""Fixtures the auth unit tests share: a settable clock and the in-memory session repository."""

import time

import pytest

from scloud_auth.adapters.in_memory import InMemorySessionRepository


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions() -> InMemorySessionRepository:
    return InMemorySessionRepository()
