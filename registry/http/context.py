"""What a handler gets: the service, the parsed query, captured path segments and the body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from registry.errors import BadRequestError
from registry.service import RegistryService


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request, as the handlers see it."""

    service: RegistryService
    params: QueryParams
    args: list[str]
    body: bytes

    def json_body(self) -> Any:
        """The body parsed as JSON; 400 with the parser's message when it is not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequestError(f"Unrecognized JSON in request body: {exc}") from exc
