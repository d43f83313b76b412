"""`cairn config` and `cairn mode`: what they accept, checked before any request is sent."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from cli.main import main
from registry.effective import Mode

#: Nothing listens here: a test that reached the network would fail with exit code 3.
NOWHERE = "http://127.0.0.1:9"


def test_mode_set_offers_exactly_the_servers_modes() -> None:
    result = CliRunner().invoke(main, ["mode", "set", "--help"])
    assert result.exit_code == 0
    offered = result.output.split("{", 1)[1].split("}", 1)[0].split("|")
    assert [name.upper() for name in offered] == [m.value for m in Mode]


def test_an_unknown_mode_is_refused_when_parsing() -> None:
    result = CliRunner().invoke(main, ["mode", "set", "SIDEWAYS", "--url", NOWHERE])
    assert result.exit_code == 2
    assert "'SIDEWAYS' is not one of" in result.output


def test_an_unknown_level_is_refused_when_parsing() -> None:
    result = CliRunner().invoke(main, ["config", "set", "SIDEWAYS", "--url", NOWHERE])
    assert result.exit_code == 2
    assert "'SIDEWAYS' is not one of" in result.output


def _get(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--url", url])


def test_a_subject_without_its_own_level_shows_the_global_one(registry_url: str) -> None:
    result = _get(registry_url, "config", "get", "--subject", "orders-value")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"compatibilityLevel": "BACKWARD"}
    assert "orders-value: compatibility level BACKWARD, from the global config" in result.stderr
    assert _get(registry_url, "config", "set", "FULL").exit_code == 0
    again = _get(registry_url, "config", "get", "-s", "orders-value")
    assert json.loads(again.stdout) == {"compatibilityLevel": "FULL"}
    assert "from the global config" in again.stderr


def test_the_source_is_the_subject_or_its_context(registry_url: str) -> None:
    assert _get(registry_url, "config", "set", "NONE", "-s", "orders-value").exit_code == 0
    own = _get(registry_url, "config", "get", "-s", "orders-value")
    assert json.loads(own.stdout)["compatibilityLevel"] == "NONE"
    assert "from the subject's own setting" in own.stderr
    assert _get(registry_url, "config", "set", "FORWARD", "-s", ":.eu:").exit_code == 0
    context = _get(registry_url, "config", "get", "-s", ":.eu:orders-value")
    assert json.loads(context.stdout)["compatibilityLevel"] == "FORWARD"
    assert "from the config of context :.eu:" in context.stderr


def test_own_shows_only_the_subjects_setting_and_fails_without_one(registry_url: str) -> None:
    missing = _get(registry_url, "config", "get", "-s", "orders-value", "--own")
    assert missing.exit_code == 2
    assert "error code 40408" in missing.output
    assert "cairn config get --subject orders-value" in missing.output
    _get(registry_url, "config", "set", "FULL_TRANSITIVE", "-s", "orders-value")
    own = _get(registry_url, "config", "get", "-s", "orders-value", "--own")
    assert own.exit_code == 0, own.output
    assert json.loads(own.stdout) == {"compatibilityLevel": "FULL_TRANSITIVE"}


def test_mode_get_shows_the_inherited_mode_and_its_source(registry_url: str) -> None:
    result = _get(registry_url, "mode", "get", "-s", "orders-value")
    assert result.exit_code == 0, result.output
    assert result.stdout == "READWRITE\n"
    assert "orders-value: mode READWRITE, from the global mode" in result.stderr
    _get(registry_url, "mode", "set", "READONLY", "-s", ":.eu:")
    context = _get(registry_url, "mode", "get", "-s", ":.eu:orders-value")
    assert context.stdout == "READONLY\n"
    assert "from the mode of context :.eu:" in context.stderr
    missing = _get(registry_url, "mode", "get", "-s", "orders-value", "--own")
    assert missing.exit_code == 2
    assert "error code 40409" in missing.output
    _get(registry_url, "mode", "set", "IMPORT", "-s", "orders-value")
    own = _get(registry_url, "mode", "get", "-s", "orders-value", "--own")
    assert own.stdout == "IMPORT\n"
