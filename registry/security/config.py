"""The auth config file (TOML): users, bearer tokens and ACL entries, and its reloading.

    [[users]]
    name = "alice"
    password_hash = "$argon2id$..."     # `cairn auth hash-password`

    [bearer]                            # optional
    jwks_file = "jwks.json"             # relative to this file; or jwks_url = "https://..."
    issuer = "https://idp.example"      # optional checks
    audience = "cairn"
    principal_claim = "sub"

    [[acl]]
    principal = "alice"                 # a user, "cert:CN", a token's principal, or "*"
    subjects = "orders-*"               # glob over context-qualified subjects
    permissions = ["read", "write"]     # read | write | admin

Unknown keys are errors, so a typo never silently grants or denies. `AuthConfigSource`
holds the config in force and replaces it on reload only when the new file is valid.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.security.access import Permission
from registry.security.acl import Acl, AclEntry
from registry.security.errors import AuthConfigError
from registry.security.memo import CredentialMemo
from registry.security.passwords import PasswordBook, is_password_hash
from registry.security.tokens import BearerSettings, TokenVerifier

logger = logging.getLogger(__name__)

_TOP_KEYS = frozenset({"users", "bearer", "acl"})
_USER_KEYS = frozenset({"name", "password_hash"})
_BEARER_KEYS = frozenset(
    {"jwks_file", "jwks_url", "issuer", "audience", "principal_claim", "algorithms"}
)
_ACL_KEYS = frozenset({"principal", "subjects", "permissions"})


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """One loaded auth config: who can authenticate, and what they may do; `memo` holds
    the credentials verified under it (a reload starts a new one)."""

    passwords: PasswordBook
    tokens: TokenVerifier | None
    acl: Acl
    memo: CredentialMemo


def load_auth_config(path: Path) -> AuthConfig:
    """Read and validate `path`; `AuthConfigError` names the first problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuthConfigError(f"cannot read the auth config {path}: {exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AuthConfigError(f"the auth config {path} is not valid TOML: {exc}") from exc
    _no_unknown(data, _TOP_KEYS, "the auth config")
    users = _users(_table_list(data, "users"))
    bearer = data.get("bearer")
    tokens = None
    if bearer is not None:
        if not isinstance(bearer, dict):
            raise AuthConfigError("[bearer] must be a table")
        tokens = TokenVerifier(_bearer(bearer, path.parent))
    entries = [_acl_entry(entry, n) for n, entry in enumerate(_table_list(data, "acl"), 1)]
    return AuthConfig(PasswordBook(users), tokens, Acl(entries), CredentialMemo())


class AuthConfigSource:
    """The auth config in force, replaced by `reload()` only when the file is valid."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.current = load_auth_config(path)

    def reload(self) -> bool:
        """Load the file again; on failure keep the config in force and log why."""
        with self._lock:
            try:
                fresh = load_auth_config(self.path)
            except AuthConfigError as exc:
                logger.error("auth config not reloaded, the previous one stays in force: %s", exc)
                return False
            self.current = fresh
        logger.info(
            "auth config reloaded from %s: %d users, %d ACL entries",
            self.path,
            len(fresh.passwords),
            len(fresh.acl.entries),
        )
        return True


def _table_list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise AuthConfigError(f"{key} must be an array of tables ([[{key}]])")
    return value


def _no_unknown(table: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise AuthConfigError(f"unknown key(s) in {where}: {', '.join(unknown)}")


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise AuthConfigError(f"{where}: {key} must be a non-empty string")
    return value


def _optional_text(table: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if table.get(key) is None else _text(table, key, where)


def _users(tables: list[Mapping[str, Any]]) -> dict[str, str]:
    users: dict[str, str] = {}
    for n, table in enumerate(tables, 1):
        where = f"users entry {n}"
        _no_unknown(table, _USER_KEYS, where)
        name = _text(table, "name", where)
        password_hash = _text(table, "password_hash", where)
        if name in users:
            raise AuthConfigError(f"{where}: user {name!r} is defined twice")
        if ":" in name:
            raise AuthConfigError(f"{where}: a user name cannot contain ':'")
        if not is_password_hash(password_hash):
            raise AuthConfigError(
                f"{where}: password_hash is not an argon2id hash (`cairn auth hash-password`)"
            )
        users[name] = password_hash
    return users


def _bearer(table: Mapping[str, Any], base: Path) -> BearerSettings:
    where = "[bearer]"
    _no_unknown(table, _BEARER_KEYS, where)
    jwks_file = _optional_text(table, "jwks_file", where)
    algorithms = table.get("algorithms")
    if algorithms is not None and (
        not isinstance(algorithms, list) or not all(isinstance(a, str) for a in algorithms)
    ):
        raise AuthConfigError(f"{where}: algorithms must be a list of strings")
    extra = {} if algorithms is None else {"algorithms": tuple(algorithms)}
    return BearerSettings(
        jwks_file=None if jwks_file is None else base / jwks_file,
        jwks_url=_optional_text(table, "jwks_url", where),
        issuer=_optional_text(table, "issuer", where),
        audience=_optional_text(table, "audience", where),
        principal_claim=_optional_text(table, "principal_claim", where) or "sub",
        **extra,
    )


def _acl_entry(table: Mapping[str, Any], n: int) -> AclEntry:
    where = f"acl entry {n}"
    _no_unknown(table, _ACL_KEYS, where)
    principal = _text(table, "principal", where)
    subjects = _text(table, "subjects", where)
    names = table.get("permissions")
    if not isinstance(names, list) or not names:
        raise AuthConfigError(f"{where}: permissions must be a non-empty list")
    permissions = set()
    for name in names:
        try:
            permissions.add(Permission(name))
        except ValueError:
            raise AuthConfigError(
                f"{where}: unknown permission {name!r} (read, write or admin)"
            ) from None
    return AclEntry(principal, subjects, frozenset(permissions))
