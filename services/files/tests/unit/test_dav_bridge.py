"""The WebDAV bridge's one bounded path from wsgidav's threads to the loop: results, domain
errors as DAV statuses (or as they are, when asked), and a call past its bound."""

import asyncio
import threading
from collections.abc import Iterator

import pytest
from wsgidav.dav_error import DAVError

from scloud_common.errors import NotFound, Unauthenticated
from scloud_files.dav.bridge import LoopBridge


@pytest.fixture
def bridge() -> Iterator[LoopBridge]:
    """A bridge onto a loop running in its own thread, as the service's loop runs beside a2wsgi's workers."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    bridge = LoopBridge()
    bridge.loop = loop
    yield bridge
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()


async def answer() -> str:
    return "done"


async def refuse(error: Exception) -> None:
    raise error


def test_a_result_comes_back(bridge):
    assert bridge.run(answer()) == "done"


def test_a_domain_error_comes_back_as_the_dav_error_of_its_status(bridge):
    with pytest.raises(DAVError) as raised:
        bridge.run(refuse(NotFound()))
    assert raised.value.value == 404


def test_errors_asked_for_pass_as_they_are_and_others_still_become_dav_errors(bridge):
    with pytest.raises(Unauthenticated):
        bridge.run(refuse(Unauthenticated()), passing=(Unauthenticated,))
    with pytest.raises(DAVError) as raised:
        bridge.run(refuse(NotFound()), passing=(Unauthenticated,))
    assert raised.value.value == 404


def test_a_call_past_its_bound_is_a_504_and_is_cancelled(bridge):
    started, cancelled = threading.Event(), threading.Event()

    async def hang() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(DAVError) as raised:
        bridge.run(hang(), timeout=0.2)
    assert raised.value.value == 504
    assert started.is_set() and cancelled.wait(timeout=10)
