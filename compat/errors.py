"""Errors raised by schema parsing.

    CompatError
    ├── SchemaParseError            the text is not a valid schema of its type
    │   └── SchemaReferenceError    a reference is missing, unresolvable or cyclic
    └── UnsupportedSchemaTypeError  no format plug-in handles that schema type

`SchemaParseError` is the library's "this is not a valid schema"; the registry turns it into
its own HTTP error (`registry.errors.InvalidSchemaError`, 422 / 42201) at the API edge, which
is why the two carry different names.

Compatibility checks raise nothing: differences are findings, and a comparison that fails
inside is reported as the `CHECK_FAILED` finding (see `compat.formats.safe_backward_findings`).
"""

from __future__ import annotations


class CompatError(Exception):
    """Base class of every error raised by the `compat` package."""


class SchemaParseError(CompatError):
    """The schema text cannot be parsed or fails validation; the message says where and why."""


class SchemaReferenceError(SchemaParseError):
    """A schema reference cannot be resolved."""


class UnsupportedSchemaTypeError(CompatError):
    """The schema type is known but no plug-in for it is installed yet."""
