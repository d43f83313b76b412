"""The auth config file: what it accepts, and the first problem it reports otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.security.access import Permission
from registry.security.config import load_auth_config
from registry.security.errors import AuthConfigError
from tests.registry.security.conftest import users_toml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "auth.toml"
    path.write_text(text)
    return path


def test_a_full_config_loads(tmp_path: Path, password_hashes: dict[str, str]) -> None:
    (tmp_path / "jwks.json").write_text('{"keys": []}')
    config = load_auth_config(
        write(
            tmp_path,
            users_toml({"alice": password_hashes["reader"]})
            + '[bearer]\njwks_url = "https://idp.invalid/jwks"\nissuer = "https://idp.invalid"\n'
            + '[[acl]]\nprincipal = "alice"\nsubjects = "orders-*"\npermissions = ["read", "admin"]\n',
        )
    )
    assert len(config.passwords) == 1
    assert config.tokens is not None
    assert config.acl.allows("alice", Permission.ADMIN, "orders-value")
    assert not config.acl.allows("alice", Permission.WRITE, "orders-value")
    assert not config.acl.allows("alice", Permission.READ, ":.ctx:orders-value")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("users = 3", "users must be an array of tables"),
        ("[[users]]\nname = 'a'\npassword_hash = 'plain'\n", "not an argon2id hash"),
        ("[[users]]\nname = 'a'\n", "password_hash must be a non-empty string"),
        ("[[users]]\nname = 'a:b'\npassword_hash = 'x'\n", "cannot contain ':'"),
        (
            "[[acl]]\nprincipal = 'a'\nsubjects = '*'\npermissions = ['delete']\n",
            "unknown permission 'delete'",
        ),
        ("[[acl]]\nprincipal = 'a'\nsubjects = '*'\npermissions = []\n", "non-empty list"),
        (
            "[[acl]]\nprincipal = 'a'\nsubject = '*'\npermissions = ['read']\n",
            "unknown key(s) in acl entry 1: subject",
        ),
        ("[bearer]\nprincipal_claim = 'sub'\n", "exactly one of jwks_file and jwks_url"),
        ("[bearer]\njwks_file = 'missing.json'\n", "cannot load the key set"),
        ("[bearer]\njwks_url = 'https://x'\nalgorithms = ['HS256']\n", "public-key algorithms"),
        ("[server]\nport = 1\n", "unknown key(s) in the auth config: server"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_invalid_configs_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(AuthConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_auth_config(write(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigError, match="cannot read"):
        load_auth_config(tmp_path / "absent.toml")
