"""`cairn kek` and `cairn dek`: the registry's DEK registry, for field encryption.

Producers' ENCRYPT rules create what they need on first use, so these are for operators:
creating a shared KEK (one whose KMS key the registry may use) before any client runs,
checking that the registry can reach its key, rotating `kmsProps`, and looking at or
cleaning up DEKs. A DEK's `keyMaterial` (the plaintext key of a shared KEK's DEK) is not
printed unless asked for.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import click

from cli.connection_options import connection_options
from cli.errors import InputError
from cli.rest_client import RegistryRestClient, as_list, as_object, segment

_KEKS = "/dek-registry/v1/keks"
_ALGORITHMS = click.Choice(["AES128_GCM", "AES256_GCM", "AES256_SIV"], case_sensitive=False)
_HIDDEN = "(hidden; --show-key-material prints it)"


def _props(pairs: tuple[str, ...]) -> dict[str, str]:
    props: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--prop takes NAME=VALUE, not {pair!r}")
        props[name] = value
    return props


def _print(answer: object) -> None:
    click.echo(json.dumps(answer, indent=2))


@click.group(
    epilog="""\b
Examples:
  cairn kek create orders-kek --kms-type aws-kms \\
      --kms-key-id arn:aws:kms:eu-west-1:123456789012:alias/orders --shared --test
  cairn kek test orders-kek"""
)
def kek() -> None:
    """Key encryption keys (KEKs): names for keys in a KMS."""


@kek.command("list", epilog="\b\nExample:\n  cairn kek list --subject-prefix orders-")
@click.option("--deleted", is_flag=True, help="Include soft-deleted KEKs.")
@click.option(
    "--subject-prefix",
    multiple=True,
    help="Only KEKs with a DEK under a subject starting with this (repeatable).",
)
@connection_options
def kek_list(deleted: bool, subject_prefix: tuple[str, ...], client: RegistryRestClient) -> None:
    """List KEK names, one per line."""
    query = [("deleted", "true" if deleted else "false")]
    query += [("subjectPrefix", prefix) for prefix in subject_prefix]
    for name in as_list(client.get(f"{_KEKS}?{urlencode(query)}"), "the KEK list"):
        click.echo(str(name))


@kek.command("get", epilog="\b\nExample:\n  cairn kek get orders-kek")
@click.argument("name")
@click.option("--deleted", is_flag=True, help="Also find a soft-deleted KEK.")
@connection_options
def kek_get(name: str, deleted: bool, client: RegistryRestClient) -> None:
    """Print KEK NAME as JSON."""
    _print(client.get(f"{_KEKS}/{segment(name)}", {"deleted": deleted}))


@kek.command(
    "create",
    epilog="""\b
Examples:
  cairn kek create test-kek --kms-type local-kms --kms-key-id test --shared
  cairn kek create orders-kek --kms-type aws-kms --kms-key-id ARN --prop role.arn=ROLE""",
)
@click.argument("name")
@click.option("--kms-type", required=True, help="The KMS: local-kms, aws-kms, gcp-kms, ...")
@click.option("--kms-key-id", required=True, help="The key in that KMS (for AWS, its ARN).")
@click.option("--prop", "props", multiple=True, help="A kmsProps entry NAME=VALUE (repeatable).")
@click.option("--doc", default=None, help="A description.")
@click.option(
    "--shared", is_flag=True, help="The registry may use the key (it then wraps the DEKs)."
)
@click.option(
    "--test", "test_sharing", is_flag=True, help="With --shared, check the key works first."
)
@connection_options
def kek_create(
    name: str,
    kms_type: str,
    kms_key_id: str,
    props: tuple[str, ...],
    doc: str | None,
    shared: bool,
    test_sharing: bool,
    client: RegistryRestClient,
) -> None:
    """Create KEK NAME and print it."""
    body: dict[str, object] = {
        "name": name,
        "kmsType": kms_type,
        "kmsKeyId": kms_key_id,
        "kmsProps": _props(props),
        "shared": shared,
    }
    if doc is not None:
        body["doc"] = doc
    _print(client.post(_KEKS, body, {"testSharing": test_sharing}))


@kek.command(
    "update", epilog="\b\nExample:\n  cairn kek update orders-kek --prop role.arn=ROLE --shared"
)
@click.argument("name")
@click.option(
    "--prop", "props", multiple=True, help="A kmsProps entry NAME=VALUE; replaces all of them."
)
@click.option("--doc", default=None, help="A new description.")
@click.option("--shared/--not-shared", default=None, help="Let the registry use the key, or not.")
@connection_options
def kek_update(
    name: str,
    props: tuple[str, ...],
    doc: str | None,
    shared: bool | None,
    client: RegistryRestClient,
) -> None:
    """Change KEK NAME's kmsProps, doc or shared flag (its KMS and key stay)."""
    body: dict[str, object] = {}
    if props:
        body["kmsProps"] = _props(props)
    if doc is not None:
        body["doc"] = doc
    if shared is not None:
        body["shared"] = shared
    if not body:
        raise InputError("Nothing to change: give --prop, --doc, --shared or --not-shared")
    _print(client.put(f"{_KEKS}/{segment(name)}", body))


@kek.command("test", epilog="\b\nExample:\n  cairn kek test orders-kek")
@click.argument("name")
@connection_options
def kek_test(name: str, client: RegistryRestClient) -> None:
    """Check that the registry can wrap and unwrap with shared KEK NAME's key."""
    client.post(f"{_KEKS}/{segment(name)}/test", None)
    click.echo(f"The registry can use the KMS key of {name}")


@kek.command("delete", epilog="\b\nExample:\n  cairn kek delete old-kek --permanent")
@click.argument("name")
@click.option("--permanent", is_flag=True, help="Delete for good (soft-deletes first if needed).")
@connection_options
def kek_delete(name: str, permanent: bool, client: RegistryRestClient) -> None:
    """Delete KEK NAME (it must have no live DEKs)."""
    path = f"{_KEKS}/{segment(name)}"
    if permanent:
        live = as_object(client.get(path, {"deleted": True}), "the KEK")
        if not live.get("deleted"):
            client.delete(path)
    client.delete(path, {"permanent": permanent})
    click.echo(f"Deleted {name}{' permanently' if permanent else ''}")


@kek.command("undelete", epilog="\b\nExample:\n  cairn kek undelete orders-kek")
@click.argument("name")
@connection_options
def kek_undelete(name: str, client: RegistryRestClient) -> None:
    """Bring soft-deleted KEK NAME back."""
    client.post(f"{_KEKS}/{segment(name)}/undelete", None)
    click.echo(f"Undeleted {name}")


@click.group(
    epilog="\b\nExamples:\n  cairn dek list orders-kek\n  cairn dek get orders-kek orders-value"
)
def dek() -> None:
    """Data encryption keys (DEKs) under a KEK, per subject, algorithm and version."""


@dek.command("list", epilog="\b\nExample:\n  cairn dek list orders-kek")
@click.argument("kek_name", metavar="KEK")
@click.option("--deleted", is_flag=True, help="Include subjects whose DEKs are soft-deleted.")
@connection_options
def dek_list(kek_name: str, deleted: bool, client: RegistryRestClient) -> None:
    """List the subjects with DEKs under KEK, one per line."""
    path = f"{_KEKS}/{segment(kek_name)}/deks"
    for subject in as_list(client.get(path, {"deleted": deleted}), "the subject list"):
        click.echo(str(subject))


@dek.command("versions", epilog="\b\nExample:\n  cairn dek versions orders-kek orders-value")
@click.argument("kek_name", metavar="KEK")
@click.argument("subject")
@click.option("--algorithm", type=_ALGORITHMS, default="AES256_GCM", help="The DEK algorithm.")
@click.option("--deleted", is_flag=True, help="Include soft-deleted versions.")
@connection_options
def dek_versions(
    kek_name: str, subject: str, algorithm: str, deleted: bool, client: RegistryRestClient
) -> None:
    """List the versions of SUBJECT's DEK under KEK, one per line."""
    path = f"{_KEKS}/{segment(kek_name)}/deks/{segment(subject)}/versions"
    query: dict[str, str | int | bool] = {"algorithm": algorithm.upper(), "deleted": deleted}
    for version in as_list(client.get(path, query), "the version list"):
        click.echo(str(version))


@dek.command("get", epilog="\b\nExample:\n  cairn dek get orders-kek orders-value --version latest")
@click.argument("kek_name", metavar="KEK")
@click.argument("subject")
@click.option("--version", default="1", help="A version number, or latest.  [default: 1]")
@click.option("--algorithm", type=_ALGORITHMS, default="AES256_GCM", help="The DEK algorithm.")
@click.option("--deleted", is_flag=True, help="Also find a soft-deleted DEK.")
@click.option(
    "--show-key-material",
    is_flag=True,
    help="Print a shared KEK's DEK in plaintext (keyMaterial); hidden otherwise.",
)
@connection_options
def dek_get(
    kek_name: str,
    subject: str,
    version: str,
    algorithm: str,
    deleted: bool,
    show_key_material: bool,
    client: RegistryRestClient,
) -> None:
    """Print a DEK of SUBJECT under KEK as JSON."""
    path = f"{_KEKS}/{segment(kek_name)}/deks/{segment(subject)}/versions/{segment(version)}"
    answer = as_object(
        client.get(path, {"algorithm": algorithm.upper(), "deleted": deleted}), "the DEK"
    )
    if "keyMaterial" in answer and not show_key_material:
        answer["keyMaterial"] = _HIDDEN
    _print(answer)


@dek.command("delete", epilog="\b\nExample:\n  cairn dek delete orders-kek orders-value")
@click.argument("kek_name", metavar="KEK")
@click.argument("subject")
@click.option("--version", default=None, help="Only this version; every version without it.")
@click.option("--algorithm", type=_ALGORITHMS, default="AES256_GCM", help="The DEK algorithm.")
@click.option("--permanent", is_flag=True, help="Delete soft-deleted DEKs for good.")
@connection_options
def dek_delete(
    kek_name: str,
    subject: str,
    version: str | None,
    algorithm: str,
    permanent: bool,
    client: RegistryRestClient,
) -> None:
    """Delete SUBJECT's DEKs under KEK (records they encrypted can no longer be read)."""
    path = f"{_KEKS}/{segment(kek_name)}/deks/{segment(subject)}"
    if version is not None:
        path += f"/versions/{segment(version)}"
    client.delete(path, {"algorithm": algorithm.upper(), "permanent": permanent})
    click.echo(f"Deleted the DEKs of {subject}{' permanently' if permanent else ''}")
