"""The package's public surface: `__all__` is sorted and names everything it exports."""

from __future__ import annotations

import doctest

import serdes
import serdes.client
import serdes.rules


def test_all_is_sorted_and_complete() -> None:
    for module in (serdes, serdes.client, serdes.rules):
        names = list(module.__all__)
        assert names == sorted(names, key=str), module.__name__
        for name in names:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_package_docstring_example_runs() -> None:
    failures, tried = doctest.testmod(serdes, verbose=False)
    assert tried > 0
    assert failures == 0
