"""Options every registry command shares: URL, basic auth or a bearer token, TLS, timeout.

They are declared once here and turned into one `Connection` value; the command receives a
`RegistryRestClient` for it as `client`. Environment variables (`CAIRN_URL`, `CAIRN_USER`,
`CAIRN_PASSWORD`) fill in what the command line leaves out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from cli.param_types import RegistryUrlParam
from cli.rest_client import Connection, RegistryRestClient

R = TypeVar("R")

DEFAULT_URL = "http://localhost:8081"

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

_OPTIONS = [
    click.option(
        "--url",
        envvar="CAIRN_URL",
        default=DEFAULT_URL,
        show_default=True,
        type=RegistryUrlParam(),
        help="Registry base URL (env CAIRN_URL).",
    ),
    click.option(
        "--user", envvar="CAIRN_USER", default=None, help="Basic-auth user (env CAIRN_USER)."
    ),
    click.option(
        "--password",
        envvar="CAIRN_PASSWORD",
        default=None,
        help="Basic-auth password (env CAIRN_PASSWORD; prefer the variable to the option).",
    ),
    click.option(
        "--token",
        envvar="CAIRN_TOKEN",
        default=None,
        help="Bearer token, e.g. a JWT (env CAIRN_TOKEN; prefer the variable to the option).",
    ),
    click.option("--ca-cert", type=_FILE, default=None, help="CA bundle to verify the registry."),
    click.option(
        "--cert", type=_FILE, default=None, help="Client certificate (PEM) for mutual TLS."
    ),
    click.option("--key", type=_FILE, default=None, help="Private key of --cert (PEM)."),
    click.option("--insecure", is_flag=True, help="Do not verify the registry's TLS certificate."),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for each HTTP request.",
    ),
]


def connection_options(command: Callable[..., R]) -> Callable[..., R]:
    """Add the shared connection options; the command receives `client: RegistryRestClient`."""

    @functools.wraps(command)
    def wrapper(
        *args: object,
        url: str,
        user: str | None,
        password: str | None,
        token: str | None,
        ca_cert: Path | None,
        cert: Path | None,
        key: Path | None,
        insecure: bool,
        timeout: float,
        **kwargs: object,
    ) -> R:
        connection = Connection(
            url=url,
            user=user,
            password=password,
            token=token,
            ca_cert=ca_cert,
            cert=cert,
            key=key,
            insecure=insecure,
            timeout=timeout,
        )
        return command(*args, client=RegistryRestClient(connection), **kwargs)

    decorated: Callable[..., R] = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated
