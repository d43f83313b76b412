"""One of several processes serving one data directory (`cairn serve --workers N`).

Every worker replays the log and answers reads from its own state. Exactly one, the one
holding the directory's lock, writes the log (`SharedFileLog`); the others follow the file
and hand the writes they receive to it over a local socket (`registry.http.writer_channel`).
This is the design of nodes on a Kafka topic (`LeaderGate`) with the writer as the leader:
a worker passes a write's answer back only once it has applied the offset the writer had
applied when answering, so read-your-writes holds on every connection, whichever worker
takes it. A worker that is not the writer keeps trying the lock, so when the writer dies
another one takes the writes over, recovering the file as a restarted server would.

Nothing here knows about other processes beyond the lock and the socket: spawning and
supervising them is `registry.supervisor`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from compat.formats import Formats
from registry.errors import StoreError
from registry.http.app import create_app
from registry.http.forwarding import LeaderGate
from registry.http.startup import ReplayStatus
from registry.http.writer_channel import ChannelForwarder, ChannelServer
from registry.log.errors import LogError
from registry.log.file import SharedFileLog
from registry.security.config import AuthConfigSource
from registry.server import build_registry, secure, with_ui
from registry.settings import Settings
from registry.store import Store
from registry.telemetry import Telemetry

logger = logging.getLogger(__name__)

#: How often a reading worker looks for records the writer appended.
FOLLOW_EVERY_S = 0.005
#: How often a reading worker tries to take the writes over (the failover delay).
TAKE_WRITES_EVERY_S = 0.1
#: How long a worker waits for the writer to answer a write it handed over.
FORWARD_TIMEOUT_S = 30.0


class WriterRole:
    """Whether this worker writes (a `Leadership` for `LeaderGate`); the writer's socket."""

    def __init__(self, log: SharedFileLog, socket: Path) -> None:
        self._log = log
        self._socket = str(socket)

    @property
    def is_leader(self) -> bool:
        """Whether this worker holds the lock and writes."""
        return self._log.is_writer

    @property
    def term(self) -> int:
        """1 once this worker writes (it then writes until it exits), 0 before."""
        return 1 if self._log.is_writer else 0

    def leader_url(self) -> str:
        """The writer's local socket (it may be gone a moment while another takes over)."""
        return self._socket


class _Duties:
    """What a worker runs beside serving: following the file, trying for the lock, and, as
    the writer, taking the writes of the other workers."""

    def __init__(self, log: SharedFileLog, store: Store, socket: Path) -> None:
        self._log = log
        self._store = store
        self._socket = socket
        self.channel: ChannelServer | None = None
        self.forwarder = ChannelForwarder()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start following and taking over; called at start-up, on the running loop."""
        loop = asyncio.get_running_loop()
        follow = loop.create_task(self._follow(), name="registry-log-follower")
        self._tasks = [follow, loop.create_task(self._take_writes(follow), name="registry-writer")]

    async def _follow(self) -> None:
        """Apply what the writer appends, as it lands: a `stat` of the file every
        `FOLLOW_EVERY_S` on the loop, and a read (in a thread) only when it grew."""
        failing = False
        while True:
            if self._log.has_news():
                try:
                    await self._store.refresh()
                except StoreError as exc:
                    if not failing:
                        logger.warning("following the log failed, retrying: %s", exc)
                    failing = True
                else:
                    failing = False
            await asyncio.sleep(FOLLOW_EVERY_S)

    async def _take_writes(self, follow: asyncio.Task[None]) -> None:
        while True:
            try:
                if await asyncio.to_thread(self._log.take_writes):
                    break
            except LogError as exc:
                logger.error("taking the writes over failed: %s", exc)
            await asyncio.sleep(TAKE_WRITES_EVERY_S)
        # The writer applies its own writes; no one else appends.
        follow.cancel()
        await self._store.refresh()
        logger.info("this worker now writes the log")
        if self.channel is not None:
            await self.channel.start(self._socket)

    def stop(self) -> None:
        """Stop everything (at shutdown)."""
        for task in self._tasks:
            task.cancel()
        if self.channel is not None:
            self.channel.close()
        self.forwarder.close()
        with contextlib.suppress(LogError):
            self._log.close()


def build_worker_app(
    log: SharedFileLog,
    settings: Settings,
    socket: Path,
    *,
    status: ReplayStatus | None = None,
    telemetry: Telemetry | None = None,
    auth: AuthConfigSource | None = None,
    formats: Formats | None = None,
    ui: bool = False,
) -> LeaderGate:
    """The app of one worker: its registry over `log`, writes through the writer at `socket`.

    The security gate sits inside the leader gate, as on a Kafka node: a write handed to the
    writer carries the caller's credentials (and client certificate) as they came, and the
    writer authorizes it.
    """
    registry = build_registry(log, settings, formats, status=status, telemetry=telemetry)
    duties = _Duties(log, registry.store, socket)
    app = create_app(registry, on_startup=duties.start, on_shutdown=duties.stop)
    if ui:
        # The UI writes through the services, so only the writer offers writes.
        with_ui(app, auth, writable=lambda: log.is_writer)
    gate = LeaderGate(
        app,
        WriterRole(log, socket),
        timeout_s=FORWARD_TIMEOUT_S,
        local=secure(app, auth),
        forward=duties.forwarder,
    )
    duties.channel = ChannelServer(gate, lambda: registry.store.state.next_offset)
    return gate
