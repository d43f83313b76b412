"""`cairn check` when the compatibility check fails inside: exit 3 and an error, never exit 1."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import cli.check_command
import cli.diff_command
from cli.errors import EXIT_REGISTRY
from cli.main import main
from cli.outcomes import offline_outcome
from compat.types import CompatibilityLevel
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings
from tests.compat.failing_format import FAILURE_MESSAGE, FailingFormat, failing_formats
from tests.support.registry_http import registry_over_http

V1 = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'
V2 = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}'


@pytest.mark.parametrize("level", [level for level in CompatibilityLevel if level.name != "NONE"])
def test_offline_outcome_is_an_error_that_exits_three(
    level: CompatibilityLevel, caplog: pytest.LogCaptureFixture
) -> None:
    fmt = FailingFormat()
    history = [fmt.parse(V1), fmt.parse(V1)]
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        outcome = offline_outcome(
            failing_formats(), level, fmt.parse(V2), history, name="s", file="new.avsc"
        )
    assert outcome.check_failed
    assert not outcome.compatible
    assert outcome.problems == ()
    assert outcome.error is not None
    assert outcome.error.startswith("Could not check against version 2: ")
    assert "could not be completed" in outcome.error
    assert outcome.exit_code == EXIT_REGISTRY == 3
    # One failure, one log record with its stack: the check stops there.
    [record] = caplog.records
    assert record.exc_info is not None


@pytest.fixture
def offline_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    """`cairn check` with plug-ins whose Avro comparisons raise."""
    monkeypatch.setattr(cli.check_command, "default_formats", failing_formats)


@pytest.mark.usefixtures("offline_failing")
def test_offline_check_exits_three_and_reports_an_error(tmp_path: Path) -> None:
    old = tmp_path / "old.avsc"
    new = tmp_path / "new.avsc"
    old.write_text(V1, encoding="utf-8")
    new.write_text(V2, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(old), str(new)])
    assert result.exit_code == 3, result.output
    assert "ERROR" in result.output
    assert "could not be completed" in result.output
    assert "0 incompatible" in result.output
    junit = CliRunner().invoke(main, ["check", str(old), str(new), "--format", "junit"])
    assert junit.exit_code == 3
    suite = ET.fromstring(junit.stdout.split("\n", 1)[1]).find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors")) == ("0", "1")


@pytest.fixture
def failing_registry_url() -> Iterator[str]:
    """The URL of a registry whose Avro comparisons raise, holding V1 under subject `s`."""
    with TestClient(build_app(MemoryLog(), Settings(), failing_formats())) as registry:
        registered = registry.post("/subjects/s/versions", json={"schema": V1})
        assert registered.status_code == 200, registered.text
        with registry_over_http(registry) as url:
            yield url


def test_check_against_a_registry_whose_check_fails_exits_three(
    failing_registry_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    new = tmp_path / "new.avsc"
    new.write_text(V2, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        result = CliRunner().invoke(
            main, ["check", "--subject", "s", str(new), "--url", failing_registry_url]
        )
    assert result.exit_code == 3, result.output
    assert "HTTP 500, error code 500" in result.output
    assert "Error while checking compatibility for subject 's'" in result.output
    assert FAILURE_MESSAGE not in result.output
    assert any(r.exc_info is not None for r in caplog.records)
    # A registration is refused the same way, not as an incompatible schema (exit 1).
    register = CliRunner().invoke(
        main, ["register", "s", str(new), "--url", failing_registry_url], catch_exceptions=False
    )
    assert register.exit_code == 3, register.output
    assert "HTTP 500, error code 500" in register.output


def test_diff_marks_a_failed_comparison_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.diff_command, "default_formats", failing_formats)
    old = tmp_path / "old.avsc"
    new = tmp_path / "new.avsc"
    old.write_text(V1, encoding="utf-8")
    new.write_text(V2, encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "BACKWARD CHECK FAILED CHECK_FAILED /: " in result.output
    assert "FORWARD CHECK FAILED  CHECK_FAILED /: " in result.output
    assert "INCOMPATIBLE" not in result.output
