"""The local KMS secret every test uses with confluent-kafka's `LocalKmsDriver`.

confluent-kafka keeps the KMS clients it makes for the whole process and hands the first
local one to every later `local-kms://` key, whatever secret a later test configures. Tests
in one run must therefore agree on the secret, or the second one wraps and unwraps keys with
the first one's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from confluent_kafka.schema_registry import Rule, RuleKind, RuleMode, RuleParams
from confluent_kafka.schema_registry.rule_registry import RuleRegistry as CkRuleRegistry

LOCAL_KMS_SECRET = "a local secret shared by both clients"


@contextmanager
def confluent_rules(*executors: Any) -> Iterator[CkRuleRegistry]:
    """A private confluent-kafka rule registry holding `executors`, closed on the way out
    (so tests do not share their DEK caches through the global registry)."""
    rules = CkRuleRegistry()  # type: ignore[no-untyped-call]
    for executor in executors:
        rules.register_executor(executor)
    try:
        yield rules
    finally:
        for executor in executors:
            executor.close()


def encryption_rule(
    rule_type: str, name: str, tags: list[str] | None, params: dict[str, str]
) -> Rule:
    """A confluent-kafka WRITEREAD encryption rule (ENCRYPT or ENCRYPT_PAYLOAD) that fails
    with ERROR both ways."""
    return Rule(
        name,
        "",
        RuleKind.TRANSFORM,
        RuleMode.WRITEREAD,
        rule_type,
        tags,
        RuleParams(params),
        None,
        None,
        "ERROR,ERROR",
        False,
    )
