"""The check each service runs on its adapters (tests/port_conformance.py) reports what a port
gained and an adapter lacks."""

from typing import Protocol

from tests.port_conformance import port_gaps, port_methods


class Repository(Protocol):
    async def get(self, item_id: str) -> str | None: ...

    async def delete(self, item_id: str) -> None: ...


class GrownRepository(Repository, Protocol):
    async def count(self) -> int: ...

    async def delete(self, item_id: str, *, hard: bool) -> None: ...


class Adapter:
    async def get(self, item_id: str) -> str | None:
        return None

    async def delete(self, item_id: str) -> None:
        return None


class SyncAdapter:
    def get(self, item_id: str) -> str | None:
        return None

    async def delete(self, item_id: str) -> None:
        return None


def test_an_adapter_with_every_method_of_its_port_has_no_gaps():
    assert port_gaps(Repository, Adapter) == []


def test_a_port_that_gains_a_method_or_a_parameter_is_reported_for_an_adapter_that_lacks_it():
    assert set(port_methods(GrownRepository)) == {"get", "delete", "count"}
    assert port_gaps(GrownRepository, Adapter) == [
        "Adapter.delete(self, item_id: str) -> None differs from "
        "GrownRepository.delete(self, item_id: str, *, hard: bool) -> None",
        "Adapter.count is missing",
    ]


def test_a_sync_method_where_the_port_awaits_is_reported():
    assert port_gaps(Repository, SyncAdapter) == ["SyncAdapter.get is not async as Repository.get is, or the reverse"]
