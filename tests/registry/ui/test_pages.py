"""Each page through starlette's TestClient: what it shows for the sample registry."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.server import build_app, with_ui
from registry.settings import Settings
from registry.telemetry import Telemetry
from tests.registry.ui.sample import INCOMPATIBLE_ORDER, order

FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_ui_redirects_to_the_subjects_list(client: TestClient) -> None:
    response = client.get("/ui", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/subjects"


def test_subjects_list_shows_format_version_level_and_mode(client: TestClient) -> None:
    page = client.get("/ui/subjects").text
    assert "7 subjects" in page  # the soft-deleted one is left out
    assert "retired-value" not in page
    assert 'fmt-protobuf">PROTOBUF' in page
    row = page[page.index('name=orders-value"') :].split("</tr>")[0]
    assert "v3" in row
    assert "BACKWARD" in row
    assert "READWRITE" in row
    addresses = page[page.index('name=addresses-value"') :].split("</tr>")[0]
    assert "READONLY" in addresses


def test_subjects_search_by_prefix_substring_context_and_deleted(client: TestClient) -> None:
    assert "2 subjects" in client.get("/ui/subjects?q=orders").text  # default and staging
    assert "0 subjects" in client.get("/ui/subjects?q=value").text
    assert "7 subjects" in client.get("/ui/subjects?q=value&match=substring").text
    staging = client.get("/ui/subjects?context=.staging").text
    assert "1 subject<" in staging
    assert "NONE" in staging
    deleted = client.get("/ui/subjects?q=retired&deleted=1").text
    assert "retired-value" in deleted
    assert "deleted" in deleted


def test_live_search_answers_the_table_alone(client: TestClient) -> None:
    response = client.get("/ui/subjects?q=pay", headers={"HX-Request": "true"})
    assert response.text.startswith('<div id="subject-rows">')
    assert "payments-value" in response.text
    assert "<html" not in response.text


def test_subject_page_lists_versions_and_shows_the_chosen_one(client: TestClient) -> None:
    page = client.get("/ui/subject?name=orders-value").text
    assert page.count('class="version-link"') == 3
    assert 'id="version-title">Version 3<' in page
    assert 'id="schema-guid"' in page
    assert '<span class="t-key">&#34;name&#34;</span>' in page  # highlighted JSON
    v2 = client.get("/ui/subject?name=orders-value&version=2").text
    assert 'id="version-title">Version 2<' in v2
    assert "shop-team" in v2  # metadata


def test_subject_page_links_references_both_ways(client: TestClient) -> None:
    invoices = client.get("/ui/subject?name=invoices-value").text
    assert 'href="/ui/subject?name=customers-value&version=1"' in invoices
    customers = client.get("/ui/subject?name=customers-value").text
    assert 'href="/ui/subject?name=invoices-value&version=1"' in customers


def test_protobuf_is_highlighted(client: TestClient) -> None:
    page = client.get("/ui/subject?name=payments-value").text
    assert '<span class="t-kw">message</span>' in page
    assert '<span class="t-type">int64</span>' in page
    assert "FULL" in page
    assert "(subject)" in page


def test_unknown_subject_is_a_404_page(client: TestClient) -> None:
    response = client.get("/ui/subject?name=nothing-here")
    assert response.status_code == 404
    assert "not found" in response.text


def test_diff_shows_both_texts_and_both_directions(client: TestClient) -> None:
    page = client.get("/ui/diff?subject=orders-value&a=1&b=3").text
    assert "Backward: v3 reads data written with v1 — yes" in page
    assert "Forward: v1 reads data written with v3 — yes" in page
    assert 'class="d-added"' in page or 'class="d-changed"' in page
    assert "currency" in page


def test_diff_words_an_incompatible_change_with_a_hint(client: TestClient) -> None:
    page = client.get("/ui/diff?subject=events-value").text  # v1 -> v2 by default
    backward = page.split('id="backward"')[1].split('id="forward"')[0]
    forward = page.split('id="forward"')[1]
    assert "v2 reads data written with v1 — no" in backward
    assert "v1 reads data written with v2 — no" in forward
    assert "TYPE_MISMATCH" in backward
    assert "TYPE_MISMATCH" in forward
    assert "consumers still using the old schema cannot read data written with" in forward
    assert "int -&gt; long -&gt; float -&gt; double" in backward
    same = client.get("/ui/diff?subject=orders-value&a=2&b=2").text
    assert "0 lines differ" in same


def test_check_form_is_filled_with_the_latest_schema(client: TestClient) -> None:
    page = client.get("/ui/check?subject=orders-value").text
    assert "currency" in page
    assert "at its level, <b>BACKWARD</b>" in page


def test_check_reports_findings_in_plain_words(client: TestClient) -> None:
    body = urlencode(
        {"subject": "orders-value", "schemaType": "AVRO", "schema": INCOMPATIBLE_ORDER}
    )
    page = client.post("/ui/check", content=body, headers=FORM).text
    assert "Incompatible at BACKWARD" in page
    assert "TYPE_MISMATCH" in page
    assert "consumers using the new schema cannot read data written with the old schema" in page
    assert "int -&gt; long" in page  # the command line's hint for a type change
    assert 'id="register"' not in page  # read-only: no write offered


def test_check_of_a_compatible_schema_writes_nothing(client: TestClient) -> None:
    text = order({"name": "note", "type": ["null", "string"], "default": None})
    body = urlencode({"subject": "orders-value", "schemaType": "AVRO", "schema": text})
    page = client.post("/ui/check", content=body, headers=FORM).text
    assert "Compatible at BACKWARD" in page
    assert client.get("/subjects/orders-value/versions").json() == [1, 2, 3]


def test_check_of_an_invalid_schema_says_why(client: TestClient) -> None:
    body = urlencode({"subject": "orders-value", "schemaType": "AVRO", "schema": "{nope"})
    page = client.post("/ui/check", content=body, headers=FORM).text
    assert "Incompatible at BACKWARD" in page or "Not checked" in page
    assert "nope" in page or "Invalid" in page or "invalid" in page


def test_settings_page_names_where_each_setting_comes_from(client: TestClient) -> None:
    page = client.get("/ui/settings").text
    assert "server default (--compatibility)" in page
    payments = page[page.index(">payments-value<") :].split("</tr>")[0]
    assert "FULL" in payments
    assert ">subject<" in payments
    staging = client.get("/ui/settings?context=.staging").text
    row = staging[staging.index(">:.staging:orders-value<") :].split("</tr>")[0]
    assert "NONE" in row
    assert "context .staging" in row
    addresses = page[page.index(">addresses-value<") :].split("</tr>")[0]
    assert "READONLY" in addresses


def test_registering_from_the_ui_is_refused_without_authentication(client: TestClient) -> None:
    text = order({"name": "extra", "type": "string", "default": ""})
    body = urlencode({"subject": "orders-value", "schemaType": "AVRO", "schema": text})
    response = client.post("/ui/register", content=body, headers={**FORM, "HX-Request": "true"})
    assert response.status_code == 403
    assert client.get("/subjects/orders-value/versions").json() == [1, 2, 3]


def test_static_assets_are_served(client: TestClient) -> None:
    assert "htmx" in client.get("/ui/static/htmx.min.js").text[:200]
    assert client.get("/ui/static/ui.css").headers["content-type"].startswith("text/css")


def test_the_api_is_served_beside_the_ui(client: TestClient) -> None:
    assert client.get("/subjects").status_code == 200
    assert client.get("/uix").status_code == 404  # only /ui and below belong to the UI


def test_the_list_follows_writes(client: TestClient) -> None:
    assert "7 subjects" in client.get("/ui/subjects").text
    registered = client.post("/subjects/zebras-value/versions", json={"schema": order()})
    assert registered.status_code == 200
    page = client.get("/ui/subjects").text
    assert "8 subjects" in page
    assert "zebras-value" in page


def test_pages_echo_the_request_id_and_count_in_the_metrics() -> None:
    telemetry = Telemetry()
    app = with_ui(build_app(MemoryLog(), Settings(), telemetry=telemetry), None)
    with TestClient(app) as client:
        page = client.get("/ui/subjects", headers={"X-Request-ID": "page-1"})
        assert page.status_code == 200
        assert page.headers["x-request-id"] == "page-1"
        assert client.get("/ui/subjects/nope").status_code == 404
    assert telemetry.requests[("/ui", "GET", 200)] == 1
    assert telemetry.requests[("/ui", "GET", 404)] == 1
