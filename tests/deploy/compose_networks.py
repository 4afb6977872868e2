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
