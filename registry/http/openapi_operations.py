"""Building blocks of the OpenAPI description: parameters, responses, one operation.

Each error status is described once and attached to every operation that can answer it,
so the status codes a fuzzer may see are listed exactly where the router can produce them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.http.negotiation import JSON, SCHEMA_REGISTRY, SCHEMA_REGISTRY_V1
from registry.http.openapi_schemas import BOOLEAN, INT32, STRING, JsonSchema, ref

#: The media types every API response may have, by `Accept` (the first is the default).
MEDIA_TYPES = (SCHEMA_REGISTRY_V1, SCHEMA_REGISTRY, JSON)

_REASONS = {
    400: "Malformed JSON, a body field of the wrong type, or a bad path encoding (400)",
    403: "Forbidden (40301 by an ACL)",
    404: "Not found: 40401 subject, 40402 version, 40403 schema, 404 path",
    406: "No acceptable response media type (406)",
    409: "Incompatible schema (409 or 40901)",
    413: "Request body over the server's limit (413)",
    415: "Unsupported request media type (415)",
    422: "Unprocessable: 422 and 422xx codes (invalid schema, version, level, mode, ...)",
    500: "Server error: 50001 store, 50002 timeout, 50003 forwarding, 50004 no leader",
    503: "The server is still replaying its log",
}
#: Errors any operation may answer.
_COMMON = (400, 406, 500, 503)
#: Errors of operations with a request body.
_BODY = (413, 415, 422)


def content(schema: JsonSchema | None) -> dict[str, Any]:
    return {media: ({"schema": schema} if schema is not None else {}) for media in MEDIA_TYPES}


def response(description: str, schema: JsonSchema | None) -> dict[str, Any]:
    return {"description": description, "content": content(schema)}


def path_param(name: str, schema: JsonSchema, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


def query(name: str, schema: JsonSchema, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def flag(name: str, description: str) -> dict[str, Any]:
    return query(name, BOOLEAN, f"{description} (default false)")


SUBJECT = {
    **path_param("subject", STRING, "The subject, optionally context-qualified (`:.ctx:name`)"),
    "example": "orders-value",
}
VERSION = {
    **path_param(
        "version",
        {
            "anyOf": [
                {"type": "string", "enum": ["latest"]},
                {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                {"type": "integer", "enum": [-1]},
            ]
        },
        "A version number in [1, 2^31-1], or `latest` (also -1, and `latest` in any case); "
        "anything else is 422 42202",
    ),
    "example": "latest",
}
ID = {**path_param("id", INT32, "A schema id"), "example": 1}
GUID = path_param("guid", STRING, "A schema's content GUID")
CONTEXT = path_param("context", STRING, "A context name, with or without its leading dot")
OFFSET = query("offset", {"type": "integer"}, "Items to skip (default 0)")
LIMIT = query(
    "limit", {"type": "integer"}, "Most items to return (default and maximum: the server's)"
)
DELETED = flag("deleted", "Include soft-deleted versions")
DELETED_ONLY = flag("deletedOnly", "Only soft-deleted versions")
FORMAT = query("format", STRING, "A rendering: `resolved` (Avro), `serialized` (Protobuf)")
SUBJECT_HINT = query("subject", STRING, "Prefer this subject's version of the schema")
NORMALIZE = flag("normalize", "Normalize the schema before comparing or storing")
DEFAULT_TO_GLOBAL = flag("defaultToGlobal", "Fall back to the global setting")
SUBJECT_PREFIX = query("subjectPrefix", STRING, "Only subjects starting with this")


def operation(
    operation_id: str,
    summary: str,
    ok: tuple[int, str, JsonSchema | None],
    *,
    tag: str,
    parameters: Sequence[dict[str, Any]] = (),
    body: str | None = None,
    errors: Sequence[int] = (),
    media_types: Sequence[str] = MEDIA_TYPES,
) -> dict[str, Any]:
    status, description, schema = ok
    responses: dict[str, Any] = {}
    if status == 204:
        responses["204"] = {"description": description}
    else:
        media = {name: ({"schema": schema} if schema is not None else {}) for name in media_types}
        responses[str(status)] = {"description": description, "content": media}
    for code in sorted({*_COMMON, *errors, *(_BODY if body else ())}):
        responses[str(code)] = response(_REASONS[code], ref("ErrorMessage"))
    out: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "responses": responses,
    }
    if parameters:
        out["parameters"] = list(parameters)
    if body is not None:
        out["requestBody"] = {"required": True, "content": content(ref(body))}
    return out
