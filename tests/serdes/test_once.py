"""Per-key once: one computation per key however many threads miss it, other keys unblocked."""

from __future__ import annotations

import threading

import pytest

from serdes._once import OncePerKey
from tests.serdes.support import WAIT_S, Background


def test_threads_missing_one_key_share_one_computation() -> None:
    cache: OncePerKey[str, int] = OncePerKey()
    computed: list[int] = []
    entered = threading.Event()
    release = threading.Event()
    start = threading.Barrier(8, timeout=WAIT_S)

    def compute() -> int:
        computed.append(1)
        entered.set()
        assert release.wait(WAIT_S)
        return 42

    def miss() -> int:
        start.wait()
        return cache.once("k", compute)

    callers = [Background(miss) for _ in range(8)]
    assert entered.wait(WAIT_S)
    release.set()
    assert [caller.value() for caller in callers] == [42] * 8
    assert computed == [1]
    assert cache.get("k") == 42


def test_a_slow_computation_does_not_hold_up_another_key() -> None:
    cache: OncePerKey[str, str] = OncePerKey()
    entered = threading.Event()
    release = threading.Event()

    def slow() -> str:
        entered.set()
        assert release.wait(WAIT_S)
        return "slow"

    held = Background(lambda: cache.once("a", slow))
    try:
        assert entered.wait(WAIT_S)
        other = Background(lambda: cache.once("b", lambda: "fast"))
        assert other.finished(), "key b waited for key a"
        assert other.value() == "fast"
        assert not held.done.is_set()
    finally:
        release.set()
    assert held.value() == "slow"


def test_errors_are_not_kept_and_the_next_caller_computes_again() -> None:
    cache: OncePerKey[str, str] = OncePerKey()

    def fail() -> str:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        cache.once("k", fail)
    assert cache.get("k") is None
    assert cache.once("k", lambda: "up") == "up"


def test_a_value_that_is_no_longer_usable_is_computed_again() -> None:
    cache: OncePerKey[str, int] = OncePerKey()
    assert cache.once("k", lambda: 1) == 1
    assert cache.once("k", lambda: 2) == 1
    assert cache.once("k", lambda: 3, usable=lambda value: value > 1) == 3
    assert cache.get("k") == 3


def test_setdefault_keeps_the_first_answer() -> None:
    cache: OncePerKey[str, int] = OncePerKey()
    assert cache.setdefault("k", 1) == 1
    assert cache.setdefault("k", 2) == 1
    assert cache.once("k", lambda: 3) == 1
    assert len(cache) == 1
