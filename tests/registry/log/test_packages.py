"""The public surfaces of the log backends and of the cluster package: `__all__` is sorted and
names everything it exports, and the file log's package example runs."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

import registry.cluster
import registry.log.file
import registry.log.kafka


@pytest.mark.parametrize(
    "package", [registry.cluster, registry.log.file, registry.log.kafka], ids=lambda p: p.__name__
)
def test_all_is_sorted_and_complete(package: ModuleType) -> None:
    names = list(package.__all__)
    assert names == sorted(names, key=str)
    for name in names:
        assert hasattr(package, name), f"{package.__name__}.{name}"


def test_the_file_log_package_example_runs() -> None:
    failures, tried = doctest.testmod(registry.log.file, verbose=False)
    assert tried > 0
    assert failures == 0
