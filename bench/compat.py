"""Schema parsing and compatibility checks per format, against baselines in the same run (C1).

Avro: our reader/writer check against Apache avro's Python checker on the same pair of 200-field
records (goal C1: <= 0.5x its time). JSON Schema: a BACKWARD check of two 500-property objects
(goal: milliseconds), beside the bare cost of validating both documents against the draft-07
metaschema with `jsonschema`, which every JSON Schema registry pays once per schema. Protobuf:
a 200-field message pair, once the format is installed.

    python bench/compat.py [--rounds 7] [--repeat 50]

Prints medians of interleaved rounds; each round times `--repeat` calls of every operation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import avro.compatibility
import avro.schema
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

from compat.avro import AvroFormat
from compat.formats import Formats, default_formats
from compat.jsonschema import JsonSchemaFormat
from compat.types import SchemaType


def avro_pair(fields: int) -> tuple[str, str]:
    """A record and its successor with one extra defaulted field."""
    kinds = ["int", "long", "string", "double", ["null", "string"]]
    base = [{"name": f"f{i}", "type": kinds[i % len(kinds)]} for i in range(fields)]
    old = {"type": "record", "name": "Wide", "namespace": "bench", "fields": base}
    new = {**old, "fields": [*base, {"name": "extra", "type": "int", "default": 0}]}
    return json.dumps(old), json.dumps(new)


def json_pair(properties: int) -> tuple[str, str]:
    """A closed object and its successor with one extra optional property."""
    kinds: list[dict[str, Any]] = [
        {"type": "string", "maxLength": 40},
        {"type": "integer", "minimum": 0},
        {"type": "number"},
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "properties": {"x": {"type": "boolean"}}},
    ]
    props = {f"p{i}": kinds[i % len(kinds)] for i in range(properties)}
    old = {
        "type": "object",
        "properties": props,
        "required": [f"p{i}" for i in range(0, properties, 3)],
        "additionalProperties": False,
    }
    new = {**old, "properties": {**props, "extra": {"type": "string"}}}
    return json.dumps(old), json.dumps(new)


def proto_pair(fields: int) -> tuple[str, str]:
    """A message and its successor with one extra field."""
    kinds = ["int32", "int64", "string", "double", "bytes", "bool"]
    body = "\n".join(f"  {kinds[i % len(kinds)]} f{i} = {i + 1};" for i in range(fields))
    old = f'syntax = "proto3";\npackage bench;\nmessage Wide {{\n{body}\n}}\n'
    new = old.replace("\n}\n", f"\n  string extra = {fields + 1};\n}}\n")
    return old, new


def time_us(operation: Callable[[], object], repeat: int) -> float:
    """Mean microseconds per call over `repeat` calls."""
    started = time.perf_counter_ns()
    for _ in range(repeat):
        operation()
    return (time.perf_counter_ns() - started) / repeat / 1000


def operations(formats: Formats) -> dict[str, Callable[[], object]]:
    """Every timed operation, by row label."""
    ops: dict[str, Callable[[], object]] = {}
    avro_fmt = AvroFormat()
    old_a, new_a = avro_pair(200)
    parsed_old_a, parsed_new_a = avro_fmt.parse(old_a), avro_fmt.parse(new_a)
    apache_old, apache_new = avro.schema.parse(old_a), avro.schema.parse(new_a)
    ops["avro parse 200 fields"] = lambda: avro_fmt.parse(new_a)
    ops["avro check 200 fields"] = lambda: avro_fmt.backward_findings(parsed_new_a, parsed_old_a)
    # A fresh checker per call: a reused one memoises the pair's answer.
    ops["  baseline: apache avro check"] = lambda: (
        avro.compatibility.ReaderWriterCompatibilityChecker().get_compatibility(  # type: ignore[no-untyped-call]
            apache_new, apache_old
        )
    )

    json_fmt = JsonSchemaFormat()
    old_j, new_j = json_pair(500)
    parsed_old_j, parsed_new_j = json_fmt.parse(old_j), json_fmt.parse(new_j)
    meta = Draft7Validator(Draft7Validator.META_SCHEMA)
    doc_old, doc_new = json.loads(old_j), json.loads(new_j)
    ops["json parse 500 properties"] = lambda: json_fmt.parse(new_j)
    ops["json check 500 properties"] = lambda: json_fmt.backward_findings(
        parsed_new_j, parsed_old_j
    )
    ops["  baseline: metaschema validation x2"] = lambda: (
        meta.is_valid(doc_old),
        meta.is_valid(doc_new),
    )

    if SchemaType.PROTOBUF in formats.supported:
        proto_fmt = formats.get(SchemaType.PROTOBUF)
        old_p, new_p = proto_pair(200)
        parsed_old_p, parsed_new_p = proto_fmt.parse(old_p), proto_fmt.parse(new_p)
        ops["protobuf parse 200 fields"] = lambda: proto_fmt.parse(new_p)
        ops["protobuf check 200 fields"] = lambda: proto_fmt.backward_findings(
            parsed_new_p, parsed_old_p
        )
    return ops


def run(rounds: int, repeat: int) -> dict[str, float]:
    """Median microseconds per operation over interleaved rounds."""
    ops = operations(default_formats())
    samples: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(rounds):
        for name, op in ops.items():
            samples[name].append(time_us(op, repeat))
    return {name: statistics.median(values) for name, values in samples.items()}


def report(medians: dict[str, float]) -> None:
    """Print the table, with the C1 ratio."""
    print(f"Python {sys.version.split()[0]}; medians, microseconds per call")
    for name, value in medians.items():
        print(f"{name:40s} {value:10.1f}")
    ours = medians["avro check 200 fields"]
    apache = medians["  baseline: apache avro check"]
    print(f"C1 avro check / apache avro check: {ours / apache:.2f} (goal <= 0.50)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    report(run(args.rounds, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
