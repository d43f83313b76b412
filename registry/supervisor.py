"""Several server processes on one listening socket: start them, restart one that dies,
pass signals on, and stop them all.

The parent binds the socket and hands it to every worker, so the kernel spreads the
connections over them; it serves nothing itself. Workers are started with `spawn` (a fresh
interpreter, no inherited threads or locks) and run `target(payload, number, socket)`.
SIGHUP is passed on to every worker (each reloads what it loaded, the auth config); SIGTERM
and SIGINT stop them: SIGTERM to each, then, after `grace_s`, SIGKILL to the ones left.
A worker that dies is started again under the same number; one that keeps dying right after
its start stops the whole server (a broken configuration must not spin).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, cast

logger = logging.getLogger(__name__)

#: prctl option: the signal the kernel sends a process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel send this process SIGTERM when its parent dies (on Linux), so a
    supervisor killed with SIGKILL leaves no worker holding the port and the data directory.
    Elsewhere, or if the call is refused, nothing changes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _worker_main(
    target: Callable[[Any, int, socket.socket], None],
    parent_pid: int,
    payload: Any,
    number: int,
    sock: socket.socket,
) -> None:
    """A worker process's entry point: tie its life to the parent's, then run `target`."""
    die_with_parent(parent_pid)
    target(payload, number, sock)


#: A worker dying sooner than this after its start counts as failing to start.
MIN_UPTIME_S = 5.0
#: Failed starts in a row (of any worker) after which the server gives up.
MAX_FAILED_STARTS = 3
#: The longest the parent sleeps between looks at its workers.
POLL_S = 0.5

Target = Callable[[Any, int, socket.socket], None]


@dataclass(slots=True)
class _Worker:
    number: int
    process: BaseProcess
    started: float = field(default_factory=time.monotonic)


class Supervisor:
    """Runs `count` processes of `target` on `sock` until told to stop."""

    def __init__(
        self,
        target: Target,
        payload: Any,
        *,
        count: int,
        sock: socket.socket,
        grace_s: float = 30.0,
    ) -> None:
        if count < 1:
            raise ValueError(f"at least one worker is needed, not {count}")
        self._target = target
        self._payload = payload
        self._count = count
        self._sock = sock
        self._grace_s = grace_s
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, _Worker] = {}
        self._stopping = False
        self._failed_starts = 0

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers running now."""
        return [w.process.pid for w in self._workers.values() if w.process.pid is not None]

    def run(self) -> int:
        """Start the workers and supervise them until SIGTERM or SIGINT; the exit status."""
        previous = {
            sig: signal.signal(sig, self._on_signal)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
        try:
            for number in range(self._count):
                self._start(number)
            while not self._stopping:
                self._watch()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_all()
        return 1 if self._failed_starts >= MAX_FAILED_STARTS else 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            logger.info("passing SIGHUP on to the workers")
            self._signal_all(signal.SIGHUP)
        else:
            self._stopping = True

    def _start(self, number: int) -> None:
        process = self._context.Process(
            target=_worker_main,
            args=(self._target, os.getpid(), self._payload, number, self._sock),
            name=f"cairn-worker-{number}",
        )
        process.start()
        self._workers[number] = _Worker(number, process)
        logger.info("started worker %d (pid %s)", number, process.pid)

    def _watch(self) -> None:
        """Wait a little for a worker to exit; start it again if it did."""
        sentinels = {w.process.sentinel: w for w in self._workers.values()}
        for sentinel in wait(list(sentinels), timeout=POLL_S):
            if self._stopping:
                return
            worker = sentinels[cast(int, sentinel)]
            worker.process.join()
            uptime = time.monotonic() - worker.started
            logger.error(
                "worker %d (pid %s) exited with status %s after %.1f s; starting it again",
                worker.number,
                worker.process.pid,
                worker.process.exitcode,
                uptime,
            )
            self._failed_starts = self._failed_starts + 1 if uptime < MIN_UPTIME_S else 0
            if self._failed_starts >= MAX_FAILED_STARTS:
                logger.error("workers keep failing right after they start: stopping")
                self._stopping = True
                return
            self._start(worker.number)

    def _signal_all(self, sig: signal.Signals) -> None:
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def _stop_all(self) -> None:
        """SIGTERM to every worker, SIGKILL to those still running after the grace time."""
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + self._grace_s
        for worker in self._workers.values():
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in self._workers.values():
            if worker.process.is_alive() and worker.process.pid is not None:
                logger.warning("worker %d did not stop in time: killing it", worker.number)
                os.kill(worker.process.pid, signal.SIGKILL)
                worker.process.join()
