"""Real certificates and signed tokens for security tests, made with `cryptography`.

A test CA signs a server certificate for 127.0.0.1/localhost and client certificates with
a chosen CN; clients verify against the CA file, never with verification turned off.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A certificate and its key, as PEM files."""

    cert: Path
    key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write(directory: Path, name: str, cert: x509.Certificate, key: Any) -> KeyPair:
    cert_path = directory / f"{name}.pem"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return KeyPair(cert_path, key_path)


class CertificateAuthority:
    """A throw-away CA that issues server and client certificates into `directory`."""

    def __init__(self, directory: Path, name: str = "Cairn Test CA") -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._key = _key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _DAY)
            .not_valid_after(now + _DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self.cert_file = directory / f"{name.replace(' ', '-').lower()}.pem"
        self.cert_file.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def _issue(
        self, name: str, subject: x509.Name, usage: x509.ObjectIdentifier, san: Any
    ) -> KeyPair:
        key = _key()
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _DAY)
            .not_valid_after(now + _DAY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
        )
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return _write(self.directory, name, builder.sign(self._key, hashes.SHA256()), key)

    def server(self, name: str = "server") -> KeyPair:
        """A server certificate for 127.0.0.1 and localhost."""
        import ipaddress  # noqa: PLC0415

        san = x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        )
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        return self._issue(name, subject, ExtendedKeyUsageOID.SERVER_AUTH, san)

    def client(self, common_name: str, *, organization: str = "Cairn Tests") -> KeyPair:
        """A client certificate whose subject CN is `common_name`."""
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        safe = "".join(c if c.isalnum() else "_" for c in common_name)
        return self._issue(f"client-{safe}", subject, ExtendedKeyUsageOID.CLIENT_AUTH, None)


class TokenIssuer:
    """An RSA key that signs JWTs, and the JWKS file a server verifies them with."""

    def __init__(self, directory: Path, *, kid: str = "test-key") -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = kid
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        public.update({"kid": kid, "use": "sig", "alg": "RS256"})
        self.jwks_file = directory / "jwks.json"
        self.jwks_file.write_text(json.dumps({"keys": [public]}))

    def token(self, subject: str, *, lifetime_s: float | None = 600.0, **claims: Any) -> str:
        """A signed token for `subject`, valid for `lifetime_s` (negative: already expired;
        None: no `exp` claim)."""
        payload: dict[str, Any] = {"sub": subject, **claims}
        if lifetime_s is not None:
            payload["exp"] = int(time.time() + lifetime_s)
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})
