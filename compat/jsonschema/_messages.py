"""Which differences are compatible under each policy, and Confluent's wording for each."""

from __future__ import annotations

from compat.types import CompatibilityPolicy, Finding

STRICT_COMPATIBLE = frozenset(
    [
        "ID_CHANGED",
        "DESCRIPTION_CHANGED",
        "TITLE_CHANGED",
        "DEFAULT_CHANGED",
        "SCHEMA_REMOVED",
        "TYPE_EXTENDED",
        "MAX_LENGTH_INCREASED",
        "MAX_LENGTH_REMOVED",
        "MIN_LENGTH_DECREASED",
        "MIN_LENGTH_REMOVED",
        "PATTERN_REMOVED",
        "MAXIMUM_INCREASED",
        "MAXIMUM_REMOVED",
        "MINIMUM_DECREASED",
        "MINIMUM_REMOVED",
        "EXCLUSIVE_MAXIMUM_INCREASED",
        "EXCLUSIVE_MAXIMUM_REMOVED",
        "EXCLUSIVE_MINIMUM_DECREASED",
        "EXCLUSIVE_MINIMUM_REMOVED",
        "MULTIPLE_OF_REDUCED",
        "MULTIPLE_OF_REMOVED",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "REQUIRED_ATTRIBUTE_REMOVED",
        "DEPENDENCY_ARRAY_NARROWED",
        "DEPENDENCY_ARRAY_REMOVED",
        "DEPENDENCY_SCHEMA_REMOVED",
        "MAX_PROPERTIES_INCREASED",
        "MAX_PROPERTIES_REMOVED",
        "MIN_PROPERTIES_DECREASED",
        "MIN_PROPERTIES_REMOVED",
        "ADDITIONAL_PROPERTIES_ADDED",
        "ADDITIONAL_PROPERTIES_EXTENDED",
        "UNEVALUATED_PROPERTIES_ADDED",
        "UNEVALUATED_PROPERTIES_EXTENDED",
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "MAX_ITEMS_INCREASED",
        "MAX_ITEMS_REMOVED",
        "MIN_ITEMS_DECREASED",
        "MIN_ITEMS_REMOVED",
        "MAX_CONTAINS_INCREASED",
        "MAX_CONTAINS_REMOVED",
        "MIN_CONTAINS_DECREASED",
        "MIN_CONTAINS_REMOVED",
        "UNIQUE_ITEMS_REMOVED",
        "ADDITIONAL_ITEMS_ADDED",
        "ADDITIONAL_ITEMS_EXTENDED",
        "UNEVALUATED_ITEMS_ADDED",
        "UNEVALUATED_ITEMS_EXTENDED",
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ENUM_ARRAY_EXTENDED",
        "COMBINED_TYPE_EXTENDED",
        "PRODUCT_TYPE_NARROWED",
        "SUM_TYPE_EXTENDED",
        "NOT_TYPE_NARROWED",
    ]
)

#: LENIENT ignores the open or closed content model of objects, as Avro records do.
LENIENT_COMPATIBLE = STRICT_COMPATIBLE | frozenset(
    [
        "ADDITIONAL_PROPERTIES_NARROWED",
        "ADDITIONAL_PROPERTIES_REMOVED",
        "UNEVALUATED_PROPERTIES_NARROWED",
        "UNEVALUATED_PROPERTIES_REMOVED",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ]
)


def compatible_set(policy: CompatibilityPolicy) -> frozenset[str]:
    """The difference types that do not break compatibility under `policy`."""
    return LENIENT_COMPATIBLE if policy is CompatibilityPolicy.LENIENT else STRICT_COMPATIBLE


_KEYWORD_ADDED = "The keyword at path '{p}' in the %s schema is not present in the %s schema"
_TEMPLATES: list[tuple[str, str]] = [
    (
        """MAX_LENGTH_ADDED MIN_LENGTH_ADDED PATTERN_ADDED MAXIMUM_ADDED MINIMUM_ADDED
        EXCLUSIVE_MAXIMUM_ADDED EXCLUSIVE_MINIMUM_ADDED MULTIPLE_OF_ADDED REQUIRED_ATTRIBUTE_ADDED
        MAX_PROPERTIES_ADDED MIN_PROPERTIES_ADDED DEPENDENCY_ARRAY_ADDED DEPENDENCY_SCHEMA_ADDED
        MAX_ITEMS_ADDED MIN_ITEMS_ADDED MAX_CONTAINS_ADDED MIN_CONTAINS_ADDED UNIQUE_ITEMS_ADDED
        ADDITIONAL_ITEMS_REMOVED ADDITIONAL_PROPERTIES_REMOVED UNEVALUATED_PROPERTIES_REMOVED
        UNEVALUATED_ITEMS_REMOVED""",
        _KEYWORD_ADDED,
    ),
    (
        """MIN_LENGTH_INCREASED MINIMUM_INCREASED EXCLUSIVE_MINIMUM_INCREASED
        MIN_PROPERTIES_INCREASED MIN_ITEMS_INCREASED MIN_CONTAINS_INCREASED MULTIPLE_OF_EXPANDED""",
        "The value at path '{p}' in the %s schema is more than its value in the %s schema",
    ),
    (
        """MAX_LENGTH_DECREASED MAXIMUM_DECREASED MAX_ITEMS_DECREASED MAX_CONTAINS_DECREASED
        EXCLUSIVE_MAXIMUM_DECREASED MAX_PROPERTIES_DECREASED""",
        "The value at path '{p}' in the %s schema is less than its value in the %s schema",
    ),
    (
        "PATTERN_CHANGED MULTIPLE_OF_CHANGED DEPENDENCY_ARRAY_CHANGED",
        "The value at path '{p}' is different between the %s and %s schema",
    ),
    (
        """ADDITIONAL_ITEMS_NARROWED ENUM_ARRAY_NARROWED SUM_TYPE_NARROWED
        ADDITIONAL_PROPERTIES_NARROWED UNEVALUATED_PROPERTIES_NARROWED
        UNEVALUATED_ITEMS_NARROWED""",
        "An array or combined type at path '{p}' has fewer elements in the %s schema "
        "than the %s schema",
    ),
    (
        "DEPENDENCY_ARRAY_EXTENDED PRODUCT_TYPE_EXTENDED SUM_TYPE_EXTENDED NOT_TYPE_EXTENDED",
        "An array or combined type at path '{p}' has more elements in the %s schema "
        "than the %s schema",
    ),
    (
        """TYPE_CHANGED TYPE_NARROWED COMBINED_TYPE_CHANGED COMBINED_TYPE_SUBSCHEMAS_CHANGED
        ENUM_ARRAY_CHANGED""",
        "A type at path '{p}' is different between the %s schema and the %s schema",
    ),
    (
        """REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
        REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
        OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL ITEM_ADDED_TO_OPEN_CONTENT_MODEL""",
        "The %s schema has an open content model and has a property or item at path '{p}' "
        "which is missing in the %s schema",
    ),
    (
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "The %s schema has an unopen content model and has a required property at path '{p}' "
        "which is missing in the %s schema",
    ),
    (
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        # Confluent's text has no "schema" after the first role word.
        "The %s has a closed content model and is missing a property or item present at "
        "path '{p}' in the %s schema",
    ),
    (
        """PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
        ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL""",
        "A property or item is missing in the %s schema but present at path '{p}' in the %s "
        "schema and is not covered by its partially open content model",
    ),
    (
        """PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
        ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL""",
        "The %s schema has a property or item at path '{p}' which is missing in the %s schema "
        "and is not covered by its partially open content model",
    ),
]
TEMPLATES: dict[str, str] = {name: text for names, text in _TEMPLATES for name in names.split()}


def finding(kind: str, path: str) -> Finding:
    """A finding with Confluent's description split around the reader and writer words."""
    template = TEMPLATES.get(kind, "")
    parts = tuple(template.replace("{p}", path).split("%s"))
    return Finding(
        type=kind, path=path, description=parts if len(parts) == 3 else ("".join(parts),)
    )


def confluent_message(item: Finding, *, reader: str, writer: str) -> str:
    """`{errorType:"…", description:"…'}`, closing quote mismatch included as Confluent has it."""
    text = item.describe(reader=reader, writer=writer)
    return f'{{errorType:"{item.type}", description:"{text}\'}}'
