"""What the compose files' networks promise, for tests/deploy/test_compose.py and test_compose_prod.py."""

import ipaddress


def ranges_reaching_network_or_broadcast(compose: dict) -> list[str]:
    """The dynamic ranges of a compose file's networks that reach their subnet's network or
    broadcast address."""
    reaching = []
    for network in compose["networks"].values():
        for config in network["ipam"]["config"]:
            subnet, dynamic = ipaddress.ip_network(config["subnet"]), ipaddress.ip_network(config["ip_range"])
            if {subnet.network_address, subnet.broadcast_address} & {dynamic[0], dynamic[-1]}:
                reaching.append(config["ip_range"])
    return reaching


def fixed_addresses_a_container_could_take_first(compose: dict) -> list[str]:
    """Each service's fixed address that lies in a dynamic range of its network (podman's allocator
    hands addresses out in turn, so another container can take it before the service starts), and
    each dynamic range outside its subnet."""
    ranges = {
        name: [
            (ipaddress.ip_network(config["subnet"]), ipaddress.ip_network(config["ip_range"]))
            for config in network["ipam"]["config"]
        ]
        for name, network in compose["networks"].items()
    }
    wrong = [str(dynamic) for pairs in ranges.values() for subnet, dynamic in pairs if not dynamic.subnet_of(subnet)]
    for service, definition in compose["services"].items():
        for network, attached in (definition.get("networks") or {}).items():
            address = (attached or {}).get("ipv4_address")
            if address and any(ipaddress.ip_address(address) in dynamic for _, dynamic in ranges[network]):
                wrong.append(f"{service}: {address}")
    return wrong
