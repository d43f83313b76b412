"""JSON text in and out, with orjson when it is installed, as confluent-kafka does.

Using the same encoder as confluent-kafka keeps the bytes identical in both setups: with
orjson both write its compact UTF-8 output; without it both fall back to the standard
library with compact separators and non-ASCII kept as UTF-8. orjson is several times
faster; it refuses what JSON cannot express (NaN becomes null, as in orjson's rules).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

Dumps = Callable[[Any], bytes]
Loads = Callable[[bytes], Any]


def _stdlib() -> tuple[Dumps, Loads]:
    # One encoder instance: json.dumps with arguments builds a new one on every call.
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    decode = json.JSONDecoder().decode

    def dumps(value: Any) -> bytes:
        return encode(value).encode("utf-8")

    def loads(data: bytes) -> Any:
        return decode(data.decode("utf-8"))

    return dumps, loads


def codec(*, prefer_orjson: bool = True) -> tuple[Dumps, Loads]:
    """The (dumps, loads) pair to use: orjson's when importable and preferred, else the stdlib's."""
    if prefer_orjson:
        try:
            module = importlib.import_module("orjson")
        except ImportError:
            pass
        else:
            dumps: Dumps = module.dumps
            loads: Loads = module.loads
            return dumps, loads
    return _stdlib()


#: Errors the encoders raise for values JSON cannot express (orjson's are subclasses).
ENCODE_ERRORS = (TypeError, ValueError, OverflowError)
DECODE_ERRORS = (ValueError, UnicodeDecodeError)
