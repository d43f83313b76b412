"""`cairn serve` settings: TOML file < CAIRN_* environment < flags, and --print-config."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import serve_command
from cli.main import main
from cli.serve_config import env_var, setting_options
from registry.log.kafka import KafkaLogSettings
from registry.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _effective(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["serve", *args, "--print-config"], env=env or {})
    assert result.exit_code == 0, result.output
    return tomllib.loads(result.output)


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cairn.toml"
    path.write_text(text)
    return path


def test_a_flag_beats_the_environment_which_beats_the_file(tmp_path: Path) -> None:
    config = _file(tmp_path, 'port = 9001\nhost = "0.0.0.0"\ndata-dir = "/srv/cairn"\n')
    assert _effective(["--config", str(config)])["port"] == 9001
    env = {"CAIRN_PORT": "9002", "CAIRN_HOST": "127.0.0.2"}
    effective = _effective(["--config", str(config)], env)
    assert (effective["port"], effective["host"]) == (9002, "127.0.0.2")
    assert effective["data-dir"] == "/srv/cairn"
    effective = _effective(["--config", str(config), "--port", "9003"], env)
    assert (effective["port"], effective["host"]) == (9003, "127.0.0.2")


def test_the_file_may_come_from_the_environment_and_use_underscores(tmp_path: Path) -> None:
    config = _file(tmp_path, "max_request_bytes = 1024\naccess_log = true\n")
    effective = _effective([], {"CAIRN_CONFIG": str(config)})
    assert effective["max-request-bytes"] == 1024
    assert effective["access-log"] is True


def test_print_config_says_where_each_value_came_from(tmp_path: Path) -> None:
    config = _file(tmp_path, "port = 9001\n")
    result = CliRunner().invoke(
        main,
        ["serve", "--config", str(config), "--host", "0.0.0.0", "--print-config"],
        env={"CAIRN_KAFKA_TOPIC": "_registry"},
    )
    lines = result.output.splitlines()
    assert 'host = "0.0.0.0"  # from the command line' in lines
    assert 'kafka-topic = "_registry"  # from the environment' in lines
    assert "port = 9001  # from the config file" in lines
    assert 'compatibility = "BACKWARD"  # from the default' in lines


def test_kafka_client_settings_come_from_a_table_with_secrets_masked(tmp_path: Path) -> None:
    config = _file(
        tmp_path,
        "[kafka-config]\n"
        '"security.protocol" = "SASL_SSL"\n'
        '"sasl.password" = "hunter2"\n'
        '"enable.ssl.certificate.verification" = false\n',
    )
    result = CliRunner().invoke(main, ["serve", "--config", str(config), "--print-config"])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    printed = tomllib.loads(result.output)["kafka-config"]
    assert printed == {
        "security.protocol": "SASL_SSL",
        "sasl.password": "****",
        "enable.ssl.certificate.verification": "false",
    }


def test_printed_config_reads_back_to_the_same_settings(tmp_path: Path) -> None:
    first = _effective(["--port", "9005", "--compatibility", "full", "--kafka-config", "a.b=1"])
    again = _file(
        tmp_path,
        CliRunner()
        .invoke(
            main,
            [
                "serve",
                "--port",
                "9005",
                "--compatibility",
                "full",
                "--kafka-config",
                "a.b=1",
                "--print-config",
            ],
        )
        .output,
    )
    assert _effective(["--config", str(again)]) == first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prot = 9000\n", "unknown setting 'prot'"),
        ("port = [1, 2]\n", "takes a single value"),
        ("port = 'abc'\n", "--port"),
        ("compatibility = 'SIDEWAYS'\n", "SIDEWAYS"),
        ("port = \n", "not valid TOML"),
        ("kafka-config = 'a=b'\n", "takes a table or a list"),
    ],
)
def test_a_bad_file_is_a_usage_error_naming_the_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    config = _file(tmp_path, text)
    result = CliRunner().invoke(main, ["serve", "--config", str(config)])
    assert result.exit_code == 2
    assert expected in result.output


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "nope.toml" in result.output


def test_the_file_drives_the_server_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Settings] = []
    monkeypatch.setattr(
        serve_command, "run_server", lambda app, settings, *_, **__: started.append(settings)
    )
    config = _file(
        tmp_path, f'port = 9007\ndata-dir = "{tmp_path / "data"}"\ncompatibility = "NONE"\n'
    )
    result = CliRunner().invoke(main, ["serve", "--config", str(config)])
    assert result.exit_code == 0, result.output
    (settings,) = started
    assert (settings.port, settings.data_dir) == (9007, tmp_path / "data")
    assert settings.default_compatibility.value == "NONE"


def test_kafka_settings_from_the_file_reach_the_kafka_clients(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[KafkaLogSettings] = []
    monkeypatch.setattr(serve_command, "serve_on_kafka", lambda settings, log, *_: seen.append(log))
    config = _file(
        tmp_path,
        'kafka-bootstrap-servers = "broker:9093"\n[kafka-config]\n"security.protocol" = "SSL"\n',
    )
    result = CliRunner().invoke(
        main, ["serve", "--config", str(config)], env={"CAIRN_KAFKA_TOPIC": "_reg"}
    )
    assert result.exit_code == 0, result.output
    (log,) = seen
    assert (log.bootstrap_servers, log.topic) == ("broker:9093", "_reg")
    assert log.client_config == {"security.protocol": "SSL"}


def test_the_readme_documents_every_serve_option() -> None:
    readme = README.read_text()
    for option in setting_options(serve_command.serve):
        row = next(
            (line for line in readme.splitlines() if line.startswith(f"| `{option.opts[0]}")),
            None,
        )
        assert row is not None, f"no README row for {option.opts[0]}"
        assert f"`{env_var(option)}`" in row
