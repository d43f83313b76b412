"""Compatibility between two schemas in plain words, both ways, with the command line's hints.

The registry answers a check with Confluent's verbose messages; a person deciding whether to
ship a change wants to know which readers break and what to do instead. This module compares
two parsed schemas as reader and writer in each direction (backward: the newer schema reads
data the older wrote; forward: the reverse) and words every finding with `compat.hints`.
"""

from __future__ import annotations

from dataclasses import dataclass

from compat.formats import Formats, ParsedSchema, safe_backward_findings
from compat.hints import BREAKS, Direction, hint_for
from compat.types import CompatibilityLevel, CompatibilityPolicy, Finding

DIFFERENT_TYPES = "the two schemas are of different types; no reader can read the other's data"


@dataclass(frozen=True, slots=True)
class Explained:
    """One finding, said plainly: what differs, where, who breaks, and what to do."""

    direction: Direction
    type: str
    path: str
    message: str
    breaks: str
    hint: str


@dataclass(frozen=True, slots=True)
class TwoWays:
    """Whether each direction holds, and why not."""

    backward: tuple[Explained, ...]
    forward: tuple[Explained, ...]

    @property
    def backward_ok(self) -> bool:
        """Whether the newer schema reads data the older one wrote."""
        return not self.backward

    @property
    def forward_ok(self) -> bool:
        """Whether the older schema reads data the newer one writes."""
        return not self.forward

    def breaking(self, level: CompatibilityLevel) -> tuple[Explained, ...]:
        """The findings that `level` counts (backward, forward or both)."""
        found: tuple[Explained, ...] = ()
        if level.checks_forward:
            found += self.forward
        if level.checks_backward:
            found += self.backward
        return found


def _one_way(
    formats: Formats,
    reader: ParsedSchema,
    writer: ParsedSchema,
    direction: Direction,
    policy: CompatibilityPolicy,
) -> tuple[Explained, ...]:
    if reader.schema_type is not writer.schema_type:
        return (Explained(direction, "TYPE_CHANGED", "/", DIFFERENT_TYPES, BREAKS[direction], ""),)
    fmt = formats.get(reader.schema_type)
    return tuple(
        _explained(finding, direction)
        for finding in safe_backward_findings(fmt, reader, writer, policy=policy)
    )


def _explained(finding: Finding, direction: Direction) -> Explained:
    # Role words and message as the command line words them: the reader is new backward.
    reader, writer = ("new", "old") if direction is Direction.BACKWARD else ("old", "new")
    message = finding.describe(reader=reader, writer=writer) or finding.type
    if finding.detail and finding.detail not in message:
        message = f"{message} ({finding.detail})"
    return Explained(
        direction,
        finding.type,
        finding.path,
        message,
        BREAKS[direction],
        hint_for(finding.type, finding.path, finding.detail, direction),
    )


def two_ways(
    formats: Formats,
    old: ParsedSchema,
    new: ParsedSchema,
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> TwoWays:
    """Compare `new` with `old` backward (new reads old) and forward (old reads new)."""
    return TwoWays(
        backward=_one_way(formats, new, old, Direction.BACKWARD, policy),
        forward=_one_way(formats, old, new, Direction.FORWARD, policy),
    )
