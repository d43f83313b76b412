"""Serializer and deserializer settings, read from confluent-kafka-style config dicts.

The keys are confluent-kafka's, so a config dict moves over unchanged; unknown keys and wrong
types are errors at construction rather than surprises on the first record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from serdes.errors import SerdesConfigError
from serdes.strategies import SubjectNameStrategy, strategy_from, topic_subject_name_strategy


class _Reader:
    """Reads typed values out of a config dict and remembers which keys were used."""

    def __init__(self, conf: Mapping[str, object] | None, allowed: frozenset[str]) -> None:
        self._conf = dict(conf or {})
        unknown = sorted(set(self._conf) - allowed)
        if unknown:
            raise SerdesConfigError(
                f"unknown settings: {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
            )

    def flag(self, key: str, default: bool) -> bool:
        value = self._conf.get(key, default)
        if not isinstance(value, bool):
            raise SerdesConfigError(f"{key} must be a boolean")
        return value

    def schema_id(self, key: str) -> int | None:
        value = self._conf.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SerdesConfigError(f"{key} must be a non-negative integer")
        return value

    def metadata(self, key: str) -> Mapping[str, str] | None:
        value = self._conf.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise SerdesConfigError(f"{key} must be a dict of strings")
        return MappingProxyType(dict(value))

    def strategy(self, key: str) -> SubjectNameStrategy:
        return strategy_from(self._conf.get(key))


_SERIALIZER_KEYS = frozenset(
    {
        "auto.register.schemas",
        "normalize.schemas",
        "use.schema.id",
        "use.latest.version",
        "use.latest.with.metadata",
        "subject.name.strategy",
    }
)
_DESERIALIZER_KEYS = frozenset(
    {"use.latest.version", "use.latest.with.metadata", "subject.name.strategy"}
)
VALIDATE = "validate"


@dataclass(frozen=True, slots=True)
class SerializerConfig:
    """How a serializer finds the schema id it writes.

    Exactly one source wins, in this order: `use_schema_id` (that id, its registered schema),
    `use_latest_with_metadata`, `use_latest_version` (the subject's newest matching version),
    else the serializer's own schema, registered (`auto_register`) or looked up.
    """

    auto_register: bool = True
    normalize: bool = False
    use_schema_id: int | None = None
    use_latest_version: bool = False
    use_latest_with_metadata: Mapping[str, str] | None = None
    strategy: SubjectNameStrategy = field(default=topic_subject_name_strategy)
    validate: bool = True

    @property
    def uses_latest(self) -> bool:
        """Whether the writer schema is the subject's newest (matching) version."""
        return self.use_latest_version or self.use_latest_with_metadata is not None

    @classmethod
    def from_conf(
        cls, conf: Mapping[str, object] | None, *, validate_key: bool = False
    ) -> SerializerConfig:
        """Read confluent-kafka's serializer keys (plus `validate` for JSON Schema)."""
        allowed = _SERIALIZER_KEYS | ({VALIDATE} if validate_key else set())
        read = _Reader(conf, frozenset(allowed))
        config = cls(
            auto_register=read.flag("auto.register.schemas", True),
            normalize=read.flag("normalize.schemas", False),
            use_schema_id=read.schema_id("use.schema.id"),
            use_latest_version=read.flag("use.latest.version", False),
            use_latest_with_metadata=read.metadata("use.latest.with.metadata"),
            strategy=read.strategy("subject.name.strategy"),
            validate=read.flag(VALIDATE, True),
        )
        explicit_auto = conf is not None and "auto.register.schemas" in conf
        if config.uses_latest and config.auto_register and explicit_auto:
            raise SerdesConfigError(
                "cannot enable both use.latest.version and auto.register.schemas"
            )
        if config.use_schema_id is not None and config.uses_latest:
            raise SerdesConfigError("use.schema.id cannot be combined with use.latest.*")
        return config


@dataclass(frozen=True, slots=True)
class DeserializerConfig:
    """How a deserializer picks the reader schema, beyond the writer's."""

    use_latest_version: bool = False
    use_latest_with_metadata: Mapping[str, str] | None = None
    strategy: SubjectNameStrategy = field(default=topic_subject_name_strategy)
    validate: bool = True

    @property
    def uses_latest(self) -> bool:
        """Whether the reader schema is the subject's newest (matching) version."""
        return self.use_latest_version or self.use_latest_with_metadata is not None

    @classmethod
    def from_conf(
        cls, conf: Mapping[str, object] | None, *, validate_key: bool = False
    ) -> DeserializerConfig:
        """Read confluent-kafka's deserializer keys (plus `validate` for JSON Schema)."""
        allowed = _DESERIALIZER_KEYS | ({VALIDATE} if validate_key else set())
        read = _Reader(conf, frozenset(allowed))
        return cls(
            use_latest_version=read.flag("use.latest.version", False),
            use_latest_with_metadata=read.metadata("use.latest.with.metadata"),
            strategy=read.strategy("subject.name.strategy"),
            validate=read.flag(VALIDATE, True),
        )
