"""`cairn completion SHELL`: the shell script that completes `cairn` commands and options."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")


@click.command(
    epilog="""\b
Examples:
  eval "$(cairn completion bash)"     # in ~/.bashrc
  cairn completion fish > ~/.config/fish/completions/cairn.fish"""
)
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL."""
    root = ctx.find_root().command
    completer = get_completion_class(shell)
    if completer is None:  # click knows every shell in SHELLS; kept for type safety
        raise click.UsageError(f"No completion for {shell}")
    click.echo(completer(root, {}, "cairn", "_CAIRN_COMPLETE").source())
