"""`cairn serve --workers N`: several processes serving one data directory on one port.

The parent binds the port and supervises (`registry.supervisor`); each worker loads the
settings, the TLS files and the auth config itself, opens the data directory's log as a
reader or as its writer (`registry.workers`) and serves on the shared socket.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from dataclasses import dataclass

import click

from registry.http.writer_channel import socket_path
from registry.log.file import SharedFileLog
from registry.log_output import configure_logging
from registry.security.config import AuthConfigSource
from registry.security.settings import SecuritySettings
from registry.server import ReplayStatus, ServedRegistry, starting_app
from registry.server import serve as run_server
from registry.settings import Settings
from registry.supervisor import Supervisor
from registry.telemetry import Telemetry
from registry.workers import WriterRole, build_worker_app

logger = logging.getLogger(__name__)

#: Connections the shared socket queues before the workers accept them.
BACKLOG = 2048


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """What every worker process is started with (sent to it, so picklable)."""

    settings: Settings
    security: SecuritySettings
    metrics: bool
    log_level: str
    log_format: str
    ui: bool = True


def serve_with_workers(options: WorkerOptions, count: int) -> None:
    """Bind the port, start `count` workers on it and supervise them until stopped."""
    settings = options.settings
    try:
        socket_path(settings.data_dir)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        sock = listen(settings.host, settings.port)
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    host, port = sock.getsockname()[:2]
    logger.info("listening on %s:%d with %d workers", host, port, count)
    with sock:
        status = Supervisor(run_worker, options, count=count, sock=sock).run()
    if status != 0:
        raise click.ClickException("the workers could not be kept running")


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on `host`:`port` (IPv6 if the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def run_worker(options: WorkerOptions, number: int, sock: socket.socket) -> None:
    """One worker process: open the log, replay it, serve on `sock` until SIGTERM."""
    configure_logging(options.log_level, options.log_format)
    # The parent passes SIGHUP on to every worker: one without an auth config to reload
    # must not die of it.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    settings, security = options.settings, options.security
    auth = None if security.auth_config is None else AuthConfigSource(security.auth_config)
    telemetry = Telemetry() if options.metrics else None
    log = (
        SharedFileLog.open(
            settings.data_dir,
            fsync=telemetry.timed_fsync(os.fsync),
            on_group_commit=telemetry.group_committed,
        )
        if telemetry
        else SharedFileLog.open(settings.data_dir)
    )
    channel = socket_path(settings.data_dir)
    logger.info("worker %d: %s the log", number, "writes" if log.is_writer else "follows")

    def build(status: ReplayStatus) -> ServedRegistry:
        return build_worker_app(
            log, settings, channel, status=status, telemetry=telemetry, auth=auth, ui=options.ui
        )

    role = WriterRole(log, channel)
    app = starting_app(log, build, telemetry=telemetry, leadership=role, worker=number)
    run_server(
        app,
        settings,
        security,
        on_reload=None if auth is None else auth.reload,
        sockets=[sock],
    )
