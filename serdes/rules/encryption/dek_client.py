"""A small client of the registry's DEK registry (`/dek-registry/v1`), for the ENCRYPT rule.

Speaks through the serdes' transport and settings (auth, TLS, timeout) and tries each
registry URL in turn. It answers what the field executor needs: get or create a KEK, get
a DEK version (or the latest), create a DEK. A 404 comes back as None and a 409 as
`DekConflict`, so the caller can re-read after losing a race with another producer.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from serdes.client import HttpClientTransport, HttpSettings, Transport
from serdes.errors import RegistryUnavailableError, SchemaRegistryError

_BASE = "/dek-registry/v1/keks"


@dataclass(frozen=True, slots=True)
class Kek:
    """A key-encryption key as the registry holds it."""

    name: str
    kms_type: str
    kms_key_id: str
    kms_props: dict[str, str] = field(default_factory=dict)
    shared: bool = False


@dataclass(frozen=True, slots=True)
class Dek:
    """A data-encryption key version; `key_material` is set only for shared KEKs."""

    kek_name: str
    subject: str
    version: int
    algorithm: str
    encrypted_key_material: str | None
    key_material: str | None
    ts: int


class DekConflict(SchemaRegistryError):  # noqa: N818 (a registry answer, not a failure)
    """The KEK or DEK exists already (409): read it instead."""


class DekRegistryClient:
    """Thread-safe and stateless: every call is one request (the executor caches)."""

    __slots__ = ("_headers", "_settings", "_transport")

    def __init__(self, settings: HttpSettings, transport: Transport | None = None) -> None:
        self._settings = settings
        self._transport = transport or HttpClientTransport(settings.tls)
        self._headers = settings.headers()

    def _call(self, method: str, path: str, query: dict[str, str], body: object = None) -> Any:
        headers = dict(self._headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        target = path + ("?" + urlencode(query) if query else "")
        problem = "no registry URL"
        for base in self._settings.urls:
            try:
                answer = self._transport.send(
                    method, base + target, headers, data, self._settings.timeout_s
                )
            except (OSError, http.client.HTTPException) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if answer.status >= 500:
                problem = f"HTTP {answer.status}"
                continue
            if answer.status == 404:
                return None
            try:
                parsed = json.loads(answer.body) if answer.body else None
            except ValueError:
                parsed = None
            if 200 <= answer.status < 300:
                return parsed
            code = parsed.get("error_code", -1) if isinstance(parsed, dict) else -1
            message = parsed.get("message", "") if isinstance(parsed, dict) else ""
            kind = DekConflict if answer.status == 409 else SchemaRegistryError
            raise kind(str(message), status=answer.status, error_code=int(code))
        raise RegistryUnavailableError(f"DEK registry unavailable for {method} {path}: {problem}")

    def get_kek(self, name: str) -> Kek | None:
        """The KEK `name`, None when there is none."""
        body = self._call("GET", f"{_BASE}/{quote(name, safe='')}", {})
        return None if body is None else _kek(body)

    def create_kek(self, name: str, kms_type: str, kms_key_id: str) -> Kek:
        """Register a non-shared KEK (the client wraps its own DEKs)."""
        request = {"name": name, "kmsType": kms_type, "kmsKeyId": kms_key_id, "shared": False}
        return _kek(self._call("POST", _BASE, {}, request))

    def get_dek(self, kek: str, subject: str, version: int | None, algorithm: str) -> Dek | None:
        """DEK `version` (None: the latest) of `subject` under `kek`; None when missing."""
        path = f"{_BASE}/{quote(kek, safe='')}/deks/{quote(subject, safe='')}/versions/"
        path += "latest" if version is None else str(version)
        body = self._call("GET", path, {"algorithm": algorithm})
        return None if body is None else _dek(body)

    def create_dek(
        self, kek: str, subject: str, version: int, algorithm: str, encrypted: str | None
    ) -> Dek:
        """Register DEK `version` (wrapped by the client, or by the registry for shared KEKs)."""
        request: dict[str, object] = {"subject": subject, "version": version}
        request["algorithm"] = algorithm
        if encrypted is not None:
            request["encryptedKeyMaterial"] = encrypted
        path = f"{_BASE}/{quote(kek, safe='')}/deks/{quote(subject, safe='')}"
        return _dek(self._call("POST", path, {}, request))


def _kek(body: Any) -> Kek:
    return Kek(
        name=body["name"],
        kms_type=body["kmsType"],
        kms_key_id=body["kmsKeyId"],
        kms_props=dict(body.get("kmsProps") or {}),
        shared=bool(body.get("shared", False)),
    )


def _dek(body: Any) -> Dek:
    return Dek(
        kek_name=body["kekName"],
        subject=body["subject"],
        version=int(body.get("version", 1)),
        algorithm=body.get("algorithm", "AES256_GCM"),
        encrypted_key_material=body.get("encryptedKeyMaterial"),
        key_material=body.get("keyMaterial"),
        ts=int(body.get("ts", 0)),
    )
