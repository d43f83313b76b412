"""`cairn serve --workers`: parsing, where it may be used, and what the workers are given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import serve_command
from cli.main import main
from cli.serve_workers import WorkerOptions


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[WorkerOptions, int]]:
    calls: list[tuple[WorkerOptions, int]] = []
    monkeypatch.setattr(
        serve_command, "serve_with_workers", lambda options, count: calls.append((options, count))
    )
    return calls


def test_workers_come_from_a_flag_the_environment_or_the_file(
    tmp_path: Path, started: list[tuple[WorkerOptions, int]]
) -> None:
    config = tmp_path / "cairn.toml"
    config.write_text(f'workers = 3\ndata-dir = "{tmp_path / "data"}"\nport = 9011\n')
    runner = CliRunner()
    assert runner.invoke(main, ["serve", "--config", str(config)]).exit_code == 0
    assert runner.invoke(main, ["serve", "--workers", "2"]).exit_code == 0
    assert runner.invoke(main, ["serve"], env={"CAIRN_WORKERS": "4"}).exit_code == 0
    assert [count for _, count in started] == [3, 2, 4]
    options = started[0][0]
    assert (options.settings.port, options.settings.data_dir) == (9011, tmp_path / "data")
    assert options.settings.workers == 3


def test_auto_is_one_worker_per_core(
    started: list[tuple[WorkerOptions, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    result = CliRunner().invoke(main, ["serve", "--workers", "auto"])
    assert result.exit_code == 0, result.output
    assert [count for _, count in started] == [3]


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_bad_count_is_a_usage_error(value: str, started: list[tuple[WorkerOptions, int]]) -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", value])
    assert result.exit_code == 2
    assert "--workers" in result.output
    assert started == []


def test_workers_are_for_the_embedded_log(started: list[tuple[WorkerOptions, int]]) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--workers", "2", "--kafka-bootstrap-servers", "broker:9092"]
    )
    assert result.exit_code == 2
    assert "--workers is for the embedded log" in result.output
    assert started == []
