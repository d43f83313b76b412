"""The registry client over HTTP: Confluent's REST API, with auth, TLS, timeouts and retries.

Retries follow confluent-kafka's rules: 408, 429, 500, 502, 503 and 504 answers and transport
failures are retried with exponential backoff and full jitter, a bounded number of times per
base URL, then the next URL is tried. When every attempt fails the call raises
`RegistryUnavailableError`, so the worst case is bounded by (timeout + backoff) x attempts.
Other error answers are read as Confluent error bodies and raised as typed errors at once.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from serdes.client._model import RegisteredSchema, Schema
from serdes.client._transport import HttpClientTransport, Response, TlsSettings, Transport
from serdes.errors import (
    RegistryUnavailableError,
    SchemaRegistryError,
    SerdesConfigError,
    UnknownSchemaIdError,
    UnknownSubjectError,
)

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_ACCEPT = (
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json"
)
_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


#: The confluent-kafka-style settings `HttpSettings.from_conf` reads.
HTTP_CONF_KEYS = frozenset(
    {
        "url",
        "basic.auth.user.info",
        "bearer.auth.token",
        "ssl.ca.location",
        "ssl.certificate.location",
        "ssl.key.location",
        "ssl.key.password",
        "ssl.verify",
        "timeout",
        "max.retries",
        "retries.wait.ms",
        "retries.max.wait.ms",
    }
)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Where the registry is and how to talk to it; build from a dict with `from_conf`."""

    urls: tuple[str, ...]
    basic_auth: tuple[str, str] | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    tls: TlsSettings = field(default_factory=TlsSettings)
    timeout_s: float = 10.0
    max_retries: int = 3
    backoff_initial_s: float = 0.1
    backoff_max_s: float = 2.0

    def __post_init__(self) -> None:
        if not self.urls or not all(u.startswith(("http://", "https://")) for u in self.urls):
            raise SerdesConfigError("registry url must be one or more http:// or https:// URLs")
        if self.basic_auth is not None and self.bearer_token is not None:
            raise SerdesConfigError("configure basic auth or a bearer token, not both")
        if self.timeout_s <= 0 or self.max_retries < 0 or self.backoff_initial_s < 0:
            raise SerdesConfigError("timeout must be positive and retries/backoff non-negative")

    @classmethod
    def from_conf(cls, conf: Mapping[str, object]) -> HttpSettings:
        """Settings from confluent-kafka's client keys; unknown keys are an error.

        Keys: `url` (comma-separated), `basic.auth.user.info` (`user:password`),
        `bearer.auth.token`, `ssl.ca.location`, `ssl.certificate.location`,
        `ssl.key.location`, `ssl.key.password`, `ssl.verify` (bool), `timeout` (seconds),
        `max.retries`, `retries.wait.ms`, `retries.max.wait.ms`.
        """
        unknown = sorted(set(conf) - HTTP_CONF_KEYS)
        if unknown:
            raise SerdesConfigError(f"unknown registry client settings: {', '.join(unknown)}")

        def text(key: str) -> str | None:
            value = conf.get(key)
            if value is not None and not isinstance(value, str):
                raise SerdesConfigError(f"{key} must be a string")
            return value

        def number(key: str, default: float) -> float:
            value = conf.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SerdesConfigError(f"{key} must be a number")
            return float(value)

        url = text("url")
        if not url:
            raise SerdesConfigError("url is required")
        urls, from_url = _split_credentials(url)
        user_info = text("basic.auth.user.info") or from_url
        basic = None
        if user_info is not None:
            user, sep, password = user_info.partition(":")
            if not sep:
                raise SerdesConfigError("basic.auth.user.info must be 'user:password'")
            basic = (user, password)
        verify = conf.get("ssl.verify", True)
        if not isinstance(verify, bool):
            raise SerdesConfigError("ssl.verify must be a boolean")
        return cls(
            urls=urls,
            basic_auth=basic,
            bearer_token=text("bearer.auth.token"),
            tls=TlsSettings(
                ca_file=text("ssl.ca.location"),
                cert_file=text("ssl.certificate.location"),
                key_file=text("ssl.key.location"),
                key_password=text("ssl.key.password"),
                verify=verify,
            ),
            timeout_s=number("timeout", 10.0),
            max_retries=int(number("max.retries", 3)),
            backoff_initial_s=number("retries.wait.ms", 100) / 1000,
            backoff_max_s=number("retries.max.wait.ms", 2000) / 1000,
        )

    def headers(self) -> dict[str, str]:
        """The headers sent on every request (credentials included)."""
        out = {"Accept": _ACCEPT}
        if self.basic_auth is not None:
            token = base64.b64encode(":".join(self.basic_auth).encode()).decode("ascii")
            out["Authorization"] = f"Basic {token}"
        elif self.bearer_token is not None:
            out["Authorization"] = f"Bearer {self.bearer_token}"
        return out


def _split_credentials(url: str) -> tuple[tuple[str, ...], str | None]:
    """The base URLs without user info, and the `user:password` one of them carried.

    confluent-kafka accepts credentials in the URL (`http://user:pw@host:8081`); they are
    sent as basic auth, never as part of the host.
    """
    urls: list[str] = []
    found: str | None = None
    for raw in (u.strip() for u in url.split(",")):
        if not raw:
            continue
        parts = urlsplit(raw.rstrip("/"))
        if parts.username is not None:
            found = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            host = parts.hostname or ""
            netloc = f"[{host}]" if ":" in host else host
            if parts.port is not None:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        urls.append(urlunsplit(parts))
    return tuple(urls), found


def _path(*segments: str) -> str:
    return "/" + "/".join(quote(s, safe="") for s in segments)


def _error_body(response: Response) -> tuple[int, str]:
    try:
        body = json.loads(response.body)
        return int(body["error_code"]), str(body["message"])
    except (ValueError, KeyError, TypeError):
        return -1, response.body.decode("utf-8", "replace")[:200] or f"HTTP {response.status}"


class HttpRegistryClient:
    """A `RegistryClient` speaking Confluent's REST API; thread-safe, holds no connections.

    It caches nothing: wrap it in `CachedRegistryClient` (as `registry_client()` does).
    """

    __slots__ = ("_headers", "_random", "_settings", "_sleep", "_transport")

    def __init__(
        self,
        settings: HttpSettings,
        *,
        transport: Transport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._settings = settings
        self._transport = transport or HttpClientTransport(settings.tls)
        self._headers = settings.headers()
        self._sleep = sleep
        self._random = jitter

    def _backoff(self, attempt: int) -> float:
        ceiling = min(
            self._settings.backoff_max_s, self._settings.backoff_initial_s * float(1 << attempt)
        )
        return ceiling * self._random()

    def _request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: object = None,
        not_found: type[SchemaRegistryError] = UnknownSubjectError,
    ) -> Any:
        headers = dict(self._headers)
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = _CONTENT_TYPE
        target = path + ("?" + urlencode(query) if query else "")
        last_status: int | None = None
        last_problem = "no attempt made"
        for base in self._settings.urls:
            for attempt in range(self._settings.max_retries + 1):
                if attempt:
                    self._sleep(self._backoff(attempt - 1))
                try:
                    response = self._transport.send(
                        method, base + target, headers, data, self._settings.timeout_s
                    )
                except (OSError, http.client.HTTPException) as exc:
                    last_status, last_problem = None, f"{type(exc).__name__}: {exc}"
                    logger.debug("registry %s %s failed: %s", method, base, last_problem)
                    continue
                if response.status in RETRY_STATUSES:
                    last_status = response.status
                    last_problem = f"HTTP {response.status}: {_error_body(response)[1]}"
                    continue
                return self._answer(response, not_found)
        raise RegistryUnavailableError(
            f"schema registry unavailable for {method} {path}: {last_problem}",
            status=last_status,
        )

    @staticmethod
    def _answer(response: Response, not_found: type[SchemaRegistryError]) -> Any:
        if 200 <= response.status < 300:
            if response.status == 204 or not response.body:
                return None
            return json.loads(response.body)
        code, message = _error_body(response)
        kind = not_found if response.status == 404 else SchemaRegistryError
        raise kind(message, status=response.status, error_code=code)

    @staticmethod
    def _registered(body: Any, subject: str | None, schema: Schema | None) -> RegisteredSchema:
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            raise SchemaRegistryError("registry answer has no schema id", status=200, error_code=-1)
        own = Schema.from_json(body) if "schema" in body else schema
        if own is None:
            raise SchemaRegistryError("registry answer has no schema", status=200, error_code=-1)
        version = body.get("version")
        return RegisteredSchema(
            body["id"],
            own,
            body.get("subject", subject),
            version if isinstance(version, int) else None,
            body.get("guid"),
        )

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        """`GET /schemas/ids/{id}`."""
        query = {"subject": subject} if subject else None
        body = self._request(
            "GET",
            _path("schemas", "ids", str(schema_id)),
            query=query,
            not_found=UnknownSchemaIdError,
        )
        return Schema.from_json(body)

    def get_schema_by_guid(self, guid: str) -> Schema:
        """`GET /schemas/guids/{guid}`."""
        body = self._request("GET", _path("schemas", "guids", guid), not_found=UnknownSchemaIdError)
        return Schema.from_json(body)

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """`POST /subjects/{s}/versions`."""
        body = self._request(
            "POST",
            _path("subjects", subject, "versions"),
            query={"normalize": "true" if normalize else "false"},
            body=schema.to_json(),
        )
        return self._registered(body, subject, schema)

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """`POST /subjects/{s}`."""
        body = self._request(
            "POST",
            _path("subjects", subject),
            query={"normalize": "true" if normalize else "false"},
            body=schema.to_json(),
        )
        return self._registered(body, subject, schema)

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        """`GET /subjects/{s}/versions/latest`."""
        body = self._request("GET", _path("subjects", subject, "versions", "latest"))
        return self._registered(body, subject, None)

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        """`GET /subjects/{s}/metadata?key=k&value=v...`."""
        pairs = [("key", k) for k in metadata] + [("value", v) for v in metadata.values()]
        target = _path("subjects", subject, "metadata") + "?" + urlencode(pairs)
        body = self._request("GET", target)
        return self._registered(body, subject, None)

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        """`GET /subjects/{s}/versions/{v}?deleted=true`."""
        body = self._request(
            "GET",
            _path("subjects", subject, "versions", str(version)),
            query={"deleted": "true"},
        )
        return self._registered(body, subject, None)
