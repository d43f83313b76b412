"""The container image: built and run against a fresh named volume when a Docker daemon is
available (skipped otherwise), and the Dockerfile's volume set-up checked everywhere."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cli.serve_command import serve
from cli.serve_config import env_var, setting_options

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = "/var/lib/cairn/data"
READY_TIMEOUT_S = 60.0
BUILD_TIMEOUT_S = 900.0
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


def _docker(*args: str, timeout: float = 120.0) -> str:
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=True
    )
    return done.stdout.strip()


def _docker_cleanup(*args: str) -> None:
    """Remove what a test made; a failure here must not hide the test's own result."""
    subprocess.run(["docker", *args], check=False, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """The image built from this checkout; skips without a Docker daemon."""
    if shutil.which("docker") is None:
        pytest.skip("no docker command")
    probe = subprocess.run(["docker", "info"], check=False, capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip("no Docker daemon")
    tag = f"cairn-test:{uuid.uuid4().hex[:12]}"
    _docker("build", "-t", tag, str(REPO_ROOT), timeout=BUILD_TIMEOUT_S)
    try:
        yield tag
    finally:
        _docker_cleanup("image", "rm", "-f", tag)


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{url}/health/ready", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the container never became ready"
        time.sleep(0.2)  # polling a process in another namespace: nothing to wait on


def test_the_image_serves_and_keeps_its_data_on_a_fresh_named_volume(image: str) -> None:
    volume = f"cairn-test-{uuid.uuid4().hex[:12]}"
    _docker("volume", "create", volume)
    container = _docker("run", "-d", "-p", "127.0.0.1::8081", "-v", f"{volume}:{DATA_DIR}", image)
    try:
        port = _docker("port", container, "8081/tcp").splitlines()[0].rsplit(":", 1)[1]
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url)
        schema = json.dumps(
            {"type": "record", "name": "C", "fields": [{"name": "a", "type": "int"}]}
        )
        posted = httpx.post(f"{url}/subjects/c-value/versions", json={"schema": schema}, headers=CT)
        assert posted.status_code == 200, posted.text
        _docker("restart", container)
        port = _docker("port", container, "8081/tcp").splitlines()[0].rsplit(":", 1)[1]
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url)
        assert httpx.get(f"{url}/subjects/c-value/versions/1").json()["id"] == posted.json()["id"]
        user = _docker("exec", container, "id", "-u")
        assert user != "0", "the server runs as root"
    finally:
        _docker_cleanup("rm", "-f", container)
        _docker_cleanup("volume", "rm", "-f", volume)


def test_the_data_directory_belongs_to_the_user_before_the_volume_is_declared() -> None:
    lines = (REPO_ROOT / "Dockerfile").read_text().splitlines()
    runtime = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM")) :]
    volume_at = next(i for i, line in enumerate(runtime) if line.startswith("VOLUME"))
    before = "\n".join(runtime[:volume_at])
    assert f"mkdir -p {DATA_DIR}" in before
    assert "chown -R cairn:cairn /var/lib/cairn" in before
    user_at = next(i for i, line in enumerate(runtime) if line.startswith("USER"))
    assert runtime[user_at] == "USER cairn"


def test_the_build_context_leaves_local_state_out() -> None:
    ignored = set((REPO_ROOT / ".dockerignore").read_text().split())
    assert {".venv", "cairn-data", "**/__pycache__", ".git"} <= ignored


def test_the_compose_example_sets_only_options_that_exist() -> None:
    compose = (REPO_ROOT / "examples" / "kafka-compose" / "compose.yaml").read_text()
    used = set(re.findall(r"\b(CAIRN_[A-Z_]+):", compose))
    known = {env_var(option) for option in setting_options(serve)}
    assert used, "the example configures no node"
    assert used <= known, used - known
    assert "CAIRN_KAFKA_BOOTSTRAP_SERVERS" in used
