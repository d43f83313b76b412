"""Reading a `/metrics` exposition the way Prometheus does (prometheus-client's parser)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client.parser import text_string_to_metric_families

#: (sample name, sorted label pairs) → value.
Samples = Mapping[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(exposition: str) -> tuple[set[str], Samples]:
    """The family names and every sample of a text exposition; raises on malformed text."""
    names: set[str] = set()
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(exposition):
        names.add(family.name)
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return names, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; KeyError naming what was missing if there is none."""
    key = (name, tuple(sorted(labels.items())))
    if key not in samples:
        raise KeyError(f"no sample {name}{labels}")
    return samples[key]
