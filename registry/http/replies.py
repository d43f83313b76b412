"""What handlers return: pre-rendered bytes with a status, or a JSON value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reply:
    """Response bytes (already JSON, or raw schema text) and a status."""

    body: bytes
    status: int = 200
