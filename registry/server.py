"""Assembles a registry process: log, state, formats, services, ASGI app, and uvicorn."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import ssl
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from compat.formats import Formats, default_formats
from registry.http.app import RegistryApp, create_app
from registry.http.forwarding import LeaderGate, Leadership
from registry.http.metrics import MetricsEndpoint, MetricsSources
from registry.http.startup import ReplayStatus, StartupGate
from registry.key_custody import default_key_custody
from registry.log.base import Log
from registry.security.config import AuthConfigSource
from registry.security.gate import SecurityGate
from registry.security.settings import SecuritySettings
from registry.services import Registry
from registry.settings import Settings
from registry.store import Store
from registry.telemetry import Telemetry
from registry.ui import PREFIX as UI_PREFIX
from registry.ui import UiApp

__all__ = [
    "ASGIApp",
    "BackgroundServer",
    "ReplayStatus",
    "build_app",
    "build_cluster_app",
    "build_registry",
    "secure",
    "serve",
    "starting_app",
    "with_ui",
]

logger = logging.getLogger(__name__)


class ReplayProgress:
    """Records how far a start-up replay got in `status`, and logs it every `interval_s`."""

    def __init__(self, status: ReplayStatus, started: float, *, interval_s: float = 2.0) -> None:
        self._status = status
        self._target = status.target_offset
        self._started = started
        self._interval_s = interval_s
        self._last = started

    def __call__(self, next_offset: int) -> None:
        self._status.applied_offset = next_offset
        now = time.perf_counter()
        if now - self._last < self._interval_s:
            return
        self._last = now
        logger.info(
            "replaying the log: offset %d of %d (%.0f%%) after %.1f s",
            next_offset,
            self._target,
            100.0 * next_offset / max(self._target, 1),
            now - self._started,
        )


def build_registry(
    log: Log,
    settings: Settings,
    formats: Formats | None = None,
    *,
    status: ReplayStatus | None = None,
    telemetry: Telemetry | None = None,
) -> Registry:
    """Replay the log into a fresh state and return the registry's services over it.

    `status`, if given, follows the replay's progress (for the readiness endpoint);
    `telemetry` (None: nothing is counted) gets the replay's duration and the services'
    counts. Shared KEKs reach their KMS with this process's environment (`LOCAL_SECRET`,
    AWS credentials).
    """
    status = status if status is not None else ReplayStatus(log.end_offset())
    store = Store(log)
    started = time.perf_counter()
    status.applied_offset = store.catch_up(ReplayProgress(status, started))
    elapsed = time.perf_counter() - started
    if telemetry is not None:
        telemetry.replay_seconds = elapsed
    logger.info(
        "replayed %d records in %.3f s (%d skipped)",
        store.state.next_offset,
        elapsed,
        store.state.skipped_records,
    )
    custody = partial(default_key_custody, os.environ)
    return Registry.create(store, formats or default_formats(), settings, telemetry, custody)


def build_app(
    log: Log,
    settings: Settings,
    formats: Formats | None = None,
    *,
    follow_every_s: float | None = None,
    status: ReplayStatus | None = None,
    telemetry: Telemetry | None = None,
) -> RegistryApp:
    """The ASGI app over `log`; the log is closed when the app shuts down.

    `follow_every_s` is for a log that other processes write too (a Kafka topic): the state
    then keeps applying their records, polling at that interval, while the app runs.
    """
    registry = build_registry(log, settings, formats, status=status, telemetry=telemetry)
    if follow_every_s is None:
        return create_app(registry, on_shutdown=log.close)
    follower = Follower(registry.store, follow_every_s)

    def shutdown() -> None:
        follower.stop()
        log.close()

    return create_app(registry, on_startup=follower.start, on_shutdown=shutdown)


def build_cluster_app(
    log: Log,
    settings: Settings,
    leadership: Leadership,
    *,
    follow_every_s: float,
    forward_timeout_s: float,
    formats: Formats | None = None,
    status: ReplayStatus | None = None,
    telemetry: Telemetry | None = None,
    auth: AuthConfigSource | None = None,
    ui: bool = False,
) -> LeaderGate:
    """The app of one node among several on a shared log: it follows the log, and its
    writes go through `leadership`'s leader (`LeaderGate`).

    The security gate sits inside the leader gate: a follower forwards a write with the
    caller's credentials as they came, and only the leader authenticates and authorizes it.
    """
    app = build_app(
        log,
        settings,
        formats,
        follow_every_s=follow_every_s,
        status=status,
        telemetry=telemetry,
    )
    if ui:
        with_ui(app, auth, writable=lambda: leadership.is_leader)
    return LeaderGate(app, leadership, timeout_s=forward_timeout_s, local=secure(app, auth))


def secure(app: RegistryApp, auth: AuthConfigSource | None) -> SecurityGate:
    """`app` behind authentication and authorization under `auth` (None: open), with every
    write audited."""
    return SecurityGate(app, auth)


def with_ui(
    app: RegistryApp,
    auth: AuthConfigSource | None,
    *,
    writable: Callable[[], bool] = lambda: True,
) -> RegistryApp:
    """`app` with the web UI served at `/ui` (read-only pages when `auth` is None; `writable`
    tells whether this node takes writes now: a cluster's leader does).

    The UI is reached only for paths no API route matches, so the API's dispatch costs
    what it did; the UI checks its viewers itself."""
    app.mount(UI_PREFIX, UiApp(app.registry, auth, writable=writable))
    return app


class Follower:
    """Runs `Store.follow` as a task of the server's event loop, from startup to shutdown."""

    def __init__(self, store: Store, every_s: float) -> None:
        self._store = store
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start following; called by the app at startup, on the running loop."""
        self._task = asyncio.get_running_loop().create_task(
            self._store.follow(every_s=self._every_s), name="registry-log-follower"
        )

    def stop(self) -> None:
        """Stop following (at shutdown)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None


class ServedRegistry(Protocol):
    """An app over a registry: `RegistryApp`, or `LeaderGate` in front of one."""

    registry: Registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""


def starting_app(
    log: Log,
    build: Callable[[ReplayStatus], ServedRegistry],
    *,
    telemetry: Telemetry | None = None,
    leadership: Leadership | None = None,
    worker: int | None = None,
) -> ASGIApp:
    """An app that listens at once and serves what `build` returns once it has replayed `log`
    to the end offset it has now (health endpoints meanwhile).

    With `telemetry` (the counters `build` gives the registry), `GET /metrics` is served in
    front of it all, from the first moment: the replay's progress, then the registry's state,
    the log, and `leadership` on a cluster node (or a worker: `worker` is its number).
    """
    status = ReplayStatus(log.end_offset())
    if telemetry is None:
        return StartupGate(build, status)
    sources = MetricsSources(telemetry, log, status, leadership, worker)

    def build_observed(status: ReplayStatus) -> ServedRegistry:
        app = build(status)
        sources.registry = app.registry
        return app

    return MetricsEndpoint(StartupGate(build_observed, status), sources)


class BackgroundServer:
    """uvicorn serving `app` from a daemon thread, on a socket already listening.

    For a registry inside another process (users' tests, embedding): the caller binds and
    listens, so the address is usable before the thread runs (early connections wait in the
    kernel's backlog). `replace` swaps the app between requests. Plain asyncio loop, no
    lifespan, no access log.
    """

    def __init__(self, app: ASGIApp, sock: socket.socket, *, name: str) -> None:
        self._app = app
        config = uvicorn.Config(
            self._dispatch,
            interface="asgi3",
            lifespan="off",
            log_level="warning",
            access_log=False,
            server_header=False,
            loop="asyncio",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[sock])), name=name, daemon=True
        )
        self._thread.start()

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    def replace(self, app: ASGIApp) -> None:
        """Answer every request from now on with `app`."""
        self._app = app

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread (uvicorn checks every 0.1 s)."""
        self._server.should_exit = True
        self._thread.join(timeout_s)


def serve(
    app: ASGIApp,
    settings: Settings,
    security: SecuritySettings | None = None,
    *,
    on_reload: Callable[[], Any] | None = None,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Run `app` under uvicorn with httptools and uvloop (both come with uvicorn[standard]).

    With TLS in `security` the server speaks HTTPS only (mutual TLS with a client CA);
    `on_reload` runs in a worker thread on each SIGHUP, while connections stay open.
    `sockets` (listening already, shared with other processes) replace the host and port.
    """
    security = security or SecuritySettings()
    if security.auth_config is None:
        logger.warning(
            "no --auth-config: the registry is open; anyone who can reach it may read, "
            "change and delete every subject"
        )
    tls: dict[str, Any] = {}
    if security.tls_cert is not None:
        tls = {
            "ssl_certfile": str(security.tls_cert),
            "ssl_keyfile": str(security.tls_key),
            "ssl_cert_reqs": ssl.CERT_REQUIRED if security.mutual_tls else ssl.CERT_NONE,
            "ssl_ca_certs": str(security.tls_client_ca) if security.mutual_tls else None,
        }
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=TlsAwareHttpProtocol if security.tls else "httptools",
        access_log=settings.access_log,
        log_level="info",
        # uvicorn's loggers propagate to the root handler: one format for every line.
        log_config=None,
        server_header=False,
        lifespan="on",
        **tls,
    )
    _ReloadingServer(config, on_reload).run(sockets=sockets)


class _ReloadingServer(uvicorn.Server):
    """uvicorn's server, plus a SIGHUP handler that runs `on_reload` off the event loop."""

    def __init__(self, config: uvicorn.Config, on_reload: Callable[[], Any] | None) -> None:
        super().__init__(config)
        self._on_reload = on_reload

    async def startup(self, sockets: Any = None) -> None:
        """uvicorn's start-up, then the SIGHUP handler."""
        await super().startup(sockets)
        on_reload = self._on_reload
        if on_reload is not None:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, on_reload))


#: TLS versions as the ASGI TLS extension numbers them.
_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}
#: Short RFC 4514 names of the attributes `SSLObject.getpeercert()` spells out.
_RDN_NAMES = {
    "commonName": "CN",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "localityName": "L",
    "stateOrProvinceName": "ST",
    "streetAddress": "STREET",
    "domainComponent": "DC",
    "userId": "UID",
}


class TlsAwareHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, filling in the ASGI TLS extension.

    uvicorn does not expose the peer certificate to the app. This protocol reads it from the
    connection's `ssl_object` once per connection and adds
    `scope["extensions"]["tls"]` (`client_cert_name` as an RFC 4514 name,
    `client_cert_chain`, `tls_version`) to every request on it, as the ASGI TLS extension
    specifies, so the security gate finds the client certificate's CN there.
    """

    _tls: dict[str, Any] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """uvicorn's bookkeeping, then the connection's TLS facts."""
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        self._tls = None if ssl_object is None else tls_extension(ssl_object)

    def on_message_begin(self) -> None:
        """A new request's scope, with the TLS extension."""
        super().on_message_begin()
        if self._tls is not None:
            scope: dict[str, Any] = self.scope  # type: ignore[assignment]
            scope["extensions"] = {**scope.get("extensions", {}), "tls": self._tls}


def tls_extension(ssl_object: ssl.SSLObject) -> dict[str, Any]:
    """The ASGI TLS extension's values for a verified TLS connection."""
    peer = ssl_object.getpeercert()
    der = ssl_object.getpeercert(binary_form=True)
    name = None
    if peer:
        rdns = [
            "+".join(f"{_RDN_NAMES.get(pair[0], pair[0])}={_escape(pair[1])}" for pair in rdn)
            for rdn in peer.get("subject", ())
        ]
        name = ",".join(reversed(rdns))  # RFC 4514 lists the most specific RDN first
    return {
        "server_cert": None,
        "client_cert_chain": [] if der is None else [ssl.DER_cert_to_PEM_cert(der)],
        "client_cert_name": name,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,
    }


def _escape(value: str) -> str:
    escaped = "".join("\\" + ch if ch in ',+"\\<>;=' else ch for ch in value)
    if escaped.startswith((" ", "#")):
        escaped = "\\" + escaped
    if escaped.endswith(" ") and not escaped.endswith("\\ "):
        escaped = escaped[:-1] + "\\ "
    return escaped
