"""In-process dispatch cost: microseconds of CPU per request inside the ASGI app, no network.

`bench/read_path.py` measures whole servers under wrk, which on a shared machine swings by
tens of percent run to run. This script calls the registry's ASGI app directly (routing,
negotiation, handler, rendering, response), so it shows what Cairn's own code costs per
request, and compares two trees of the code in one run: pass `--against DIR` (a checkout of
another commit) to time both, interleaved, in separate processes.

Run from the repository root: `python bench/dispatch.py [--rounds 9] [--against DIR]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "cairn.bench",
        "fields": [{"name": f"f{i}", "type": "string"} for i in range(10)],
    }
)
CT = b"application/vnd.schemaregistry.v1+json"
TARGETS = {
    "GET /schemas/ids/{id}": ("GET", "/schemas/ids/1", b""),
    "GET /subjects/{s}/versions/latest": ("GET", "/subjects/bench-value/versions/latest", b""),
    "GET /subjects": ("GET", "/subjects", b""),
    "GET /config": ("GET", "/config", b""),
    "POST /subjects/{s}/versions (existing)": (
        "POST",
        "/subjects/bench-value/versions",
        json.dumps({"schema": SCHEMA}).encode(),
    ),
    "POST /subjects/{s} (lookup)": (
        "POST",
        "/subjects/bench-value",
        json.dumps({"schema": SCHEMA}).encode(),
    ),
}


async def _call(app: Any, method: str, path: str, body: bytes) -> int:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", CT), (b"content-length", b"%d" % len(body))],
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


async def _measure(requests: int) -> dict[str, float]:
    # The tree to time is the one on PYTHONPATH, not this script's folder (whose compat.py
    # would shadow the package of that name).
    bench_dir = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != bench_dir]
    from registry.log.memory import MemoryLog  # noqa: PLC0415 (the tree is chosen at run time)
    from registry.server import build_app  # noqa: PLC0415
    from registry.settings import Settings  # noqa: PLC0415

    app = build_app(MemoryLog(), Settings())
    method, path, body = TARGETS["POST /subjects/{s}/versions (existing)"]
    if await _call(app, method, path, body) != 200:
        raise SystemExit("could not register the benchmark schema")
    out = {}
    for name, (method, path, body) in TARGETS.items():
        for _ in range(requests // 10):  # warm-up: memoised renderings, parse caches
            await _call(app, method, path, body)
        started = time.process_time_ns()
        for _ in range(requests):
            await _call(app, method, path, body)
        out[name] = (time.process_time_ns() - started) / requests / 1000
    return out


def _run_tree(tree: Path, requests: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(requests)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> None:
    """Time this tree (and another one) and print the best round in microseconds per request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (best)")
    parser.add_argument("--requests", type=int, default=20_000, help="requests per target")
    parser.add_argument("--against", type=Path, help="another checkout to time beside this one")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(asyncio.run(_measure(args.child))))
        return
    trees = {"this": Path(__file__).resolve().parents[1]}
    if args.against is not None:
        trees = {"against": args.against.resolve(), **trees}
    samples: dict[str, dict[str, list[float]]] = {t: {n: [] for n in TARGETS} for t in trees}
    for _ in range(args.rounds):
        for label, tree in trees.items():
            for name, micros in _run_tree(tree, args.requests).items():
                samples[label][name].append(micros)
    # The best round, as timeit reports: interference from other work only ever adds time.
    print(f"python {sys.version.split()[0]}; CPU µs per request, best of {args.rounds} rounds")
    header = "".join(f"{label:>10}" for label in trees)
    ratio = "     ratio" if len(trees) == 2 else ""
    print(f"{'target':<42}{header}{ratio}")
    for name in TARGETS:
        best = [min(samples[label][name]) for label in trees]
        line = f"{name:<42}" + "".join(f"{m:>10.1f}" for m in best)
        if len(best) == 2:
            line += f"{best[1] / best[0]:>10.2f}"
        print(line)


if __name__ == "__main__":
    main()
