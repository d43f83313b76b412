"""Start-up replay benchmark (performance.md S1): time to rebuild state from the file log.

Writes N SCHEMA records (distinct 10-field Avro records over many subjects, Confluent's
format) straight into a fresh `FileLog`, then times opening the log and replaying it into a
new state, against the time to merely read every record back (the floor) in the same run.
Replay parses no schema, so its cost should track the read floor, not the schema count.

    python bench/replay.py --records 100000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry.log.file import FileLog
from registry.records import SchemaKey, SchemaValue, encode_key, encode_value
from registry.store import Store

BATCH = 1000


def _schema(i: int) -> str:
    fields = [{"name": f"f{j}", "type": "string"} for j in range(10)]
    return json.dumps({"type": "record", "name": f"R{i}", "fields": fields}, separators=(",", ":"))


def write_log(directory: Path, records: int, subjects: int) -> None:
    """Fill a fresh log with `records` SCHEMA records."""
    log = FileLog.open(directory)
    try:
        batch: list[tuple[bytes, bytes | None]] = []
        versions: dict[str, int] = {}
        for i in range(records):
            subject = f"subject-{i % subjects}"
            versions[subject] = versions.get(subject, 0) + 1
            value = SchemaValue(subject, versions[subject], i + 1, _schema(i))
            batch.append((encode_key(SchemaKey(subject, versions[subject])), encode_value(value)))
            if len(batch) == BATCH:
                log.append(batch)
                batch = []
        if batch:
            log.append(batch)
    finally:
        log.close()


def time_read(directory: Path) -> float:
    """Seconds to open the log and read every record (the floor)."""
    started = time.perf_counter()
    log = FileLog.open(directory)
    try:
        count = sum(1 for _ in log.read(0))
    finally:
        log.close()
    assert count > 0
    return time.perf_counter() - started


def time_replay(directory: Path) -> float:
    """Seconds to open the log and replay it into a new state (ready to serve)."""
    started = time.perf_counter()
    log = FileLog.open(directory)
    try:
        Store(log).catch_up()
        return time.perf_counter() - started
    finally:
        log.close()


def replay_memory(directory: Path) -> int:
    """Bytes held by the replayed state and the open log (traced, so measured apart)."""
    tracemalloc.start()
    log = FileLog.open(directory)
    try:
        store = Store(log)
        store.catch_up()
        return tracemalloc.get_traced_memory()[0]
    finally:
        log.close()
        tracemalloc.stop()


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cairn-replay-") as tmp:
        directory = Path(tmp)
        write_log(directory, args.records, args.subjects)
        reads, replays = [], []
        for _ in range(args.rounds):
            reads.append(time_read(directory))
            replays.append(time_replay(directory))
        memory = replay_memory(directory)
    read_s, replay_s = statistics.median(reads), statistics.median(replays)
    print(f"python {sys.version.split()[0]}; {args.records} records over {args.subjects} subjects")
    print(f"{'read floor':<28}{read_s:>8.2f} s")
    print(f"{'replay to ready':<28}{replay_s:>8.2f} s   ({replay_s / read_s:.2f}x the floor)")
    print(
        f"{'state memory (traced)':<28}{memory / 1e6:>8.1f} MB  "
        f"({memory / args.records:.0f} B per schema, log index included)"
    )


if __name__ == "__main__":
    main()
