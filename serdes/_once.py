"""A dict whose missing values are computed once per key, with a lock per key.

Every cache in the serdes fills itself from the registry, and a registry call can take as
long as the client's whole retry budget. One lock for a whole cache would make a slow miss
hold up every other miss behind it, even for keys already being answered; so each key gets
its own lock, for as long as someone is filling it, and is then forgotten. Concurrent misses
of the same key still wait for one computation, which keeps "each answer fetched once".

A hit is a plain `dict.get` (no lock), so cached answers keep flowing whatever the
registry does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Turn:
    """The lock of one key being filled, and how many threads are using it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0


class OncePerKey(Generic[K, V]):
    """Values by key, each computed by at most one thread at a time; errors are not kept.

    `get` is the lock-free lookup for hot paths (None when absent); `once` computes a missing
    value. Values must not be None, since None means "absent".
    """

    __slots__ = ("_guard", "_turns", "_values", "get")

    def __init__(self) -> None:
        self._values: dict[K, V] = {}
        # `_guard` protects `_turns` only and is never held while a value is computed.
        self._guard = threading.Lock()
        self._turns: dict[K, _Turn] = {}
        self.get: Callable[[K], V | None] = self._values.get

    def __len__(self) -> int:
        return len(self._values)

    def once(
        self,
        key: K,
        compute: Callable[[], V],
        *,
        usable: Callable[[V], bool] | None = None,
    ) -> V:
        """The value of `key`, computing it when it is missing (or not `usable` any more).

        Threads missing the same key wait for the one computing it and then share its answer;
        threads missing other keys go ahead. When the computation raises, nothing is kept and
        the next waiter computes again, as a fresh caller would.
        """
        found = self._values.get(key)
        if found is not None and (usable is None or usable(found)):
            return found
        with self._guard:
            turn = self._turns.get(key)
            if turn is None:
                turn = self._turns[key] = _Turn()
            turn.users += 1
        try:
            with turn.lock:
                found = self._values.get(key)
                if found is None or (usable is not None and not usable(found)):
                    found = compute()
                    self._values[key] = found
                return found
        finally:
            with self._guard:
                turn.users -= 1
                if turn.users == 0:
                    del self._turns[key]

    def setdefault(self, key: K, value: V) -> V:
        """Keep `value` for `key` unless it already has one (an answer learnt on the side)."""
        return self._values.setdefault(key, value)
