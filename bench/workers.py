"""Several workers (`cairn serve --workers N`): registration throughput and read-your-writes lag.

Starts Cairn with one worker and Cairn with `--workers` workers (each on its own temporary
data directory, 127.0.0.1) and, in interleaved rounds:

* registrations: `--clients` concurrent clients (threads, one keep-alive connection each)
  register `--count` distinct schemas, each to its own subject; req/s for both servers;
* lag (the several-worker server only): connections are sorted by the worker that answers
  them (its pid, from `GET /metrics`); a schema is registered on a connection of one worker,
  then read on a connection of another worker until it shows. The lag is the time from the
  registration's answer to the first read that shows it (so it includes one read's round
  trip); reported both ways: written on the writer, and written on a reading worker (which
  hands it to the writer).

Reported: medians over the rounds; lag p50 and p99 over all samples. Run from the repository
root: `python bench/workers.py [--rounds 5] [--workers 2] [--count 400] [--clients 8]`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from read_path import CONTENT_TYPE, Server, cairn_argv, free_port, start_server

HEADERS = {"Content-Type": CONTENT_TYPE}
WORKER = re.compile(r'cairn_worker\{pid="(\d+)"')
LAG_DEADLINE_S = 5.0


def schema(name: str) -> str:
    """A distinct small Avro record."""
    fields = [{"name": "id", "type": "long"}, {"name": name, "type": "string"}]
    return json.dumps({"type": "record", "name": name, "fields": fields})


def registrations(url: str, prefix: str, count: int, clients: int) -> float:
    """Register `count` schemas from `clients` threads; requests per second."""
    local = threading.local()
    opened: list[httpx.Client] = []

    def register(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=url, timeout=30.0)
            opened.append(client)
        name = f"{prefix}{i}"
        response = client.post(
            f"/subjects/{name}-value/versions", json={"schema": schema(name)}, headers=HEADERS
        )
        response.raise_for_status()

    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(register, range(count)))
    finally:
        for client in opened:
            client.close()
    return count / (time.perf_counter() - started)


def connections_by_worker(url: str, wanted: int) -> dict[int, httpx.Client]:
    """One keep-alive connection to each of `wanted` workers, by worker pid."""
    found: dict[int, httpx.Client] = {}
    deadline = time.monotonic() + 30.0
    while len(found) < wanted:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only reached workers {sorted(found)}")
        client = httpx.Client(base_url=url, timeout=10.0, limits=httpx.Limits(max_connections=1))
        match = WORKER.search(client.get("/metrics").text)
        if match is None or int(match.group(1)) in found:
            client.close()
            continue
        found[int(match.group(1))] = client
    return found


def lag_samples(writer: httpx.Client, reader: httpx.Client, prefix: str, count: int) -> list[float]:
    """Seconds from each registration's answer on `writer` to its visibility on `reader`."""
    samples = []
    for i in range(count):
        name = f"{prefix}{i}"
        path = f"/subjects/{name}-value/versions"
        writer.post(path, json={"schema": schema(name)}, headers=HEADERS).raise_for_status()
        acknowledged = time.perf_counter()
        while reader.get(path + "/latest").status_code != 200:
            if time.perf_counter() - acknowledged > LAG_DEADLINE_S:
                raise RuntimeError(f"{name} never showed on the other worker")
        samples.append(time.perf_counter() - acknowledged)
    return samples


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def run(args: argparse.Namespace) -> int:
    """Start both servers, measure in interleaved rounds, print the report."""
    print(f"python {sys.version.split()[0]}; {args.rounds} rounds", flush=True)
    throughput: dict[str, list[float]] = {"1": [], str(args.workers): []}
    lags: dict[str, list[float]] = {"on the writer": [], "on a reading worker": []}
    with tempfile.TemporaryDirectory(prefix="cairn-bench-") as tmp:
        base = Path(tmp)
        started: list[Server] = []
        try:
            for n in throughput:
                port = free_port()
                argv = cairn_argv(port, base / f"data-{n}", "--workers", n)
                started.append(start_server(f"cairn-{n}", argv, port, base))
            servers = dict(zip(throughput, started, strict=True))
            several = servers[str(args.workers)]
            lock = (base / f"data-{args.workers}" / "cairn.lock").read_text().strip()
            clients = connections_by_worker(several.url, args.workers)
            writer_conn = clients[int(lock)]
            reader_conn = next(c for pid, c in clients.items() if pid != int(lock))
            for round_no in range(1, args.rounds + 1):
                for n, server in servers.items():
                    rate = registrations(server.url, f"r{round_no}n{n}x", args.count, args.clients)
                    throughput[n].append(rate)
                    print(f"  round {round_no} workers={n}: {rate:.0f} registrations/s")
                lags["on the writer"] += lag_samples(
                    writer_conn, reader_conn, f"lw{round_no}x", args.lag_samples
                )
                lags["on a reading worker"] += lag_samples(
                    reader_conn, writer_conn, f"lr{round_no}x", args.lag_samples
                )
            for client in clients.values():
                client.close()
        finally:
            for server in reversed(started):
                server.stop()
    print(f"\nregistrations/s with {args.clients} clients, median over rounds:")
    for n, rates in throughput.items():
        print(
            f"  workers={n}: {statistics.median(rates):.0f}  (rounds: {[round(r) for r in rates]})"
        )
    print("\nread-your-writes lag to the other worker (ms, answer to visible, one read included):")
    for where, samples in lags.items():
        print(
            f"  written {where}: p50 {1e3 * percentile(samples, 50):.2f}  "
            f"p99 {1e3 * percentile(samples, 99):.2f}  max {1e3 * max(samples):.2f}  "
            f"(n={len(samples)})"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="workers of the measured server")
    parser.add_argument("--count", type=int, default=400, help="registrations per round")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--lag-samples", type=int, default=200, help="lag samples per round")
    args = parser.parse_args(argv)
    if args.workers < 2:
        parser.error("--workers must be at least 2")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
