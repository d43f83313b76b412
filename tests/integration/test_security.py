"""A secured `cairn serve` end to end: HTTPS, mutual TLS, users, bearer tokens and ACLs,
driven by confluent-kafka's client, Cairn's serdes and every registry command of the CLI,
with certificates made for the test and verification always on; and SIGHUP reloads."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from cli.main import main
from registry.security.passwords import hash_password
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import registry_client
from serdes.errors import SerdesError
from tests.integration.conftest import HOST, ServerFactory, ServerProcess
from tests.support.certs import CertificateAuthority, KeyPair, TokenIssuer

pytestmark = pytest.mark.integration

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw"}
SCHEMA = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
V2 = {**SCHEMA, "fields": [*SCHEMA["fields"], {"name": "note", "type": "string", "default": ""}]}
RELOAD_WITHIN_S = 15.0

ACL = """
[[acl]]
principal = "alice"
subjects = "*"
permissions = ["read", "write", "admin"]

[[acl]]
principal = "bob"
subjects = "orders-*"
permissions = ["read"]

[[acl]]
principal = "cert:svc-orders"
subjects = "orders-*"
permissions = ["read", "write"]

[[acl]]
principal = "robot"
subjects = "robot-*"
permissions = ["read", "write"]
"""


@dataclass(frozen=True, slots=True)
class Pki:
    """The test's CA, certificates, token issuer and auth config."""

    ca: CertificateAuthority
    server: KeyPair
    svc_orders: KeyPair
    untrusted: KeyPair
    issuer: TokenIssuer
    auth_config: Path
    hashes: dict[str, str]

    def context(self, client: KeyPair | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca.cert_file))
        if client is not None:
            context.load_cert_chain(str(client.cert), str(client.key))
        return context


def users_toml(hashes: dict[str, str]) -> str:
    return "".join(f'[[users]]\nname = "{u}"\npassword_hash = "{h}"\n\n' for u, h in hashes.items())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = CertificateAuthority(directory)
    other = CertificateAuthority(directory / "other", name="Someone Else CA")
    issuer = TokenIssuer(directory)
    hashes = {user: hash_password(password) for user, password in PASSWORDS.items()}
    auth_config = directory / "auth.toml"
    auth_config.write_text(
        users_toml(hashes) + '[bearer]\njwks_file = "jwks.json"\naudience = "cairn"\n' + ACL
    )
    return Pki(
        ca,
        ca.server(),
        ca.client("svc-orders"),
        other.client("svc-orders"),
        issuer,
        auth_config,
        hashes,
    )


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, pki: Pki
) -> Iterator[dict[str, ServerProcess]]:
    """`tls`: HTTPS with users and tokens; `mtls`: the same, requiring client certificates."""
    factory = ServerFactory(tmp_path_factory.mktemp("secured"))
    tls = ("--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key))
    auth = ("--auth-config", str(pki.auth_config))
    try:
        yield {
            "tls": factory.start(None, *tls, *auth, tls=pki.context()),
            "mtls": factory.start(
                None,
                *tls,
                "--tls-client-ca",
                str(pki.ca.cert_file),
                *auth,
                tls=pki.context(pki.svc_orders),
            ),
        }
    finally:
        factory.stop_all()


@pytest.fixture
def ck_client(pki: Pki) -> Iterator[Callable[..., SchemaRegistryClient]]:
    """Makes confluent-kafka clients verifying with the test CA; closes them afterwards."""
    clients: list[SchemaRegistryClient] = []

    def make(url: str, **conf: str) -> SchemaRegistryClient:
        client = SchemaRegistryClient(
            {"url": url, "ssl.ca.location": str(pki.ca.cert_file), **conf}
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def avro() -> Schema:
    return Schema(json.dumps(SCHEMA), "AVRO")


# ------------------------------------------------------------------ confluent-kafka's client


def test_confluent_client_with_basic_auth_over_https(
    servers: dict[str, ServerProcess], ck_client: Callable[..., SchemaRegistryClient]
) -> None:
    url = servers["tls"].url
    alice = ck_client(url, **{"basic.auth.user.info": "alice:alice-pw"})
    schema_id = alice.register_schema("orders-ck-value", avro())
    assert json.loads(alice.get_schema(schema_id).schema_str or "") == SCHEMA

    bob = ck_client(url, **{"basic.auth.user.info": "bob:bob-pw"})
    assert bob.get_latest_version("orders-ck-value").schema_id == schema_id
    with pytest.raises(SchemaRegistryError) as denied:
        bob.register_schema("orders-ck-value", Schema(json.dumps(V2), "AVRO"))
    assert (denied.value.http_status_code, denied.value.error_code) == (403, 40301)

    with pytest.raises(SchemaRegistryError) as anonymous:
        ck_client(url).get_subjects()
    assert (anonymous.value.http_status_code, anonymous.value.error_code) == (401, 401)


def test_confluent_client_with_a_bearer_token(
    servers: dict[str, ServerProcess], pki: Pki, ck_client: Callable[..., SchemaRegistryClient]
) -> None:
    token = pki.issuer.token("robot", aud="cairn")
    client = ck_client(
        servers["tls"].url,
        **{
            "bearer.auth.credentials.source": "STATIC_TOKEN",
            "bearer.auth.token": token,
            "bearer.auth.logical.cluster": "lsrc-cairn",
            "bearer.auth.identity.pool.id": "pool-cairn",
        },
    )
    schema_id = client.register_schema("robot-ck-value", avro())
    assert client.get_subjects() == ["robot-ck-value"]  # only what the robot may read
    assert client.get_schema(schema_id).schema_type == "AVRO"


def test_confluent_client_with_a_client_certificate(
    servers: dict[str, ServerProcess], pki: Pki, ck_client: Callable[..., SchemaRegistryClient]
) -> None:
    client = ck_client(
        servers["mtls"].url,
        **{
            "ssl.certificate.location": str(pki.svc_orders.cert),
            "ssl.key.location": str(pki.svc_orders.key),
        },
    )
    schema_id = client.register_schema("orders-mtls-ck-value", avro())
    assert client.get_latest_version("orders-mtls-ck-value").schema_id == schema_id


# --------------------------------------------------------------------------- Cairn's serdes


@pytest.mark.parametrize("auth", ["basic", "bearer", "certificate"])
def test_cairn_serdes_against_a_secured_registry(
    servers: dict[str, ServerProcess], pki: Pki, auth: str
) -> None:
    conf: dict[str, object] = {"ssl.ca.location": str(pki.ca.cert_file)}
    topic = f"orders-serdes-{auth}" if auth != "bearer" else "robot-serdes"
    if auth == "basic":
        conf |= {"url": servers["tls"].url, "basic.auth.user.info": "alice:alice-pw"}
    elif auth == "bearer":
        conf |= {
            "url": servers["tls"].url,
            "bearer.auth.token": pki.issuer.token("robot", aud="cairn"),
        }
    else:
        conf |= {
            "url": servers["mtls"].url,
            "ssl.certificate.location": str(pki.svc_orders.cert),
            "ssl.key.location": str(pki.svc_orders.key),
        }
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = AvroSerializer(registry_client(conf), json.dumps(SCHEMA))({"id": 7}, ctx)
    assert AvroDeserializer(registry_client(conf))(data, ctx) == {"id": 7}

    if auth == "basic":
        wrong = {**conf, "basic.auth.user.info": "alice:nope"}
        with pytest.raises(SerdesError):
            AvroSerializer(registry_client(wrong), json.dumps(V2))({"id": 1, "note": ""}, ctx)


# ------------------------------------------------------------------------------------- CLI


def cli(server: ServerProcess, *args: str, auth: tuple[str, ...]) -> Result:
    return CliRunner().invoke(main, [*args, "--url", server.url, *auth])


def test_every_registry_command_over_https_with_a_password(
    servers: dict[str, ServerProcess], pki: Pki, tmp_path: Path, server_factory: ServerFactory
) -> None:
    server = servers["tls"]
    auth = ("--ca-cert", str(pki.ca.cert_file), "--user", "alice", "--password", "alice-pw")
    v1, v2 = tmp_path / "v1.avsc", tmp_path / "v2.avsc"
    v1.write_text(json.dumps(SCHEMA))
    v2.write_text(json.dumps(V2))
    name = "orders-cli-value"

    def ok(*args: str) -> str:
        result = cli(server, *args, auth=auth)
        assert result.exit_code == 0, (args, result.output)
        return result.output

    assert "Registered orders-cli-value version 1" in ok("register", name, str(v1))
    ok("check", "--subject", name, str(v2))
    ok("register", name, str(v2))
    assert name in ok("subjects").splitlines()
    assert ok("versions", name).splitlines() == ["1", "2"]
    assert json.loads(ok("get", name, "1")) == SCHEMA
    schema_id = json.loads(ok("get", name, "2", "--json"))["id"]
    assert json.loads(ok("get", "--id", str(schema_id))) == V2
    assert "note" in ok("diff", "--subject", name, "1", "2")
    ok("config", "set", "FULL", "--subject", name)
    assert "FULL" in ok("config", "get", "--subject", name)
    ok("mode", "set", "READONLY", "--subject", name)
    assert "READONLY" in ok("mode", "get", "--subject", name)
    ok("mode", "set", "READWRITE", "--subject", name)
    export = tmp_path / "export.jsonl"
    ok("export", "-o", str(export))
    assert name in export.read_text()

    # Import into a fresh secured registry (the same users and ACL).
    target = server_factory.start(
        None,
        "--tls-cert",
        str(pki.server.cert),
        "--tls-key",
        str(pki.server.key),
        "--auth-config",
        str(pki.auth_config),
        tls=pki.context(),
    )
    imported = cli(target, "import", str(export), "-q", auth=auth)
    assert imported.exit_code == 0, imported.output
    assert cli(target, "versions", name, auth=auth).output.splitlines() == ["1", "2"]

    ok("delete", name, "1")
    assert ok("versions", name).splitlines() == ["2"]

    refused = cli(server, "subjects", auth=("--ca-cert", str(pki.ca.cert_file)))
    assert refused.exit_code != 0
    assert "--user/--password" in refused.output
    denied = cli(
        server, "register", name, str(v1), auth=(*auth[:2], "--user", "bob", "--password", "bob-pw")
    )
    assert denied.exit_code != 0
    assert "40301" in denied.output or "denied" in denied.output


def test_registry_commands_with_a_client_certificate(
    servers: dict[str, ServerProcess], pki: Pki, tmp_path: Path
) -> None:
    server = servers["mtls"]
    auth = (
        "--ca-cert",
        str(pki.ca.cert_file),
        "--cert",
        str(pki.svc_orders.cert),
        "--key",
        str(pki.svc_orders.key),
    )
    v1 = tmp_path / "v1.avsc"
    v1.write_text(json.dumps(SCHEMA))
    registered = cli(server, "register", "orders-cert-value", str(v1), auth=auth)
    assert registered.exit_code == 0, registered.output
    listed = cli(server, "subjects", auth=auth)
    assert listed.exit_code == 0, listed.output
    assert "orders-cert-value" in listed.output.splitlines()
    assert json.loads(cli(server, "get", "orders-cert-value", auth=auth).output) == SCHEMA
    # cert:svc-orders may only write orders-*.
    assert cli(server, "register", "payments-cert-value", str(v1), auth=auth).exit_code != 0
    # Without a client certificate the TLS handshake fails.
    bare = cli(server, "subjects", auth=auth[:2])
    assert bare.exit_code != 0


# ------------------------------------------------------------------------------ mutual TLS


def test_mutual_tls_names_the_certificates_cn(servers: dict[str, ServerProcess], pki: Pki) -> None:
    url = servers["mtls"].url
    body = {"schema": json.dumps(SCHEMA)}
    with httpx.Client(base_url=url, verify=pki.context(pki.svc_orders)) as client:
        assert (
            client.post("/subjects/orders-mtls-value/versions", json=body, headers=CT).status_code
            == 200
        )
        denied = client.post("/subjects/payments-mtls-value/versions", json=body, headers=CT)
        assert denied.status_code == 403
        assert denied.json() == {
            "error_code": 40301,
            "message": "User is denied operation Write on Subject: payments-mtls-value",
        }
        listed = client.get("/subjects").json()
        assert "orders-mtls-value" in listed
        assert all(subject.startswith("orders-") for subject in listed)
    for context in (pki.context(), pki.context(pki.untrusted)):
        with (
            httpx.Client(base_url=url, verify=context) as client,
            pytest.raises(httpx.TransportError),
        ):
            client.get("/subjects")


def test_health_endpoints_and_the_root_stay_open(
    servers: dict[str, ServerProcess], pki: Pki
) -> None:
    with httpx.Client(base_url=servers["tls"].url, verify=pki.context()) as client:
        for path in ("/health/live", "/health/ready", "/"):
            assert client.get(path).status_code == 200, path
        assert client.get("/v1/metadata/version").status_code == 401


def test_plain_http_is_not_served_on_a_tls_port(servers: dict[str, ServerProcess]) -> None:
    with httpx.Client(base_url=f"http://{HOST}:{servers['tls'].port}") as client:
        try:
            response = client.get("/")
        except httpx.TransportError:
            return
        assert response.status_code == 400


# --------------------------------------------------------------------------------- reloads


def get_status(conn: http.client.HTTPConnection, headers: dict[str, str]) -> int:
    conn.request("GET", "/subjects", headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_sighup_reloads_the_auth_config_without_dropping_connections(
    server_factory: ServerFactory, pki: Pki, tmp_path: Path
) -> None:
    config = tmp_path / "auth.toml"
    config.write_text(users_toml(pki.hashes) + ACL)
    (tmp_path / "jwks.json").write_text(pki.issuer.jwks_file.read_text())
    server = server_factory.start(None, "--auth-config", str(config))
    carol = basic("carol", "carol-pw")
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        assert get_status(conn, carol) == 401
        assert get_status(conn, basic("alice", "alice-pw")) == 200
        sock = conn.sock

        hashes = {**pki.hashes, "carol": hash_password("carol-pw")}
        config.write_text(users_toml(hashes) + ACL)
        os.kill(server.pid, signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_WITHIN_S
        while get_status(conn, carol) != 200:
            assert time.monotonic() < deadline, "the new user was not accepted after SIGHUP"
        assert conn.sock is sock, "the connection was dropped by the reload"

        config.write_text("[[users]]\nname = 'broken'\n")
        os.kill(server.pid, signal.SIGHUP)
        while "auth config not reloaded" not in server.stderr():
            assert time.monotonic() < deadline + RELOAD_WITHIN_S, server.stderr()
            assert server.process.poll() is None
        assert get_status(conn, carol) == 200  # the previous config stays in force
        assert conn.sock is sock
    finally:
        conn.close()
    assert server.process.poll() is None


def test_an_open_registry_says_so_once(server_factory: ServerFactory) -> None:
    server = server_factory.start()
    server.stop()
    assert server.stderr().count("the registry is open") == 1


# --------------------------------------------------------------------------------- workers


def on_each_worker(
    url: str, context: ssl.SSLContext, check: Callable[[httpx.Client], bool], workers: int = 2
) -> None:
    """Open fresh connections until `check` has held on `workers` distinct ready worker
    processes (each named by its metrics), within a deadline."""
    passed: set[str] = set()
    deadline = time.monotonic() + RELOAD_WITHIN_S
    while len(passed) < workers:
        assert time.monotonic() < deadline, f"held only on workers {passed}"
        with httpx.Client(base_url=url, verify=context) as client:
            if client.get("/health/ready").status_code != 200:
                continue
            pid = client.get("/metrics").text.split('cairn_worker{pid="', 1)[1].split('"')[0]
            if check(client):
                passed.add(pid)


def test_workers_authorize_handed_over_writes_by_client_certificate_and_reload_on_sighup(
    server_factory: ServerFactory, pki: Pki, tmp_path: Path
) -> None:
    config = tmp_path / "auth.toml"
    config.write_text(users_toml(pki.hashes) + ACL)
    (tmp_path / "jwks.json").write_text(pki.issuer.jwks_file.read_text())
    context = pki.context(pki.svc_orders)
    server = server_factory.start(
        None,
        "--workers",
        "2",
        *("--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key)),
        *("--tls-client-ca", str(pki.ca.cert_file), "--auth-config", str(config)),
        tls=context,
    )
    body = {"schema": json.dumps(SCHEMA)}
    written = iter(range(1000))

    def writes_by_certificate(client: httpx.Client) -> bool:
        # Whichever worker the connection reached, the writer judges the certificate's CN.
        n = next(written)
        ok = client.post(f"/subjects/orders-w{n}-value/versions", json=body, headers=CT)
        assert ok.status_code == 200, ok.text
        assert client.get(f"/subjects/orders-w{n}-value/versions/latest").status_code == 200
        denied = client.post(f"/subjects/payments-w{n}-value/versions", json=body, headers=CT)
        assert denied.status_code == 403, denied.text
        return True

    on_each_worker(server.url, context, writes_by_certificate)

    carol = basic("carol", "carol-pw")
    with httpx.Client(base_url=server.url, verify=context) as client:
        assert client.get("/subjects", headers=carol).status_code == 401
    config.write_text(users_toml({**pki.hashes, "carol": hash_password("carol-pw")}) + ACL)
    os.kill(server.pid, signal.SIGHUP)
    on_each_worker(
        server.url,
        context,
        lambda client: client.get("/subjects", headers=carol).status_code == 200,
    )
    assert server.process.poll() is None


def test_registry_commands_with_a_bearer_token(
    servers: dict[str, ServerProcess], pki: Pki, tmp_path: Path
) -> None:
    server = servers["tls"]
    schema = tmp_path / "robot.avsc"
    schema.write_text(json.dumps(SCHEMA))
    token = pki.issuer.token("robot", aud="cairn")
    auth = ("--ca-cert", str(pki.ca.cert_file), "--token", token)
    registered = cli(server, "register", "robot-cli-value", str(schema), auth=auth)
    assert registered.exit_code == 0, registered.output
    listed = cli(server, "subjects", auth=auth)
    assert listed.exit_code == 0, listed.output
    assert "robot-cli-value" in listed.output.splitlines()
    # The variable works as the option does.
    result = CliRunner().invoke(
        main,
        ["versions", "robot-cli-value", "--url", server.url, "--ca-cert", str(pki.ca.cert_file)],
        env={"CAIRN_TOKEN": token},
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["1"]
    both = cli(server, "subjects", auth=(*auth, "--user", "alice", "--password", "alice-pw"))
    assert both.exit_code == 2
    assert "not both" in both.output
