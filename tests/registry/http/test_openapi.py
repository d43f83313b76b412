"""The OpenAPI description: valid, served, and exactly the router's routes."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from starlette.testclient import TestClient

from registry.http.app import build_router
from registry.http.meta_routes import VERSION
from registry.http.openapi import HEALTH_PATHS, openapi_spec
from registry.http.routing import PARAM

METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


def _shape(template: str) -> tuple[str | None, ...]:
    """A path template as the router matches it: literal segments, PARAM for parameters."""
    return tuple(
        PARAM if part.startswith("{") else part for part in template.strip("/").split("/") if part
    )


def _operations(spec: dict[str, Any]) -> set[tuple[str, tuple[str | None, ...]]]:
    return {
        (method.upper(), _shape(path))
        for path, item in spec["paths"].items()
        if path not in HEALTH_PATHS
        for method in item
        if method in METHODS
    }


def test_the_description_has_exactly_the_routers_routes() -> None:
    """A route added without a description, or a description of no route, fails here."""
    routes = {(route.method, route.pattern) for route in build_router().routes()}
    described = _operations(openapi_spec(VERSION))
    assert routes - described == set(), "routes missing from the OpenAPI description"
    assert described - routes == set(), "described operations that no route serves"


def test_the_route_comparison_notices_a_missing_route() -> None:
    spec = openapi_spec(VERSION)
    del spec["paths"]["/schemas/types"]
    routes = {(route.method, route.pattern) for route in build_router().routes()}
    assert routes - _operations(spec) == {("GET", ("schemas", "types"))}


def test_the_description_is_valid_openapi() -> None:
    schema = schemathesis.openapi.from_dict(openapi_spec(VERSION))
    schema.validate()
    assert len(list(schema.get_all_operations())) == sum(
        len([m for m in item if m in METHODS]) for item in openapi_spec(VERSION)["paths"].values()
    )


def test_path_parameters_match_their_templates() -> None:
    for path, item in openapi_spec(VERSION)["paths"].items():
        named = set(re.findall(r"\{(\w+)\}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == named, f"{method.upper()} {path}"


def test_every_reference_resolves() -> None:
    spec = openapi_spec(VERSION)
    text = repr(spec)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in spec["components"]["schemas"], name


def test_operation_ids_are_unique() -> None:
    ids = [
        operation["operationId"]
        for item in openapi_spec(VERSION)["paths"].values()
        for operation in item.values()
    ]
    assert len(ids) == len(set(ids))


def test_served_at_openapi_json(client: TestClient) -> None:
    response = client.get("/openapi.json", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == openapi_spec(VERSION)
    assert response.json()["openapi"].startswith("3.")
