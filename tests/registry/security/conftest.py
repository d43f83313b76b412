"""An in-process registry behind the security gate, with users, a token issuer and ACLs."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.security.config import AuthConfigSource
from registry.security.passwords import hash_password
from registry.server import build_app, secure
from registry.settings import Settings
from tests.support.certs import TokenIssuer

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
PASSWORDS = {
    "reader": "r-secret",
    "writer": "w-secret",
    "subject-admin": "sa-secret",
    "admin": "a-secret",
    "payments": "p-secret",
    "nobody": "n-secret",
}

ACL = """
[[acl]]
principal = "reader"
subjects = "orders-*"
permissions = ["read"]

[[acl]]
principal = "writer"
subjects = "orders-*"
permissions = ["read", "write"]

[[acl]]
principal = "subject-admin"
subjects = "orders-*"
permissions = ["read", "write", "admin"]

[[acl]]
principal = "admin"
subjects = "*"
permissions = ["read", "write", "admin"]

[[acl]]
principal = "payments"
subjects = "payments-*"
permissions = ["read", "write"]

[[acl]]
principal = "robot"
subjects = "orders-*"
permissions = ["read"]
"""


def basic(user: str, password: str | None = None) -> dict[str, str]:
    """An Authorization header for `user` with its password (or the one given)."""
    secret = PASSWORDS[user] if password is None else password
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def bearer(token: str) -> dict[str, str]:
    """An Authorization header carrying a bearer token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """One argon2id hash per test user (hashing is slow on purpose: do it once)."""
    return {user: hash_password(password) for user, password in PASSWORDS.items()}


def users_toml(hashes: dict[str, str]) -> str:
    """`[[users]]` entries for `hashes`."""
    return "".join(
        f'[[users]]\nname = "{user}"\npassword_hash = "{h}"\n\n' for user, h in hashes.items()
    )


@dataclass(slots=True)
class Secured:
    """A client over a secured registry, with what configures it."""

    client: TestClient
    auth: AuthConfigSource
    config_file: Path
    issuer: TokenIssuer


@pytest.fixture
def secured(tmp_path: Path, password_hashes: dict[str, str]) -> Iterator[Secured]:
    """A fresh in-memory registry behind the gate with the users and ACL above."""
    issuer = TokenIssuer(tmp_path)
    config_file = tmp_path / "auth.toml"
    config_file.write_text(
        users_toml(password_hashes)
        + '[bearer]\njwks_file = "jwks.json"\naudience = "cairn"\n'
        + ACL
    )
    auth = AuthConfigSource(config_file)
    with TestClient(secure(build_app(MemoryLog(), Settings()), auth)) as client:
        yield Secured(client, auth, config_file, issuer)
