"""Request ids: `X-Request-ID` taken from the caller or made here, echoed, and logged.

A caller (a gateway, a client library) that sends `X-Request-ID` gets the same value back and
finds it on every log line Cairn writes while serving that request, including on the leader
when a follower forwards the write (the header is forwarded with the others). A request
without one gets an id made here: a random per-process prefix and a counter, unique without
the cost of a UUID per request. A caller's value that is too long or holds characters that
could forge a log line is replaced, not trusted.
"""

from __future__ import annotations

import itertools
import os
import re

from registry.log_output import current_request_id

__all__ = ["REQUEST_ID_HEADER", "RequestIds", "current_request_id"]

REQUEST_ID_HEADER = b"x-request-id"
#: What a caller's id may be: what tracing systems use (UUIDs, hex, dotted or dashed ids).
_ACCEPTED = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")


class RequestIds:
    """Makes a process's request ids and vets the callers' ones."""

    def __init__(self) -> None:
        self._prefix = os.urandom(6).hex().encode()
        self._counter = itertools.count(1)

    def new(self) -> bytes:
        """A fresh id, unique within this process and very likely across processes."""
        return b"%s-%d" % (self._prefix, next(self._counter))

    def for_request(self, given: bytes | None) -> bytes:
        """The caller's id if it is acceptable, else a fresh one; made current for logging."""
        request_id = given if given is not None and _ACCEPTED.fullmatch(given) else self.new()
        current_request_id.set(request_id.decode("ascii"))
        return request_id
