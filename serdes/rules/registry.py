"""Which executor runs a rule type and which action an action name means: the plug-in table.

Each serializer or deserializer holds one `RuleRegistry` (passed in, or the default one
built on the first schema that has rules), never a process-wide one, so two serdes in one
process can run different executors and actions. `RuleRegistry.default()` has the
executors whose libraries are installed (the `rules` extra: cel-python, jsonata-python).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from serdes.rules.actions import ErrorAction, NoneAction
from serdes.rules.context import RuleAction, RuleExecutor

logger = logging.getLogger(__name__)


class RuleRegistry:
    """Executors by rule type and actions by name; NONE and ERROR are always there."""

    __slots__ = ("_actions", "_executors")

    def __init__(
        self,
        executors: Iterable[RuleExecutor] = (),
        actions: Iterable[RuleAction] = (),
    ) -> None:
        self._executors: dict[str, RuleExecutor] = {}
        self._actions: dict[str, RuleAction] = {}
        for builtin in (NoneAction(), ErrorAction()):
            self.register_action(builtin)
        for executor in executors:
            self.register_executor(executor)
        for action in actions:
            self.register_action(action)

    def register_executor(self, executor: RuleExecutor) -> None:
        """Run rules of `executor.type` with it (replacing any earlier one)."""
        self._executors[executor.type.upper()] = executor

    def register_action(self, action: RuleAction) -> None:
        """Make `action.name` usable in `onSuccess` / `onFailure`."""
        self._actions[action.name.upper()] = action

    def executor(self, rule_type: str) -> RuleExecutor | None:
        """The executor of a rule type, None when none is registered."""
        return self._executors.get(rule_type.upper())

    def action(self, name: str) -> RuleAction | None:
        """The action of that name, None when none is registered."""
        return self._actions.get(name.upper())

    @classmethod
    def default(
        cls,
        actions: Iterable[RuleAction] = (),
        *,
        rule_conf: Mapping[str, object] | None = None,
    ) -> RuleRegistry:
        """CEL, CEL_FIELD, JSONATA, ENCRYPT, ENCRYPT_PAYLOAD (those installed), plus `actions`.

        `rule_conf` configures the encryption rules: the DEK registry's `url` (and auth/TLS
        keys) and the KMS settings such as the local KMS's `secret`; without a `url`, they
        fail saying so. A rule whose executor is missing fails like any rule (its
        onFailure, ERROR by default), with a message naming the `rules` extra.
        """
        executors: list[RuleExecutor] = []
        try:
            from serdes.rules.cel import CelExecutor, CelFieldExecutor  # noqa: PLC0415
        except ImportError:
            logger.debug("cel-python is not installed: CEL rules cannot run")
        else:
            executors += [CelExecutor(), CelFieldExecutor()]
        try:
            from serdes.rules.jsonata import JsonataExecutor  # noqa: PLC0415
        except ImportError:
            logger.debug("jsonata-python is not installed: JSONATA rules cannot run")
        else:
            executors.append(JsonataExecutor())
        try:
            from serdes.rules.encryption import encryption_executors  # noqa: PLC0415
        except ImportError:
            logger.debug("tink is not installed: ENCRYPT and ENCRYPT_PAYLOAD rules cannot run")
        else:
            executors += encryption_executors(rule_conf or {})
        return cls(executors, actions)
