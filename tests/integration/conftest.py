"""Real `cairn serve` processes for integration tests: start, wait for readiness, stop by PID.

Each server runs in its own process, bound to 127.0.0.1 on a free port, with its output
captured to files so a failing start (or a refused second start) can be inspected.
"""

from __future__ import annotations

import itertools
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient

from tests.support.kms import LOCAL_KMS_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
#: How long one readiness poll waits for the process to exit before probing again.
POLL_INTERVAL_S = 0.05

_launches = itertools.count()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def serve_command(data_dir: Path, port: int, *extra: str) -> list[str]:
    """The argv of `cairn serve` on `data_dir`, run with this interpreter."""
    return [
        sys.executable,
        "-c",
        "from cli.main import main; main()",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *extra,
    ]


def server_env() -> dict[str, str]:
    """The environment for a server process: ours, with the repository importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    # Shared KEKs: the server's local KMS holds the secret the tests' clients use.
    env.setdefault("LOCAL_SECRET", LOCAL_KMS_SECRET)
    return env


class ServerStartError(RuntimeError):
    """A server process exited or did not answer before the start deadline."""


@dataclass(slots=True)
class ServerProcess:
    """One running `cairn serve` process and where its output goes."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    stdout_path: Path
    stderr_path: Path
    #: For a server that speaks HTTPS: how a client verifies it (and presents its certificate).
    tls: ssl.SSLContext | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    @property
    def url(self) -> str:
        """Base URL of the REST API."""
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"

    def stderr(self) -> str:
        """Everything the process wrote to stderr so far."""
        return self.stderr_path.read_text(errors="replace")

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """Terminate (SIGTERM), wait, and kill if it does not exit in time; return the status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode

    def kill(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGKILL the process (a crash: no shutdown hooks run) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=timeout)
        return self.process.returncode


def wait_until_ready(server: ServerProcess, deadline_s: float = START_TIMEOUT_S) -> None:
    """Poll `GET /` until it answers 200; fail early if the process exits first."""
    deadline = time.monotonic() + deadline_s
    verify: ssl.SSLContext | bool = server.tls or True
    with httpx.Client(base_url=server.url, timeout=2.0, verify=verify) as client:
        while True:
            try:
                if client.get("/").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            # Waiting on the process doubles as the pause between probes and notices a crash.
            try:
                code = server.process.wait(timeout=POLL_INTERVAL_S)
            except subprocess.TimeoutExpired:
                pass
            else:
                raise ServerStartError(
                    f"cairn serve exited with {code} before answering:\n{server.stderr()}"
                )
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"cairn serve did not answer within {deadline_s} s:\n{server.stderr()}"
                )


def launch(
    data_dir: Path,
    log_dir: Path,
    *extra: str,
    port: int | None = None,
    tls: ssl.SSLContext | None = None,
) -> ServerProcess:
    """Start `cairn serve` on `data_dir` without waiting for it (output goes to `log_dir`)."""
    port = free_port() if port is None else port
    n = next(_launches)
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout_path = log_dir / f"server-{n}-{port}.out"
    stderr_path = log_dir / f"server-{n}-{port}.err"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(
            serve_command(data_dir, port, *extra),
            cwd=REPO_ROOT,
            env=server_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
    return ServerProcess(process, port, data_dir, stdout_path, stderr_path, tls)


class ServerFactory:
    """Starts servers, restarts them on the same data directory, and stops them all at the end."""

    def __init__(self, base_dir: Path) -> None:
        self._base_dir = base_dir
        self._servers: list[ServerProcess] = []
        self._dirs = itertools.count()

    def new_data_dir(self) -> Path:
        """A fresh, empty data directory path (the server creates it)."""
        return self._base_dir / f"data-{next(self._dirs)}"

    def launch(
        self, data_dir: Path | None = None, *extra: str, tls: ssl.SSLContext | None = None
    ) -> ServerProcess:
        """Start a server process without waiting for readiness; it is stopped at teardown.

        `tls`: the server speaks HTTPS (its `extra` options say so); clients verify with this.
        """
        server = launch(data_dir or self.new_data_dir(), self._base_dir / "logs", *extra, tls=tls)
        self._servers.append(server)
        return server

    def start(
        self, data_dir: Path | None = None, *extra: str, tls: ssl.SSLContext | None = None
    ) -> ServerProcess:
        """Start a server and return once it answers `GET /`."""
        server = self.launch(data_dir, *extra, tls=tls)
        try:
            wait_until_ready(server)
        except BaseException:
            server.kill()
            raise
        return server

    def restart(self, server: ServerProcess, *extra: str) -> ServerProcess:
        """Stop `server` (if still running) and start a new one on the same data directory."""
        server.stop()
        return self.start(server.data_dir, *extra)

    def stop_all(self) -> None:
        """Stop every server this factory started that is still running."""
        for server in self._servers:
            if server.process.poll() is None:
                server.stop()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start and restart servers within one test; all are stopped afterwards."""
    factory = ServerFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server shared by a module's tests (which use unique subject names)."""
    factory = ServerFactory(tmp_path_factory.mktemp("cairn"))
    try:
        yield factory.start()
    finally:
        factory.stop_all()


@pytest.fixture(scope="module")
def registry_url(module_server: ServerProcess) -> str:
    """Base URL of the module's shared server."""
    return module_server.url


@pytest.fixture
def ck_client(registry_url: str) -> Iterator[SchemaRegistryClient]:
    """confluent-kafka's registry client on the module's server, closed after the test."""
    client = SchemaRegistryClient({"url": registry_url})
    yield client
    client.close()
