"""Running a schema's rules on one record, in Confluent's order and with its outcomes.

Domain rules run in declared order on WRITE and in reverse order on READ; UPGRADE runs the
newer schema's migration rules in order and DOWNGRADE the newer schema's in reverse.
Encoding rules (the ENCODING phase) run the same way on the writer schema's payload bytes:
on WRITE after the record is encoded and before the schema id is put in front, on READ
after the schema id is read and before the record is decoded. A
rule is skipped when disabled, when its `enableAt` keeps it off clients, when the record
comes back from a dead-letter topic for that very rule (`__rule.name`), or when its mode
does not cover the running one. Otherwise its executor runs; a CONDITION
that is false, a TRANSFORM that returns None, an exception or a missing executor run
`onFailure` (default ERROR), anything else `onSuccess` (default NONE). For WRITEREAD and
UPDOWN rules an action "A,B" means A on WRITE/UPGRADE and B on READ/DOWNGRADE.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from serdes.client import RegistryClient, Schema
from serdes.context import ContextLike, is_key
from serdes.errors import PayloadError, RuleError, SerdesError
from serdes.rules._model import Contract, Rule, RuleKind, RuleMode, RulePhase, contract_of
from serdes.rules.actions import RULE_NAME_HEADER, rule_failure
from serdes.rules.context import ConditionFailed, FieldWalker, RuleContext, RuleExecutor
from serdes.rules.registry import RuleRegistry

logger = logging.getLogger(__name__)

_FORWARD = (RuleMode.WRITE, RuleMode.UPGRADE)


@dataclass(frozen=True, slots=True)
class Migration:
    """One step between adjacent versions: UPGRADE runs `target`'s rules, DOWNGRADE `source`'s."""

    mode: RuleMode
    source: Contract | None
    target: Contract | None


def _replayed_rule(headers: Any) -> str | None:
    """The `__rule.name` header of a record replayed from a dead-letter topic (last wins)."""
    if not headers:
        return None
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    found: Any = None
    for key, value in pairs:
        if key == RULE_NAME_HEADER:
            found = value
    if isinstance(found, bytes | bytearray):
        try:
            return bytes(found).decode()
        except UnicodeDecodeError:
            return None
    return found if isinstance(found, str) else None


def _action_name(rule: Rule, mode: RuleMode, name: str | None) -> str | None:
    if not name:
        return None
    if rule.mode in (RuleMode.WRITEREAD, RuleMode.UPDOWN) and "," in name:
        first, second = name.split(",", 1)
        return first.strip() if mode in _FORWARD else second.strip()
    return name


class RuleEngine:
    """Runs rules through a `RuleRegistry` (the default one, built on first need, if none)."""

    __slots__ = ("_registry",)

    def __init__(self, registry: RuleRegistry | None = None) -> None:
        self._registry = registry

    @property
    def registry(self) -> RuleRegistry:
        """The registry in use; the default is built only when a schema has rules."""
        if self._registry is None:
            # A race builds two equal registries; either one serves.
            self._registry = RuleRegistry.default()
        return self._registry

    def on_write(
        self,
        subject: str,
        ctx: ContextLike | None,
        contract: Contract | None,
        message: Any,
        walker: FieldWalker | None,
    ) -> Any:
        """What a serializer writes: `message` after the WRITE rules of the writer schema's
        contract (unchanged without a contract or a serialization context)."""
        if ctx is None or contract is None:
            return message
        return self.run(
            RuleMode.WRITE,
            subject=subject,
            ctx=ctx,
            target=contract,
            message=message,
            walker=walker,
        )

    def on_encode(
        self,
        subject: str,
        ctx: ContextLike | None,
        contract: Contract | None,
        data: bytes,
        start: int,
    ) -> bytes:
        """`data` (framing up to `start`, then the payload) with the payload after the
        writer schema's encoding rules in WRITE mode; unchanged when there are none."""
        if ctx is None or contract is None or not contract.rule_set.encodes:
            return data
        payload = self.run(
            RuleMode.WRITE,
            phase=RulePhase.ENCODING,
            subject=subject,
            ctx=ctx,
            target=contract,
            message=data[start:],
        )
        return data[:start] + _encoded(payload)

    def on_decode(
        self,
        subject: str,
        ctx: ContextLike | None,
        contract: Contract | None,
        data: bytes,
        start: int,
    ) -> bytes:
        """The payload of `data` (after `start`) through the writer schema's encoding rules
        in READ mode, ready to decode; a dead letter carries `data` whole."""
        payload = data[start:]
        if ctx is None or contract is None or not contract.rule_set.encodes:
            return payload
        return _encoded(
            self.run(
                RuleMode.READ,
                phase=RulePhase.ENCODING,
                subject=subject,
                ctx=ctx,
                target=contract,
                message=payload,
                original=data,
            )
        )

    def run(
        self,
        mode: RuleMode,
        *,
        phase: RulePhase = RulePhase.DOMAIN,
        subject: str,
        ctx: ContextLike | None,
        target: Contract | None,
        message: Any,
        walker: FieldWalker | None = None,
        source: Contract | None = None,
        original: Any = None,
    ) -> Any:
        """`message` after the rules of `mode` (domain or encoding rules for WRITE/READ)."""
        if message is None:
            return message
        owner = source if mode is RuleMode.DOWNGRADE else target
        if owner is None:
            return message
        rule_set = owner.rule_set
        rules: Sequence[Rule]
        if mode in (RuleMode.UPGRADE, RuleMode.DOWNGRADE):
            rules = rule_set.migration_rules
        elif phase is RulePhase.ENCODING:
            rules = rule_set.encoding_rules
        else:
            rules = rule_set.domain_rules
        if mode in (RuleMode.READ, RuleMode.DOWNGRADE):
            rules = rules[::-1]
        if not rules or not rule_set.enabled:
            return message
        headers = ctx.headers if ctx is not None else None
        replayed = _replayed_rule(headers)
        for index, rule in enumerate(rules):
            if rule.disabled or rule.name == replayed or not rule.mode.covers(mode):
                continue
            rule_ctx = RuleContext(
                rule,
                mode,
                index,
                rules,
                subject,
                ctx.topic if ctx is not None else None,
                headers,
                is_key(ctx),
                source,
                target,
                walker,
                message if original is None else original,
            )
            executor = self.registry.executor(rule.type) if rule.type else None
            if executor is None:
                # As Confluent's clients: a rule that cannot run ends the rule list.
                self._missing(rule_ctx, message)
                return message
            message = self._run_one(rule_ctx, executor, message)
        return message

    def _missing(self, ctx: RuleContext, message: Any) -> None:
        rule = ctx.rule
        missing = (
            f"no executor for rule type {rule.type} (the `rules` extra provides CEL, "
            "CEL_FIELD and JSONATA)"
            if rule.type
            else f"rule {rule.name!r} has no type"
        )
        self._act(ctx, rule.on_failure, "ERROR", message, RuleError(missing))

    def _run_one(self, ctx: RuleContext, executor: RuleExecutor, message: Any) -> Any:
        rule = ctx.rule
        try:
            result = executor.transform(ctx, message)
            if rule.kind is RuleKind.CONDITION:
                if not result:
                    raise ConditionFailed(rule)
            else:
                message = result
        except SerdesError:
            raise
        except Exception as error:
            self._act(ctx, rule.on_failure, "ERROR", message, error)
            return message
        if message is None:
            self._act(ctx, rule.on_failure, "ERROR", message, None)
        else:
            self._act(ctx, rule.on_success, "NONE", message, None)
        return message

    def _act(
        self,
        ctx: RuleContext,
        name: str | None,
        default: str,
        message: Any,
        error: Exception | None,
    ) -> None:
        chosen = _action_name(ctx.rule, ctx.mode, name) or default
        action = self.registry.action(chosen)
        if action is None:
            raise rule_failure(ctx, RuleError(f"no rule action {chosen}")) from error
        try:
            action.run(ctx, message, error)
        except SerdesError:
            raise
        except Exception as failure:
            # As Confluent's clients: an action that breaks is logged, not the record's fault.
            logger.warning("rule action %s failed: %s", chosen, failure)

    def migrate(
        self,
        migrations: Sequence[Migration],
        *,
        subject: str,
        ctx: ContextLike | None,
        message: Any,
    ) -> Any:
        """`message` carried through each migration step in turn."""
        for step in migrations:
            message = self.run(
                step.mode,
                subject=subject,
                ctx=ctx,
                source=step.source,
                target=step.target,
                message=message,
            )
        return message


def _encoded(payload: Any) -> bytes:
    """What an encoding rule returned, as bytes; anything else is a broken rule."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, bytearray | memoryview):
        return bytes(payload)
    raise PayloadError(f"an encoding rule returned {type(payload).__name__}, not bytes")


def plan_migrations(
    client: RegistryClient, subject: str, writer: Schema, reader_version: int | None
) -> tuple[Migration, ...]:
    """The steps from the writer's version of `subject` to the reader's, Confluent's way.

    Every version in between that has migration rules for the direction forms a step with
    its predecessor; DOWNGRADE steps run newest first. Asked of the client once per
    (writer, reader) pair by the deserializers, never per record.
    """
    if reader_version is None:
        return ()
    written = client.lookup_schema(subject, writer)
    if written.version is None or written.version == reader_version:
        return ()
    upgrade = written.version < reader_version
    mode = RuleMode.UPGRADE if upgrade else RuleMode.DOWNGRADE
    first, last = sorted((written.version, reader_version))
    contracts = [
        contract_of(client.get_version(subject, version).schema)
        for version in range(first, last + 1)
    ]
    steps: list[Migration] = []
    for index in range(1, len(contracts)):
        current = contracts[index]
        if current is None or not current.rule_set.has_migrations(mode):
            continue
        previous = contracts[index - 1]
        if upgrade:
            steps.append(Migration(mode, previous, current))
        else:
            steps.append(Migration(mode, current, previous))
    if not upgrade:
        steps.reverse()
    return tuple(steps)


@dataclass(frozen=True, slots=True)
class ReadRules:
    """What a deserializer runs after decoding one writer schema: migrations, then READ rules.

    `target` is the reader's contract (the subject's latest with `use.latest.*`, else the
    writer's); `walker` walks records of the reader's schema. `encoding` is the writer's
    contract when its encoding rules must run on the payload before it is decoded.
    """

    migrations: tuple[Migration, ...] = ()
    target: Contract | None = None
    walker: FieldWalker | None = None
    encoding: Contract | None = None

    @property
    def active(self) -> bool:
        """Whether anything runs at all (False keeps the deserializer on its rule-free path)."""
        return bool(self.migrations) or self.target is not None or self.encoding is not None


def encoding_of(writer: Contract | None) -> Contract | None:
    """`writer` when its encoding rules run on read, else None (for `ReadRules.encoding`)."""
    return writer if writer is not None and writer.rule_set.encodes else None


def read_with_rules(
    engine: RuleEngine,
    rules: ReadRules,
    *,
    subject: str,
    ctx: ContextLike | None,
    message: Any,
    original: Any,
) -> Any:
    """`message` migrated to the reader's version, then through the reader's READ rules."""
    if rules.migrations:
        message = engine.migrate(rules.migrations, subject=subject, ctx=ctx, message=message)
    return engine.run(
        RuleMode.READ,
        subject=subject,
        ctx=ctx,
        target=rules.target,
        message=message,
        walker=rules.walker,
        original=original,
    )
