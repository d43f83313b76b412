"""Content negotiation as Confluent does it: three JSON media types, with server preferences."""

from __future__ import annotations

from functools import lru_cache

from registry.errors import NotAcceptableError, UnsupportedMediaTypeError

SCHEMA_REGISTRY_V1 = "application/vnd.schemaregistry.v1+json"
SCHEMA_REGISTRY = "application/vnd.schemaregistry+json"
JSON = "application/json"

#: Response types with the server's quality weights, most preferred first.
_OFFERED = ((SCHEMA_REGISTRY_V1, 1.0), (SCHEMA_REGISTRY, 0.9), (JSON, 0.5))

#: Request body types read as JSON; octet-stream is what JAX-RS assumes when none is sent.
_READABLE = frozenset({SCHEMA_REGISTRY_V1, SCHEMA_REGISTRY, JSON, "application/octet-stream"})


@lru_cache(maxsize=256)
def response_type(accept: str | None) -> str:
    """The media type to answer with for an `Accept` header; raises 406 when none fits."""
    if not accept or not accept.strip():
        return SCHEMA_REGISTRY_V1
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media, quality))
    best, best_score = "", 0.0
    for offered, weight in _OFFERED:
        major = offered.split("/")[0]
        client_q = max(
            (q for media, q in ranges if media in (offered, f"{major}/*", "*/*")), default=0.0
        )
        if client_q * weight > best_score:
            best, best_score = offered, client_q * weight
    if not best:
        raise NotAcceptableError("HTTP 406 Not Acceptable")
    return best


def check_request_type(content_type: str | None) -> None:
    """Refuse request bodies of a type the API does not read (415)."""
    if not content_type:
        return
    media = content_type.split(";")[0].strip().lower()
    if media and media not in _READABLE:
        raise UnsupportedMediaTypeError(
            f"HTTP 415 Unsupported Media Type: {media} is not accepted; send one of "
            + ", ".join(sorted(_READABLE))
        )
