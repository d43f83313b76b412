"""DEK registry request bodies to typed requests: wrong JSON types are 400, as Confluent's
typed entities fail in its mapper; missing or invalid values are the service's 42271."""

from __future__ import annotations

from typing import Any

from registry.errors import BadRequestError, UnprocessableError
from registry.http import entities
from registry.services.keys import DekRequest, KekRequest, KekUpdate


def _object(body: Any, what: str) -> dict[str, Any]:
    if body is None:
        raise UnprocessableError(f"Invalid {what}: the request body is empty")
    if not isinstance(body, dict):
        raise BadRequestError(f"Invalid {what}: the request body must be a JSON object")
    return body


def _text(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is not None:
        entities.string(value, name)
    return value


def _flag(obj: dict[str, Any], name: str) -> bool | None:
    value = obj.get(name)
    if value is not None:
        entities.boolean(value, name)
    return value


def _props(obj: dict[str, Any]) -> dict[str, str] | None:
    value = obj.get("kmsProps")
    if value is not None:
        entities.string_map(value, "kmsProps")
    return value


def kek_request(body: Any) -> KekRequest:
    """A CreateKekRequest."""
    obj = _object(body, "kek")
    return KekRequest(
        name=_text(obj, "name"),
        kms_type=_text(obj, "kmsType"),
        kms_key_id=_text(obj, "kmsKeyId"),
        kms_props=_props(obj),
        doc=_text(obj, "doc"),
        shared=_flag(obj, "shared") or False,
        deleted=_flag(obj, "deleted") or False,
    )


def kek_update(body: Any) -> KekUpdate:
    """An UpdateKekRequest: a field present (even null) is set, an absent one kept."""
    obj = _object(body, "kek")
    return KekUpdate(
        kms_props=_props(obj),
        doc=_text(obj, "doc"),
        shared=_flag(obj, "shared"),
        kms_props_set="kmsProps" in obj,
        doc_set="doc" in obj,
    )


def dek_request(body: Any, subject: str | None = None) -> DekRequest:
    """A CreateDekRequest; `subject` (from the path) overrides the body's."""
    obj = _object(body, "dek")
    version = obj.get("version")
    if version is not None:
        entities.int32(version, "version")
    return DekRequest(
        subject=subject if subject is not None else _text(obj, "subject"),
        version=version,
        algorithm=_text(obj, "algorithm"),
        encrypted_key_material=_text(obj, "encryptedKeyMaterial"),
        deleted=_flag(obj, "deleted") or False,
    )
