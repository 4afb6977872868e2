"""The container tests' own check and repair of the compose network's names
(project.names_resolve_everywhere), on a network of two idle containers in a private network
namespace, as the stacks run.

In CI (2026-12-07) files could not reach `s3` for minutes after a restore had every container
recreated, and the check then only asked whether a name answered. Here a record is left on an
address no container has, by hand: the check has to see it, and its repair has to mend it. The
repair's `network reload` used to run outside the stack's namespace, which left every name
unresolved (seen here)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.containers import project
from tests.containers.conftest import CACHE
from tests.containers.engine import Podman, private_netns
from tests.containers.project import AARDVARK_DIR, ComposeProject, addresses_now, names_resolve_everywhere
from tests.containers.standins import StandIns, base_images

pytestmark = pytest.mark.skipif(
    os.environ.get("SCLOUD_CONTAINER_TESTS") != "1",
    reason="runs containers (root, podman): run it with `make test-containers`",
)

PROJECT = "scloud-dns-test"
NETWORK = f"{PROJECT}_default"
SERVICES = ("store", "peer")
GONE_ADDRESS = "172.16.99.99"


@pytest.fixture(scope="module")
def network(podman: Podman) -> Iterator[ComposeProject]:
    """`store` and `peer`, idle, named on one network as compose names a project's services."""
    images = base_images()
    StandIns(podman, CACHE).ensure(images)
    [python] = [image for image in images if image.repository == "python"]
    with private_netns("scloud-dns-", os.getpid()) as netns:
        podman("network", "create", NETWORK, netns=netns)
        try:
            for service in SERVICES:
                podman(
                    "run",
                    "--detach",
                    "--name",
                    f"{PROJECT}-{service}-1",
                    "--network",
                    NETWORK,
                    "--network-alias",
                    service,
                    "--label",
                    f"com.docker.compose.project={PROJECT}",
                    "--label",
                    f"com.docker.compose.service={service}",
                    "--entrypoint",
                    "sleep",
                    python.qualified[0],
                    "900",
                    netns=netns,
                    timeout=120,
                )
            yield ComposeProject("compose.yaml", PROJECT, {}, netns=netns)
        finally:
            containers = [f"{PROJECT}-{service}-1" for service in SERVICES]
            podman("rm", "--force", "--time", "0", *containers, netns=netns, check=False, timeout=120)
            podman("network", "rm", NETWORK, netns=netns, check=False, timeout=60)


def leave_on_a_gone_address(address: str) -> None:
    """One way a name leads nowhere: the record of a container's name holds an address no
    container has (aardvark-dns reads its records again on SIGHUP)."""
    records = AARDVARK_DIR / NETWORK
    text = records.read_text()
    assert f" {address} " in text, text
    records.write_text(text.replace(f" {address} ", f" {GONE_ADDRESS} "))
    os.kill(int((AARDVARK_DIR / "aardvark.pid").read_text().strip()), signal.SIGHUP)


def test_a_name_answered_with_an_address_no_container_has_is_seen_and_mended(
    podman: Podman, network: ComposeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each unsettled check waits out its bound; a short one keeps this test short.
    monkeypatch.setattr(project, "NAME_RESOLUTION_BOUND_SECONDS", 15)
    names_resolve_everywhere(podman, network, ["peer"], ["store"])
    assert "dns_repairs" not in network.report
    [address] = addresses_now(podman, PROJECT, ["store"])["store"]

    leave_on_a_gone_address(address)
    names_resolve_everywhere(podman, network, ["peer"], ["store"])

    repairs = network.report["dns_repairs"]
    assert repairs[0]["unresolved"] == {"peer": [f"store:{GONE_ADDRESS}"]}, repairs
    # SIGHUP reads the same wrong record again; `network reload` writes the records anew.
    assert [repair["repair"] for repair in repairs] == ["aardvark-dns SIGHUP", "podman network reload --all"]
    assert project.unresolved_names(podman, PROJECT, ["peer"], ["store"]) == {}
