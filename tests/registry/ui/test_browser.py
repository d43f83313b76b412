"""The UI in a real browser: find, read, diff and check schemas as a user would.

Skipped only when Chromium is missing and CAIRN_REQUIRE_BROWSER is unset; CI sets it, so
there a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from registry.security.config import AuthConfigSource
from registry.testing._server import LoopbackServer
from tests.registry.ui.browser import chromium, chromium_path
from tests.registry.ui.conftest import sample_app
from tests.registry.ui.sample import INCOMPATIBLE_ORDER, order
from tests.registry.ui.users import PASSWORDS

if chromium_path() is None and not os.environ.get("CAIRN_REQUIRE_BROWSER"):
    pytest.skip("chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """The sample registry with its UI on a loopback port."""
    loopback = LoopbackServer(sample_app())
    yield loopback
    loopback.stop()


@pytest.fixture
def page(browser: Browser, server: LoopbackServer) -> Iterator[Page]:
    """A fresh tab at the subjects list."""
    context = browser.new_context(base_url=server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto("/ui")
    yield tab
    context.close()


def test_navigate_from_the_list_to_a_subject_and_a_version(page: Page) -> None:
    expect(page.locator("h1")).to_have_text("Subjects")
    page.locator("a.subject-link", has_text="payments-value").click()
    expect(page.locator("#subject-name")).to_have_text("payments-value")
    expect(page.locator("#schema-text .t-kw").first).to_have_text("syntax")
    page.goto("/ui/subject?name=orders-value")
    page.locator("a.version-link", has_text="v1").click()
    expect(page.locator("#version-title")).to_have_text("Version 1")
    expect(page.locator("#schema-text")).not_to_contain_text("note")


def test_follow_a_reference_both_ways(page: Page) -> None:
    page.goto("/ui/subject?name=invoices-value")
    page.locator("#uses a").click()
    expect(page.locator("#subject-name")).to_have_text("customers-value")
    page.locator("#used-by a").click()
    expect(page.locator("#subject-name")).to_have_text("invoices-value")


def test_diff_two_versions(page: Page) -> None:
    page.goto("/ui/subject?name=events-value")
    page.locator("#diff-link").click()
    expect(page.locator("#backward h3")).to_contain_text("v2 reads data written with v1 — no")
    expect(page.locator("#forward h3")).to_contain_text("v1 reads data written with v2 — no")
    expect(page.locator("#backward .finding").first).to_contain_text("TYPE_MISMATCH")
    page.select_option("#a", "2")
    page.locator("#compare").click()
    expect(page.locator("#verdicts")).to_contain_text("0 lines differ")


def test_a_failing_check_shows_its_findings(page: Page) -> None:
    page.goto("/ui/subject?name=orders-value")
    page.locator("#check-link").click()
    expect(page.locator("#schema")).to_contain_text("currency")
    page.fill("#schema", INCOMPATIBLE_ORDER)
    page.locator("#run-check").click()
    expect(page.locator("#verdict")).to_have_text("Incompatible at BACKWARD: it would be refused")
    finding = page.locator("#outcome .finding").first
    expect(finding).to_contain_text("TYPE_MISMATCH")
    expect(finding).to_contain_text("consumers using the new schema cannot read data written")
    expect(page).to_have_url("/ui/check?subject=orders-value")  # swapped in place by htmx


def test_search_filters_the_list_as_one_types(page: Page) -> None:
    page.fill("#q", "pay")
    expect(page.locator("a.subject-link")).to_have_count(1)
    expect(page.locator("a.subject-link")).to_have_text("payments-value")
    page.select_option("#match", "substring")
    page.fill("#q", "ORDER")
    expect(page.locator("a.subject-link")).to_have_count(2)
    page.select_option("#context", ".staging")
    expect(page.locator("a.subject-link")).to_have_count(1)
    page.select_option("#context", "")
    page.fill("#q", "retired")
    expect(page.locator(".count")).to_have_text("0 subjects")
    page.check("#deleted")
    expect(page.locator("a.subject-link")).to_have_text("retired-value")


def test_a_signed_in_writer_registers_a_checked_schema(browser: Browser, auth_file: Path) -> None:
    server = LoopbackServer(sample_app(AuthConfigSource(auth_file)))
    context = browser.new_context(
        base_url=server.url,
        http_credentials={"username": "writer", "password": PASSWORDS["writer"]},
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/ui/check?subject=orders-value")
        expect(page.locator(".who")).to_contain_text("signed in as writer")
        page.fill("#schema", order({"name": "extra", "type": "string", "default": ""}))
        page.locator("#run-check").click()
        expect(page.locator("#verdict")).to_contain_text("Compatible at BACKWARD")
        page.locator("#register").click()
        expect(page.locator("#message")).to_contain_text("Registered orders-value version 4")
        page.locator("#message a").click()
        expect(page.locator("#version-title")).to_have_text("Version 4")
    finally:
        context.close()
        server.stop()


def test_an_admin_sets_the_level_and_soft_deletes_a_version(
    browser: Browser, auth_file: Path
) -> None:
    server = LoopbackServer(sample_app(AuthConfigSource(auth_file)))
    context = browser.new_context(
        base_url=server.url,
        http_credentials={"username": "admin", "password": PASSWORDS["admin"]},
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/ui/subject?name=orders-value&version=3")
        page.select_option("#level", "FULL_TRANSITIVE")
        page.locator("#set-level").click()
        expect(page.locator("#message")).to_have_text(
            "Compatibility of orders-value set to FULL_TRANSITIVE"
        )
        # The delete asks first; accepting the dialog sends it.
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#delete-version").click()
        expect(page.locator("#message")).to_have_text("Soft-deleted orders-value version 3")
        page.reload()
        expect(page.locator("#version-title")).to_have_text("Version 3 (soft-deleted)")
    finally:
        context.close()
        server.stop()
