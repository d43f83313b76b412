"""Errors raised by schema parsing.

    CompatError
    ├── InvalidSchemaError          the text is not a valid schema of its type
    │   └── SchemaReferenceError         a reference is missing, unresolvable or cyclic
    └── UnsupportedSchemaTypeError  no format plug-in handles that schema type

Compatibility checks never raise: they return findings.
"""

from __future__ import annotations


class CompatError(Exception):
    """Base class of every error raised by the `compat` package."""


class InvalidSchemaError(CompatError):
    """The schema text cannot be parsed or fails validation; the message says where and why."""


class SchemaReferenceError(InvalidSchemaError):
    """A schema reference cannot be resolved."""


class UnsupportedSchemaTypeError(CompatError):
    """The schema type is known but no plug-in for it is installed yet."""
