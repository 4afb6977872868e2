"""A starting process warms its dependencies before it serves: every readiness check passes once,
within a bound, before /readyz can first answer."""

import asyncio
import time

from scloud_common.errors import ServiceUnavailable
from scloud_common.lifespan import warm_up


class PeerComingUp:
    """A peer whose health check fails until it has been asked `failures` times."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def check(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ServiceUnavailable()


async def test_every_check_is_retried_until_it_has_passed_once():
    users, files = PeerComingUp(failures=3), PeerComingUp(failures=0)
    assert await warm_up({"users": users.check, "files": files.check}, within=30)
    assert users.calls == 4
    # One that passed is not asked again while another still warms.
    assert files.calls == 1


async def test_a_dependency_that_never_answers_ends_the_warm_up_at_its_bound():
    async def hangs() -> None:
        await asyncio.Event().wait()

    never = PeerComingUp(failures=10**9)
    started = time.monotonic()
    assert not await warm_up({"hangs": hangs, "never": never.check}, within=0.5)
    assert time.monotonic() - started < 5


async def test_nothing_to_warm_is_ready_at_once():
    assert await warm_up({}, within=0)
