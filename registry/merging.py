"""Merging metadata and rule sets into a registration, as Confluent's data contracts do.

A registration outside IMPORT mode gets `override ⊕ (request, or else the previous version's)
⊕ default`, where the right-hand side of each `⊕` gives way to the left: the subject's config
`overrideMetadata`/`overrideRuleSet` win over what the request (or, when it sends none, the
latest version) carries, which wins over `defaultMetadata`/`defaultRuleSet`. So metadata and
rules set once carry over to later versions, and a team can impose properties or rules on
every registration through config. A request with an empty schema is a metadata-only update:
it re-registers the latest version's schema with the new metadata or rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.records import JsonObject

RULE_KINDS = ("migrationRules", "domainRules", "encodingRules")


def merge_metadata(
    base: Mapping[str, Any] | None, top: Mapping[str, Any] | None
) -> JsonObject | None:
    """`top` over `base`: properties by key, tags per path (union), sensitive names (union)."""
    if not base:
        return dict(top) if top else None
    if not top:
        return dict(base)
    merged: JsonObject = {}
    tags: dict[str, list[str]] = {k: _names(v) for k, v in _field(base, "tags").items()}
    for path, names in _field(top, "tags").items():
        tags[path] = sorted({*tags.get(path, []), *_names(names)})
    if tags:
        merged["tags"] = tags
    properties = {**_field(base, "properties"), **_field(top, "properties")}
    if properties:
        merged["properties"] = properties
    sensitive = sorted({*_names(base.get("sensitive")), *_names(top.get("sensitive"))})
    if sensitive:
        merged["sensitive"] = sensitive
    return merged or None


def _field(metadata: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A map-valued metadata field. The API rejects other shapes, but a log written by an
    older or foreign registry may hold them: those are ignored rather than fail every
    registration under that config."""
    value = metadata.get(name)
    return value if isinstance(value, Mapping) else {}


def _names(value: object) -> list[str]:
    """A list of names (tags, sensitive fields); anything else counts as none (see `_field`)."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _rules(value: object) -> list[Any]:
    """A list of rules; anything else counts as none (see `_field`)."""
    return list(value) if isinstance(value, list) else []


def _merge_rules(base: list[Any], top: list[Any]) -> list[Any]:
    """`base`'s rules not named in `top`, in order, then `top`'s: a rule is replaced by name."""
    named = {rule.get("name") for rule in top if isinstance(rule, Mapping)}
    kept = [rule for rule in base if not (isinstance(rule, Mapping) and rule.get("name") in named)]
    return [*kept, *top]


def merge_rule_set(
    base: Mapping[str, Any] | None, top: Mapping[str, Any] | None
) -> JsonObject | None:
    """`top` over `base`, per rule kind; `top`'s `enableAt` if it has one."""
    if not base:
        return dict(top) if top else None
    if not top:
        return dict(base)
    merged: JsonObject = {}
    for kind in RULE_KINDS:
        rules = _merge_rules(_rules(base.get(kind)), _rules(top.get(kind)))
        if rules:
            merged[kind] = rules
    enable_at = top.get("enableAt", base.get("enableAt"))
    if enable_at is not None:
        merged["enableAt"] = enable_at
    return merged or None


def effective(
    default: Mapping[str, Any] | None,
    given: Mapping[str, Any] | None,
    override: Mapping[str, Any] | None,
    *,
    rules: bool,
) -> JsonObject | None:
    """`override ⊕ given ⊕ default` for metadata (`rules=False`) or a rule set."""
    merge = merge_rule_set if rules else merge_metadata
    return merge(merge(default, given), override)
