"""Reading the pages' form posts (URL-encoded), within the server's request size limit."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from compat.types import SchemaType
from registry.errors import PayloadTooLargeError


async def read_form(request: Request, limit: int) -> dict[str, str]:
    """The posted fields; the last value of a repeated field wins."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLargeError("The form is larger than the server accepts")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def schema_type(raw: str) -> SchemaType:
    """The schema type a form names (Avro when it names none)."""
    try:
        return SchemaType(raw.strip().upper())
    except ValueError:
        return SchemaType.AVRO
