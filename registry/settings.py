"""The server's settings: one frozen object, validated once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compat.types import CompatibilityLevel

#: Confluent's incompatible-schema codes: 409 up to 8.1, 40901 from 8.2.
INCOMPATIBLE_ERROR_CODES = (409, 40901)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything configurable about a registry process."""

    host: str = "127.0.0.1"
    port: int = 8081
    data_dir: Path = Path("cairn-data")
    default_compatibility: CompatibilityLevel = CompatibilityLevel.BACKWARD
    incompatible_error_code: int = 409
    max_request_bytes: int = 8 * 1024 * 1024
    max_schema_bytes: int = 4 * 1024 * 1024
    access_log: bool = False
    cluster_id: str = "cairn"
    group_id: str = "schema-registry"
    #: Processes serving the embedded log's data directory on one port (one writes).
    workers: int = 1

    def __post_init__(self) -> None:
        if self.incompatible_error_code not in INCOMPATIBLE_ERROR_CODES:
            raise ValueError(
                f"incompatible_error_code must be one of {INCOMPATIBLE_ERROR_CODES}, "
                f"not {self.incompatible_error_code}"
            )
        if self.max_request_bytes <= 0 or self.max_schema_bytes <= 0:
            raise ValueError("size limits must be positive")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port {self.port} is out of range")
