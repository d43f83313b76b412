"""Values shared by every schema format: schema types, compatibility levels and findings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SchemaType(StrEnum):
    """The schema languages the registry understands; values are Confluent's `schemaType` names."""

    AVRO = "AVRO"
    JSON = "JSON"
    PROTOBUF = "PROTOBUF"


class CompatibilityLevel(StrEnum):
    """Confluent's compatibility levels: a direction plus how many earlier versions are checked."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def transitive(self) -> bool:
        """Whether every earlier live version is checked, not only the latest."""
        return self.name.endswith("_TRANSITIVE")

    @property
    def checks_backward(self) -> bool:
        """Whether the new schema must read data written with earlier schemas."""
        return self.name.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        """Whether earlier schemas must read data written with the new schema."""
        return self.name.startswith(("FORWARD", "FULL"))

    @classmethod
    def parse(cls, text: str) -> CompatibilityLevel | None:
        """Parse a level case-insensitively, as Confluent does; None when unknown."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            return None


class CompatibilityPolicy(StrEnum):
    """Which set of differences counts as compatible (Confluent's `compatibilityPolicy`).

    Only JSON Schema distinguishes STRICT from LENIENT (the open content model rules);
    other formats treat every policy as STRICT.
    """

    STRICT = "STRICT"
    LENIENT = "LENIENT"

    @classmethod
    def parse(cls, text: object) -> CompatibilityPolicy | None:
        """Parse case-insensitively; None when unknown."""
        try:
            return cls(str(text).strip().upper())
        except ValueError:
            return None


#: `Finding.type` reserved for a check that could not be completed (an internal failure).
#: It is not a verdict: callers answer it as an error, never as "incompatible".
CHECK_FAILED = "CHECK_FAILED"


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason why a reader cannot read what a writer wrote (or a compatible difference).

    `description` holds Confluent's description split around its role words: one part when
    the text names no roles, three parts when it names the reader and then the writer. The
    roles are filled in only when the message is rendered, because the same finding reads
    "new"/"old" in a backward check and "old"/"new" in a forward one.

    A finding of type `CHECK_FAILED` (`is_error`) says the comparison itself failed; its
    `detail` names the exception, which was logged with its stack where it was caught.
    """

    type: str
    path: str
    detail: str = ""
    description: tuple[str, ...] = ("",)

    @property
    def is_error(self) -> bool:
        """Whether this reports a check that could not be completed rather than a difference."""
        return self.type == CHECK_FAILED

    def describe(self, *, reader: str, writer: str) -> str:
        """Render the description with the given words for the reader and writer roles."""
        if len(self.description) == 3:
            return (
                f"{self.description[0]}{reader}{self.description[1]}{writer}{self.description[2]}"
            )
        return "".join(self.description)


class EntityType(StrEnum):
    """What a tagged schema entity is (Confluent's `entityType` values)."""

    SR_RECORD = "sr_record"
    SR_FIELD = "sr_field"


@dataclass(frozen=True, slots=True)
class SchemaEntity:
    """A taggable part of a schema: a record (`ns.Record`) or a field (`ns.Record.field`)."""

    path: str
    type: EntityType
