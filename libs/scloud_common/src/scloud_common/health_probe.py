"""Container health probe: `python -m scloud_common.health_probe SERVICE HOST:PORT`.

Exits 0 when the gRPC server's standard health service answers SERVING, 1 otherwise. It runs
inside the service's container with the service's own environment, so it shows the service's
own certificate (`<SERVICE>_GRPC_TLS_*`) and expects the server to show it too.
Needs nothing outside the image (no grpc_health_probe binary).
"""

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scloud_common.internal_tls import SERVICE_NAMES, TlsMaterial
from scloud_common.settings import GrpcTlsSettings


def probe(address: str, *, service_name: str, tls: TlsMaterial, timeout: float = 3.0) -> bool:
    options = [("grpc.ssl_target_name_override", service_name)]
    with grpc.secure_channel(address, tls.channel_credentials(), options=options) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError:
            return False
    serving: bool = response.status == health_pb2.HealthCheckResponse.SERVING
    return serving


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in SERVICE_NAMES:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    service_name, address = argv[1], argv[2]
    settings = GrpcTlsSettings(_env_prefix=f"{service_name.upper()}_")
    return 0 if probe(address, service_name=service_name, tls=settings.tls_material()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
