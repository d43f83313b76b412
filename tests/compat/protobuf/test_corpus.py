"""Every Protobuf case of the shared corpus: verdict and Confluent's difference list."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any

import pytest

from compat.protobuf._compile import CompiledProto, compile_proto
from compat.protobuf._diff import COMPATIBLE, Difference, compare
from tests.corpus import CASES_DIR

CASES: list[dict[str, Any]] = json.loads((CASES_DIR / "protobuf.json").read_text(encoding="utf-8"))
IDS = [c["name"] for c in CASES]


def test_the_corpus_is_complete() -> None:
    assert len(CASES) == 68
    assert len(set(IDS)) == len(CASES)


@cache
def _compiled(text: str, imports: tuple[tuple[str, str], ...]) -> CompiledProto:
    return compile_proto(text, dict(imports))


def _imports(references: list[dict[str, Any]] | None) -> tuple[tuple[str, str], ...]:
    """Import path -> text for each reference that carries its schema.

    References without a `schema` name well-known files (google/protobuf/descriptor.proto),
    which the compiler supplies itself.
    """
    return tuple((r["name"], r["schema"]) for r in references or [] if "schema" in r)


def _schemas(case: dict[str, Any]) -> tuple[CompiledProto, CompiledProto]:
    old = _compiled(case["old"], _imports(case.get("old_references")))
    new = _compiled(case["new"], _imports(case.get("new_references")))
    return old, new


def _checked_pair(case: dict[str, Any]) -> tuple[CompiledProto, CompiledProto]:
    """(original, update) of the check the case's direction runs.

    BACKWARD compares the registered schema as the original with the new one as the update;
    FORWARD runs the same comparison with the roles swapped.
    """
    old, new = _schemas(case)
    return (new, old) if case["direction"] == "forward" else (old, new)


def _breaking(differences: list[Difference]) -> list[Difference]:
    return [d for d in differences if d.type not in COMPATIBLE]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verdict(case: dict[str, Any]) -> None:
    old, new = _schemas(case)
    checks = {
        "backward": [(old, new)],
        "forward": [(new, old)],
        "full": [(new, old), (old, new)],
    }[case["direction"]]
    compatible = all(not _breaking(compare(*pair)) for pair in checks)
    assert compatible is case["expected"]


DIFF_CASES = [c for c in CASES if "expected_differences" in c]


@pytest.mark.parametrize("case", DIFF_CASES, ids=[c["name"] for c in DIFF_CASES])
def test_differences(case: dict[str, Any]) -> None:
    got = Counter(str(d) for d in compare(*_checked_pair(case)))
    assert got == Counter(case["expected_differences"])


#: Confluent's own test asserts these lists in order; the forward mirrors repeat the list of
#: the case they mirror, which is the same comparison.
ORDERED_CASES = [c for c in DIFF_CASES if "diff-schema-examples" in c["source"]]


@pytest.mark.parametrize("case", ORDERED_CASES, ids=[c["name"] for c in ORDERED_CASES])
def test_differences_come_in_confluents_order(case: dict[str, Any]) -> None:
    assert [str(d) for d in compare(*_checked_pair(case))] == case["expected_differences"]


SUBSET_CASES = [c for c in CASES if "expected_differences_subset" in c]


@pytest.mark.parametrize("case", SUBSET_CASES, ids=[c["name"] for c in SUBSET_CASES])
def test_differences_include(case: dict[str, Any]) -> None:
    got = Counter(str(d) for d in compare(*_checked_pair(case)))
    assert Counter(case["expected_differences_subset"]) <= got


def test_every_kind_of_case_is_exercised() -> None:
    # Guards against the filters above silently selecting nothing after a corpus change.
    assert len(DIFF_CASES) == 58
    assert len(ORDERED_CASES) == 38
    assert len(SUBSET_CASES) == 1
    assert sum(1 for c in CASES if c.get("old_references") or c.get("new_references")) == 3
