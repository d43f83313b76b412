"""Write-path benchmark (performance.md W1, W2): registrations, re-registrations and lookups.

Starts Cairn (`cairn serve` on a temporary data directory) and the trivial baseline app of
`read_path.py`, both on 127.0.0.1, then with httpx clients:

* floor: POSTs of a registration-sized body to the baseline app; the cost of the client
  and HTTP alone, sequentially and with the concurrent clients;
* new: N distinct 10-field Avro schemas, each to its own subject, sequentially and then
  with C concurrent clients; and N more to a single subject with C concurrent clients
  (writes to one subject serialise; writes to different subjects should not);
* re-register (W1): every schema of the sequential phase again; must write nothing and
  answer the same id and version;
* lookup (W1): `POST /subjects/{s}` for the same schemas.

Python clients top out near 1k requests/s, so for the W1 ratio against the read ceiling use
`python bench/read_path.py --targets reregister,lookup` (wrk). This script shows per-operation
latency and what a real client sees.

Run from the repository root: `python bench/write_path.py [--count 500] [--concurrency 8]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from read_path import CONTENT_TYPE, servers

HEADERS = {"Content-Type": CONTENT_TYPE}
FIELD_TYPES = ("long", "string", "double", "boolean", "int", "bytes", "float")


def schema_text(name: str) -> str:
    """A distinct 10-field Avro record named `name`."""
    fields: list[dict[str, Any]] = [
        {"name": f"f{k}", "type": FIELD_TYPES[k % len(FIELD_TYPES)]} for k in range(9)
    ]
    fields.append({"name": "note", "type": ["null", "string"], "default": None})
    return json.dumps(
        {"type": "record", "name": name, "namespace": "cairn.bench.write", "fields": fields},
        separators=(",", ":"),
    )


@dataclass(frozen=True, slots=True)
class Op:
    """One request of a phase and, optionally, the (id, version) it must answer."""

    path: str
    body: dict[str, Any]
    expect: tuple[int, int] | None = None


@dataclass(slots=True)
class PhaseResult:
    """Timings of one phase."""

    name: str
    concurrency: int
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answers: dict[str, tuple[int, int]] = field(default_factory=dict)


async def drive(
    client: httpx.AsyncClient, name: str, ops: Sequence[Op], concurrency: int
) -> PhaseResult:
    """Send `ops` with `concurrency` workers; record latency and check every answer."""
    result = PhaseResult(name, concurrency)
    cursor = iter(ops)

    async def worker() -> None:
        for op in cursor:
            started = time.perf_counter_ns()
            try:
                response = await client.post(op.path, json=op.body, headers=HEADERS)
            except httpx.HTTPError as exc:
                result.errors.append(f"{op.path}: {exc!r}")
                continue
            result.latencies_ms.append((time.perf_counter_ns() - started) / 1e6)
            if response.status_code != 200:
                result.errors.append(f"{op.path}: {response.status_code} {response.text[:200]}")
                continue
            body = response.json()
            if isinstance(body, dict) and "id" in body and "version" in body:
                answer = (int(body["id"]), int(body["version"]))
                result.answers[op.path] = answer
                if op.expect is not None and answer != op.expect:
                    result.errors.append(f"{op.path}: answered {answer}, expected {op.expect}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall_s = time.perf_counter() - started
    return result


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


def print_table(results: Sequence[PhaseResult]) -> None:
    """One line per phase: throughput and latency."""
    header = (
        f"{'phase':<28} {'conc':>4} {'ops':>6} {'errors':>6} {'wall s':>7} {'ops/s':>8} "
        f"{'median ms':>10} {'p99 ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ops = len(r.latencies_ms)
        rate = ops / r.wall_s if r.wall_s > 0 else 0.0
        med = statistics.median(r.latencies_ms) if ops else float("nan")
        p99 = percentile(r.latencies_ms, 99) if ops else float("nan")
        print(
            f"{r.name:<28} {r.concurrency:>4} {ops:>6} {len(r.errors):>6} {r.wall_s:>7.2f} "
            f"{rate:>8.0f} {med:>10.2f} {p99:>8.2f}"
        )


async def run_phases(
    cairn_url: str, baseline_url: str | None, count: int, concurrency: int
) -> list[PhaseResult]:
    """Every phase, in order; each sees the state the previous ones left."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    results: list[PhaseResult] = []
    async with httpx.AsyncClient(base_url=cairn_url, limits=limits, timeout=30.0) as cairn:
        if baseline_url is not None:
            async with httpx.AsyncClient(
                base_url=baseline_url, limits=limits, timeout=30.0
            ) as baseline:
                floor = [Op("/", {"schema": schema_text(f"Floor{i}")}) for i in range(count)]
                results.append(await drive(baseline, "floor: POST baseline /", floor, 1))
                results.append(await drive(baseline, "floor: POST baseline /", floor, concurrency))

        seq = [
            Op(f"/subjects/seq-{i}-value/versions", {"schema": schema_text(f"Seq{i}")})
            for i in range(count)
        ]
        new_seq = await drive(cairn, "new, distinct subjects", seq, 1)
        results.append(new_seq)

        conc = [
            Op(f"/subjects/conc-{i}-value/versions", {"schema": schema_text(f"Conc{i}")})
            for i in range(count)
        ]
        results.append(await drive(cairn, "new, distinct subjects", conc, concurrency))

        # Distinct record names are incompatible under BACKWARD; NONE lets them share a subject.
        response = await cairn.put(
            "/config/one-value", json={"compatibility": "NONE"}, headers=HEADERS
        )
        response.raise_for_status()
        one = [
            Op("/subjects/one-value/versions", {"schema": schema_text(f"One{i}")})
            for i in range(count)
        ]
        results.append(await drive(cairn, "new, one subject", one, concurrency))

        again = [Op(op.path, op.body, new_seq.answers.get(op.path)) for op in seq]
        results.append(await drive(cairn, "re-register (W1)", again, 1))
        results.append(await drive(cairn, "re-register (W1)", again, concurrency))

        lookups = [
            Op(op.path.removesuffix("/versions"), op.body, new_seq.answers.get(op.path))
            for op in seq
        ]
        results.append(await drive(cairn, "lookup (W1)", lookups, 1))
        results.append(await drive(cairn, "lookup (W1)", lookups, concurrency))
    return results


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=500, help="schemas per phase")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    args = parser.parse_args(argv)
    if args.count < 1 or args.concurrency < 1:
        parser.error("--count and --concurrency must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Start the servers, run the phases, print the table, stop everything."""
    args = parse_args(argv)
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.count} schemas per phase, {args.concurrency} concurrent clients"
    )
    with tempfile.TemporaryDirectory(prefix="cairn-bench-") as tmp:
        tmp_dir = Path(tmp)
        with servers(tmp_dir, tmp_dir / "data") as (baseline, cairn):
            results = asyncio.run(run_phases(cairn.url, baseline.url, args.count, args.concurrency))
    print()
    print_table(results)
    failed = [r for r in results if r.errors]
    for r in failed:
        print(f"\n{r.name} (c={r.concurrency}): {len(r.errors)} errors, first: {r.errors[0]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
