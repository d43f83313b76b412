"""The layering rules of the design: which packages may import which, and where I/O lives.

Each outside I/O library has one home. In the registry, confluent_kafka has two: the Kafka
log (`registry.log.kafka`) and leader election among the nodes sharing that log
(`registry.cluster`). Election is no log, so it does not live in the log's package, yet it
elects through Kafka's consumer-group coordinator with confluent_kafka's own clients. Nothing
else in the registry may import the library, except the test support for users
(`registry.testing`), which hands out confluent_kafka's own registry client. The serdes
(`serdes/`), serializers for confluent_kafka's producers and consumers, may use it too, and
in the command line only `cli.topic_kafka`, which reads a topic's records for a data check.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("registry", "compat", "serdes", "cli")

#: package -> the project packages it may import.
ALLOWED = {
    "compat": {"compat"},
    "serdes": {"serdes", "compat"},
    "registry": {"registry", "compat"},
    "cli": set(OURS),
}
#: module -> the further project packages it alone may import. Shared KEKs need the KMS
#: drivers the serdes use (so both sides wrap keys the same way), through one door.
EXCEPTIONS = {"registry/kms.py": {"serdes"}}

#: outside I/O libraries -> the only module prefixes allowed to import them.
IO_HOMES = {
    "starlette": ("registry/http/", "registry/server.py", "registry/ui/"),
    "jinja2": ("registry/ui/",),
    "uvicorn": ("registry/server.py",),
    "click": ("cli/",),
    "confluent_kafka": (
        "registry/log/kafka/",
        "registry/cluster/",
        "registry/testing/",
        "serdes/",
        "cli/topic_kafka.py",
    ),
    "prometheus_client": ("registry/http/metrics.py",),
    "argon2": ("registry/security/passwords.py",),
    "jwt": ("registry/security/tokens.py",),
    "boto3": ("serdes/rules/encryption/aws_kms.py",),
    "botocore": ("serdes/rules/encryption/aws_kms.py",),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_their_layer_allows(package: str) -> None:
    for path in _modules(package):
        ours = _imports(path) & set(OURS)
        allowed = ALLOWED[package] | EXCEPTIONS.get(path.relative_to(ROOT).as_posix(), set())
        assert ours <= allowed, f"{path.relative_to(ROOT)} imports {ours}"


def test_outside_io_libraries_live_in_one_place() -> None:
    for package in OURS:
        for path in _modules(package):
            relative = path.relative_to(ROOT).as_posix()
            for library, homes in IO_HOMES.items():
                if library in _imports(path):
                    assert relative.startswith(homes), f"{relative} imports {library}"


def test_registry_core_knows_nothing_of_http_or_log_backends() -> None:
    core = ["records.py", "state.py", "store.py", "effective.py", "resolver.py", "services"]
    for name in core:
        path = ROOT / "registry" / name
        paths = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        source = "".join(p.read_text() for p in paths)
        assert "registry.http" not in source, name
        assert "registry.log.file" not in source, name
        assert "registry.log.kafka" not in source, name
        assert "registry.log.memory" not in source, name
        assert "registry.cluster" not in source, name
        assert "starlette" not in source, name
        assert "registry.kms" not in source, name
        assert "serdes" not in source, name
