"""Every command besides `serve`, registered on the `cairn` group by `cli.main`."""

from __future__ import annotations

import click

from cli.backup import export
from cli.check import check
from cli.completion import completion
from cli.diff import diff
from cli.generate import generate
from cli.manage import delete, get, register, subjects, versions
from cli.restore import import_
from cli.settings import config, mode

COMMANDS: tuple[click.Command, ...] = (
    check,
    register,
    subjects,
    versions,
    get,
    delete,
    config,
    mode,
    diff,
    export,
    import_,
    generate,
    completion,
)
