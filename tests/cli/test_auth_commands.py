"""`cairn auth hash-password` and the security options of `cairn serve`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from registry.security.passwords import PasswordBook


def test_hash_password_reads_stdin_and_prints_a_verifiable_hash() -> None:
    result = CliRunner().invoke(main, ["auth", "hash-password"], input="s3cret pass\n")
    assert result.exit_code == 0, result.output
    printed = result.output.strip()
    assert printed.startswith("$argon2id$")
    assert "s3cret" not in printed
    book = PasswordBook({"alice": printed})
    assert book.verify("alice", "s3cret pass")
    assert not book.verify("alice", "s3cret pass\n")


def test_hash_password_refuses_an_empty_password_and_takes_no_argument() -> None:
    empty = CliRunner().invoke(main, ["auth", "hash-password"], input="\n")
    assert empty.exit_code == 2
    assert "empty" in empty.output
    assert CliRunner().invoke(main, ["auth", "hash-password", "s3cret"]).exit_code == 2


def test_serve_checks_its_security_options_before_starting(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("not used")
    data = ["--data-dir", str(tmp_path / "data")]
    lonely = CliRunner().invoke(main, ["serve", *data, "--tls-cert", str(cert)])
    assert lonely.exit_code == 2
    assert "--tls-cert and --tls-key go together" in lonely.output
    no_tls = CliRunner().invoke(main, ["serve", *data, "--tls-client-ca", str(cert)])
    assert no_tls.exit_code == 2
    assert "--tls-client-ca needs --tls-cert" in no_tls.output

    broken = tmp_path / "auth.toml"
    broken.write_text("[[acl]]\nprincipal = 'a'\n")
    refused = CliRunner().invoke(main, ["serve", *data, "--auth-config", str(broken)])
    assert refused.exit_code == 1
    assert "acl entry 1: subjects must be a non-empty string" in refused.output
    assert not (tmp_path / "data").exists()  # refused before opening the log
