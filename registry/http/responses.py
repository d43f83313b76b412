"""Writing responses and reading request bodies on the raw ASGI interface, in one place.

The registry app, the start-up gate and leader forwarding all answer through `send_bytes`
and read bodies through `read_body`, so every path applies the same headers and the same
body limit.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import Receive, Send

from registry.errors import PayloadTooLargeError

Header = tuple[bytes, bytes]


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    *,
    content_type: bytes | None,
    headers: Sequence[Header] = (),
) -> None:
    """Send a whole response: `headers`, then the content type (unless None) and length."""
    length = (b"content-length", b"%d" % len(body))
    if content_type is None:
        out = [*headers, length]
    else:
        out = [*headers, (b"content-type", content_type), length]
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive, *, limit: int, declared_length: bytes | None) -> bytes:
    """The whole request body; 413 as soon as it (or its declared length) passes `limit`."""
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        raise PayloadTooLargeError(f"Request body is larger than the limit of {limit} bytes")
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"Request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def content_length(headers: Sequence[Header]) -> bytes | None:
    """The raw `content-length` header value, if sent."""
    for name, value in headers:
        if name == b"content-length":
            return value
    return None
