"""Whether a class offers every method of a port (a Protocol) with the same parameters.

Protocols are structural: mypy holds an adapter to its port only where the code assigns one to
the other, and nothing at all holds an adapter that only the composition root builds under one
setting. Each service's unit tests run `port_gaps` on every adapter of every port, so a port
that gains a method fails the tests until the fake and every real adapter have it."""

import inspect
from collections.abc import Sequence
from typing import Any

import pytest


def port_methods(port: type) -> dict[str, inspect.Signature]:
    """The public methods a Protocol declares, its own and its base protocols'."""
    methods: dict[str, inspect.Signature] = {}
    for base in reversed(port.__mro__):
        if not getattr(base, "_is_protocol", False) or base.__name__ in ("Protocol", "Generic"):
            continue
        for name, member in vars(base).items():
            if not name.startswith("_") and inspect.isfunction(member):
                methods[name] = inspect.signature(member)
    return methods


def port_gaps(port: type, adapter: type[Any]) -> list[str]:
    """What `adapter` lacks of `port`: each missing method, or one whose parameters differ (by
    name, kind and order) or that is sync where the port's is async. Empty when it conforms."""
    gaps = []
    for name, expected in port_methods(port).items():
        member = getattr(adapter, name, None)
        if member is None or not callable(member):
            gaps.append(f"{adapter.__name__}.{name} is missing")
            continue
        actual = inspect.signature(member)
        if _shape(actual) != _shape(expected):
            gaps.append(f"{adapter.__name__}.{name}{actual} differs from {port.__name__}.{name}{expected}")
        if inspect.iscoroutinefunction(getattr(port, name)) != inspect.iscoroutinefunction(member):
            gaps.append(f"{adapter.__name__}.{name} is not async as {port.__name__}.{name} is, or the reverse")
    return gaps


def each_adapter(ports: Sequence[tuple[type, Sequence[type]]]) -> list[Any]:
    """pytest parameters `(port, adapter)`: every adapter of every port, named after both."""
    return [
        pytest.param(port, adapter, id=f"{port.__name__}-{adapter.__name__}")
        for port, adapters in ports
        for adapter in adapters
    ]


def _shape(signature: inspect.Signature) -> list[tuple[str, Any]]:
    return [(parameter.name, parameter.kind) for parameter in signature.parameters.values()]
