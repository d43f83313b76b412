"""Hints and "what breaks" wording for each kind of difference."""

from __future__ import annotations

import pytest

from cli.problems import BREAKS, Direction, Problem, hint_for


def test_missing_default_hint_depends_on_direction() -> None:
    backward = hint_for("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/1", "x", Direction.BACKWARD)
    forward = hint_for("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/1", "x", Direction.FORWARD)
    assert "add a default to field `x`" in backward
    assert "keep field `x` in the new schema" in forward


@pytest.mark.parametrize(
    ("kind", "path", "expected"),
    [
        ("ONEOF_FIELD_REMOVED", "#/Order/3", "reserved 3;"),
        ("FIELD_KIND_CHANGED", "#/Order/5", "keep tag 5 reserved"),
        ("PACKAGE_CHANGED", "#/", "keep the package name"),
        ("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "#/properties/sku", "`sku` a default"),
        ("MAX_LENGTH_DECREASED", "#/properties/a/maxLength", "do not tighten the bound"),
        ("TYPE_NARROWED", "#/properties/a", "widen it"),
        ("ENUM_ARRAY_NARROWED", "#/properties/e/enum", "keep every value"),
        ("NAME_MISMATCH", "/", "aliases"),
        ("SOMETHING_NEW", "#/x", "revert the change at #/x"),
    ],
)
def test_each_kind_gets_a_concrete_hint(kind: str, path: str, expected: str) -> None:
    assert expected in hint_for(kind, path)


def test_breaks_names_the_readers_and_writers() -> None:
    problem = Problem("T", "/", Direction.FORWARD, "m", "h")
    assert problem.breaks == BREAKS[Direction.FORWARD]
    assert "old schema cannot read data written with the new" in problem.breaks
