"""The `aws-kms` driver: KEKs kept in AWS KMS, reached with boto3 (the `rules-aws` extra).

A KEK with `kmsType` `aws-kms` and a key ARN as `kmsKeyId` wraps DEKs with KMS `Encrypt`
and unwraps them with `Decrypt`; the key never leaves AWS. Associated data, when there is
any, travels as the encryption context `{"associatedData": <hex>}`, the convention tink's
AWS KMS AEAD follows, so DEKs wrapped by confluent-kafka's AWS driver unwrap here and the
other way round.

Credentials come from the rule config or the KEK's `kmsProps`, as in confluent-kafka:
`access.key.id` + `secret.access.key`, else `profile`, else boto3's default chain
(environment, config files, instance roles). `role.arn` (or `AWS_ROLE_ARN`) assumes a role
on top, with `role.session.name` and `role.external.id`, refreshed before it expires; with
`AWS_WEB_IDENTITY_TOKEN_FILE` set, boto3's own web-identity provider handles the role. The
region is the key ARN's. `AWS_ENDPOINT_URL_KMS` points the client elsewhere (LocalStack,
a VPC endpoint), as boto3 reads it itself.

This module is the one place that imports boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.credentials import DeferredRefreshableCredentials, create_assume_role_refresher
from botocore.exceptions import BotoCoreError, ClientError

from serdes.errors import KmsAccessDeniedError, RuleError
from serdes.rules.encryption.kms import AWS_PREFIX, Aead

ACCESS_KEY_ID = "access.key.id"
SECRET_ACCESS_KEY = "secret.access.key"
PROFILE = "profile"
ROLE_ARN = "role.arn"
ROLE_SESSION_NAME = "role.session.name"
ROLE_EXTERNAL_ID = "role.external.id"
_DEFAULT_SESSION_NAME = "cairn-encrypt"
_SETTINGS = (
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    PROFILE,
    ROLE_ARN,
    ROLE_SESSION_NAME,
    ROLE_EXTERNAL_ID,
)


def key_arn_of(key_url: str) -> str:
    """The key ARN in `aws-kms://<arn>`; a RuleError when it is not a KMS key ARN."""
    if not key_url.startswith(AWS_PREFIX):
        raise RuleError(f"not an AWS KMS key URL: {key_url!r}")
    arn = key_url[len(AWS_PREFIX) :]
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "kms" or not parts[3]:
        raise RuleError(
            f"AWS KMS key id {arn!r} is not a key ARN "
            "(arn:aws:kms:<region>:<account>:key/<id> or :alias/<name>)"
        )
    return arn


def region_of(arn: str) -> str:
    """The region named in a KMS key ARN."""
    return arn.split(":")[3]


class AwsKmsAead:
    """Wraps and unwraps with one KMS key; errors from AWS become `RuleError`s."""

    __slots__ = ("_arn", "_kms")

    def __init__(self, kms: Any, key_arn: str) -> None:
        self._kms = kms
        self._arn = key_arn

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """KMS `Encrypt` under the key."""
        try:
            answer = self._kms.encrypt(
                KeyId=self._arn,
                Plaintext=plaintext,
                EncryptionContext=_context(associated_data),
            )
        except (BotoCoreError, ClientError) as exc:
            raise _kms_error(f"AWS KMS could not encrypt with {self._arn}", exc) from exc
        blob: bytes = answer["CiphertextBlob"]
        return blob

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        """KMS `Decrypt`, pinned to the key (a blob of another key is refused by KMS)."""
        try:
            answer = self._kms.decrypt(
                KeyId=self._arn,
                CiphertextBlob=ciphertext,
                EncryptionContext=_context(associated_data),
            )
        except (BotoCoreError, ClientError) as exc:
            raise _kms_error(f"AWS KMS could not decrypt with {self._arn}", exc) from exc
        plaintext: bytes = answer["Plaintext"]
        return plaintext


#: The error codes AWS gives when the credentials may not use the key.
_ACCESS_DENIED = {"AccessDeniedException", "UnrecognizedClientException"}


def _kms_error(what: str, exc: Exception) -> RuleError:
    code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None
    if code in _ACCESS_DENIED:
        return KmsAccessDeniedError(f"{what}: {exc}")
    return RuleError(f"{what}: {exc}")


def _context(associated_data: bytes) -> dict[str, str]:
    return {"associatedData": associated_data.hex()} if associated_data else {}


class AwsKmsDriver:
    """Makes `AwsKmsAead`s; one KMS client per region and credential settings.

    `environ` supplies the `AWS_ROLE_*` fallbacks (pass `os.environ`); boto3 reads the
    rest of the environment itself.
    """

    __slots__ = ("_clients", "_environ", "_lock")

    prefix = AWS_PREFIX

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ or {}
        self._clients: dict[tuple[str, tuple[str | None, ...]], Any] = {}
        self._lock = threading.Lock()

    def aead(self, conf: Mapping[str, str], key_url: str) -> Aead:
        """The AEAD of the key ARN in `key_url`."""
        arn = key_arn_of(key_url)
        settings = self._settings(conf)
        key = (region_of(arn), tuple(settings.get(name) for name in _SETTINGS))
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._client(region_of(arn), settings)
        return AwsKmsAead(client, arn)

    def _settings(self, conf: Mapping[str, str]) -> dict[str, str]:
        settings = {name: conf[name] for name in _SETTINGS if conf.get(name)}
        for name, variable in (
            (ROLE_ARN, "AWS_ROLE_ARN"),
            (ROLE_SESSION_NAME, "AWS_ROLE_SESSION_NAME"),
            (ROLE_EXTERNAL_ID, "AWS_ROLE_EXTERNAL_ID"),
        ):
            if name not in settings and self._environ.get(variable):
                settings[name] = self._environ[variable]
        return settings

    def _client(self, region: str, settings: Mapping[str, str]) -> Any:
        try:
            session = _session(region, settings)
            role = settings.get(ROLE_ARN)
            if role and not self._environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
                _assume_role(session, role, settings)
            return session.client("kms")
        except (BotoCoreError, ClientError) as exc:
            raise RuleError(f"cannot make an AWS KMS client for {region}: {exc}") from exc


def _session(region: str, settings: Mapping[str, str]) -> Any:
    key, secret = settings.get(ACCESS_KEY_ID), settings.get(SECRET_ACCESS_KEY)
    if bool(key) != bool(secret):
        raise RuleError(f"set both {ACCESS_KEY_ID} and {SECRET_ACCESS_KEY}, or neither")
    if key and secret:
        return boto3.Session(
            region_name=region, aws_access_key_id=key, aws_secret_access_key=secret
        )
    if settings.get(PROFILE):
        return boto3.Session(region_name=region, profile_name=settings[PROFILE])
    return boto3.Session(region_name=region)


def _assume_role(session: Any, role: str, settings: Mapping[str, str]) -> None:
    """Make `session` use the role's temporary credentials, renewed before they expire."""
    params = {
        "RoleArn": role,
        "RoleSessionName": settings.get(ROLE_SESSION_NAME) or _DEFAULT_SESSION_NAME,
    }
    if settings.get(ROLE_EXTERNAL_ID):
        params["ExternalId"] = settings[ROLE_EXTERNAL_ID]
    refresher = create_assume_role_refresher(session.client("sts"), params)
    # boto3 has no public setter for a session's credential provider; botocore's is this.
    session._session._credentials = DeferredRefreshableCredentials(
        refresh_using=refresher, method="assume-role"
    )
