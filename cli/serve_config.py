"""Where `cairn serve` takes its settings: a TOML file, the environment, then flags.

Click resolves every option from the command line first, then from `CAIRN_<OPTION>` (the
option's long name in upper case with `_` for `-`), then from the command's default map, then
from its default. `--config FILE` is eager: it is processed before the other options and
loads the file into the default map, so each option's precedence is exactly flag > environment
> file > default with no merging code of Cairn's own, and a value from the file goes through
the same validation as the flag would.

The file holds the options by their long names (`port = 8081`, `data-dir = "/var/lib/cairn"`;
`_` is accepted for `-`); options given more than once on the command line are a table
(`[kafka-config]`, key = value) or a list. An unknown name is an error, not silently ignored:
a misspelt setting in a deployment file must not mean a default in production.
"""

from __future__ import annotations

import enum
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

#: The prefix of the environment variable of every `serve` option: `CAIRN_PORT`.
ENV_PREFIX = "CAIRN"
#: Options that choose how settings are read, not settings themselves.
NOT_SETTINGS = frozenset({"config", "print_config", "help"})
#: Parts of a client setting's name that mark its value as secret (masked when printed).
SECRET_MARKERS = ("password", "secret", "jaas", ".pem", "token", "credentials")
MASK = "****"

_SOURCES = {
    ParameterSource.COMMANDLINE: "the command line",
    ParameterSource.ENVIRONMENT: "the environment",
    ParameterSource.DEFAULT_MAP: "the config file",
    ParameterSource.DEFAULT: "the default",
}


def setting_options(command: click.Command) -> list[click.Option]:
    """The options of `command` that are settings (everything but --config, --help, ...)."""
    return [
        param
        for param in command.params
        if isinstance(param, click.Option) and param.name not in NOT_SETTINGS
    ]


def env_var(option: click.Option) -> str:
    """The environment variable that sets `option`: `CAIRN_DATA_DIR` for `--data-dir`."""
    return f"{ENV_PREFIX}_{str(option.name).upper()}"


def load_config_file(ctx: click.Context, param: click.Parameter, path: Path | None) -> Path | None:
    """Eager callback of `--config`: read the file into the command's default map."""
    if path is None:
        return None
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror or exc}", ctx, param) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{path} is not valid TOML: {exc}", ctx, param) from exc
    defaults = file_defaults(setting_options(ctx.command), document, path)
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return path


def file_defaults(
    options: Iterable[click.Option], document: Mapping[str, Any], source: Path
) -> dict[str, Any]:
    """The file's settings by option name, shaped as click takes a default; unknown names and
    values of the wrong shape are usage errors naming the file and the key."""
    by_name = {str(option.name): option for option in options}
    defaults: dict[str, Any] = {}
    for key, value in document.items():
        option = by_name.get(key.replace("-", "_"))
        if option is None:
            known = ", ".join(sorted(name.replace("_", "-") for name in by_name))
            raise click.UsageError(f"{source}: unknown setting {key!r} (known: {known})")
        defaults[str(option.name)] = _file_value(option, key, value, source)
    return defaults


def _file_value(option: click.Option, key: str, value: Any, source: Path) -> Any:
    if not option.multiple:
        if isinstance(value, dict | list):
            raise click.UsageError(f"{source}: {key!r} takes a single value, not {value!r}")
        return value if isinstance(value, bool) else str(value)
    if isinstance(value, dict):
        return [(str(k), _scalar_text(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_scalar_text(item) for item in value]
    raise click.UsageError(f"{source}: {key!r} takes a table or a list, not {value!r}")


def _scalar_text(value: Any) -> str:
    """A TOML scalar as a client setting's text (`true`, not `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise click.UsageError(f"a nested value is not a setting: {value!r}")
    return str(value)


def is_secret(name: str) -> bool:
    """Whether a setting's value must never be printed."""
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


def render_effective(ctx: click.Context) -> str:
    """The effective settings as a TOML file `--config` reads back, secrets masked, each line
    saying where its value came from."""
    lines: list[str] = []
    tables: list[str] = []
    for option in setting_options(ctx.command):
        name = str(option.name)
        key = name.replace("_", "-")
        value = ctx.params.get(name)
        source = _SOURCES.get(ctx.get_parameter_source(name) or ParameterSource.DEFAULT, "")
        if option.multiple and value and all(isinstance(item, tuple) for item in value):
            tables.append(_render_table(key, value, source))
        elif option.multiple:
            items = ", ".join(_toml_value(item) for item in value or ())
            lines.append(f"{key} = [{items}]  # from {source}")
        elif value is None:
            lines.append(f"# {key} is not set ({env_var(option)})")
        else:
            shown = MASK if is_secret(name) else value
            lines.append(f"{key} = {_toml_value(shown)}  # from {source}")
    return "\n".join([*lines, *tables]) + "\n"


def _render_table(key: str, items: Iterable[tuple[str, Any]], source: str) -> str:
    rows = [f"[{key}]  # from {source}"]
    for name, value in items:
        rows.append(f"{json.dumps(name)} = {_toml_value(MASK if is_secret(name) else value)}")
    return "\n" + "\n".join(rows)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, enum.Enum):
        value = value.value
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(str(value), ensure_ascii=False)
