"""The OpenAPI description of `/subjects...` and `/compatibility...` (see `openapi`)."""

from __future__ import annotations

from typing import Any

from registry.http.openapi_operations import (
    DELETED,
    DELETED_ONLY,
    FORMAT,
    LIMIT,
    NORMALIZE,
    OFFSET,
    SUBJECT,
    SUBJECT_PREFIX,
    VERSION,
    flag,
    operation,
    query,
)
from registry.http.openapi_schemas import INT32, STRINGS, array, ref


def subjects_paths() -> dict[str, dict[str, Any]]:
    """Subjects, their versions, lookup and deletion."""
    tag = "Subjects"
    version = [SUBJECT, VERSION]
    return {
        "/subjects": {
            "get": operation(
                "getSubjects",
                "Subject names, sorted",
                (200, "The subjects", STRINGS),
                tag=tag,
                parameters=[SUBJECT_PREFIX, DELETED, DELETED_ONLY, OFFSET, LIMIT],
                errors=[422],
            )
        },
        "/subjects/{subject}": {
            "post": operation(
                "lookUpSchemaUnderSubject",
                "The version of the subject that holds this schema",
                (200, "The subject-version", ref("Schema")),
                tag=tag,
                parameters=[
                    SUBJECT,
                    NORMALIZE,
                    DELETED,
                    flag("lookupDeletedSchema", "Same as `deleted`"),
                    FORMAT,
                ],
                body="RegisterSchemaRequest",
                errors=[404],
            ),
            "delete": operation(
                "deleteSubject",
                "Delete every version of a subject (soft, or permanent after a soft delete)",
                (200, "The versions deleted", array(INT32)),
                tag=tag,
                parameters=[SUBJECT, flag("permanent", "Delete permanently")],
                errors=[404, 422],
            ),
        },
        "/subjects/{subject}/versions": {
            "get": operation(
                "getVersions",
                "The subject's version numbers, ascending",
                (200, "The versions", array(INT32)),
                tag=tag,
                parameters=[
                    SUBJECT,
                    DELETED,
                    DELETED_ONLY,
                    flag("deletedAsNegative", "Soft-deleted versions as negative numbers"),
                    OFFSET,
                    LIMIT,
                ],
                errors=[404, 422],
            ),
            "post": operation(
                "registerSchema",
                "Register a schema under a subject (or return its existing version)",
                (200, "The registered schema", ref("RegisterSchemaResponse")),
                tag=tag,
                parameters=[
                    SUBJECT,
                    NORMALIZE,
                    FORMAT,
                    flag("force", "Skip the compatibility check"),
                ],
                body="RegisterSchemaRequest",
                errors=[409],
            ),
        },
        "/subjects/{subject}/versions/{version}": {
            "get": operation(
                "getSchemaByVersion",
                "One version of a subject",
                (200, "The subject-version", ref("Schema")),
                tag=tag,
                parameters=[*version, DELETED, FORMAT],
                errors=[404, 422],
            ),
            "delete": operation(
                "deleteSchemaVersion",
                "Delete one version (soft, or permanent after a soft delete)",
                (200, "The version deleted", INT32),
                tag=tag,
                parameters=[*version, flag("permanent", "Delete permanently")],
                errors=[404, 422],
            ),
        },
        "/subjects/{subject}/versions/{version}/schema": {
            "get": operation(
                "getSchemaTextByVersion",
                "The text of one version's schema, alone",
                (200, "The schema text (JSON for Avro and JSON Schema)", None),
                tag=tag,
                parameters=[*version, DELETED, FORMAT],
                errors=[404, 422],
            )
        },
        "/subjects/{subject}/versions/{version}/referencedby": {
            "get": operation(
                "getReferencedBy",
                "Ids of the schemas that reference this version",
                (200, "The ids", array(INT32)),
                tag=tag,
                parameters=[*version, DELETED, OFFSET, LIMIT],
                errors=[404, 422],
            )
        },
        "/subjects/{subject}/versions/{version}/tags": {
            "post": operation(
                "modifySchemaTags",
                "Register a new version with schema tags (and metadata or rules) edited",
                (200, "The new version", ref("RegisterSchemaResponse")),
                tag=tag,
                parameters=version,
                body="TagSchemaRequest",
                errors=[404, 409, 422],
            )
        },
        "/subjects/{subject}/metadata": {
            "get": operation(
                "getLatestWithMetadata",
                "The newest version whose metadata properties hold every key/value pair",
                (200, "The subject-version", ref("Schema")),
                tag=tag,
                parameters=[
                    SUBJECT,
                    {**query("key", STRINGS, "Property names"), "explode": True},
                    {
                        **query("value", STRINGS, "Property values, paired with `key`"),
                        "explode": True,
                    },
                    DELETED,
                    FORMAT,
                ],
                errors=[404],
            )
        },
    }


def compatibility_paths() -> dict[str, dict[str, Any]]:
    """Compatibility checks against one version or the registration's selection."""
    tag = "Compatibility"
    params = [NORMALIZE, flag("verbose", "Explain incompatibilities in `messages`")]
    return {
        "/compatibility/subjects/{subject}/versions": {
            "post": operation(
                "testCompatibilityBySubject",
                "Would this schema register? Checked as registration would check it",
                (200, "The verdict", ref("CompatibilityCheckResponse")),
                tag=tag,
                parameters=[SUBJECT, *params],
                body="RegisterSchemaRequest",
                errors=[404],
            )
        },
        "/compatibility/subjects/{subject}/versions/{version}": {
            "post": operation(
                "testCompatibilityAgainstVersion",
                "Is this schema compatible with exactly one version?",
                (200, "The verdict", ref("CompatibilityCheckResponse")),
                tag=tag,
                parameters=[SUBJECT, VERSION, *params],
                body="RegisterSchemaRequest",
                errors=[404],
            )
        },
    }
