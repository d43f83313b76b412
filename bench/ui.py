"""Web UI page times over a registry of 10,000 subjects (goal: every page under 200 ms).

Fills an in-memory registry through the services (10,000 subjects in three contexts, a few
with several versions), then calls the UI's ASGI app directly, no network, and prints each
page's median and 95th percentile wall time in milliseconds.

Run from the repository root: `python bench/ui.py [--subjects 10000] [--requests 50]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

GOAL_MS = 200.0
#: Timed right after a write each time, so the UI's subject index is rebuilt every request.
AFTER_WRITE = "subjects, search after a write"


def _schema(n: int, extra: int = 0) -> str:
    fields: list[dict[str, Any]] = [{"name": f"f{i}", "type": "string"} for i in range(8)]
    fields += [{"name": f"x{i}", "type": ["null", "long"], "default": None} for i in range(extra)]
    return json.dumps({"type": "record", "name": f"R{n}", "namespace": "bench", "fields": fields})


async def _fill(registry: Any, subjects: int) -> None:
    from registry.requests import SchemaRequest  # noqa: PLC0415 (after the path fix)

    register = registry.registration.register
    for n in range(subjects):
        context = ("", ":.staging:", ":.eu:")[n % 3]
        await register(f"{context}topic-{n:05d}-value", SchemaRequest(_schema(n)))
    for extra in (1, 2, 3):
        await register("topic-00000-value", SchemaRequest(_schema(0, extra)))


async def _call(app: Any, method: str, target: str, body: bytes = b"") -> int:
    path, _, query = target.partition("?")
    headers = [(b"host", b"bench")]
    if body:
        headers += [(b"content-type", b"application/x-www-form-urlencoded")]
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": headers,
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8081),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _pages() -> dict[str, tuple[str, str, bytes]]:
    failing = _schema(0).replace('"string"', '"int"', 1)  # f0 changes type: refused
    check = urlencode({"subject": "topic-00000-value", "schemaType": "AVRO", "schema": failing})
    return {
        "subjects (first page)": ("GET", "/ui/subjects", b""),
        AFTER_WRITE: ("GET", "/ui/subjects?q=topic-099", b""),
        "subjects, prefix search": ("GET", "/ui/subjects?q=topic-099", b""),
        "subjects, substring search": ("GET", "/ui/subjects?q=99-&match=substring", b""),
        "subjects, context filter": ("GET", "/ui/subjects?context=.staging", b""),
        "subjects, last page": ("GET", "/ui/subjects?page=200", b""),
        "subject": ("GET", "/ui/subject?name=topic-00000-value", b""),
        "subject in a context": ("GET", "/ui/subject?name=" + quote(":.eu:topic-00002-value"), b""),
        "diff v1 -> v4": ("GET", "/ui/diff?subject=topic-00000-value&a=1&b=4", b""),
        "check form": ("GET", "/ui/check?subject=topic-00000-value", b""),
        "check (failing)": ("POST", "/ui/check", check.encode()),
        "settings": ("GET", "/ui/settings", b""),
    }


async def _measure(subjects: int, requests: int) -> dict[str, list[float]]:
    from registry.log.memory import MemoryLog  # noqa: PLC0415
    from registry.server import build_app, secure, with_ui  # noqa: PLC0415
    from registry.settings import Settings  # noqa: PLC0415

    api = build_app(MemoryLog(), Settings())
    started = time.perf_counter()
    await _fill(api.registry, subjects)
    print(f"filled {subjects} subjects in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    app = secure(with_ui(api, None), None)
    samples: dict[str, list[float]] = {}
    for name, (method, target, body) in _pages().items():
        if await _call(app, method, target, body) != 200:
            raise SystemExit(f"{name}: {target} did not answer 200")
        times = []
        for n in range(requests):
            if name == AFTER_WRITE:
                level = ("FULL", "BACKWARD")[n % 2]
                await api.registry.config_mode.set_config(
                    "topic-00001-value", {"compatibility": level}
                )
            begun = time.perf_counter()
            await _call(app, method, target, body)
            times.append((time.perf_counter() - begun) * 1000)
        samples[name] = times
    return samples


def main(argv: list[str] | None = None) -> None:
    """Fill, time every page, print the table; exit 1 when a page misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    args = parser.parse_args(argv)
    bench_dir = Path(__file__).resolve().parent
    # This folder's compat.py would shadow the package of that name.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != bench_dir]
    sys.path.insert(0, str(bench_dir.parent))
    samples = asyncio.run(_measure(args.subjects, args.requests))
    print(f"{args.subjects} subjects; wall ms per page over {args.requests} requests")
    print(f"{'page':<30}{'median':>10}{'p95':>10}")
    missed = False
    for name, times in samples.items():
        p95 = statistics.quantiles(times, n=20)[-1]
        missed |= p95 > GOAL_MS
        print(f"{name:<30}{statistics.median(times):>10.1f}{p95:>10.1f}")
    if missed:
        raise SystemExit(f"a page took over {GOAL_MS:.0f} ms at p95")


if __name__ == "__main__":
    main()
