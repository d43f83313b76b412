"""The OpenAPI 3 description of the API, served at `GET /openapi.json`.

Built in code rather than kept as a JSON or YAML file: the same parameters, request bodies
and error responses recur on dozens of operations, and helpers state each once; the
description is type-checked with the rest of the package and needs no package data. Paths,
parameter names and entities follow Confluent's API (`/config/{subject}`, not Cairn's
internal `{scope}`), so a client generated from it talks to either. A test keeps the paths
and methods equal to the router's table, so a new route cannot go undescribed.
"""

from __future__ import annotations

from typing import Any

from registry.http.openapi_deks import DEK_COMPONENTS, dek_registry_paths
from registry.http.openapi_operations import (
    CONTEXT,
    DEFAULT_TO_GLOBAL,
    DELETED,
    FORMAT,
    GUID,
    ID,
    LIMIT,
    OFFSET,
    SUBJECT,
    SUBJECT_HINT,
    SUBJECT_PREFIX,
    flag,
    operation,
    query,
)
from registry.http.openapi_schemas import COMPONENTS, STRING, STRINGS, array, obj, ref
from registry.http.openapi_subjects import compatibility_paths, subjects_paths


def _schemas_paths() -> dict[str, dict[str, Any]]:
    tag = "Schemas (by id)"
    return {
        "/schemas": {
            "get": operation(
                "getSchemas",
                "Versions of the subjects matching a prefix, by subject then version",
                (200, "The schemas", array(ref("Schema"))),
                tag=tag,
                parameters=[
                    SUBJECT_PREFIX,
                    DELETED,
                    flag("latestOnly", "Only each subject's latest version"),
                    OFFSET,
                    LIMIT,
                ],
                errors=[422],
            )
        },
        "/schemas/types": {
            "get": operation(
                "getSchemaTypes",
                "The schema types this server reads",
                (200, "The types", STRINGS),
                tag=tag,
            )
        },
        "/schemas/ids/{id}": {
            "get": operation(
                "getSchemaById",
                "The schema with this id",
                (200, "The schema", ref("SchemaString")),
                tag=tag,
                parameters=[ID, SUBJECT_HINT, FORMAT, flag("fetchMaxId", "Add `maxId`")],
                errors=[404],
            )
        },
        "/schemas/ids/{id}/schema": {
            "get": operation(
                "getSchemaTextById",
                "The text of the schema with this id, alone",
                (200, "The schema text (JSON for Avro and JSON Schema)", None),
                tag=tag,
                parameters=[ID, SUBJECT_HINT, FORMAT],
                errors=[404],
            )
        },
        "/schemas/ids/{id}/subjects": {
            "get": operation(
                "getSubjectsById",
                "Subjects holding the schema with this id",
                (200, "The subjects", STRINGS),
                tag=tag,
                parameters=[ID, SUBJECT_HINT, DELETED, OFFSET, LIMIT],
                errors=[404, 422],
            )
        },
        "/schemas/ids/{id}/versions": {
            "get": operation(
                "getVersionsById",
                "Subject-versions holding the schema with this id",
                (200, "The subject-versions", array(ref("SubjectVersion"))),
                tag=tag,
                parameters=[ID, SUBJECT_HINT, DELETED, OFFSET, LIMIT],
                errors=[404, 422],
            )
        },
        "/schemas/guids/{guid}": {
            "get": operation(
                "getSchemaByGuid",
                "The schema with this GUID",
                (200, "The schema", ref("SchemaString")),
                tag=tag,
                parameters=[GUID, FORMAT],
                errors=[404],
            )
        },
        "/schemas/guids/{guid}/ids": {
            "get": operation(
                "getIdsByGuid",
                "The ids of the schema with this GUID, per context",
                (200, "The ids", array(ref("ContextId"))),
                tag=tag,
                parameters=[GUID],
                errors=[404],
            )
        },
    }


def _config_paths(kind: str, entity: str, update: str) -> dict[str, dict[str, Any]]:
    """`/config` or `/mode`, registry-wide and per subject (or `:.ctx:` context)."""
    tag = "Config" if kind == "config" else "Mode"
    title = tag.lower()
    put_params = [] if kind == "config" else [flag("force", "Enter IMPORT with subjects")]
    delete_params = [] if kind == "config" else [flag("recursive", "Also under the context")]
    paths: dict[str, dict[str, Any]] = {}
    for scoped in (False, True):
        path = f"/{kind}/{{subject}}" if scoped else f"/{kind}"
        suffix = "Subject" if scoped else "Global"
        scope = [SUBJECT] if scoped else []
        paths[path] = {
            "get": operation(
                f"get{suffix}{tag}",
                f"The {title} {'of a subject or context' if scoped else 'of the registry'}",
                (200, f"The {title}", ref(entity)),
                tag=tag,
                parameters=[*scope, DEFAULT_TO_GLOBAL],
                errors=[404] if scoped else [],
            ),
            "put": operation(
                f"update{suffix}{tag}",
                f"Change the {title} (config: a partial update; null clears a field)",
                (200, "What was set", ref(update)),
                tag=tag,
                parameters=[*scope, *put_params],
                body=update,
            ),
            "delete": operation(
                f"delete{suffix}{tag}",
                f"Remove the {title}, answering the previous one",
                (200, f"The previous {title}", ref(entity)),
                tag=tag,
                parameters=[*scope, *delete_params],
                errors=[404, 422] if scoped else [422],
            ),
        }
    return paths


def _server_paths() -> dict[str, dict[str, Any]]:
    tag = "Server"
    root = (200, "An empty object", obj({}))
    return {
        "/": {
            "get": operation("getRoot", "Liveness of the API", root, tag=tag),
            "post": operation("postRoot", "Liveness of the API", root, tag=tag),
        },
        "/v1/metadata/id": {
            "get": operation(
                "getClusterId",
                "The Kafka cluster and registry group this server belongs to",
                (200, "The ids", ref("ServerClusterId")),
                tag=tag,
            )
        },
        "/v1/metadata/leader": {
            "get": operation(
                "getLeader",
                "Which node writes: its URL, and whether it is this one",
                (200, "The leader", ref("Leader")),
                tag=tag,
            )
        },
        "/v1/metadata/version": {
            "get": operation(
                "getServerVersion",
                "The server's version",
                (200, "The version", ref("SchemaRegistryServerVersion")),
                tag=tag,
            )
        },
        "/contexts": {
            "get": operation(
                "getContexts",
                "Contexts: the default one first, then every one ever written",
                (200, "The contexts", STRINGS),
                tag="Contexts",
                parameters=[query("contextPrefix", STRING, "Only these"), OFFSET, LIMIT],
                errors=[422],
            )
        },
        "/contexts/{context}": {
            "delete": operation(
                "deleteContext",
                "Forget an empty context",
                (204, "Deleted", None),
                tag="Contexts",
                parameters=[CONTEXT],
                errors=[404, 422],
            )
        },
        "/associations/resources/{namespace}/{name}": {
            "get": operation(
                "getAssociationsByResourceName",
                "Subject associations of a resource: Cairn keeps none, so always empty",
                (200, "No associations", array(obj({}))),
                tag=tag,
                parameters=[
                    {"name": "namespace", "in": "path", "required": True, "schema": STRING},
                    {"name": "name", "in": "path", "required": True, "schema": STRING},
                ],
            )
        },
        "/openapi.json": {
            "get": operation(
                "getOpenApi", "This description", (200, "OpenAPI 3.1", obj({})), tag=tag
            )
        },
    }


def _health_paths() -> dict[str, dict[str, Any]]:
    """The start-up gate's endpoints: plain JSON, no negotiation, no error bodies."""
    plain = ("application/json",)
    live = operation(
        "getLiveness",
        "Whether the process serves HTTP (200 from the first moment)",
        (200, "Live", ref("Liveness")),
        tag="Health",
        media_types=plain,
    )
    ready = operation(
        "getReadiness",
        "Whether the log has been replayed: 200 once it has, 503 before",
        (200, "Ready", ref("Readiness")),
        tag="Health",
        media_types=plain,
    )
    live["responses"] = {"200": live["responses"]["200"]}
    ready["responses"] = {
        "200": ready["responses"]["200"],
        "503": {
            "description": "Still replaying the log",
            "content": {"application/json": {"schema": ref("Readiness")}},
        },
    }
    return {"/health/live": {"get": live}, "/health/ready": {"get": ready}}


#: Paths served by the start-up gate in front of the router, on every node.
HEALTH_PATHS = ("/health/live", "/health/ready")


def openapi_spec(version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the whole API, for server `version`."""
    paths: dict[str, dict[str, Any]] = {
        **_server_paths(),
        **_schemas_paths(),
        **subjects_paths(),
        **compatibility_paths(),
        **_config_paths("config", "Config", "ConfigUpdateRequest"),
        **_config_paths("mode", "Mode", "Mode"),
        **dek_registry_paths(),
        **_health_paths(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cairn schema registry",
            "version": version,
            "description": "Confluent Schema Registry's REST API, as Cairn serves it. Errors "
            'are `{"error_code", "message"}` with Confluent\'s codes.',
        },
        "paths": paths,
        "components": {"schemas": {**COMPONENTS, **DEK_COMPONENTS}},
    }
