"""Parameter types shared by the commands, validated when the command line is parsed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from urllib.parse import urlsplit

import click

from cli.schema_files import TYPE_NAMES
from compat.types import CompatibilityLevel, SchemaType


class CompatibilityLevelParam(click.ParamType[CompatibilityLevel]):
    """A compatibility level, case-insensitive as the API takes it."""

    name = "level"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> CompatibilityLevel:
        """Parse or fail with the list of valid levels."""
        if isinstance(value, CompatibilityLevel):
            return value
        level = CompatibilityLevel.parse(str(value))
        if level is None:
            self.fail(
                f"{value!r} is not one of {', '.join(lvl.value for lvl in CompatibilityLevel)}",
                param,
                ctx,
            )
        return level


class SchemaTypeParam(click.ParamType[SchemaType]):
    """A schema type: AVRO, JSON or PROTOBUF (case-insensitive; `jsonschema`, `proto` too)."""

    name = "type"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> SchemaType:
        """Parse or fail with the accepted names."""
        if isinstance(value, SchemaType):
            return value
        found = TYPE_NAMES.get(str(value).strip().lower())
        if found is None:
            self.fail(f"{value!r} is not one of AVRO, JSON, PROTOBUF", param, ctx)
        return found


LEVEL = CompatibilityLevelParam()
SCHEMA_TYPE = SchemaTypeParam()


class KeyValueParam(click.ParamType[tuple[str, str]]):
    """A `key=value` pair (a client setting), split when the command line is parsed."""

    name = "key=value"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        """Split at the first `=`; the key must not be empty."""
        if isinstance(value, tuple):
            return (str(value[0]), str(value[1]))
        key, sep, setting = str(value).partition("=")
        if not sep or not key.strip():
            self.fail(f"{value!r} is not KEY=VALUE")
        return key.strip(), setting


class RegistryUrlParam(click.ParamType[str]):
    """A registry base URL: `http://` or `https://` with a host (a bare `host:port` is not one)."""

    name = "url"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """Accept an http(s) URL; for `host:port` alone, suggest the URL that was meant."""
        text = str(value).strip()
        parsed = urlsplit(text)
        if "://" not in text:
            self.fail(f"{text!r} has no scheme; did you mean 'http://{text}'?", param, ctx)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            self.fail(f"{text!r} is not an http:// or https:// URL", param, ctx)
        return text


class UpperChoice(click.Choice[str]):
    """Upper-case choices (as Confluent's docs and the API spell them), taken in any case.

    click's case-insensitive `Choice` lists its choices in lower case in `--help`; this one
    lists them as given and converts any spelling to that form.
    """

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__([choice.upper() for choice in choices], case_sensitive=True)

    def normalize_choice(self, choice: object, ctx: click.Context | None) -> str:
        """Compare in upper case."""
        return super().normalize_choice(choice, ctx).upper()


#: Python logging levels, by name in any case.
LOG_LEVEL = UpperChoice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])


class WorkersParam(click.ParamType[int]):
    """A number of server processes, or `auto`: one per core this process may run on."""

    name = "N|auto"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        """Parse a positive count or `auto`."""
        if isinstance(value, int) and not isinstance(value, bool):
            count = value
        elif str(value).strip().lower() == "auto":
            return max(1, len(os.sched_getaffinity(0)))
        else:
            try:
                count = int(str(value))
            except ValueError:
                self.fail(f"{value!r} is neither a number nor 'auto'", param, ctx)
        if count < 1:
            self.fail(f"{count} is not a positive number of workers", param, ctx)
        return count
