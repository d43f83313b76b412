"""The OpenAPI description of the DEK registry (`/dek-registry/v1/keks/...`) and its entities.

Error descriptions are the DEK registry's own codes (40470..., 40971, 42271...), replacing
the schema API's wording the shared helpers attach, so the statuses a client or fuzzer sees
are described where they can occur.
"""

from __future__ import annotations

from typing import Any

from registry.http.openapi_operations import (
    DELETED,
    LIMIT,
    OFFSET,
    SUBJECT,
    VERSION,
    flag,
    operation,
    path_param,
    query,
)
from registry.http.openapi_schemas import (
    BOOLEAN,
    INT32,
    INT64,
    STRING,
    STRING_MAP,
    STRINGS,
    JsonSchema,
    array,
    obj,
    ref,
)

_TAG = "DEK registry"
_BASE = "/dek-registry/v1/keks"
_ALGORITHMS = ["AES128_GCM", "AES256_GCM", "AES256_SIV"]

_REASONS = {
    403: "Forbidden: 40370 the KMS refused this registry access to a shared KEK's key",
    404: "Not found: 40470 key, 40471 not soft-deleted first, 40472 KEK must be undeleted",
    409: "Conflict: 40971 key already exists, 40972 too many keys",
    422: "Unprocessable: 42271 invalid or missing field, 42272 DEKs use the KEK, "
    "42202 invalid version, 422 bad query parameter",
    500: "Server error: 50070 the KMS failed for a shared KEK, 50001/50002 store",
}

NAME = {
    **path_param(
        "name", STRING, "A KEK name: a letter or `_`, then letters, digits, `_` or `-` (up to 256)"
    ),
    "example": "orders-kek",
}
ALGORITHM = query(
    "algorithm", {"type": "string", "enum": _ALGORITHMS}, "The DEK algorithm (default AES256_GCM)"
)
PERMANENT = flag("permanent", "Delete permanently (after a soft delete)")
TEST_SHARING = flag("testSharing", "With a shared KEK, first check the registry can use its key")

DEK_COMPONENTS: dict[str, JsonSchema] = {
    "Kek": obj(
        {
            "name": STRING,
            "kmsType": STRING,
            "kmsKeyId": STRING,
            "kmsProps": STRING_MAP,
            "doc": STRING,
            "shared": BOOLEAN,
            "ts": INT64,
            "deleted": BOOLEAN,
        },
        "name",
        "kmsType",
        "kmsKeyId",
        "kmsProps",
        "shared",
        "ts",
        "deleted",
    ),
    "CreateKekRequest": obj(
        {
            "name": STRING,
            "kmsType": STRING,
            "kmsKeyId": STRING,
            "kmsProps": STRING_MAP,
            "doc": STRING,
            "shared": BOOLEAN,
            "deleted": BOOLEAN,
        }
    ),
    "UpdateKekRequest": obj(
        {"kmsProps": STRING_MAP, "doc": STRING, "shared": BOOLEAN},
        description="Fields to change; `kmsType` and `kmsKeyId` cannot change",
    ),
    "Dek": obj(
        {
            "kekName": STRING,
            "subject": STRING,
            "version": INT32,
            "algorithm": {"type": "string", "enum": _ALGORITHMS},
            "encryptedKeyMaterial": {**STRING, "description": "The DEK wrapped by its KEK, base64"},
            "keyMaterial": {
                **STRING,
                "description": "The DEK itself, base64; only for a shared KEK's DEKs",
            },
            "ts": INT64,
            "deleted": BOOLEAN,
        },
        "kekName",
        "subject",
        "version",
        "algorithm",
        "ts",
        "deleted",
    ),
    "CreateDekRequest": obj(
        {
            "subject": STRING,
            "version": INT32,
            "algorithm": STRING,
            "encryptedKeyMaterial": STRING,
            "deleted": BOOLEAN,
        }
    ),
}


def _op(
    operation_id: str,
    summary: str,
    ok: tuple[int, str, JsonSchema | None],
    parameters: list[dict[str, Any]],
    errors: list[int],
    body: str | None = None,
) -> dict[str, Any]:
    out = operation(
        operation_id, summary, ok, tag=_TAG, parameters=parameters, body=body, errors=errors
    )
    for code, reason in _REASONS.items():
        if str(code) in out["responses"]:
            out["responses"][str(code)]["description"] = reason
    return out


def dek_registry_paths() -> dict[str, dict[str, Any]]:
    """Every DEK registry path."""
    kek = ref("Kek")
    dek = ref("Dek")
    dek_path = [NAME, SUBJECT]
    version_path = [NAME, SUBJECT, VERSION]
    prefix = query("subjectPrefix", STRING, "Only KEKs with a DEK under this subject prefix")
    none = (204, "Done", None)
    return {
        _BASE: {
            "get": _op(
                "getKekNames",
                "KEK names, sorted",
                (200, "The names", STRINGS),
                [prefix, DELETED, OFFSET, LIMIT],
                [422],
            ),
            "post": _op(
                "registerKek",
                "Create a KEK",
                (200, "The KEK", kek),
                [TEST_SHARING],
                [403, 409, 422],
                body="CreateKekRequest",
            ),
        },
        f"{_BASE}/{{name}}": {
            "get": _op("getKek", "A KEK", (200, "The KEK", kek), [NAME, DELETED], [404, 422]),
            "put": _op(
                "putKek",
                "Change a KEK's kmsProps, doc or shared",
                (200, "The KEK", kek),
                [NAME, TEST_SHARING],
                [403, 404, 409, 422],
                body="UpdateKekRequest",
            ),
            "delete": _op("deleteKek", "Delete a KEK", none, [NAME, PERMANENT], [404, 422]),
        },
        f"{_BASE}/{{name}}/undelete": {
            "post": _op("undeleteKek", "Undelete a KEK", none, [NAME], [404, 422]),
        },
        f"{_BASE}/{{name}}/test": {
            "post": _op(
                "testKek",
                "Check that the registry can use a shared KEK's KMS key",
                (200, "The KEK", kek),
                [NAME],
                [403, 404, 422],
            ),
        },
        f"{_BASE}/{{name}}/deks": {
            "get": _op(
                "getDekSubjects",
                "Subjects with DEKs under a KEK, sorted",
                (200, "The subjects", STRINGS),
                [NAME, DELETED, OFFSET, LIMIT],
                [404, 422],
            ),
            "post": _op(
                "createDek",
                "Create a DEK, the subject in the body (Confluent's older form)",
                (200, "The DEK", dek),
                [NAME],
                [403, 404, 409, 422],
                body="CreateDekRequest",
            ),
        },
        f"{_BASE}/{{name}}/deks/{{subject}}": {
            "get": _op(
                "getDek",
                "A subject's DEK, version 1",
                (200, "The DEK", dek),
                [*dek_path, ALGORITHM, DELETED],
                [403, 404, 422],
            ),
            "post": _op(
                "createDekWithSubject",
                "Create a DEK: wrapped by the client, or by the registry for a shared KEK",
                (200, "The DEK", dek),
                [*dek_path, flag("rewrap", "Wrap a shared KEK's existing DEK anew")],
                [403, 404, 409, 422],
                body="CreateDekRequest",
            ),
            "delete": _op(
                "deleteDekVersions",
                "Delete every version of a subject's DEK",
                none,
                [*dek_path, ALGORITHM, PERMANENT],
                [404, 422],
            ),
        },
        f"{_BASE}/{{name}}/deks/{{subject}}/undelete": {
            "post": _op(
                "undeleteDekVersions",
                "Undelete every version of a subject's DEK",
                none,
                [*dek_path, ALGORITHM],
                [404, 422],
            ),
        },
        f"{_BASE}/{{name}}/deks/{{subject}}/versions": {
            "get": _op(
                "getAllDekVersions",
                "Versions of a subject's DEK, ascending",
                (200, "The versions", array(INT32)),
                [*dek_path, ALGORITHM, DELETED, OFFSET, LIMIT],
                [404, 422],
            ),
        },
        f"{_BASE}/{{name}}/deks/{{subject}}/versions/{{version}}": {
            "get": _op(
                "getDekByVersion",
                "One version of a subject's DEK (`latest` allowed)",
                (200, "The DEK", dek),
                [*version_path, ALGORITHM, DELETED],
                [403, 404, 422],
            ),
            "delete": _op(
                "deleteDekVersion",
                "Delete one version of a subject's DEK",
                none,
                [*version_path, ALGORITHM, PERMANENT],
                [404, 422],
            ),
        },
        f"{_BASE}/{{name}}/deks/{{subject}}/versions/{{version}}/undelete": {
            "post": _op(
                "undeleteDekVersion",
                "Undelete one version of a subject's DEK",
                none,
                [*version_path, ALGORITHM],
                [404, 422],
            ),
        },
    }
