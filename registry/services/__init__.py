"""The registry's operations, one service per resource, over one store.

    Registry
    ├── queries        RegistryQueries       every read (schemas, subjects, versions, config, mode)
    ├── registration   RegistrationService   register, lookup, compatibility checks
    ├── tagging        TaggingService        new versions with schema tags edited
    ├── deletion       DeletionService       soft and permanent deletes
    ├── config_mode    ConfigModeService     config and mode changes at every scope
    ├── contexts       ContextService        forgetting empty contexts
    └── keys           KeyRegistryService    the DEK registry: KEKs and DEKs

Writes share one `WriteSupport` (per-subject locks, id reservations); every write appends
its records durably and returns once they are applied, so a reader sees its own writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from compat.formats import Formats
from registry.key_custody import CustodyLoader
from registry.resolver import SchemaResolver
from registry.services.config_mode import ConfigModeService
from registry.services.contexts import ContextService
from registry.services.deletion import DeletionService
from registry.services.keys import KeyRegistryService
from registry.services.queries import RegistryQueries
from registry.services.registration import RegistrationService
from registry.services.shared_keys import SharedKeys
from registry.services.tagging import TaggingService
from registry.services.writes import WriteSupport
from registry.settings import Settings
from registry.store import Store
from registry.telemetry import Telemetry

__all__ = [
    "ConfigModeService",
    "ContextService",
    "DeletionService",
    "KeyRegistryService",
    "Registry",
    "RegistrationService",
    "RegistryQueries",
    "TaggingService",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Registry:
    """Every service of one registry process, built over one store."""

    store: Store
    settings: Settings
    queries: RegistryQueries
    registration: RegistrationService
    tagging: TaggingService
    deletion: DeletionService
    config_mode: ConfigModeService
    contexts: ContextService
    keys: KeyRegistryService
    #: The process's counters; None when metrics are off (nothing is counted).
    telemetry: Telemetry | None

    @classmethod
    def create(
        cls,
        store: Store,
        formats: Formats,
        settings: Settings,
        telemetry: Telemetry | None = None,
        key_custody: CustodyLoader | None = None,
    ) -> Registry:
        """Wire the services over `store`, sharing one parser cache, one write support and
        `telemetry`, the counters (None: count nothing). `key_custody` loads the KMS access
        shared KEKs need, on their first use (None: they are refused)."""
        resolver = SchemaResolver(store.state, formats)
        queries = RegistryQueries(store.state, resolver, formats, settings)
        writes = WriteSupport(store)
        registration = RegistrationService(writes, queries, resolver, formats, settings, telemetry)
        return cls(
            store=store,
            settings=settings,
            queries=queries,
            registration=registration,
            tagging=TaggingService(registration, queries),
            deletion=DeletionService(writes),
            config_mode=ConfigModeService(writes, queries),
            contexts=ContextService(writes),
            keys=KeyRegistryService(writes, SharedKeys(key_custody)),
            telemetry=telemetry,
        )
