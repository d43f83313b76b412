"""The aws-kms driver against moto's in-process AWS KMS, and against tink's own AWS AEAD."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from tink.integration import awskms

from serdes.errors import KmsAccessDeniedError, RuleError
from serdes.rules.encryption import default_drivers
from serdes.rules.encryption.aws_kms import AwsKmsAead, AwsKmsDriver, key_arn_of

REGION = "eu-west-1"


@pytest.fixture
def key_arn(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh symmetric key in a mocked KMS, with fake credentials in the environment."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        yield kms.create_key()["KeyMetadata"]["Arn"]


def test_wraps_and_unwraps_with_associated_data(key_arn: str) -> None:
    aead = AwsKmsDriver().aead({}, f"aws-kms://{key_arn}")
    wrapped = aead.encrypt(b"a data key", b"context")
    assert b"a data key" not in wrapped
    assert aead.decrypt(wrapped, b"context") == b"a data key"
    with pytest.raises(RuleError, match="could not decrypt"):
        aead.decrypt(wrapped, b"another context")


def test_interchangeable_with_tinks_aws_aead(key_arn: str) -> None:
    """Same KMS calls and encryption context as tink's AEAD, which confluent-kafka uses."""
    url = f"aws-kms://{key_arn}"
    tinks = awskms.new_client(boto3_client=boto3.client("kms", region_name=REGION), key_uri=url)
    theirs = tinks.get_aead(url)
    ours = AwsKmsDriver().aead({}, url)
    for associated in (b"", b"ad"):
        assert ours.decrypt(theirs.encrypt(b"dek", associated), associated) == b"dek"
        assert theirs.decrypt(ours.encrypt(b"dek", associated), associated) == b"dek"


def test_a_blob_of_another_key_is_refused(key_arn: str) -> None:
    other = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    driver = AwsKmsDriver()
    wrapped = driver.aead({}, f"aws-kms://{other}").encrypt(b"dek", b"")
    with pytest.raises(RuleError):
        driver.aead({}, f"aws-kms://{key_arn}").decrypt(wrapped, b"")


def test_credentials_from_the_config_and_an_assumed_role(key_arn: str) -> None:
    url = f"aws-kms://{key_arn}"
    keys = {"access.key.id": "AKIDEXAMPLE", "secret.access.key": "example"}
    role = {
        **keys,
        "role.arn": "arn:aws:iam::123456789012:role/encrypt",
        "role.external.id": "ext-1",
    }
    driver = AwsKmsDriver()
    wrapped = driver.aead(keys, url).encrypt(b"dek", b"")
    assert driver.aead(role, url).decrypt(wrapped, b"") == b"dek"
    with pytest.raises(RuleError, match="both"):
        driver.aead({"access.key.id": "AKIDEXAMPLE"}, url)


def test_role_from_the_environment_is_used(key_arn: str) -> None:
    """`AWS_ROLE_ARN` without a web-identity token: the driver assumes the role via STS."""
    driver = AwsKmsDriver({"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/encrypt"})
    aead = driver.aead({}, f"aws-kms://{key_arn}")
    kms = aead._kms  # type: ignore[attr-defined]
    assert kms._request_signer._credentials.method == "assume-role"
    assert aead.decrypt(aead.encrypt(b"dek", b""), b"") == b"dek"


@pytest.mark.parametrize(
    "url",
    [
        "local-kms://k",
        "aws-kms://not-an-arn",
        "aws-kms://arn:aws:s3:eu-west-1:123:bucket/x",
        "aws-kms://arn:aws:kms::123:key/x",
    ],
)
def test_key_urls_must_hold_a_kms_key_arn(url: str) -> None:
    with pytest.raises(RuleError):
        key_arn_of(url)


def test_default_drivers_include_aws_when_boto3_is_installed() -> None:
    prefixes = [driver.prefix for driver in default_drivers({})]
    assert prefixes == ["local-kms://", "aws-kms://"]


def test_access_denied_is_its_own_error(key_arn: str) -> None:
    """An AccessDeniedException says the credentials lack access, not that the key is wrong."""

    class Refusing:
        def encrypt(self, **_: object) -> object:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Encrypt"
            )

    with pytest.raises(KmsAccessDeniedError):
        AwsKmsAead(Refusing(), key_arn).encrypt(b"dek", b"")
