"""The JSON client the commands use for a registry's REST API (any Confluent-compatible one).

Unlike the serializers' registry client (typed: schemas by id and by subject), this
client sends a path and a JSON body and returns the decoded JSON, so each command shapes its
own requests. The bytes travel through the serdes' `HttpClientTransport` (with its TLS
handling), so the CLI adds no HTTP library of its own.

Everything that can go wrong on the wire is translated here, once, into the CLI's errors: a
refused request (4xx) becomes `RegistryRefusedError` (with Confluent's error code); an
unreachable registry, refused credentials, a server error (5xx) or an answer that is not the
API's JSON becomes `RegistryFailedError`. Commands never see the transport's exceptions.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import shlex
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from cli.errors import (
    IncompatibleRegistrationError,
    InputError,
    RegistryFailedError,
    RegistryRefusedError,
)
from serdes.client import HttpClientTransport, TlsSettings

JsonValue = object
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
#: Confluent's "nothing configured at this scope" codes: no such subject, no subject config,
#: no subject mode.
_NOT_CONFIGURED = (40401, 40408, 40409)


@dataclass(frozen=True, slots=True)
class Connection:
    """Where the registry is and how to talk to it; built once from the shared options."""

    url: str = "http://localhost:8081"
    user: str | None = None
    password: str | None = None
    token: str | None = field(default=None, repr=False)
    ca_cert: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    insecure: bool = False
    timeout: float = 30.0

    def transport(self) -> HttpClientTransport:
        """The serdes' HTTP transport with these TLS settings (loaded now, so a bad file is
        reported before any request)."""
        tls = TlsSettings(
            ca_file=str(self.ca_cert) if self.ca_cert else None,
            cert_file=str(self.cert) if self.cert else None,
            key_file=str(self.key) if self.key else None,
            verify=not self.insecure,
        )
        try:
            return HttpClientTransport(tls)
        except (OSError, ssl.SSLError) as exc:
            raise InputError(
                f"Cannot load the TLS files: {exc}. Check --ca-cert, --cert and --key."
            ) from exc


def segment(value: str | int) -> str:
    """One path segment, percent-encoded so subjects may contain `/`, `:` or spaces."""
    return quote(str(value), safe="")


def resource_path(resource: str, subject: str | None) -> str:
    """The path of a registry-wide (`/config`) or subject-level (`/config/S`) config or mode."""
    return f"/{resource}" if subject is None else f"/{resource}/{segment(subject)}"


def own_config_or_mode(
    client: RegistryRestClient, resource: str, subject: str | None
) -> dict[str, object] | None:
    """The config or mode set at this scope itself, or None when it has none (it inherits)."""
    path = resource_path(resource, subject)
    try:
        return as_object(client.get(path), path)
    except RegistryRefusedError as exc:
        if exc.error_code in _NOT_CONFIGURED:
            return None
        raise


class RegistryRestClient:
    """JSON requests to one registry; every failure becomes a CLI error with advice."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._base = connection.url.rstrip("/")
        self._transport = connection.transport()
        self._headers = {"Accept": CONTENT_TYPE, "Content-Type": CONTENT_TYPE}
        if connection.user is not None and connection.token is not None:
            raise InputError("Give --user/--password or --token, not both.")
        if connection.user is not None:
            token = f"{connection.user}:{connection.password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
        elif connection.token is not None:
            self._headers["Authorization"] = "Bearer " + connection.token

    @property
    def url(self) -> str:
        """The registry's base URL."""
        return self._base

    @property
    def connection(self) -> Connection:
        """How this client reaches the registry, for commands that need a second client."""
        return self._connection

    def get(self, path: str, query: Mapping[str, str | int | bool] | None = None) -> JsonValue:
        """GET `path` and return the decoded JSON body."""
        return self.request("GET", path, query=query)

    def post(
        self, path: str, body: JsonValue, query: Mapping[str, str | int | bool] | None = None
    ) -> JsonValue:
        """POST a JSON body and return the decoded JSON answer."""
        return self.request("POST", path, query=query, body=body)

    def put(self, path: str, body: JsonValue) -> JsonValue:
        """PUT a JSON body and return the decoded JSON answer."""
        return self.request("PUT", path, body=body)

    def delete(self, path: str, query: Mapping[str, str | int | bool] | None = None) -> JsonValue:
        """DELETE `path` and return the decoded JSON answer."""
        return self.request("DELETE", path, query=query)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | int | bool] | None = None,
        body: JsonValue = None,
    ) -> JsonValue:
        """Send one request; raise `RegistryRefusedError` for 4xx, `RegistryFailedError` else."""
        url = self._base + path
        if query:
            url += "?" + urlencode({k: _query_value(v) for k, v in query.items()})
        data = None if body is None else json.dumps(body).encode("utf-8")
        try:
            response = self._transport.send(
                method, url, self._headers, data, self._connection.timeout
            )
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise RegistryFailedError(
                f"Cannot reach the registry at {self._base} ({exc}). Check --url "
                "(or CAIRN_URL), that the registry is running, and the TLS options."
            ) from exc
        if response.status >= 400:
            raise _http_error(method, path, response.status, response.body)
        raw = response.body
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise RegistryFailedError(
                f"{method} {path} answered with a body that is not JSON; is {self._base} "
                "a schema registry?"
            ) from exc


#: What to do next, for the refusals a person meets most; `{subject}` is the request's.
ADVICE: dict[int, str] = {
    409: (
        ". The schema is incompatible with the subject's earlier versions; "
        "`cairn check --subject` with the schema file lists why."
    ),
    40401: ". List the subjects with `cairn subjects` (--deleted for soft-deleted ones).",
    40402: ". List the versions with `cairn versions {subject} --deleted`.",
    40403: ". Check the id; `cairn get` also fetches a schema by subject and version.",
    40404: ". It is already soft-deleted; add --permanent to delete it for good.",
    40406: ". It is already soft-deleted; add --permanent to delete it for good.",
    40408: ". It inherits one; `cairn config get --subject {subject}` shows which.",
    40409: ". It inherits one; `cairn mode get --subject {subject}` shows which.",
    42201: ". Validate the schema file offline with `cairn check` on it, and check --type.",
    42205: ". Check the mode with `cairn mode get` (--subject for a subject's own).",
    42206: ". Delete the schemas that reference it first.",
    40470: ". List the KEKs with `cairn kek list`, their DEKs with `cairn dek list KEK`.",
    42272: ". Delete the KEK's DEKs first (`cairn dek list KEK`, then `cairn dek delete`).",
}
ADVICE[40901] = ADVICE[409]
#: Where a request names a subject: /subjects/S, /config/S, /mode/S, /compatibility/subjects/S.
_SUBJECT_IN_PATH = re.compile(r"^/(?:compatibility/)?(?:subjects|config|mode)/([^/?]+)")


def advice(error_code: int, path: str) -> str:
    """What to do after refusal `error_code` of a request to `path`, naming its subject.

    Advice that needs a subject the request did not name is left out rather than shown with a
    placeholder.
    """
    template = ADVICE.get(error_code, "")
    if "{subject}" not in template:
        return template
    found = _SUBJECT_IN_PATH.match(path)
    if found is None:
        return ""
    return template.format(subject=shlex.quote(unquote(found.group(1))))


def _query_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _http_error(
    method: str, path: str, status: int, raw: bytes
) -> RegistryFailedError | RegistryRefusedError:
    """Translate an HTTP error status, reading Confluent's error body when there is one."""
    message = raw.decode("utf-8", errors="replace").strip() or http.client.responses.get(status, "")
    error_code = status
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = str(body.get("message", message))
        code = body.get("error_code")
        if isinstance(code, int):
            error_code = code
    if status in (401, 403):
        return RegistryFailedError(
            f"The registry refused the credentials (HTTP {status}: {message}). "
            "Check --user/--password (CAIRN_USER/CAIRN_PASSWORD) or --token (CAIRN_TOKEN)."
        )
    if 400 <= status < 500:
        refused = IncompatibleRegistrationError if status == 409 else RegistryRefusedError
        return refused(
            f"{method} {path} failed: {message} (error code {error_code})"
            + advice(error_code, path),
            status=status,
            error_code=error_code,
            reason=message,
        )
    return RegistryFailedError(
        f"The registry failed on {method} {path}: {message} (HTTP {status}, error code "
        f"{error_code}). Retry later or check the registry's log."
    )


def as_object(value: JsonValue, what: str) -> dict[str, object]:
    """`value` as a JSON object, or a `RegistryFailedError` naming what was expected."""
    if not isinstance(value, dict):
        raise RegistryFailedError(f"Expected a JSON object for {what}, got {value!r}")
    return {str(k): v for k, v in value.items()}


def as_list(value: JsonValue, what: str) -> list[object]:
    """`value` as a JSON array, or a `RegistryFailedError` naming what was expected."""
    if not isinstance(value, list):
        raise RegistryFailedError(f"Expected a JSON array for {what}, got {value!r}")
    return list(value)
