"""Reference options and schema types of local files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.errors import InputError
from cli.schema_files import ReferenceSpec, schema_type_for
from compat.types import SchemaType


def test_reference_with_file_and_coordinates() -> None:
    spec = ReferenceSpec.parse("com.acme.Money=schemas/money.avsc@money-value:3")
    assert spec == ReferenceSpec("com.acme.Money", Path("schemas/money.avsc"), "money-value", 3)
    assert spec.to_registry() == {"name": "com.acme.Money", "subject": "money-value", "version": 3}


def test_reference_to_the_registry_only() -> None:
    spec = ReferenceSpec.parse("other.proto=@ns:other:-1")
    assert spec == ReferenceSpec("other.proto", None, "ns:other", -1)


@pytest.mark.parametrize("text", ["no-equals", "=x.avsc", "a=x@nocolon", "a=x@s:latest"])
def test_malformed_references_explain_the_syntax(text: str) -> None:
    with pytest.raises(InputError):
        ReferenceSpec.parse(text)


def test_registry_needs_coordinates() -> None:
    with pytest.raises(InputError, match="--reference a=@SUBJECT:VERSION"):
        ReferenceSpec.parse("a=money.avsc").to_registry()


def test_type_from_extension_or_explicit() -> None:
    assert schema_type_for(Path("x.AVSC"), None) is SchemaType.AVRO
    assert schema_type_for(Path("x.json"), None) is SchemaType.JSON
    assert schema_type_for(Path("x.proto"), None) is SchemaType.PROTOBUF
    assert schema_type_for(Path("x.json"), SchemaType.AVRO) is SchemaType.AVRO
    with pytest.raises(InputError, match="--type"):
        schema_type_for(Path("x.yaml"), None)
