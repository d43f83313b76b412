"""`cairn serve --ui/--no-ui`: the web UI is served at /ui unless turned off."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from cli import serve_command
from cli.main import main


def _served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *flags: str) -> Any:
    apps: list[Any] = []
    monkeypatch.setattr(serve_command, "run_server", lambda app, *_, **__: apps.append(app))
    args = ["serve", "--data-dir", str(tmp_path / "data"), "--no-metrics", *flags]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (app,) = apps
    return app


def _ui_status(app: Any) -> int:
    with TestClient(app) as client:
        deadline = time.monotonic() + 10
        while client.get("/health/ready").status_code != 200:
            assert time.monotonic() < deadline, "the registry never became ready"
        return client.get("/ui/subjects").status_code


@pytest.mark.parametrize(("flags", "status"), [((), 200), (("--ui",), 200), (("--no-ui",), 404)])
def test_the_ui_is_on_unless_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], status: int
) -> None:
    assert _ui_status(_served(tmp_path, monkeypatch, *flags)) == status
