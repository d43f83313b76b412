"""Every command, registered on the `cairn` group by `cli.main`."""

from __future__ import annotations

import click

from cli.auth_commands import auth
from cli.check_command import check
from cli.completion_command import completion
from cli.config_commands import config, mode
from cli.diff_command import diff
from cli.export_command import export
from cli.generate_command import generate
from cli.import_command import import_
from cli.key_commands import dek, kek
from cli.register_command import register
from cli.rule_check import check_rules
from cli.serve_command import serve
from cli.subject_commands import delete, get, subjects, versions

COMMANDS: tuple[click.Command, ...] = (
    check,
    check_rules,
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
    serve,
    auth,
    kek,
    dek,
)
