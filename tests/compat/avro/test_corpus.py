"""Every Avro case of the shared corpus: verdict, Avro's findings and Confluent's messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from compat.avro import AvroFormat
from compat.formats import Formats
from compat.levels import PreviousVersion, check_compatibility
from compat.types import CompatibilityLevel
from tests.corpus import CASES_DIR

CASES: list[dict[str, Any]] = json.loads((CASES_DIR / "avro.json").read_text(encoding="utf-8"))
LEVELS = {
    "backward": CompatibilityLevel.BACKWARD,
    "forward": CompatibilityLevel.FORWARD,
    "full": CompatibilityLevel.FULL,
}
AVRO = AvroFormat()
FORMATS = Formats([AVRO])


def test_the_corpus_is_complete() -> None:
    assert len(CASES) == 198
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    new = AVRO.parse(case["new"])
    old = AVRO.parse(case["old"])
    direction = case["direction"]
    forward = AVRO.backward_findings(old, new) if direction in ("forward", "full") else []
    backward = AVRO.backward_findings(new, old) if direction in ("backward", "full") else []
    assert (not forward and not backward) is case["expected"]

    if "expected_errors" in case:
        findings = AVRO.backward_findings(new, old)
        got = [{"type": f.type, "location": f.path, "message": f.detail} for f in findings]
        assert got == case["expected_errors"]

    result = check_compatibility(FORMATS, LEVELS[direction], new, [PreviousVersion(1, old)])
    assert result.is_compatible is case["expected"]
    if "confluent_messages" in case:
        # Confluent annotates only the backward part of FULL (the forward part of FORWARD).
        annotated = forward if direction == "forward" else backward
        annotations = ["{oldSchemaVersion: 1}", f"{{oldSchema: '{old.canonical}'}}"]
        closing = f"{{validateFields: 'false', compatibility: '{LEVELS[direction].value}'}}"
        expected = [
            *case["confluent_messages"],
            *(annotations if annotated else []),
            closing,
        ]
        assert list(result.messages) == expected
