"""The embedded file log: one append-only file of checksummed frames in a local data directory.

The default backend of a single server. `FileLog` is the log (`_log`: durability, group
commit, compaction, reading); the file format is in `_framing`, opening and recovery of the
data directory in `_recovery`, the rewriting of compaction in `_compaction`, and reads outside
the lock in `_reading`. `SharedFileLog` (`_shared`) is the log of a directory that several
processes serve: one writes it, the others follow the file read-only (`_tail`).

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as data_dir, FileLog.open(data_dir) as log:
...     log.append([(b"key", b"value"), (b"key", None)])
...     [(record.offset, record.value) for record in log.read(0)]
[0, 1]
[(0, b'value'), (1, None)]
"""

from __future__ import annotations

from registry.log.file._compaction import CompactionResult
from registry.log.file._log import COMPACTING_FILE, LOG_FILE, FileLog, FileLogStats
from registry.log.file._shared import SharedFileLog

__all__ = [
    "COMPACTING_FILE",
    "CompactionResult",
    "FileLog",
    "FileLogStats",
    "LOG_FILE",
    "SharedFileLog",
]
