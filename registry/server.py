"""Assembles a registry process: log, state, formats, service, ASGI app, and uvicorn."""

from __future__ import annotations

import logging
import time

import uvicorn

from compat.avro import AvroFormat
from compat.jsonschema import JsonSchemaFormat
from compat.plugins import Formats
from compat.protobuf import ProtobufFormat
from registry.http.app import RegistryApp, create_app
from registry.log.base import Log
from registry.service import RegistryService
from registry.settings import Settings
from registry.store import Store

logger = logging.getLogger(__name__)


def default_formats() -> Formats:
    """The schema formats this build of Cairn supports."""
    return Formats([AvroFormat(), JsonSchemaFormat(), ProtobufFormat()])


def build_service(log: Log, settings: Settings, formats: Formats | None = None) -> RegistryService:
    """Replay the log into a fresh state and return a service over it."""
    store = Store(log)
    started = time.perf_counter()
    store.catch_up()
    logger.info(
        "replayed %d records in %.3f s (%d skipped)",
        store.state.next_offset,
        time.perf_counter() - started,
        store.state.skipped_records,
    )
    return RegistryService(store, formats or default_formats(), settings)


def build_app(log: Log, settings: Settings, formats: Formats | None = None) -> RegistryApp:
    """The ASGI app over `log`; the log is closed when the app shuts down."""
    service = build_service(log, settings, formats)
    return create_app(service, on_shutdown=log.close)


def serve(app: RegistryApp, settings: Settings) -> None:
    """Run `app` under uvicorn with httptools and uvloop (both come with uvicorn[standard])."""
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=settings.access_log,
        log_level="info",
        server_header=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()
