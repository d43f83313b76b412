"""Set-up cost of the `schema_registry` pytest fixture (registry.testing).

Times, over N repetitions, what a test pays before its first line runs: a fresh empty
registry behind the session's loopback server (the function-scoped fixture), then the same
plus the first request (a registration through HTTP, the realistic first step of a test).
For comparison it also times `local_registry()`, which starts a server of its own.

Run from the repository root: `python bench/fixture_setup.py [--repeat 200]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# bench/compat.py would shadow the `compat` package: import from the repository root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

from registry.testing import RegistryHost, local_registry  # noqa: E402

SCHEMA = json.dumps({"type": "record", "name": "B", "fields": [{"name": "a", "type": "int"}]})


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _line(label: str, samples: Sequence[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return (
        f"{label:<52} median {statistics.median(ordered):7.3f} ms   p90 {p90:7.3f} ms   "
        f"max {ordered[-1]:7.3f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    host = RegistryHost()
    session_ms = (time.perf_counter() - started) * 1000
    try:
        host.fresh().register("warm-up", SCHEMA)  # first parse, first connection
        fresh = _timed(lambda: host.fresh().close(), args.repeat)
        with_first = _timed(lambda: host.fresh().register("s", SCHEMA), args.repeat)
    finally:
        host.stop()

    def own_server() -> None:
        with local_registry():
            pass

    own = _timed(own_server, max(1, args.repeat // 20))
    print(f"session server start (once per test session): {session_ms:.1f} ms")
    print(_line("schema_registry fixture (fresh registry)", fresh))
    print(_line("fixture + first registration over HTTP", with_first))
    print(_line("local_registry() (own server, start and stop)", own))
    print("goal: < 50 ms per function-scoped registry")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
