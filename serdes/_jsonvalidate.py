"""Building a JSON Schema validator once per schema: compiled where possible, else jsonschema.

`fastjsonschema` (optional; used when importable) compiles drafts 4, 6 and 7 into Python code
that validates many times faster. It is used only for schemas without references, with
remote `$ref` fetching disabled and without format assertions or default-filling, so it
accepts exactly what `jsonschema` accepts in its default mode. Everything else (2019-09,
2020-12, referenced schemas) goes through `jsonschema` with a `referencing` registry built
from the references, never from the network.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urljoin

# jsonschema ships no type information; only its validator classes are used here.
from jsonschema import (  # type: ignore[import-untyped]
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT6, DRAFT7, DRAFT201909, DRAFT202012

from serdes.errors import PayloadError

Validate = Callable[[Any], None]
"""Raises `PayloadError` when the value does not match the schema."""

_DIALECTS: dict[str, tuple[Any, Any]] = {
    "draft-04": (Draft4Validator, DRAFT4),
    "draft-06": (Draft6Validator, DRAFT6),
    "draft-07": (Draft7Validator, DRAFT7),
    "2019-09": (Draft201909Validator, DRAFT201909),
    "2020-12": (Draft202012Validator, DRAFT202012),
}
_COMPILABLE = frozenset({"draft-04", "draft-06", "draft-07"})


def _refuse_remote(uri: str) -> Any:
    raise PayloadError(f"remote $ref {uri!r} is not fetched; register it as a reference")


def _compiled(document: Any) -> Validate | None:
    try:
        module = importlib.import_module("fastjsonschema")
    except ImportError:
        return None
    try:
        check = module.compile(
            document,
            handlers={"http": _refuse_remote, "https": _refuse_remote},
            use_default=False,
            use_formats=False,
        )
    except Exception:
        # Constructs the compiler does not handle fall back to jsonschema.
        return None
    error_type: type[Exception] = module.JsonSchemaValueException

    def validate(value: Any) -> None:
        try:
            check(value)
        except error_type as exc:
            raise PayloadError(f"value does not match the JSON schema: {exc}") from None

    return validate


def build_validator(
    document: Any,
    dialect: str,
    references: Sequence[tuple[str, Any]] = (),
    *,
    compiled: bool = True,
) -> Validate:
    """A validator for `document` (of `dialect`), with `references` (name, document) in scope."""
    if compiled and not references and dialect in _COMPILABLE:
        fast = _compiled(document)
        if fast is not None:
            return fast
    validator_class, spec = _DIALECTS.get(dialect, _DIALECTS["draft-07"])
    base = document.get("$id", "") if isinstance(document, dict) else ""
    resources: list[tuple[str, Resource[Any]]] = []
    for name, referenced in references:
        resource = Resource.from_contents(referenced, default_specification=spec)
        resources.append((name, resource))
        if isinstance(base, str) and base:
            resources.append((urljoin(base, name), resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    validator = validator_class(document, registry=registry)

    def validate(value: Any) -> None:
        error = best_match(validator.iter_errors(value))
        if error is not None:
            assert isinstance(error, ValidationError)
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            raise PayloadError(f"value does not match the JSON schema at {where}: {error.message}")

    return validate
