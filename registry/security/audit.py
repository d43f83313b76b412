"""The audit trail: one line per write attempt on the `cairn.audit` logger.

Every request to a route that changes the registry (register, deletes, config, mode,
contexts, IMPORT) is recorded with the principal, the action (the endpoint's name), the
subject or scope it targets and the HTTP status it got, whether it succeeded, failed or
was refused. Operators route this logger where they keep audit records; values are
JSON-quoted so a subject cannot forge a line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

AUDIT_LOGGER = "cairn.audit"
#: The principal recorded when the server runs without authentication.
ANONYMOUS = "anonymous"
#: The target recorded for registry-wide resources (global config and mode).
REGISTRY = "(registry)"


@dataclass(frozen=True, slots=True)
class AuditLog:
    """Writes audit records to a logger (`cairn.audit` unless given)."""

    logger: logging.Logger = field(default_factory=lambda: logging.getLogger(AUDIT_LOGGER))

    def record(self, *, principal: str, action: str, subject: str | None, status: int) -> None:
        """One write attempt and its outcome."""
        result = "success" if status < 400 else ("denied" if status in (401, 403) else "failure")
        target = REGISTRY if subject is None else subject
        self.logger.info(
            "principal=%s action=%s subject=%s result=%s status=%d",
            json.dumps(principal),
            action,
            json.dumps(target),
            result,
            status,
            extra={
                "audit": {
                    "principal": principal,
                    "action": action,
                    "subject": target,
                    "result": result,
                    "status": status,
                }
            },
        )
