"""A small registry with something of every kind for the UI's tests and screenshots: three
formats, several versions, a reference, a context, a soft-deleted subject, settings at
several scopes."""

from __future__ import annotations

import json

from compat.types import SchemaType
from registry.log.memory import MemoryLog
from registry.records import Reference
from registry.requests import SchemaRequest
from registry.server import build_registry
from registry.services import Registry
from registry.services.keys import DekRequest, KekRequest
from registry.settings import Settings


def order(*extra: dict[str, object]) -> str:
    """An Avro order record with `id` and `amount`, plus `extra` fields."""
    fields: list[dict[str, object]] = [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "double"},
        *extra,
    ]
    return json.dumps({"type": "record", "name": "Order", "namespace": "shop", "fields": fields})


CUSTOMER = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "shop",
        "fields": [{"name": "name", "type": "string"}],
    }
)
ORDER_WITH_CUSTOMER = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "shop",
        "fields": [{"name": "id", "type": "string"}, {"name": "customer", "type": "shop.Customer"}],
    }
)
PAYMENT_PROTO = """syntax = "proto3";
package shop;

// A payment for one order.
message Payment {
  string order_id = 1;
  int64 cents = 2;
}
"""
ADDRESS_JSON = json.dumps(
    {
        "type": "object",
        "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        "required": ["street"],
    }
)
#: Incompatible with every `orders-value` version: `id` becomes an int.
INCOMPATIBLE_ORDER = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "shop",
        "fields": [{"name": "id", "type": "int"}, {"name": "amount", "type": "double"}],
    }
)


async def fill(registry: Registry) -> None:
    """Register the sample subjects."""
    register = registry.registration.register
    await register("orders-value", SchemaRequest(order()))
    await register(
        "orders-value",
        SchemaRequest(
            order({"name": "note", "type": ["null", "string"], "default": None}),
            metadata={"properties": {"owner": "shop-team"}},
        ),
    )
    await register(
        "orders-value",
        SchemaRequest(
            order(
                {"name": "note", "type": ["null", "string"], "default": None},
                {"name": "currency", "type": "string", "default": "EUR"},
            )
        ),
    )
    await register("customers-value", SchemaRequest(CUSTOMER))
    await register(
        "invoices-value",
        SchemaRequest(
            ORDER_WITH_CUSTOMER,
            references=(Reference("shop.Customer", "customers-value", 1),),
        ),
    )
    await register("payments-value", SchemaRequest(PAYMENT_PROTO, schema_type=SchemaType.PROTOBUF))
    await register("addresses-value", SchemaRequest(ADDRESS_JSON, schema_type=SchemaType.JSON))
    await register(":.staging:orders-value", SchemaRequest(order()))
    # A breaking change, let through by level NONE: what the diff page explains.
    await registry.config_mode.set_config("events-value", {"compatibility": "NONE"})
    await register("events-value", SchemaRequest(order()))
    await register("events-value", SchemaRequest(INCOMPATIBLE_ORDER))
    await register("retired-value", SchemaRequest(CUSTOMER))
    await registry.deletion.delete_subject("retired-value", permanent=False)
    await registry.config_mode.set_config("payments-value", {"compatibility": "FULL"})
    await registry.config_mode.set_config(":.staging:", {"compatibility": "NONE"})
    await registry.config_mode.set_mode("addresses-value", "READONLY", force=False)
    await fill_keys(registry)


async def fill_keys(registry: Registry) -> None:
    """Two KEKs whose DEKs (wrapped by the clients: no KMS needed here) encrypt orders and
    payments."""
    keys = registry.keys
    await keys.create_kek(
        KekRequest(name="orders-kek", kms_type="local-kms", kms_key_id="orders", doc="PII"),
    )
    arn = "arn:aws:kms:eu-west-1:123456789012:alias/payments"
    await keys.create_kek(KekRequest(name="payments-kek", kms_type="aws-kms", kms_key_id=arn))
    for kek, subject, version, algorithm in (
        ("orders-kek", "orders-value", 1, "AES256_GCM"),
        ("orders-kek", "orders-value", 2, "AES256_GCM"),
        ("orders-kek", "customers-value", 1, "AES256_SIV"),
        ("payments-kek", "payments-value", 1, "AES256_GCM"),
    ):
        request = DekRequest(
            subject=subject,
            version=version,
            algorithm=algorithm,
            encrypted_key_material="d3JhcHBlZA==",
        )
        await keys.create_dek(kek, request, rewrap=False)


def empty_registry() -> Registry:
    """A fresh in-memory registry."""
    return build_registry(MemoryLog(), Settings())
