"""`cairn config` and `cairn mode`: what they accept, checked before any request is sent."""

from __future__ import annotations

from click.testing import CliRunner

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
