"""Mutual TLS between the services.

Every internal gRPC connection is encrypted, and both ends show a certificate signed by the
internal CA. A certificate's common name is the name of the service that holds it (`auth`,
`users`, `files`), so a server knows who calls, and a client checks it reached the peer it
meant, whatever address the peer has. Outsiders without such a certificate cannot complete the
handshake at all.

`python -m scloud_common.internal_tls DIR` issues a CA and one certificate per service into DIR
(for local runs, compose and tests; production stores them in a secrets manager).
"""

import argparse
import datetime
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

SERVICE_NAMES = ("auth", "users", "files")
PEM_MARKER = "-----BEGIN"


def read_pem(value: str | SecretStr) -> bytes:
    """A setting holds either the PEM text itself (secrets managers hand out text) or a path to it
    (mounted files in compose)."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if text.lstrip().startswith(PEM_MARKER):
        return text.encode()
    return Path(text).read_bytes()


@dataclass(frozen=True)
class TlsMaterial:
    """What one service needs: the CA that signs every service, its own certificate and key."""

    ca_cert: bytes
    cert: bytes
    key: bytes

    @classmethod
    def load(cls, *, ca_cert: str, cert: str, key: SecretStr) -> "TlsMaterial":
        return cls(read_pem(ca_cert), read_pem(cert), read_pem(key))

    def server_credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials(
            [(self.key, self.cert)], root_certificates=self.ca_cert, require_client_auth=True
        )

    def channel_credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=self.ca_cert, private_key=self.key, certificate_chain=self.cert
        )


def caller_name(context: grpc.aio.ServicerContext[Any, Any]) -> str | None:
    """The common name of the certificate the caller showed, or None without one."""
    names = list(context.auth_context().get("x509_common_name") or [])
    return names[0].decode() if names else None


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _leaf_certificate(
    name: str, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, valid_days: int
) -> tuple[bytes, bytes]:
    """A certificate for `name`, usable both as server and as client certificate."""
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)


@dataclass(frozen=True)
class IssuedCertificates:
    ca_cert: bytes
    ca_key: bytes
    certs: dict[str, tuple[bytes, bytes]]  # name -> (certificate, key)

    def material(self, name: str) -> TlsMaterial:
        cert, key = self.certs[name]
        return TlsMaterial(self.ca_cert, cert, key)

    def issue(self, name: str, *, valid_days: int = 365) -> TlsMaterial:
        """Another certificate from the same CA (a new service, or a test's stranger)."""
        ca_key = serialization.load_pem_private_key(self.ca_key, password=None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        cert, key = _leaf_certificate(name, x509.load_pem_x509_certificate(self.ca_cert), ca_key, valid_days)
        return TlsMaterial(self.ca_cert, cert, key)


def tls_settings(issued: IssuedCertificates, name: str) -> dict[str, str]:
    """The `grpc_tls_*` settings of service `name`, as PEM text (tests and in-process runs)."""
    cert, key = issued.certs[name]
    return {"grpc_tls_ca_cert": issued.ca_cert.decode(), "grpc_tls_cert": cert.decode(), "grpc_tls_key": key.decode()}


def issue_certificates(names: Iterable[str] = SERVICE_NAMES, *, valid_days: int = 365) -> IssuedCertificates:
    """A fresh CA and one certificate per name."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("SCloud internal CA"))
        .issuer_name(_name("SCloud internal CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    certs = {name: _leaf_certificate(name, ca_cert, ca_key, valid_days) for name in names}
    return IssuedCertificates(ca_cert.public_bytes(serialization.Encoding.PEM), _pem_key(ca_key), certs)


def write_certificates(issued: IssuedCertificates, directory: Path) -> None:
    """`ca.pem`, and `<name>.pem` + `<name>-key.pem` per service. Keys are readable by the owner only."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ca.pem").write_bytes(issued.ca_cert)
    for name, (cert, key) in issued.certs.items():
        (directory / f"{name}.pem").write_bytes(cert)
        key_path = directory / f"{name}-key.pem"
        key_path.touch(mode=0o600)
        key_path.write_bytes(key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Issue the internal CA and the services' gRPC certificates.")
    parser.add_argument("directory", type=Path, help="Folder to write ca.pem, <service>.pem, <service>-key.pem to.")
    parser.add_argument(
        "--keep", action="store_true", help="Do nothing when ca.pem exists already (one-shot containers restart)."
    )
    parser.add_argument("--valid-days", type=int, default=365, help="Validity of the certificates.")
    args = parser.parse_args(argv)
    if args.keep and (args.directory / "ca.pem").exists():
        return 0
    write_certificates(issue_certificates(valid_days=args.valid_days), args.directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
