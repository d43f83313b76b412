"""`cairn auth`: helpers for the server's auth config (`cairn serve --auth-config`)."""

from __future__ import annotations

import sys

import click

from registry.security.passwords import hash_password


@click.group()
def auth() -> None:
    """Prepare the auth config of `cairn serve --auth-config`."""


@auth.command(
    "hash-password",
    epilog="""\b
Examples:
  cairn auth hash-password                       (asks twice, without echo)
  printf '%s' "$PASSWORD" | cairn auth hash-password
""",
)
def hash_password_command() -> None:
    """Print an argon2id hash of a password for a `[[users]]` entry's password_hash.

    The password is read from a prompt on a terminal, or else from the first line of
    standard input; never from an argument, where it would end up in shell history and
    process listings.
    """
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError("the password is empty")
    click.echo(hash_password(password))
