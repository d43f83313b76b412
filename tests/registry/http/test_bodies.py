"""Every request body is checked at the edge: wrong JSON types are 400, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from registry.http.context import MAX_BODY_DEPTH
from registry.merging import merge_metadata, merge_rule_set
from tests.registry.http.conftest import CT

INT = json.dumps("int")


def _post(client: TestClient, path: str, body: Any) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, content=content, headers=CT)


def _put(client: TestClient, path: str, body: Any) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.put(path, content=content, headers=CT)


def _assert_error(response: Any, status: int, code: int) -> None:
    assert (response.status_code, response.json()["error_code"]) == (status, code), response.text
    assert response.json()["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/subjects/deep/versions",
        "/subjects/deep",
        "/compatibility/subjects/deep/versions",
        "/compatibility/subjects/deep/versions/latest",
    ],
)
def test_deeply_nested_bodies_are_400(client: TestClient, path: str) -> None:
    _assert_error(_post(client, path, b"[" * 100_000), 400, 400)
    _assert_error(_post(client, path, b"[" * 100_000 + b"]" * 100_000), 400, 400)
    too_deep = {"schema": INT, "x": json.loads("[" * MAX_BODY_DEPTH + "]" * MAX_BODY_DEPTH)}
    _assert_error(_post(client, path, too_deep), 400, 400)


def test_deeply_nested_config_and_mode_bodies_are_400(client: TestClient) -> None:
    for path in ("/config", "/config/deep", "/mode", "/mode/deep"):
        _assert_error(_put(client, path, b"{" * 50_000), 400, 400)
        _assert_error(_put(client, path, b'{"a":' * 5_000 + b"1" + b"}" * 5_000), 400, 400)


def test_nesting_up_to_the_limit_is_accepted(client: TestClient, subject: str) -> None:
    nested = json.loads("[" * (MAX_BODY_DEPTH - 1) + "]" * (MAX_BODY_DEPTH - 1))
    response = _post(client, f"/subjects/{subject}/versions", {"schema": INT, "unknown": nested})
    assert response.status_code == 200, response.text


BAD_METADATA = [
    {"tags": ["x"]},
    {"tags": {"a.b": "PII"}},
    {"tags": {"a.b": [1]}},
    {"properties": ["x"]},
    {"properties": {"owner": 1}},
    {"properties": {"owner": ["a"]}},
    {"sensitive": "ab"},
    {"sensitive": [1, 2]},
    "metadata",
    [],
]


@pytest.mark.parametrize("metadata", BAD_METADATA)
def test_badly_typed_metadata_in_a_registration_is_400(
    client: TestClient, subject: str, metadata: Any
) -> None:
    response = _post(client, f"/subjects/{subject}/versions", {"schema": INT, "metadata": metadata})
    _assert_error(response, 400, 400)
    assert client.get(f"/subjects/{subject}/versions").status_code == 404


def test_list_tags_under_a_default_metadata_config_is_400_not_500(
    client: TestClient, subject: str
) -> None:
    config = {"defaultMetadata": {"properties": {"owner": "team"}}}
    assert _put(client, f"/config/{subject}", config).status_code == 200
    response = _post(
        client, f"/subjects/{subject}/versions", {"schema": INT, "metadata": {"tags": ["x"]}}
    )
    _assert_error(response, 400, 400)


def test_sensitive_must_be_a_list_not_split_into_characters(
    client: TestClient, subject: str
) -> None:
    bad = _post(
        client, f"/subjects/{subject}/versions", {"schema": INT, "metadata": {"sensitive": "ab"}}
    )
    _assert_error(bad, 400, 400)
    good = _post(
        client, f"/subjects/{subject}/versions", {"schema": INT, "metadata": {"sensitive": ["ab"]}}
    )
    assert good.status_code == 200, good.text
    assert good.json()["metadata"] == {"sensitive": ["ab"]}


BAD_RULE_SETS = [
    {"domainRules": {"name": "r"}},
    {"domainRules": ["r"]},
    {"domainRules": [{"name": 1, "type": "CEL"}]},
    {"domainRules": [{"name": "r", "type": "CEL", "params": [1]}]},
    {"domainRules": [{"name": "r", "type": "CEL", "params": {"k": 1}}]},
    {"domainRules": [{"name": "r", "type": "CEL", "tags": "PII"}]},
    {"domainRules": [{"name": "r", "type": "CEL", "disabled": "yes"}]},
    {"migrationRules": [{"name": "r", "type": "CEL", "mode": ["UPGRADE"]}]},
    {"encodingRules": 5},
    {"enableAt": [1]},
    "rules",
]


@pytest.mark.parametrize("rule_set", BAD_RULE_SETS)
def test_badly_typed_rule_sets_are_400(client: TestClient, subject: str, rule_set: Any) -> None:
    response = _post(client, f"/subjects/{subject}/versions", {"schema": INT, "ruleSet": rule_set})
    _assert_error(response, 400, 400)
    for field in ("defaultRuleSet", "overrideRuleSet"):
        _assert_error(_put(client, f"/config/{subject}", {field: rule_set}), 400, 400)


@pytest.mark.parametrize(
    "body",
    [
        {"schema": INT, "schemaType": 5},
        {"schema": INT, "schemaType": ["AVRO"]},
        {"schema": INT, "version": "1"},
        {"schema": INT, "version": 2**31},
        {"schema": INT, "id": 1.5},
        {"schema": INT, "id": 99999999999999999999},
        {"schema": INT, "references": {"name": "x"}},
        {"schema": INT, "schemaTagsToAdd": "PII"},
        {"schema": INT, "schemaTagsToRemove": [{"schemaEntity": "x"}]},
        {"schema": INT, "propagateSchemaTags": "true"},
        {"schema": ["x"]},
        {"schema": {"type": "record"}},
    ],
)
def test_badly_typed_schema_requests_are_400(
    client: TestClient, subject: str, body: dict[str, Any]
) -> None:
    for path in (
        f"/subjects/{subject}/versions",
        f"/subjects/{subject}",
        f"/compatibility/subjects/{subject}/versions",
    ):
        _assert_error(_post(client, path, body), 400, 400)


def test_a_reference_version_out_of_range_is_42201(client: TestClient, subject: str) -> None:
    ref = {"name": "x", "subject": "y", "version": 2**40}
    response = _post(client, f"/subjects/{subject}/versions", {"schema": INT, "references": [ref]})
    _assert_error(response, 422, 42201)


@pytest.mark.parametrize(
    "body",
    [
        {"compatibility": 5},
        {"compatibilityLevel": ["BACKWARD"]},
        {"compatibilityPolicy": 5},
        {"compatibilityGroup": {"a": 1}},
        {"alias": 1},
        {"normalize": "true"},
        {"validateFields": 1},
        {"validateRules": []},
        {"defaultMetadata": {"tags": ["x"]}},
        {"overrideMetadata": {"sensitive": "ab"}},
        {"defaultMetadata": "x"},
    ],
)
def test_badly_typed_config_updates_are_400(client: TestClient, body: dict[str, Any]) -> None:
    for path in ("/config", "/config/typed-subject"):
        _assert_error(_put(client, path, body), 400, 400)
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}


def test_a_well_typed_but_unknown_level_is_still_42203(client: TestClient) -> None:
    _assert_error(_put(client, "/config", {"compatibility": "SIDEWAYS"}), 422, 42203)


@pytest.mark.parametrize("body", [{"mode": 5}, {"mode": ["READONLY"]}, {"mode": {}}, ["mode"]])
def test_badly_typed_mode_updates_are_400(client: TestClient, body: Any) -> None:
    for path in ("/mode", "/mode/typed-subject"):
        _assert_error(_put(client, path, body), 400, 400)


def test_a_well_typed_but_unknown_mode_is_still_42204(client: TestClient) -> None:
    _assert_error(_put(client, "/mode", {"mode": "SIDEWAYS"}), 422, 42204)


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/config"), ("PUT", "/mode/s"), ("POST", "/subjects/s/versions")],
)
def test_an_empty_body_is_422(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, content=b"", headers=CT)
    _assert_error(response, 422, 422)


def test_merging_ignores_badly_typed_metadata_already_in_the_log() -> None:
    """A config stored before bodies were checked must not break every later registration."""
    stored = {"tags": ["x"], "properties": ["p"], "sensitive": "ab"}
    given = {"tags": {"a": ["PII"]}, "properties": {"k": "v"}, "sensitive": ["f"]}
    assert merge_metadata(stored, given) == given
    assert merge_rule_set({"domainRules": "x"}, {"domainRules": [{"name": "r"}]}) == {
        "domainRules": [{"name": "r"}]
    }


def test_null_and_empty_entity_fields_are_not_stored_or_echoed(
    client: TestClient, subject: str
) -> None:
    """Found by schemathesis: `"enableAt": null` came back as null, which no client expects."""
    rule_set: dict[str, Any] = {
        "migrationRules": [],
        "domainRules": [{"name": "r", "type": "CEL", "expr": "true", "doc": None, "params": {}}],
        "encodingRules": None,
        "enableAt": None,
    }
    metadata = {"tags": {}, "properties": {"owner": "team"}, "sensitive": None}
    response = _post(
        client,
        f"/subjects/{subject}/versions",
        {"schema": INT, "ruleSet": rule_set, "metadata": metadata},
    )
    assert response.status_code == 200, response.text
    expected_rules = {"domainRules": [{"name": "r", "type": "CEL", "expr": "true"}]}
    assert response.json()["ruleSet"] == expected_rules
    assert response.json()["metadata"] == {"properties": {"owner": "team"}}
    stored = client.get(f"/subjects/{subject}/versions/1").json()
    assert (stored["ruleSet"], stored["metadata"]) == (
        expected_rules,
        {"properties": {"owner": "team"}},
    )
    config = {"overrideRuleSet": {"migrationRules": [], "enableAt": None}, "compatibility": "FULL"}
    assert _put(client, f"/config/{subject}", config).json() == {
        "compatibility": "FULL",
        "overrideRuleSet": {},
    }
    assert "enableAt" not in json.dumps(client.get(f"/config/{subject}").json())


def test_an_integer_too_long_to_convert_is_400(client: TestClient, subject: str) -> None:
    """`json.loads` raises a plain ValueError past 4300 digits, which was a 500."""
    body = b'{"schema": "\\"int\\"", "id": ' + b"1" * 5000 + b"}"
    _assert_error(_post(client, f"/subjects/{subject}/versions", body), 400, 400)
    _assert_error(_put(client, "/config", b'{"normalize": ' + b"9" * 5000 + b"}"), 400, 400)


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{}", b'{"schema": "\xc3"}', b'{"schema": NaN}', b'{"id": Infinity, "schema": "1"}'],
)
def test_bodies_that_are_not_json_text_are_400(
    client: TestClient, subject: str, body: bytes
) -> None:
    _assert_error(_post(client, f"/subjects/{subject}/versions", body), 400, 400)
