"""Errors the command line reports to a person, each with its exit code.

    CliError (click.ClickException)            exit 2 unless a subclass says otherwise
    ├── InputError                             exit 2: bad arguments, unreadable/invalid files
    │   └── RegistryRefusedError               exit 2: the registry refused the request (4xx)
    │       └── IncompatibleRegistrationError  exit 1: a 409, the schema is incompatible
    ├── RegistryFailedError                    exit 3: registry unreachable, credentials
    │                                          refused, a server error (5xx) or not the API
    └── KafkaFailedError                       exit 3: Kafka unreachable or a read failed

This tree is the command line's own, apart from the server's errors (which it reads back
from HTTP answers) and the serializers'. `cli.rest_client` turns every HTTP answer or
transport failure into one of the two registry errors here.

click prints `Error: <message>` for these and exits with `exit_code`, so a user never sees a
traceback for a mistake they can fix. Every message says what happened and what to do.
"""

from __future__ import annotations

import click

#: The exit codes `cairn check` documents (and the other commands share).
EXIT_OK = 0
EXIT_INCOMPATIBLE = 1
EXIT_USAGE = 2
EXIT_REGISTRY = 3


class CliError(click.ClickException):
    """Base class of every error the command line reports."""

    exit_code = EXIT_USAGE


class InputError(CliError):
    """The command line, a file or a schema is wrong; the user can fix it locally."""

    exit_code = EXIT_USAGE


class RegistryFailedError(CliError):
    """The registry could not be used: unreachable, credentials refused, 5xx, or not its API.

    Not the user's request at fault (that is `RegistryRefusedError`); retrying later, or
    fixing the URL, credentials or registry, is what helps.
    """

    exit_code = EXIT_REGISTRY


class RegistryRefusedError(InputError):
    """The registry refused the request (4xx) with Confluent's `{error_code, message}` body.

    `reason` is the registry's own message, for a command that restates it in its terms.
    """

    def __init__(self, message: str, *, status: int, error_code: int, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.reason = reason or message


class IncompatibleRegistrationError(RegistryRefusedError):
    """A 409: the registry refused a schema as incompatible.

    The same verdict `cairn check` exits 1 for, so it exits 1 too.
    """

    exit_code = EXIT_INCOMPATIBLE


class KafkaFailedError(CliError):
    """Kafka could not be read: brokers unreachable, access refused, or a read timed out.

    Like `RegistryFailedError`, nothing about the schema was judged, so it exits 3.
    """

    exit_code = EXIT_REGISTRY
