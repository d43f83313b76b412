"""Checks against a registry: ask its verbose compatibility endpoint and explain the answer.

The registry is the authority for the verdict (it knows the subject's level and live
versions). Its verbose messages are Confluent's strings, for example
`{errorType:'TYPE_MISMATCH', description:'…', additionalInfo:'…'}` followed by
`{oldSchemaVersion: 2}`, `{oldSchema: '…'}` and `{validateFields: …, compatibility: 'LEVEL'}`;
this module turns them back into problems with a path, a direction and a hint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cli.outcomes import Outcome, failed
from cli.parse_errors import explain, registry_reason
from cli.problems import Direction, Problem, hint_for
from cli.rest_client import RegistryRestClient, as_list, as_object, segment
from compat.levels import DIFFERENT_SCHEMA_TYPE
from compat.types import CompatibilityLevel, SchemaType

_FINDING = re.compile(
    r"^\{errorType:['\"](?P<type>[A-Z_]+)['\"], description:['\"](?P<description>.*?)['\"]"
    r"(?:, additionalInfo:'(?P<info>.*)')?\}$",
    re.DOTALL,
)
_VERSION = re.compile(r"^\{oldSchemaVersion: (\d+)\}$")
_LEVEL = re.compile(r"compatibility: '([A-Z_]+)'")
_PATH = re.compile(r"path:? '([^']*)'")
_ROLE = re.compile(r"\b(new|old)\b")


def _direction(level: CompatibilityLevel | None, description: str) -> Direction:
    """Which side reads: the level says it, or for FULL the first role word (the reader)."""
    if level is not None and not (level.checks_backward and level.checks_forward):
        return Direction.BACKWARD if level.checks_backward else Direction.FORWARD
    unquoted = re.sub(r"'[^']*'", "", description)
    first = _ROLE.search(unquoted)
    if first is None:
        return Direction.UNKNOWN
    return Direction.BACKWARD if first.group(1) == "new" else Direction.FORWARD


def problems_from_messages(messages: Sequence[str]) -> tuple[str | None, list[Problem]]:
    """(level named in the closing message, problems) from Confluent's verbose message list."""
    level_name = None
    version: int | None = None
    for message in messages:
        if (found := _LEVEL.search(message)) and message.startswith("{validateFields"):
            level_name = found.group(1)
        if found_version := _VERSION.match(message):
            version = int(found_version.group(1))
    level = CompatibilityLevel.parse(level_name) if level_name else None
    problems: list[Problem] = []
    for message in messages:
        if message == DIFFERENT_SCHEMA_TYPE:
            problems.append(
                Problem(
                    type="DIFFERENT_SCHEMA_TYPE",
                    path="/",
                    direction=Direction.UNKNOWN,
                    message=message,
                    hint="use a new subject to change the schema type",
                    against_version=version,
                )
            )
            continue
        match = _FINDING.match(message)
        if match is None:
            continue
        kind = match.group("type")
        description = match.group("description")
        info = match.group("info") or ""
        path_match = _PATH.search(description)
        path = path_match.group(1) if path_match else "/"
        direction = _direction(level, description)
        text = description if not info or info in description else f"{description} ({info})"
        problems.append(
            Problem(
                type=kind,
                path=path,
                direction=direction,
                message=text,
                hint=hint_for(kind, path, info, direction),
                against_version=version,
            )
        )
    return level_name, problems


def registry_outcome(
    client: RegistryRestClient,
    subject: str,
    text: str,
    schema_type: SchemaType,
    *,
    file: str,
    version: str | None,
    references: Sequence[dict[str, object]] = (),
) -> Outcome:
    """Check `text` against `subject` in the registry (one version, or as registration would)."""
    body: dict[str, object] = {"schema": text, "schemaType": schema_type.value}
    if references:
        body["references"] = list(references)
    path = f"/compatibility/subjects/{segment(subject)}/versions"
    if version is not None:
        path += f"/{segment(version)}"
    answer = as_object(client.post(path, body, {"verbose": True}), "the compatibility answer")
    messages = [str(m) for m in as_list(answer.get("messages", []), "messages")]
    level_name, problems = problems_from_messages(messages)
    level = level_name or _configured_level(client, subject)
    if answer.get("is_compatible") is True:
        return Outcome(name=subject, file=file, level=level, compatible=True)
    if level_name is None and not problems:
        # The closing `{validateFields…}` message is missing only when the schema itself
        # could not be parsed; the single message is the parser's.
        reasons = [explain(registry_reason(m), file, files=False) for m in messages]
        detail = "; ".join(reasons) or "the registry gave no reason"
        return failed(subject, file, level, f"The registry rejected the schema: {detail}")
    return Outcome(name=subject, file=file, level=level, compatible=False, problems=tuple(problems))


def _configured_level(client: RegistryRestClient, subject: str) -> str:
    """The subject's effective level, for display when the answer does not name it."""
    config = as_object(
        client.get(f"/config/{segment(subject)}", {"defaultToGlobal": True}), "the config"
    )
    return str(config.get("compatibilityLevel", "BACKWARD"))
